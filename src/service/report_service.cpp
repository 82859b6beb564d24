#include "service/report_service.hpp"

#include <memory>

namespace tb::service {
namespace {

Timestamp period_bound(const std::optional<std::string>& text, PeriodBound bound,
                       std::string_view name) {
  const auto parsed = parse_period_bound(*text, bound);
  if (!parsed) {
    throw Error(
        ErrorCode::invalid_request,
        std::string(name) + " must be a day (2026-11-30) or a UTC time (2026-11-30T12:00:00Z)");
  }
  return *parsed;
}

}  // namespace

ReportFilter ReportService::filter(const ReportRequest& request) const {
  ReportFilter filter;
  const Timestamp now = clock_();
  // `to` is exclusive and times are whole seconds: a ticket created this second is in.
  filter.period.to =
      request.to ? period_bound(request.to, PeriodBound::to, "to") : now + std::chrono::seconds(1);
  filter.period.from = request.from ? period_bound(request.from, PeriodBound::from, "from")
                                    : filter.period.to - kDefaultReportDays;
  if (filter.period.from >= filter.period.to) {
    throw Error(ErrorCode::invalid_request, "from must be before to");
  }
  if (request.category_id && !store_.find_category(*request.category_id)) {
    throw Error(ErrorCode::not_found, "no such category");
  }
  filter.category_id = request.category_id;
  filter.status = request.status;
  return filter;
}

ReportContents ReportService::contents(const Principal& caller, const ReportFilter& filter) {
  caller.require(Permission::reports_export);
  ReportContents contents;
  contents.filter = filter;
  contents.generated_at = clock_();
  contents.summary = store_.summarize_report(filter);
  fill_report_days(contents.summary, filter.period);
  for (const auto& category : store_.list_categories())
    contents.category_names.emplace(category.id, category.name);
  // Keyset paging: each page starts after the last id of the one before.
  auto after_id = std::make_shared<std::int64_t>(0);
  contents.next_page = [&store = store_, filter, after_id] {
    auto page = store.list_report_tickets(
        store::ReportPage{.filter = filter, .after_id = *after_id, .limit = kPageSize});
    if (!page.empty()) *after_id = page.back().id;
    return page;
  };
  return contents;
}

}  // namespace tb::service
