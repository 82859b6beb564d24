// The Telegram bot end to end: the real ticketbot binary against the fake Bot API server
// (tests/fakes/fake_bot_api.py). Customers write by updates queued in the fake; staff act over
// REST as demo people; what the bot sent is read back from the fake's control API.
#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "../support/fake_bot_api.hpp"
#include "demo_api.hpp"
#include "test_server.hpp"

namespace tb::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

constexpr const char* kWebApp = "https://example.org/app/";

Environment bot_environment(const FakeBotApi& fake, const Environment& extra = {}) {
  Environment environment{{"TELEGRAM_BOT_TOKEN", FakeBotApi::kToken},
                          {"TELEGRAM_API_URL", fake.url()},
                          {"TELEGRAM_MODE", "polling"},
                          {"WEBAPP_URL", kWebApp},
                          {"DEMO", "1"},
                          {"TELEGRAM_SEND_LIMITS", "off"}};
  for (const auto& [name, value] : extra) environment[name] = value;
  return environment;
}

// Prints the server's log when the test failed, for whoever reads the failure.
struct LogOnFailure {
  const TestServer& server;
  ~LogOnFailure() {
    if (::testing::Test::HasFailure()) std::cerr << "--- server log ---\n" << server.log();
  }
};

std::string text_of(const json::value& message) {
  return std::string(message.at("text").as_string());
}

bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

json::object person(std::int64_t id, std::string_view first_name) {
  return {{"id", id}, {"first_name", first_name}, {"language_code", "en"}};
}

json::object private_message(std::int64_t user, std::string_view text,
                             std::string_view first_name = "Ann") {
  return {{"message", json::object{{"chat", json::object{{"id", user}, {"type", "private"}}},
                                   {"from", person(user, first_name)},
                                   {"text", text}}}};
}

json::object button_press(std::int64_t user, std::int64_t message_id, std::string_view data) {
  static int next_query = 1;
  return {
      {"callback_query",
       json::object{
           {"id", "query-" + std::to_string(next_query++)},
           {"from", person(user, "Ann")},
           {"data", data},
           {"message", json::object{{"message_id", message_id},
                                    {"date", 0},
                                    {"chat", json::object{{"id", user}, {"type", "private"}}}}}}}};
}

void queue(FakeBotApi& fake, json::array updates) {
  fake.control("updates", {{"updates", std::move(updates)}});
}
void queue(FakeBotApi& fake, json::object update) {
  queue(fake, json::array{std::move(update)});
}

json::array sent_to(FakeBotApi& fake, std::int64_t chat) {
  return fake.read("sent", "chat_id=" + std::to_string(chat)).at("messages").as_array();
}

// The calls of `method` (to `chat`, when not 0) after seq `since`; waits up to `wait` for one.
json::object calls_after(FakeBotApi& fake, const std::string& method, std::int64_t chat,
                         std::int64_t since, std::chrono::milliseconds wait = 0ms) {
  std::string query = "method=" + method + "&since=" + std::to_string(since);
  if (chat != 0) query += "&chat_id=" + std::to_string(chat);
  if (wait > 0ms) query += "&wait_ms=" + std::to_string(wait.count());
  return fake.read("calls", query).as_object();
}

int count_containing(const json::array& messages, std::string_view needle) {
  int count = 0;
  for (const auto& message : messages) count += contains(text_of(message), needle) ? 1 : 0;
  return count;
}

// The last lines of the texts containing `needle`, in the order they were sent.
std::vector<std::string> texts_with(const json::array& messages, std::string_view needle) {
  std::vector<std::string> found;
  for (const auto& message : messages) {
    const auto text = text_of(message);
    if (contains(text, needle)) found.push_back(text.substr(text.rfind('\n') + 1));
  }
  return found;
}

