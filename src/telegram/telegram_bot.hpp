// The bot as the application runs it: five tasks (updates, poller, answers, notifier,
// sender), each on its own thread, those that call Telegram with a Bot API connection of their
// own, and the start-up calls that make the bot look
// right in Telegram (its commands in Russian and English, the menu button opening the Mini
// App, the webhook set or removed to match the mode).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>

#include "http/router.hpp"
#include "telegram/bot.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/links.hpp"
#include "telegram/notifier.hpp"
#include "telegram/sender.hpp"
#include "telegram/updates.hpp"

namespace tb::telegram {

struct TelegramSettings {
  std::string token;
  std::string api_url;
  bool webhook = false;  // else long polling
  std::string webhook_url;
  std::string webhook_secret;
  std::string webapp_url;
  std::optional<std::int64_t> staff_chat_id;
  SendLimits limits;
};

class TelegramBot {
 public:
  // `on_username` hears the bot's @username once getMe has told it (for the Login Widget).
  TelegramBot(TelegramSettings settings, BotServices services,
              std::function<void(const std::string&)> on_username);

  // In webhook mode, POST /telegram/webhook.
  void add_routes(http::Router& router);

  // The tasks' bodies. The updates task makes the start-up calls first (retrying until
  // Telegram answers), then processes what the inbox receives; the others wait for those
  // calls, so a refused token parks nothing. The poller runs in long-polling mode only.
  void run_updates(std::stop_token stop);
  void run_poller(std::stop_token stop);
  void run_answers(std::stop_token stop);
  void run_notifier(std::stop_token stop) { notifier_.run(stop); }
  void run_sender(std::stop_token stop);

  bool long_polling() const { return !settings_.webhook; }
  const AppLinks& links() const { return links_; }
  std::uint64_t updates_processed() const { return processor_.processed_total(); }
  std::uint64_t messages_sent() const { return sender_.sent_total(); }

 private:
  bool start_up(std::stop_token stop);
  bool wait_for_start_up(std::stop_token stop);
  void announce(BotApi& api);

  TelegramSettings settings_;
  BotServices services_;
  std::function<void(const std::string&)> on_username_;
  AppLinks links_;
  Bot bot_;
  Notifier notifier_;
  BotApi updates_api_;  // the start-up calls, then getUpdates
  BotApi answers_api_;
  BotApi send_api_;
  Sender sender_;
  CallbackAnswers answers_;
  UpdateProcessor processor_;
  std::atomic<bool> started_{false};
};

}  // namespace tb::telegram
