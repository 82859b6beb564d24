#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/forecast.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// What staffing is planned against (configuration: FORECAST_*).
struct StaffingTargets {
  // Agent time one ticket takes: reading, replying, looking things up — not how long it stays
  // open (a ticket waiting a day on the customer is not an agent busy for a day).
  std::chrono::seconds handling_time{600};
  double service_level = 0.8;  // the share to be answered within the first-response target
  // Unset: the tightest first-response SLA of the active categories (else kDefaultFirstResponse).
  std::optional<std::chrono::seconds> first_response{};
};

inline constexpr std::chrono::seconds kDefaultFirstResponse{3600};
inline constexpr int kMaxForecastDays = 28;
inline constexpr int kForecastHistoryWeeks = 12;

struct ForecastPoint {
  Timestamp t{};  // the hour's start
  double expected = 0;
  int low = 0;
  int high = 0;
  int staff_needed = 0;
};

struct StaffingForecast {
  Timestamp generated_at{};
  forecast::ArrivalForecast arrivals;  // its `hours` moved into `points`
  double interval_level = 0;
  std::chrono::seconds first_response{};
  std::string first_response_source;  // "setting", "category_sla" or "default"
  double service_level = 0;
  std::chrono::seconds handling_time{};
  std::vector<ForecastPoint> points;
};

// The load forecast and staffing advice: tickets expected per hour for the coming days (from
// the hourly arrivals of the last kForecastHistoryWeeks, core/forecast.hpp), and per hour the
// agents Erlang C says are needed to answer `service_level` of them within the first-response
// target. The answer is kept for ten minutes, and until the hour turns, so asking is cheap.
class ForecastService {
 public:
  ForecastService(store::Store& store, StaffingTargets targets, Clock clock = system_now)
      : store_(store), targets_(targets), clock_(std::move(clock)) {}

  // `days` from 1 to kMaxForecastDays (else invalid_request); needs forecast.view. Points
  // start at the current hour.
  StaffingForecast forecast(const Principal& caller, int days);

 private:
  std::shared_ptr<const StaffingForecast> current(Timestamp now);
  StaffingForecast compute(Timestamp now);

  store::Store& store_;
  StaffingTargets targets_;
  Clock clock_;
  std::mutex mutex_;  // one computation at a time; guards cached_
  std::shared_ptr<const StaffingForecast> cached_;
};

}  // namespace tb::service
