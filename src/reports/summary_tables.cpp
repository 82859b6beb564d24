#include "reports/summary_tables.hpp"

namespace tb::reports {

CountRows status_rows(const ReportSummary& summary) {
  CountRows rows;
  for (const auto status : {TicketStatus::open, TicketStatus::in_progress, TicketStatus::waiting,
                            TicketStatus::resolved, TicketStatus::closed}) {
    rows.emplace_back(status_name(status), summary.by_status[static_cast<std::size_t>(status)]);
  }
  return rows;
}

CountRows priority_rows(const ReportSummary& summary) {
  CountRows rows;
  for (const auto priority :
       {Priority::low, Priority::normal, Priority::high, Priority::critical}) {
    rows.emplace_back(priority_name(priority),
                      summary.by_priority[static_cast<std::size_t>(priority)]);
  }
  return rows;
}

CountRows category_rows(const ReportSummary& summary) {
  CountRows rows;
  for (const auto& category : summary.by_category)
    rows.emplace_back(category.category_id ? category.name : "(none)", category.tickets);
  return rows;
}

}  // namespace tb::reports