// Waits (on the fake's calls, never by sleeping) until the bot has sent `chat` a message with
// a message_id above `after` whose text contains `needle`; returns it (empty on timeout).
json::object wait_for_message(FakeBotApi& fake, std::int64_t chat, std::string_view needle,
                              std::int64_t after = 0,
                              std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = Clock::now() + timeout;
  std::int64_t since = 0;
  for (;;) {
    for (const auto& message : sent_to(fake, chat)) {
      if (message.at("message_id").as_int64() > after && contains(text_of(message), needle)) {
        return message.as_object();
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) break;
    since = calls_after(fake, "sendMessage", chat, since,
                        std::min(left, std::chrono::milliseconds(5000)))
                .at("next")
                .as_int64();
  }
  ADD_FAILURE() << "no message to chat " << chat << " containing \"" << needle
                << "\"; sent: " << json::serialize(sent_to(fake, chat));
  return {};
}

// Waits until a call of `method` after seq `since` exists; returns the first (empty on timeout).
json::object wait_for_call(FakeBotApi& fake, const std::string& method, std::int64_t chat = 0,
                           std::int64_t since = 0,
                           std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto calls = calls_after(fake, method, chat, since, timeout).at("calls").as_array();
  if (calls.empty()) {
    ADD_FAILURE() << "no " << method << " call";
    return {};
  }
  return calls.front().as_object();
}

std::string first_button_field(const json::object& message, std::string_view field) {
  const auto* markup = message.if_contains("reply_markup");
  if (!markup || !markup->is_object()) return {};
  const auto& button = markup->at("inline_keyboard").at(0).at(0);
  if (field == "web_app") return std::string(button.at("web_app").at("url").as_string());
  return std::string(button.at(field).as_string());
}

// The ticket id in a message headed "<b>#42 · Subject</b>".
std::int64_t ticket_id_in(std::string_view text) {
  const auto hash = text.find('#');
  if (hash == std::string_view::npos) return 0;
  return std::strtoll(std::string(text.substr(hash + 1, 20)).c_str(), nullptr, 10);
}

// A customer's private chat with the bot, remembering which messages were already looked at.
class Chat {
 public:
  Chat(FakeBotApi& fake, std::int64_t user, std::string name = "Ann")
      : fake_(fake), user_(user), name_(std::move(name)) {}

  std::int64_t id() const { return user_; }
  void write(std::string_view text) { queue(fake_, private_message(user_, text, name_)); }
  void press(std::int64_t message_id, std::string_view data) {
    queue(fake_, button_press(user_, message_id, data));
  }
  // The next message from the bot containing `needle`.
  json::object expect(std::string_view needle,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    auto message = wait_for_message(fake_, user_, needle, seen_, timeout);
    if (!message.empty()) seen_ = message.at("message_id").as_int64();
    return message;
  }

  // /new, the first category, the question: the new ticket's id (from the confirmation).
  std::int64_t open_ticket(std::string_view question, json::object* confirmation = nullptr) {
    write("/new");
    const auto choose = expect("Choose a category");
    if (choose.empty()) return 0;
    const auto data = first_button_field(choose, "callback_data");
    EXPECT_TRUE(data.starts_with("cat:")) << data;
    press(choose.at("message_id").as_int64(), data);
    expect("Describe your question");
    write(question);
    auto confirmed = expect("Your ticket is open");
    const auto id = confirmed.empty() ? 0 : ticket_id_in(text_of(confirmed));
    if (confirmation) *confirmation = std::move(confirmed);
    return id;
  }

 private:
  FakeBotApi& fake_;
  std::int64_t user_;
  std::string name_;
  std::int64_t seen_ = 0;
};

json::array messages_of(TestServer& server, const std::string& token, std::int64_t ticket) {
  return call(server, "GET", "/tickets/" + std::to_string(ticket) + "/messages?limit=200", token)
      .at("items")
      .as_array();
}

void post_message(TestServer& server, const std::string& token, std::int64_t ticket,
                  std::string_view body, bool internal = false) {
  call(server, "POST", "/tickets/" + std::to_string(ticket) + "/messages", token,
       json::serialize(json::object{{"body", body}, {"internal", internal}}), 201);
}

// A gauge's value in GET /metrics (-1 when absent).
double metric(TestServer& server, std::string_view name) {
  const auto body = server.request("GET", "/metrics").body;
  const std::string prefix = std::string(name) + " ";
  for (std::size_t at = 0; at < body.size();) {
    const auto end = std::min(body.find('\n', at), body.size());
    if (body.compare(at, prefix.size(), prefix) == 0) {
      return std::stod(body.substr(at + prefix.size(), end - at - prefix.size()));
    }
    at = end + 1;
  }
  return -1;
}

TEST(Bot, StartGreetsWithTheAppButtonAndTheBotAnnouncesItself) {
  FakeBotApi fake;
  TestServer server(bot_environment(fake));
  LogOnFailure log{server};

  Chat ann(fake, 4201);
  ann.write("/start");
  const auto welcome = ann.expect("Hello, Ann!");
  EXPECT_EQ(first_button_field(welcome, "web_app"), kWebApp);

  std::set<std::string> languages;
  for (const auto& entry : fake.calls("setMyCommands")) {
    const auto& params = entry.at("params").as_object();
    EXPECT_EQ(entry.at("status"), 200);
    const auto* language = params.if_contains("language_code");
    languages.insert(language ? std::string(language->as_string()) : "");
    bool has_new = false;
    for (const auto& command : params.at("commands").as_array()) {
      has_new = has_new || command.at("command") == "new";
    }
    EXPECT_TRUE(has_new) << json::serialize(params);
  }
  EXPECT_EQ(languages, (std::set<std::string>{"", "ru"}));

  const auto menu = fake.calls("setChatMenuButton");
  ASSERT_EQ(menu.size(), 1u);
  EXPECT_EQ(menu[0].at("params").at("menu_button").at("type"), "web_app");
  EXPECT_EQ(menu[0].at("params").at("menu_button").at("web_app").at("url"), kWebApp);

  // getMe came before the first update was polled, so /auth/methods knows the name by now.
  const auto methods = json::parse(server.request("GET", "/auth/methods").body);
  EXPECT_EQ(methods.at("bot_username"), "ticketbot_test_bot");
}

TEST(Bot, NewTicketByCategoryAndQuestionIsCreatedFromTheBot) {
  FakeBotApi fake;
  TestServer server(bot_environment(fake));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");

  Chat ann(fake, 4202);
  json::object confirmation;
  const auto ticket = ann.open_ticket("My printer prints only blank pages", &confirmation);
  ASSERT_GT(ticket, 0);
  EXPECT_EQ(first_button_field(confirmation, "web_app"),
            std::string(kWebApp) + "?startapp=ticket_" + std::to_string(ticket));
  EXPECT_EQ(confirmation.at("reply_markup").at("inline_keyboard").at(0).at(0).at("text"),
            "Open in app");

  const auto found = call(server, "GET", "/tickets/" + std::to_string(ticket), moderator);
  EXPECT_EQ(found.at("subject"), "My printer prints only blank pages");
  EXPECT_EQ(found.at("creator").at("first_name"), "Ann");
  EXPECT_FALSE(found.at("category_id").is_null());
  const auto messages = messages_of(server, moderator, ticket);
  ASSERT_EQ(messages.size(), 1u) << json::serialize(messages);
  EXPECT_EQ(messages[0].at("source"), "bot");
  EXPECT_EQ(messages[0].at("body"), "My printer prints only blank pages");
}

TEST(Bot, StaffReplyReachesTheCustomerAndAReplyToItJoinsThatTicket) {
  FakeBotApi fake;
  TestServer server(bot_environment(fake));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");

  Chat ann(fake, 4203);
  const auto first = ann.open_ticket("The VPN drops every hour");
  const auto second = ann.open_ticket("And the mail is slow");  // now the selected one
  ASSERT_GT(first, 0);
  ASSERT_GT(second, first);

  post_message(server, moderator, first, "Try <reconnect> & tell us");
  const auto reply = ann.expect("Try &lt;reconnect&gt; &amp; tell us");
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(ticket_id_in(text_of(reply)), first);
  EXPECT_EQ(first_button_field(reply, "web_app"),
            std::string(kWebApp) + "?startapp=ticket_" + std::to_string(first));

  auto answer = private_message(ann.id(), "Reconnecting did not help");
  answer.at("message").as_object()["reply_to_message"] =
      json::object{{"message_id", reply.at("message_id")},
                   {"date", 0},
                   {"chat", json::object{{"id", ann.id()}, {"type", "private"}}},
                   {"text", reply.at("plain_text")}};
  queue(fake, answer);

  const auto deadline = Clock::now() + 10s;
  json::array messages;
  for (;;) {  // the bot says nothing back to a customer's message: poll REST, with a deadline
    messages = messages_of(server, moderator, first);
    if (messages.size() == 3 || Clock::now() > deadline) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(messages.size(), 3u) << json::serialize(messages);
  EXPECT_EQ(messages[2].at("body"), "Reconnecting did not help");
  EXPECT_EQ(messages[2].at("source"), "bot");
  EXPECT_EQ(messages_of(server, moderator, second).size(), 1u);
}

TEST(Bot, InternalNoteIsNeverSentToTheCustomer) {
  FakeBotApi fake;
  TestServer server(bot_environment(fake));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");

  Chat ann(fake, 4204);
  const auto ticket = ann.open_ticket("Where is my invoice?");
  ASSERT_GT(ticket, 0);
  post_message(server, moderator, ticket, "secret: customer owes us money", true);
  post_message(server, moderator, ticket, "Your invoice is on its way");
  ASSERT_FALSE(ann.expect("Your invoice is on its way").empty());

  const auto sent = sent_to(fake, ann.id());
  EXPECT_EQ(count_containing(sent, "owes us money"), 0) << json::serialize(sent);
  const auto messages = messages_of(server, moderator, ticket);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].at("internal"), true);
}

