// The bot's notifications: who must be told what in Telegram about each logged event, and the
// durable consumer that writes those deliveries. The notifier follows the event log from its
// saved cursor and writes each batch's delivery rows together with the cursor in one
// transaction, so a crash loses nothing and plans nothing twice; the Sender sends the rows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "store/store.hpp"
#include "telegram/links.hpp"

namespace tb::telegram {

// Plans the deliveries of one event. Customers get staff replies (never internal notes),
// status changes and, on resolution, a rating keyboard; the assignee gets new tickets routed
// to them, assignments and customer messages; moderators and admins get critical tickets;
// the staff forum chat (STAFF_CHAT_ID) gets one topic per ticket with the whole exchange.
// Nobody is told of their own message, and blocked chats are skipped.
class NotificationPlanner {
 public:
  NotificationPlanner(store::Store& store, const AppLinks& links,
                      std::optional<std::int64_t> staff_chat_id);

  std::vector<store::NewDelivery> plan(const Event& event);

 private:
  void plan_ticket_created(const Event& event, std::vector<store::NewDelivery>& out);
  void plan_message(const Event& event, std::vector<store::NewDelivery>& out);
  void plan_ticket_updated(const Event& event, std::vector<store::NewDelivery>& out);
  // Adds `header` + `body` for `person`'s private chat, cut to Telegram's length, the
  // keyboard on the last part; nothing when the person has no reachable chat.
  void tell(const User& person, const Ticket& ticket, const std::string& header,
            std::string_view body, const std::string& keyboard,
            std::vector<store::NewDelivery>& out);
  void tell_staff_topic(const Ticket& ticket, const std::string& header, std::string_view body,
                        std::vector<store::NewDelivery>& out);
  // Whether the person has a chat the bot may write to (a Telegram id, not blocked).
  bool reachable(const User& person);
  std::optional<User> reachable(std::int64_t user_id);  // read first, then the same

  store::Store& store_;
  const AppLinks& links_;
  std::optional<std::int64_t> staff_chat_id_;
};

// The durable consumer "telegram-notifier".
class Notifier {
 public:
  static constexpr std::string_view kConsumer = "telegram-notifier";

  Notifier(store::Store& store, const AppLinks& links, std::optional<std::int64_t> staff_chat_id);

  // Plans `events` and writes their deliveries with the cursor at the last one, atomically.
  void consume(std::span<const Event> events);
  // Follows the log from the saved cursor until `stop`. On first start (no cursor saved) it
  // begins at the log's end: people are not told of what happened before the bot existed.
  void run(std::stop_token stop);

 private:
  store::Store& store_;
  NotificationPlanner planner_;
};

}  // namespace tb::telegram
