#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ticket.hpp"
#include "service/auto_reply_service.hpp"
#include "service/principal.hpp"
#include "service/rate_limiter.hpp"
#include "service/settings_service.hpp"
#include "store/store.hpp"

namespace tb::service {

struct TicketRequest {
  std::string subject;
  std::string body;
  std::optional<std::int64_t> category_id;
  std::optional<Priority> priority;
  MessageSource source = MessageSource::api;
  // The client's key for this ticket, which makes the creation safe to resend (submit).
  std::optional<std::string> client_id;
};

struct SubmittedTicket {
  Ticket ticket;
  bool created = true;  // false: a resend, answered with the ticket made the first time
};

struct MessageRequest {
  std::string body;
  bool internal = false;
  MessageSource source = MessageSource::api;
  // The client's key for this message, which makes the post safe to resend (post_message).
  std::optional<std::string> client_id;
};

// What post_message did: posted `message` now, or found it posted by an earlier send.
struct PostedMessage {
  Message message;
  bool created = true;
};

struct TicketUpdate {
  std::optional<std::string> subject;
  std::optional<TicketStatus> status;
  std::optional<Priority> priority;
  std::optional<std::optional<std::int64_t>> category_id;
  std::optional<std::optional<std::int64_t>> assignee_id;
};

// The life of a ticket: creation under an active category (its SLA, default priority and
// routing), visibility, per-field update rights, the status machine, messages and internal
// notes, SLA and CSAT. What changes lands in the event log with the change (the store
// appends it), for the hub and every other consumer. It runs the auto-replies
// (AutoReplyService) after a ticket or a customer's message is created. Both the REST API
// and the bot call it.
class TicketService {
 public:
  // Without `settings` the defaults of CustomerSettings apply to customers.
  TicketService(store::Store& store, AutoReplyService& auto_replies, Clock clock = system_now,
                int messages_per_minute = 60, const SettingsService* settings = nullptr);

  Ticket create(const Principal& caller, const TicketRequest& request);
  // create, made idempotent by request.client_id: when the caller already created a ticket
  // under that key, that ticket comes back (created = false) and nothing else happens.
  SubmittedTicket submit(const Principal& caller, const TicketRequest& request);
  // Applies the caller's visibility and search rights to `query`.
  std::vector<Ticket> list(const Principal& caller, store::TicketQuery query);
  // `query` with those rights applied: what list() runs, and all that its result depends on.
  static store::TicketQuery visible_query(const Principal& caller, store::TicketQuery query);
  // The event log's extent, and what it holds about one ticket the caller may see, after
  // `after` and up to `up_to` (for WebSocket replays).
  store::EventLogBounds event_log_bounds() { return store_.event_log_bounds(); }
  std::vector<Event> ticket_events(const Principal& caller, std::int64_t ticket_id,
                                   std::int64_t after, std::int64_t up_to);
  // A list read while this was N is current while it is still N (Store::committed_writes).
  std::uint64_t committed_writes() const { return store_.committed_writes(); }
  Ticket get(const Principal& caller, std::int64_t id);
  // The statuses `caller` may move `ticket` to now (the status table and their rights): what
  // update() accepts for `status`, every other move being refused (403 or 409).
  static std::vector<TicketStatus> allowed_statuses(const Principal& caller, const Ticket& ticket);
  // The fields of a Ticket `caller` is not shown (a customer's view, by the settings).
  TicketRedaction redaction_for(const Principal& caller) const;
  Ticket update(const Principal& caller, std::int64_t id, const TicketUpdate& update);
  void remove(const Principal& caller, std::int64_t id);
  Ticket rate(const Principal& caller, std::int64_t id, const Rating& rating);

  // Read marks (per person): the caller has seen the ticket up to `through_message_id`
  // (nothing: its latest message). 404 for a ticket they may not see.
  void mark_read(const Principal& caller, std::int64_t id,
                 std::optional<std::int64_t> through_message_id);
  // The caller's unread counts among `ticket_ids` (tickets they see; only those above zero).
  std::vector<store::UnreadCount> unread_counts(const Principal& caller,
                                                std::span<const std::int64_t> ticket_ids);
  // How many tickets of `query` (as visible_query made it) have unread messages for the caller.
  std::int64_t count_unread_tickets(const store::TicketQuery& query) {
    return store_.count_unread_tickets(query);
  }

  std::vector<Message> messages(const Principal& caller, std::int64_t ticket_id,
                                std::int64_t after_id, int limit);
  // With a client_id the post is idempotent: when the caller already posted a message under
  // that key on this ticket, that message comes back (created = false) and nothing happens:
  // no new row, no event, no status change, no auto-reply, no rate-limit token taken. Two
  // sends racing each other still make one message (the store's unique key decides).
  PostedMessage post_message(const Principal& caller, std::int64_t ticket_id,
                             const MessageRequest& request);

  // Closes tickets resolved more than `after` ago; returns how many.
  int close_resolved(std::chrono::seconds after);

  Timestamp now() const { return clock_(); }

 private:
  Ticket visible_ticket(const Principal& caller, std::int64_t id);
  Ticket reload(std::int64_t id);
  static StatusAuthority authority_over(const Principal& caller, const Ticket& ticket);
  void check_status_change(const Principal& caller, const Ticket& ticket, TicketStatus to);
  void apply_assignee(const Principal& caller, const Ticket& ticket,
                      std::optional<std::int64_t> assignee, store::TicketChanges& changes);
  Category active_category(std::int64_t id);

  store::Store& store_;
  AutoReplyService& auto_replies_;
  Clock clock_;
  RateLimiter message_limiter_;
  const SettingsService* settings_;
};

TicketScope scope_of(const Principal& caller);

}  // namespace tb::service
