// What happened, as the event log records it: one entry per committed change, in commit
// order. Consumers (the realtime hub, the bot's notifier, the dashboard, the Redis bridge)
// follow the log by position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ticket.hpp"

namespace tb {

enum class EventKind {
  ticket_created,
  ticket_updated,
  ticket_deleted,
  message_created,
  identity_changed,     // a person's role, categories or availability: `user_id`
  session_ended,        // a logout: `session_hash`
  permissions_changed,  // the role permission table
};

// ticket.* and message.created: the events about a ticket, which carry it.
bool is_ticket_event(EventKind kind);

std::string_view event_kind_name(EventKind kind);  // "ticket.created", …
std::optional<EventKind> parse_event_kind(std::string_view name);

// A logged change. A ticket event carries the ticket (and message) it is about, as they
// are when the event is read: a consumer shows the ticket's latest state, and ids never
// change; subscribers apply their own visibility rules (internal messages are marked as
// such). An identity event tells caches what to forget.
struct Event {
  EventKind kind = EventKind::ticket_updated;
  Ticket ticket;  // ticket events only
  std::optional<Message> message;
  std::int64_t user_id = 0;   // identity_changed
  std::string session_hash;   // session_ended: the ended session's token hash
  std::int64_t position = 0;  // in the log; 0 for what was never logged
  // What a ticket.updated changed, for consumers that tell people about it (the bot's
  // notifier) and must not guess it from the ticket as it is now: set only when the field
  // actually changed. assignee_to holds nullopt inside when the ticket was unassigned.
  std::optional<TicketStatus> status_to{};
  std::optional<std::optional<std::int64_t>> assignee_to{};
  std::optional<std::int64_t> actor_id{};  // ticket.updated: who changed it (none: the system)
};

// Whether a ticket.created event also raises the staff alert for critical tickets.
bool raises_critical_alert(const Event& event);

}  // namespace tb
