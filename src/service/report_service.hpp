#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/report.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// A report as the caller asked for it; the period bounds as written (see parse_period_bound).
struct ReportRequest {
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::int64_t> category_id;
  std::optional<TicketStatus> status;
};

// Ticket reports (reports.export): checks the request, takes the summary's figures at once
// and hands out the tickets a page at a time, so an export of any size holds one page in
// memory. It knows nothing of file formats (src/reports/) or of HTTP.
class ReportService {
 public:
  static constexpr int kPageSize = 1000;

  explicit ReportService(store::Store& store, Clock clock = system_now)
      : store_(store), clock_(std::move(clock)) {}

  // The filter `request` names: 400 for a malformed bound or an empty period, 404 for an
  // unknown category. Without bounds: the 30 days up to now (this second included).
  ReportFilter filter(const ReportRequest& request) const;

  // What a report of `filter` is made from. Its next_page reads the store when called (from
  // whatever thread writes the file) and must not outlive this service.
  ReportContents contents(const Principal& caller, const ReportFilter& filter);

 private:
  store::Store& store_;
  Clock clock_;
};

}  // namespace tb::service
