// The Telegram bot's rules in-process: the whole Application on a real SQLite file (AppFixture),
// a Bot and a NotificationPlanner built on its services, and hand-made updates (the JSON
// Telegram would send) stored in the inbox and processed. Results are read back from the store:
// deliveries, tickets, messages, bot chats. No network.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <sqlite3.h>

#include "app_fixture.hpp"
#include "telegram/bot.hpp"
#include "telegram/links.hpp"
#include "telegram/notifier.hpp"

namespace tb::testing {

inline constexpr std::string_view kWebAppUrl = "https://support.example/app/";
inline constexpr std::int64_t kStaffChat = -1001234567890;

// A person as Telegram describes them, and the user the application keeps for them.
struct Person {
  TelegramUser profile;
  User user;
  std::int64_t chat() const { return profile.id; }  // the private chat's id is the user's
};

class BotFixture : public AppFixture {
 protected:
  void SetUp() override {
    start({{"TELEGRAM_MODE", "off"}});  // no tasks of its own: the tests drive the bot
    bot_.emplace(services(), links_, kStaffChat);
  }
  // The application ends (its follower first) before its database's directory goes.
  void TearDown() override {
    bot_.reset();
    stop_app();
  }

  telegram::BotServices services() {
    return telegram::BotServices{.store = store(),
                                 .auth = app_->auth(),
                                 .tickets = app_->tickets(),
                                 .categories = app_->categories()};
  }

  store::Store& store() { return app_->store(); }

  Person person(std::int64_t telegram_id, const std::string& name, Role role,
                std::optional<std::string> language = std::string("en")) {
    TelegramUser profile{.id = telegram_id,
                         .first_name = name,
                         .last_name = std::nullopt,
                         .username = std::nullopt,
                         .language_code = std::move(language)};
    auto user = store().upsert_telegram_user(profile, role, system_now());
    return Person{.profile = std::move(profile), .user = std::move(user)};
  }

  service::Principal principal(const Person& who) {
    return app_->auth().principal_for_bot_user(who.profile);
  }

  static boost::json::object from_of(const Person& who) {
    boost::json::object from{
        {"id", who.profile.id}, {"is_bot", false}, {"first_name", who.profile.first_name}};
    if (who.profile.language_code) from["language_code"] = *who.profile.language_code;
    return from;
  }

  // Stores `payload` under the next update_id and processes it as the bot's task would.
  std::optional<telegram::CallbackAnswer> deliver(const boost::json::object& payload) {
    return deliver_raw(boost::json::serialize(payload));
  }
  std::optional<telegram::CallbackAnswer> deliver_raw(const std::string& payload) {
    last_update_ = store::TelegramUpdate{.update_id = ++next_update_id_, .payload = payload};
    store().store_telegram_updates(std::span(&last_update_, 1), system_now());
    if (held_) {
      held_->push_back(last_update_);
      return std::nullopt;
    }
    return bot_->process(last_update_);
  }
  // Processes the updates that `steps` deliver as one run of the bot (one commit), as a lane
  // of the update processor does; returns the answers to the button presses among them.
  std::vector<telegram::CallbackAnswer> deliver_as_one_run(const std::function<void()>& steps) {
    held_.emplace();
    steps();
    const auto updates = std::move(*held_);
    held_.reset();
    std::vector<const store::TelegramUpdate*> run;
    for (const auto& update : updates) run.push_back(&update);
    return bot_->process(run);
  }
  // Processes the last update once more (as after a crash before its commit).
  std::optional<telegram::CallbackAnswer> deliver_again() { return bot_->process(last_update_); }

  static boost::json::object message_json(const Person& who, std::int64_t chat_id,
                                          const std::string& text) {
    return boost::json::object{
        {"message_id", 100},
        {"date", 1700000000},
        {"from", from_of(who)},
        {"chat",
         boost::json::object{{"id", chat_id}, {"type", chat_id > 0 ? "private" : "supergroup"}}},
        {"text", text}};
  }

  // `who` writes `text` in their private chat with the bot.
  std::optional<telegram::CallbackAnswer> say(const Person& who, const std::string& text) {
    return deliver(
        {{"update_id", next_update_id_ + 1}, {"message", message_json(who, who.chat(), text)}});
  }

  std::optional<telegram::CallbackAnswer> reply_to(const Person& who, std::int64_t message_id,
                                                   const std::string& text) {
    auto message = message_json(who, who.chat(), text);
    message["reply_to_message"] = boost::json::object{{"message_id", message_id}};
    return deliver({{"update_id", next_update_id_ + 1}, {"message", std::move(message)}});
  }

  // `who` writes in the staff chat, in forum topic `thread_id`.
  std::optional<telegram::CallbackAnswer> say_in_topic(const Person& who, std::int64_t thread_id,
                                                       const std::string& text) {
    auto message = message_json(who, kStaffChat, text);
    message["message_thread_id"] = thread_id;
    message["is_topic_message"] = true;
    return deliver({{"update_id", next_update_id_ + 1}, {"message", std::move(message)}});
  }