TEST(Bot, TooManyRequestsWaitsRetryAfterThenSendsOnceInOrder) {
  FakeBotApi fake;
  // Telegram's limits on: the sender must honour retry_after on top of its own pacing.
  TestServer server(bot_environment(fake, {{"TELEGRAM_SEND_LIMITS", "on"}}));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");

  Chat ann(fake, 4205);
  const auto ticket = ann.open_ticket("Rate limits are fun");
  ASSERT_GT(ticket, 0);
  const auto since = calls_after(fake, "sendMessage", ann.id(), 0).at("next").as_int64();
  fake.control(
      "fail",
      {{"method", "sendMessage"}, {"chat_id", ann.id()}, {"error_code", 429}, {"retry_after", 2}});
  post_message(server, moderator, ticket, "answer one");
  post_message(server, moderator, ticket, "answer two");
  ASSERT_FALSE(wait_for_message(fake, ann.id(), "answer one", 0, 20s).empty());
  ASSERT_FALSE(wait_for_message(fake, ann.id(), "answer two", 0, 20s).empty());

  const auto calls = calls_after(fake, "sendMessage", ann.id(), since).at("calls").as_array();
  ASSERT_GE(calls.size(), 3u) << json::serialize(calls);
  EXPECT_EQ(calls[0].at("status"), 429);
  const double refused_at = calls[0].at("at").to_number<double>();
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].at("status"), 200);
    EXPECT_GE(calls[i].at("at").to_number<double>() - refused_at, 1.9)
        << "sent before retry_after was over: " << json::serialize(calls);
  }
  const auto sent = sent_to(fake, ann.id());
  EXPECT_EQ(count_containing(sent, "answer one"), 1);
  EXPECT_EQ(count_containing(sent, "answer two"), 1);
  EXPECT_EQ(texts_with(sent, "\nanswer "), (std::vector<std::string>{"answer one", "answer two"}))
      << "the chat's order was not kept";
}

