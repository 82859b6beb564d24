// tb::wire — the wire formats that REST (api/) and WebSocket (realtime/) share, so an
// object looks the same over both; below both, it knows neither.
//
// JSON written straight into the response text. The hot reads (ticket lists, message pages)
// and every WebSocket frame are made of Tickets, Messages and UserRefs: building a
// boost::json tree for them first cost an allocation per field and per string, and a
// second pass to serialize. The output is byte for byte what boost::json::serialize gives
// for the same object (same field order, same escapes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/customer_view.hpp"
#include "core/role.hpp"
#include "core/ticket.hpp"
#include "core/user.hpp"

namespace tb::wire {

// One of this program's own names (a role, a status, a permission): ASCII with no quote,
// backslash or control character, so written as it is, like a member name, unscanned.
struct Name {
  std::string_view text;
};

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // The name of the next member of the current object: one of ours, written as it is.
  void key(std::string_view name);

  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(std::int64_t number);
  void value(int number) { value(static_cast<std::int64_t>(number)); }
  void value(bool flag);
  void value(Timestamp time);
  void value(Name name);
  void null();
  template <class T>
  void value(const std::optional<T>& maybe) {
    if (maybe) {
      value(*maybe);
    } else {
      null();
    }
  }
  // Text that already is JSON (a value serialized elsewhere).
  void raw(std::string_view json);

  template <class T>
  void member(std::string_view name, const T& member_value) {
    key(name);
    value(member_value);
  }

 private:
  void separate();  // a comma before every value but the first of its container

  std::string& out_;
  bool first_ = true;        // nothing written yet in the current container
  bool after_key_ = false;   // the next value belongs to the key just written
  std::vector<bool> outer_;  // first_ of the enclosing containers
};

// The API.md shapes, written where they stand in a document. `now` decides `breached`.
// `hidden` leaves fields out of a Ticket for a viewer not to see them (a customer's view:
// no assignee, no sla_due_at and breached), absent rather than null, which would mislead.
void write_user_ref(JsonWriter& out, const UserRef& user);
void write_ticket(JsonWriter& out, const Ticket& ticket, Timestamp now,
                  TicketRedaction hidden = {});
void write_message(JsonWriter& out, const Message& message);

// Whole documents: one object, or a page {"items": [...], "next_cursor": ...}.
std::string ticket_document(const Ticket& ticket, Timestamp now, TicketRedaction hidden = {});
// One ticket as its caller sees it alone (GET and PUT /tickets/{id}): the Ticket plus
// `allowed_statuses`, the moves the caller may make now. Lists and WebSocket frames, shared
// by many callers, never carry it.
std::string ticket_document(const Ticket& ticket, Timestamp now,
                            std::span<const TicketStatus> allowed_statuses,
                            TicketRedaction hidden = {});
std::string message_document(const Message& message);
// A User with its `permissions` (GET /auth/me): asked for on every Mini App start.
std::string me_document(const User& user, const PermissionSet& permissions);
std::string ticket_page(const std::vector<Ticket>& tickets, Timestamp now,
                        const std::optional<std::string>& next_cursor, TicketRedaction hidden = {});
std::string message_page(const std::vector<Message>& messages,
                         const std::optional<std::string>& next_cursor);

}  // namespace tb::wire
