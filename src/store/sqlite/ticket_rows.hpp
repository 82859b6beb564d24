// The columns that make a Ticket or a Message, and their decoders, for every query of the
// SQLite backend that returns them (lists, single rows, the event log).
#pragma once

#include <string_view>

#include "core/ticket.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// 24 columns from `tickets t` and its `kTicketJoins`, decoded by ticket_from_row.
inline constexpr std::string_view kTicketColumns = R"sql(
  t.id, t.subject, t.status, t.priority, t.category_id, t.created_at, t.updated_at,
  t.first_response_at, t.resolved_at, t.closed_at, t.last_message_at, t.messages_count,
  t.sla_due_at, t.rating_score, t.rating_comment,
  c.id, c.first_name, c.username, c.role, a.id, a.first_name, a.username, a.role,
  t.last_message_preview)sql";
inline constexpr std::string_view kTicketJoins =
    "JOIN users c ON c.id = t.creator_id LEFT JOIN users a ON a.id = t.assignee_id";
inline constexpr int kTicketColumnCount = 24;

// 10 columns from `messages m` and its `kMessageJoins`, decoded by message_from_row.
inline constexpr std::string_view kMessageColumns =
    "m.id, m.ticket_id, m.body, m.internal, m.source, m.created_at, "
    "u.id, u.first_name, u.username, u.role";
inline constexpr std::string_view kMessageJoins = "JOIN users u ON u.id = m.author_id";

Ticket ticket_from_row(const Statement& row);                   // columns 0 … 23
Message message_from_row(const Statement& row, int first = 0);  // columns first … first + 9

}  // namespace tb::store::sqlite
