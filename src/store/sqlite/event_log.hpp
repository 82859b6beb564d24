// Appending to the event log, for the SQLite store's writes (inside their transaction).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/event.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// What a ticket.updated changed, as Event::status_to and Event::assignee_to say (only the
// fields whose value the update actually changed), and who asked for it.
struct TicketUpdateFacts {
  std::optional<TicketStatus> status_to{};
  std::optional<std::optional<std::int64_t>> assignee_to{};
  std::optional<std::int64_t> actor_id{};
};

// A ticket's event (ticket.*, message.created).
void append_event(Connection& connection, EventKind kind, std::int64_t ticket_id,
                  std::optional<std::int64_t> message_id, Timestamp now,
                  const TicketUpdateFacts& facts = {});
// An event that caches must hear of: identity.changed (`user_id`), session.ended
// (`session_hash`), permissions.changed (neither).
void append_identity_event(Connection& connection, EventKind kind,
                           std::optional<std::int64_t> user_id,
                           std::optional<std::string_view> session_hash);

}  // namespace tb::store::sqlite