TEST(Bot, NotificationsPendingAtACrashAreDeliveredOnceAfterRestart) {
  FakeBotApi fake;
  const auto directory = make_temp_directory();
  const auto environment =
      bot_environment(fake, {{"DATABASE_URL", "sqlite:" + (directory / "bot.db").string()}});
  const std::int64_t customer = 4206;
  std::int64_t ticket = 0;
  json::array before_crash;
  {
    TestServer server(environment);
    LogOnFailure log{server};
    const auto moderator = token_of(server, "moderator");
    Chat ann(fake, customer);
    ticket = ann.open_ticket("Crash me softly");
    ASSERT_GT(ticket, 0);

    // Telegram fails every send to the customer: the notifications pile up, retried.
    fake.control(
        "fail",
        {{"method", "sendMessage"}, {"chat_id", customer}, {"error_code", 500}, {"times", 1000}});
    const auto since = calls_after(fake, "sendMessage", customer, 0).at("next").as_int64();
    for (const auto* body : {"reply one", "reply two", "reply three"}) {
      post_message(server, moderator, ticket, body);
    }
    wait_for_call(fake, "sendMessage", customer, since);
    const auto deadline = Clock::now() + 10s;
    while (metric(server, "ticketbot_telegram_deliveries_pending") < 3 && Clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_GE(metric(server, "ticketbot_telegram_deliveries_pending"), 3);
    EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
    before_crash = sent_to(fake, customer);
  }
  fake.control("reset");  // Telegram works again (and forgets what it showed)
  {
    TestServer server(environment);
    LogOnFailure log{server};
    const auto moderator = token_of(server, "moderator");
    post_message(server, moderator, ticket, "reply four");  // after the others, in this chat
    ASSERT_FALSE(wait_for_message(fake, customer, "reply four").empty());
    const auto after_restart = sent_to(fake, customer);
    for (const auto* body : {"reply one", "reply two", "reply three", "reply four"}) {
      EXPECT_EQ(count_containing(before_crash, body) + count_containing(after_restart, body), 1)
          << body << "; after the restart: " << json::serialize(after_restart);
    }
    EXPECT_EQ(texts_with(after_restart, "reply "),
              (std::vector<std::string>{"reply one", "reply two", "reply three", "reply four"}));
    // The fake shows a message before the bot has marked it sent: wait for the mark.
    const auto deadline = Clock::now() + 5s;
    while (metric(server, "ticketbot_telegram_deliveries_pending") != 0 &&
           Clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(metric(server, "ticketbot_telegram_deliveries_pending"), 0);
  }
  std::filesystem::remove_all(directory);
}

TEST(Bot, AnUpdateDeliveredTwiceIsProcessedOnce) {
  FakeBotApi fake;
  TestServer server(bot_environment(fake));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");

  Chat ann(fake, 4207);
  const auto ticket = ann.open_ticket("Duplicates everywhere");
  ASSERT_GT(ticket, 0);
  auto update = private_message(ann.id(), "this was said once");
  update["update_id"] = 9'000'000;
  queue(fake, json::array{update, update});
  ann.write("/tickets");  // a later update: once it is answered, the duplicate was handled
  ASSERT_FALSE(ann.expect("Your tickets:").empty());

  const auto messages = messages_of(server, moderator, ticket);
  int said = 0;
  for (const auto& message : messages) said += message.at("body") == "this was said once";
  EXPECT_EQ(said, 1) << json::serialize(messages);
}

TEST(Bot, StaffForumTopicCarriesTheTicketRepliesAndNotes) {
  FakeBotApi fake;
  constexpr std::int64_t kStaffChat = -100123;
  constexpr std::int64_t kStaffMember = 5550001;
  TestServer server(bot_environment(fake, {{"STAFF_CHAT_ID", std::to_string(kStaffChat)},
                                           {"BOOTSTRAP_ADMINS", std::to_string(kStaffMember)}}));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");

  Chat ann(fake, 4208);
  const auto ticket = ann.open_ticket("The coffee machine is on fire");
  ASSERT_GT(ticket, 0);
  const auto card = wait_for_message(fake, kStaffChat, "The coffee machine is on fire");
  ASSERT_FALSE(card.empty());
  ASSERT_TRUE(card.at("message_thread_id").is_int64()) << json::serialize(card);
  const auto thread = card.at("message_thread_id").as_int64();
  // One topic for the ticket (the demo's old tickets, closed at start, may get theirs too).
  int topics = 0;
  for (const auto& entry : fake.calls("createForumTopic")) {
    const auto& params = entry.at("params");
    EXPECT_EQ(params.at("chat_id"), kStaffChat);
    topics += std::string_view(params.at("name").as_string())
                  .starts_with("#" + std::to_string(ticket) + " ");
  }
  EXPECT_EQ(topics, 1);

  const auto in_topic = [&](std::string_view text) {
    return json::object{
        {"message",
         json::object{
             {"chat", json::object{{"id", kStaffChat}, {"type", "supergroup"}, {"is_forum", true}}},
             {"from", person(kStaffMember, "Sam")},
             {"message_thread_id", thread},
             {"is_topic_message", true},
             {"text", text}}}};
  };
  queue(fake, in_topic("Unplug it first, please"));
  ASSERT_FALSE(ann.expect("Unplug it first, please").empty());
  queue(fake, in_topic("/note she sounded calm"));
  queue(fake, in_topic("Then call the fire brigade"));
  ASSERT_FALSE(ann.expect("Then call the fire brigade").empty());

  EXPECT_EQ(count_containing(sent_to(fake, ann.id()), "calm"), 0);
  const auto messages = messages_of(server, moderator, ticket);
  ASSERT_EQ(messages.size(), 4u) << json::serialize(messages);
  EXPECT_EQ(messages[1].at("body"), "Unplug it first, please");
  EXPECT_EQ(messages[1].at("internal"), false);
  EXPECT_EQ(messages[1].at("author").at("role"), "admin");
  EXPECT_EQ(messages[2].at("body"), "she sounded calm");
  EXPECT_EQ(messages[2].at("internal"), true);
  // Staff's own words are not echoed back into the topic.
  EXPECT_EQ(count_containing(sent_to(fake, kStaffChat), "Unplug it first"), 0);
}

TEST(Bot, ABlockedCustomerIsParkedAndNotRetried) {
  FakeBotApi fake;
  TestServer server(bot_environment(fake));
  LogOnFailure log{server};
  const auto moderator = token_of(server, "moderator");
  const auto admin = token_of(server, "admin");

  Chat ann(fake, 4209);
  const auto ticket = ann.open_ticket("Nobody listens to me");
  ASSERT_GT(ticket, 0);
  fake.control("block", {{"chat_id", ann.id()}});
  const auto since = calls_after(fake, "sendMessage", ann.id(), 0).at("next").as_int64();
  post_message(server, moderator, ticket, "We are listening");
  const auto refused = wait_for_call(fake, "sendMessage", ann.id(), since);
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused.at("status"), 403);

  json::array parked;
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    parked = call(server, "GET", "/telegram/deliveries", admin).at("items").as_array();
    if (!parked.empty()) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(parked.size(), 1u) << json::serialize(parked);
  EXPECT_EQ(parked[0].at("chat_id"), ann.id());
  EXPECT_EQ(parked[0].at("ticket_id"), ticket);
  EXPECT_TRUE(contains(parked[0].at("text").as_string(), "We are listening"));
  EXPECT_GT(metric(server, "ticketbot_telegram_deliveries_dead"), 0);

  post_message(server, moderator, ticket, "Still listening");
  const auto next = refused.at("seq").as_int64();
  const auto later = calls_after(fake, "sendMessage", ann.id(), next, 2500ms).at("calls");
  EXPECT_TRUE(later.as_array().empty()) << json::serialize(later);
}

TEST(Bot, WebhookChecksTheSecretAndProcessesEachUpdateOnce) {
  FakeBotApi fake;
  const int port = unused_loopback_port();
  const std::string secret = "webhook-secret-0123456789";
  const std::string webhook = "http://127.0.0.1:" + std::to_string(port) + "/telegram/webhook";
  TestServer server(bot_environment(fake, {{"HTTP_PORT", std::to_string(port)},
                                           {"TELEGRAM_MODE", "webhook"},
                                           {"TELEGRAM_WEBHOOK_URL", webhook},
                                           {"TELEGRAM_WEBHOOK_SECRET", secret}}));
  LogOnFailure log{server};

  const auto set = wait_for_call(fake, "setWebhook");
  ASSERT_FALSE(set.empty());
  EXPECT_EQ(set.at("params").at("url"), json::value(webhook));
  EXPECT_EQ(set.at("params").at("secret_token"), json::value(secret));
  EXPECT_TRUE(fake.calls("getUpdates").empty());

  const auto update_for = [](std::int64_t id, std::int64_t user, std::string_view text) {
    auto update = private_message(user, text);
    update["update_id"] = id;
    update.at("message").as_object()["message_id"] = id;
    update.at("message").as_object()["date"] = 0;
    return json::serialize(update);
  };
  const auto header = [](std::string_view value) {
    return "X-Telegram-Bot-Api-Secret-Token: " + std::string(value) + "\r\n";
  };
  EXPECT_EQ(
      server.request("POST", "/telegram/webhook", update_for(7'000'001, 4301, "/start")).status,
      401);
  EXPECT_EQ(server
                .request("POST", "/telegram/webhook", update_for(7'000'002, 4301, "/start"),
                         header("webhook-secret-0123456780"))
                .status,
            401);

  // The right secret, twice with the same update: stored once, answered once.
  const auto twice = update_for(7'000'003, 4302, "/start");
  EXPECT_EQ(server.request("POST", "/telegram/webhook", twice, header(secret)).status, 200);
  EXPECT_EQ(server.request("POST", "/telegram/webhook", twice, header(secret)).status, 200);
  // Telegram's own way in: the fake posts to the URL setWebhook gave it, with the secret.
  auto cancel = private_message(4302, "/cancel");
  cancel["update_id"] = 7'000'004;  // after the others: updates are processed in id order
  const auto pushed = fake.control("push", {{"update", cancel}}).as_object();
  EXPECT_EQ(pushed.at("status"), 200) << json::serialize(pushed);
  ASSERT_FALSE(wait_for_message(fake, 4302, "Nothing to cancel").empty());

  EXPECT_EQ(count_containing(sent_to(fake, 4302), "Hello, Ann!"), 1);
  EXPECT_TRUE(sent_to(fake, 4301).empty());
}

}  // namespace
}  // namespace tb::testing