  // `who` presses a button carrying `data` under a bot message in their private chat.
  std::optional<telegram::CallbackAnswer> press(const Person& who, const std::string& data) {
    boost::json::object bot_message{
        {"message_id", 99},
        {"date", 1700000000},
        {"chat", boost::json::object{{"id", who.chat()}, {"type", "private"}}},
        {"text", "…"}};
    return deliver(
        {{"update_id", next_update_id_ + 1},
         {"callback_query", boost::json::object{{"id", "cb-" + std::to_string(next_update_id_ + 1)},
                                                {"from", from_of(who)},
                                                {"message", std::move(bot_message)},
                                                {"chat_instance", "1"},
                                                {"data", data}}}});
  }

  // The deliveries queued since the last call (due or not).
  // Every row queued since the last call, in id order, read from the database file itself:
  // the store shows only what is due (each chat's earliest pending row).
  std::vector<store::Delivery> new_deliveries() {
    sqlite3* db = nullptr;
    const auto path = (directory_ / "test.db").string();
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      ADD_FAILURE() << "cannot open " << path;
      return {};
    }
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT id, chat_id, thread_id, text, reply_markup, ticket_id, "
                       "topic_ticket_id FROM telegram_deliveries WHERE id > ?1 ORDER BY id",
                       -1, &statement, nullptr);
    sqlite3_bind_int64(statement, 1, seen_delivery_id_);
    auto optional_int = [&](int column) -> std::optional<std::int64_t> {
      if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
      return sqlite3_column_int64(statement, column);
    };
    auto text = [&](int column) {
      const auto* bytes = sqlite3_column_text(statement, column);
      return bytes ? std::string(reinterpret_cast<const char*>(bytes)) : std::string();
    };
    std::vector<store::Delivery> fresh;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      store::Delivery delivery;
      delivery.id = sqlite3_column_int64(statement, 0);
      delivery.chat_id = sqlite3_column_int64(statement, 1);
      delivery.thread_id = optional_int(2);
      delivery.text = text(3);
      delivery.reply_markup = text(4);
      delivery.ticket_id = optional_int(5);
      delivery.topic_ticket_id = optional_int(6);
      seen_delivery_id_ = delivery.id;
      fresh.push_back(std::move(delivery));
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return fresh;
  }

  static std::vector<store::Delivery> to_chat(const std::vector<store::Delivery>& deliveries,
                                              std::int64_t chat_id) {
    std::vector<store::Delivery> found;
    for (const auto& delivery : deliveries) {
      if (delivery.chat_id == chat_id) found.push_back(delivery);
    }
    return found;
  }

  // Every button of a reply_markup: callback_data, or the web_app / link url.
  static std::vector<std::string> callback_data(const std::string& reply_markup) {
    return buttons(reply_markup, "callback_data");
  }
  static std::vector<std::string> web_app_urls(const std::string& reply_markup) {
    std::vector<std::string> urls;
    if (reply_markup.empty()) return urls;
    const auto markup = boost::json::parse(reply_markup);  // outlives the loop
    for (const auto& row : markup.at("inline_keyboard").as_array()) {
      for (const auto& button : row.as_array()) {
        if (const auto* web_app = button.as_object().if_contains("web_app")) {
          urls.emplace_back(web_app->at("url").as_string());
        }
      }
    }
    return urls;
  }
  static std::vector<std::string> buttons(const std::string& reply_markup, std::string_view key) {
    std::vector<std::string> found;
    if (reply_markup.empty()) return found;
    const auto markup = boost::json::parse(reply_markup);  // outlives the loop
    for (const auto& row : markup.at("inline_keyboard").as_array()) {
      for (const auto& button : row.as_array()) {
        if (const auto* value = button.as_object().if_contains(key)) {
          found.emplace_back(value->as_string());
        }
      }
    }
    return found;
  }

  std::vector<Ticket> tickets_of(const Person& creator) {
    store::TicketQuery query;
    query.scope.view_all = true;
    query.creator_id = creator.user.id;
    query.limit = 100;
    return store().list_tickets(query);
  }

  std::vector<Message> messages_of(std::int64_t ticket_id) {
    return store().list_messages(ticket_id, 0, 1000, true);
  }

  // A ticket `creator` opened through the service (not the bot), unassigned.
  Ticket open_ticket(const Person& creator, const std::string& subject,
                     std::optional<std::int64_t> category_id = std::nullopt) {
    return app_->tickets().create(principal(creator),
                                  service::TicketRequest{.subject = subject,
                                                         .body = subject + " — details",
                                                         .category_id = category_id,
                                                         .priority = std::nullopt,
                                                         .source = MessageSource::miniapp,
                                                         .client_id = std::nullopt});
  }

  Category category(const std::string& name, RoutingMode routing = RoutingMode::manual,
                    Priority priority = Priority::normal, bool active = true) {
    Category made;
    made.name = name;
    made.routing = routing;
    made.default_priority = priority;
    made.active = active;
    return store().save_category(made);
  }

  telegram::AppLinks links_{std::string(kWebAppUrl)};
  std::optional<telegram::Bot> bot_;
  std::int64_t next_update_id_ = 5000;
  store::TelegramUpdate last_update_;
  std::optional<std::vector<store::TelegramUpdate>> held_;  // deliver_as_one_run collects here
  std::int64_t seen_delivery_id_ = 0;
};

}  // namespace tb::testing
