// The bot's side of a conversation: what a person's message or button press in Telegram
// does. Customers open tickets (/new, or just by writing), follow them (/tickets), write into
// them and rate them; staff take and resolve from notifications, answer by replying to one,
// and work a ticket in its topic of the staff forum chat (/note for an internal note). Every
// action goes through the same services, and so the same permissions, as the REST API.
//
// Each update is handled once: the services' effects are keyed by the update's id (a ticket
// or message made under the key "tg-<update_id>" is found, not made again, when a crash makes
// the update run twice), and the chat's dialog state, the bot's replies (as deliveries) and
// the mark "processed" are written in one transaction: one for a whole run of updates, whose
// later updates see the dialog state its earlier ones left.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "service/auth_service.hpp"
#include "service/category_service.hpp"
#include "service/ticket_service.hpp"
#include "store/store.hpp"
#include "telegram/links.hpp"

namespace tb::telegram {

struct BotServices {
  store::Store& store;
  service::AuthService& auth;
  service::TicketService& tickets;
  service::CategoryService& categories;
};

// The answer to a button press, which Telegram wants at once (it is not a chat message).
struct CallbackAnswer {
  std::string callback_query_id;
  std::string text;
};

class Bot {
 public:
  Bot(BotServices services, const AppLinks& links, std::optional<std::int64_t> staff_chat_id);

  // Handles stored updates in order and marks them processed, with one commit for the run.
  // Returns the answers to the button presses among them. Throws StoreError after committing
  // what the updates before the failing one did (it and the rest stay pending and are tried
  // again); anything else is answered with an apology and logged.
  std::vector<CallbackAnswer> process(std::span<const store::TelegramUpdate* const> updates);
  // One update on its own.
  std::optional<CallbackAnswer> process(const store::TelegramUpdate& update);

 private:
  struct Turn;
  struct Run;
  void handle(const store::TelegramUpdate& update, Run& run);
  void on_private_message(Turn& turn, std::string_view text, std::optional<std::int64_t> reply_to);
  void on_command(Turn& turn, std::string_view command, std::string_view argument);
  void on_staff_topic_message(Turn& turn, std::int64_t thread_id, std::string_view text);
  void on_callback(Turn& turn, std::string_view data);
  void start_new_ticket(Turn& turn);
  void list_tickets(Turn& turn);
  void open_ticket(Turn& turn, std::string_view text, std::optional<std::int64_t> category_id);
  void post(Turn& turn, std::int64_t ticket_id, std::string_view text, bool internal);
  void route_plain_message(Turn& turn, std::string_view text);
  void act_on_ticket(Turn& turn, std::string_view action, std::int64_t ticket_id,
                     std::string_view argument);
  void commit(const Run& run);

  BotServices services_;
  const AppLinks& links_;
  std::optional<std::int64_t> staff_chat_id_;
};

}  // namespace tb::telegram
