// What happened, as the event log records it: one entry per committed change, in commit
// order. Consumers (the realtime hub, the bot's notifier, the dashboard, the Redis bridge)
// follow the log by position.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/ticket.hpp"

namespace tb {

enum class EventKind { ticket_created, ticket_updated, ticket_deleted, message_created };

std::string_view event_kind_name(EventKind kind);  // "ticket.created", …
std::optional<EventKind> parse_event_kind(std::string_view name);

// A logged change with the ticket (and message) it is about, as they are when the event is
// read: a consumer shows the ticket's latest state, and ids never change. Subscribers apply
// their own visibility rules; internal messages are marked as such.
struct TicketEvent {
  EventKind kind = EventKind::ticket_updated;
  Ticket ticket;
  std::optional<Message> message;
  std::int64_t position = 0;  // in the log; 0 for what was never logged
};

// Whether a ticket.created event also raises the staff alert for critical tickets.
bool raises_critical_alert(const TicketEvent& event);

}  // namespace tb
