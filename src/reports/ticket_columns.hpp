// The columns of a report's ticket table, shared by every format, and the cells of a ticket.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/report.hpp"

namespace tb::reports {

// An empty cell, a number, text, a point in time (UTC), a duration, or yes/no.
using Cell =
    std::variant<std::monostate, std::int64_t, std::string, Timestamp, std::chrono::seconds, bool>;

enum class CellKind { integer, text, time, duration, flag };

struct TicketColumn {
  std::string_view title;
  CellKind kind;
  double width;  // in characters, for spreadsheets
};

inline constexpr std::array kTicketColumns = {
    TicketColumn{"ID", CellKind::integer, 8},
    TicketColumn{"Subject", CellKind::text, 40},
    TicketColumn{"Status", CellKind::text, 12},
    TicketColumn{"Priority", CellKind::text, 10},
    TicketColumn{"Category", CellKind::text, 20},
    TicketColumn{"Customer", CellKind::text, 20},
    TicketColumn{"Customer username", CellKind::text, 18},
    TicketColumn{"Assignee", CellKind::text, 20},
    TicketColumn{"Created", CellKind::time, 18},
    TicketColumn{"Updated", CellKind::time, 18},
    TicketColumn{"First response", CellKind::time, 18},
    TicketColumn{"Resolved", CellKind::time, 18},
    TicketColumn{"Closed", CellKind::time, 18},
    TicketColumn{"First response time", CellKind::duration, 14},
    TicketColumn{"Resolution time", CellKind::duration, 14},
    TicketColumn{"Messages", CellKind::integer, 10},
    TicketColumn{"SLA due", CellKind::time, 18},
    TicketColumn{"SLA breached", CellKind::flag, 12},
    TicketColumn{"Rating", CellKind::integer, 8},
    TicketColumn{"Rating comment", CellKind::text, 30},
};

// The cells of `ticket` in kTicketColumns order, into `cells` (reused between rows).
void ticket_cells(const ReportContents& contents, const Ticket& ticket, std::vector<Cell>& cells);

}  // namespace tb::reports
