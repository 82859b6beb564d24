#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/statistics.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// GET /statistics as it arrives: the query parameters, unchecked.
struct StatisticsRequest {
  // A day ("2026-11-25", midnight in the time zone; `to` then means the end of that day) or a
  // UTC time ("2026-11-25T14:50:00Z"). Default: the last 30 days in the time zone (from
  // midnight 29 days ago to the end of the current hour).
  std::optional<std::string> from{};
  std::optional<std::string> to{};
  std::optional<std::int64_t> category_id{};
  std::optional<std::int64_t> assignee_id{};
  std::optional<std::string> time_zone{};  // IANA name; UTC when absent
  std::optional<std::string> interval{};   // "hour" | "day"; by the period's length when absent
};

// Whose figures a reader may see: everyone's, or only the tickets assigned to one agent.
struct StatisticsView {
  std::optional<std::int64_t> own_only{};
  friend bool operator==(const StatisticsView&, const StatisticsView&) = default;
};

// Statistics over the store's rollups (0012_statistics.sql): who may see which figures (a
// helper only their own; statistics.view_all everyone's), the period in the caller's time
// zone, and the figures of API.md's statistics shape. Reads only; never scans the tickets of
// a period.
class StatisticsService {
 public:
  StatisticsService(store::Store& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

  // Throws forbidden without statistics.view or when a caller without statistics.view_all
  // asks for another agent's figures; invalid_request for a malformed or too long period,
  // an unknown time zone or interval.
  Statistics statistics(const Principal& caller, const StatisticsRequest& request);

  // The view `caller`'s permissions give; nothing without statistics.view.
  static std::optional<StatisticsView> view_of(const Principal& caller);

  // The live dashboard's figures for `view` (what stats.updated carries): the last 24 whole
  // hours up to the end of the current one, in UTC, hour by hour.
  Statistics dashboard(const StatisticsView& view);

 private:
  struct Period;
  Statistics compute(const Period& period, const store::StatisticsFilter& filter);

  store::Store& store_;
  Clock clock_;
};

}  // namespace tb::service
