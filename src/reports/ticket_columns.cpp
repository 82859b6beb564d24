#include "reports/ticket_columns.hpp"

namespace tb::reports {
namespace {

Cell optional_time(const std::optional<Timestamp>& time) {
  return time ? Cell(*time) : Cell();
}

Cell optional_duration(std::optional<Timestamp> start, std::optional<Timestamp> end) {
  const auto seconds = seconds_between(start, end);
  return seconds ? Cell(std::chrono::seconds(*seconds)) : Cell();
}

}  // namespace

void ticket_cells(const ReportContents& contents, const Ticket& ticket, std::vector<Cell>& cells) {
  cells.clear();
  cells.emplace_back(ticket.id);
  cells.emplace_back(ticket.subject);
  cells.emplace_back(std::string(status_name(ticket.status)));
  cells.emplace_back(std::string(priority_name(ticket.priority)));
  cells.emplace_back(report_category_name(contents, ticket));
  cells.emplace_back(ticket.creator.first_name);
  cells.emplace_back(ticket.creator.username ? Cell(*ticket.creator.username) : Cell());
  cells.emplace_back(ticket.assignee ? Cell(ticket.assignee->first_name) : Cell());
  cells.emplace_back(ticket.created_at);
  cells.emplace_back(ticket.updated_at);
  cells.push_back(optional_time(ticket.first_response_at));
  cells.push_back(optional_time(ticket.resolved_at));
  cells.push_back(optional_time(ticket.closed_at));
  cells.push_back(optional_duration(ticket.created_at, ticket.first_response_at));
  cells.push_back(optional_duration(ticket.created_at, ticket.resolved_at));
  cells.emplace_back(std::int64_t{ticket.messages_count});
  cells.push_back(optional_time(ticket.sla_due_at));
  cells.emplace_back(sla_breached(ticket, contents.generated_at));
  cells.emplace_back(ticket.rating ? Cell(std::int64_t{ticket.rating->score}) : Cell());
  cells.emplace_back(ticket.rating && ticket.rating->comment ? Cell(*ticket.rating->comment)
                                                             : Cell());
}

}  // namespace tb::reports
