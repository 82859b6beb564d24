#include "telegram/telegram_bot.hpp"

#include <spdlog/spdlog.h>

#include "telegram/texts.hpp"

namespace tb::telegram {
namespace {

BotApiOptions api_options(const TelegramSettings& settings) {
  BotApiOptions options;
  options.base_url = settings.api_url;
  options.token = settings.token;
  return options;
}

}  // namespace

TelegramBot::TelegramBot(TelegramSettings settings, BotServices services,
                         std::function<void(const std::string&)> on_username)
    : settings_(std::move(settings)),
      services_(services),
      on_username_(std::move(on_username)),
      links_(settings_.webapp_url),
      bot_(services_, links_, settings_.staff_chat_id),
      notifier_(services_.store, links_, settings_.staff_chat_id),
      updates_api_(api_options(settings_)),
      answers_api_(api_options(settings_)),
      send_api_(api_options(settings_)),
      sender_(services_.store, send_api_, settings_.limits),
      answers_(answers_api_),
      processor_(services_.store, bot_, answers_) {}

void TelegramBot::add_routes(http::Router& router) {
  if (settings_.webhook) add_webhook_route(router, services_.store, settings_.webhook_secret);
}

void TelegramBot::announce(BotApi& api) {
  const auto me = api.get_me();
  links_.set_bot_username(me.username);
  on_username_(me.username);
  for (const auto language : {Language::en, Language::ru}) {
    std::vector<BotCommand> list;
    for (const auto& command : commands(language)) {
      list.push_back({std::string(command.command), std::string(command.description)});
    }
    api.set_my_commands(list, language == Language::ru ? "ru" : "");
  }
  if (!settings_.webapp_url.empty()) {
    api.set_chat_menu_button(std::string(phrase(Language::en, Phrase::my_tickets_button)),
                             links_.app_url(""));
  }
  if (settings_.webhook) {
    api.set_webhook(settings_.webhook_url, settings_.webhook_secret);
  } else {
    api.delete_webhook();
  }
  spdlog::info("telegram: bot @{} is up ({}), Bot API at {}", me.username,
               settings_.webhook ? "webhook" : "long polling", settings_.api_url);
}

bool TelegramBot::start_up(std::stop_token stop) {
  std::stop_callback cancel_call(stop, [this] { updates_api_.cancel(); });
  for (int failures = 1; !stop.stop_requested(); ++failures) {
    try {
      announce(updates_api_);
      started_.store(true);
      started_.notify_all();
      return true;
    } catch (const BotApiError& error) {
      if (stop.stop_requested()) return false;
      const bool refused = error.kind == BotApiError::Kind::bad_request;
      // A refused token will not become valid by itself: say so plainly, and try rarely.
      const auto pause = refused ? std::chrono::milliseconds(60000) : poll_backoff(failures);
      spdlog::error("telegram: start-up failed ({}{}); trying again in {} s", error.what(),
                    refused ? ": is TELEGRAM_BOT_TOKEN right?" : "", pause.count() / 1000);
      if (!pause_unless_stopped(pause, stop)) return false;
    }
  }
  return false;
}

bool TelegramBot::wait_for_start_up(std::stop_token stop) {
  while (!started_.load() && pause_unless_stopped(std::chrono::milliseconds(200), stop)) {
  }
  return !stop.stop_requested();
}

void TelegramBot::run_updates(std::stop_token stop) {
  if (start_up(stop)) process_stored_updates(services_.store, processor_, stop);
}

void TelegramBot::run_poller(std::stop_token stop) {
  if (wait_for_start_up(stop)) poll_updates(services_.store, updates_api_, processor_, stop);
}

void TelegramBot::run_answers(std::stop_token stop) {
  if (wait_for_start_up(stop)) answers_.run(stop);
}

void TelegramBot::run_sender(std::stop_token stop) {
  if (wait_for_start_up(stop)) sender_.run(stop);
}

}  // namespace tb::telegram
