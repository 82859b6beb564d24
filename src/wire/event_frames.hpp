// The WebSocket frames that carry logged events and typing signals (API.md, "Live updates"):
// the event ↔ JSON mapping, next to the objects it is made of.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/customer_view.hpp"
#include "core/event.hpp"
#include "core/user.hpp"

namespace tb::wire {

// The frame type that tells of a ticket's event: ticket.created | ticket.updated | ticket.deleted.
std::string_view ticket_frame_type(EventKind kind);

// {"type": type, ["reason": reason,] "ticket": Ticket, ["position": position]}; no position
// when it is 0 (not from the log). `now` decides `breached`.
// `hidden`: the fields its receiver is not shown (write_ticket).
std::string ticket_frame(std::string_view type, const Ticket& ticket, std::int64_t position,
                         Timestamp now, std::string_view reason = {}, TicketRedaction hidden = {});

// {"type": "message.created", "ticket_id": ..., "message": Message, ["position": ...]}.
std::string message_frame(const Message& message, std::int64_t position);

// {"type": "typing", "ticket_id": ..., "user": UserRef}.
std::string typing_frame(std::int64_t ticket_id, const UserRef& who);

}  // namespace tb::wire
