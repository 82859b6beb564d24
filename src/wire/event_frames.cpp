#include "wire/event_frames.hpp"

#include "wire/json_writer.hpp"

namespace tb::wire {

std::string_view ticket_frame_type(EventKind kind) {
  switch (kind) {
    case EventKind::ticket_created: return "ticket.created";
    case EventKind::ticket_deleted: return "ticket.deleted";
    default: break;
  }
  return "ticket.updated";
}

std::string ticket_frame(std::string_view type, const Ticket& ticket, std::int64_t position,
                         Timestamp now, std::string_view reason, TicketRedaction hidden) {
  std::string text;
  JsonWriter out(text);
  out.begin_object();
  out.member("type", type);
  if (!reason.empty()) out.member("reason", reason);
  out.key("ticket");
  write_ticket(out, ticket, now, hidden);
  if (position != 0) out.member("position", position);
  out.end_object();
  return text;
}

std::string message_frame(const Message& message, std::int64_t position) {
  std::string text;
  JsonWriter out(text);
  out.begin_object();
  out.member("type", "message.created");
  out.member("ticket_id", message.ticket_id);
  out.key("message");
  write_message(out, message);
  if (position != 0) out.member("position", position);
  out.end_object();
  return text;
}

std::string typing_frame(std::int64_t ticket_id, const UserRef& who) {
  std::string text;
  JsonWriter out(text);
  out.begin_object();
  out.member("type", "typing");
  out.member("ticket_id", ticket_id);
  out.key("user");
  write_user_ref(out, who);
  out.end_object();
  return text;
}

}  // namespace tb::wire
