// The Bot API client against the fake Bot API server (tests/fakes/fake_bot_api.py): the wire
// format, the classification of failures, deadlines, cancel() and connection reuse.
#include "telegram/bot_api.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "../support/fake_bot_api.hpp"

namespace tb::telegram {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::FakeBotApi;
namespace json = boost::json;

BotApiOptions options_for(const FakeBotApi& fake, std::chrono::milliseconds timeout = 5000ms) {
  return BotApiOptions{fake.url(), FakeBotApi::kToken, timeout};
}

// Runs `call` expecting a BotApiError; returns it.
template <class Call>
BotApiError failure_of(Call&& call) {
  try {
    call();
  } catch (const BotApiError& error) {
    EXPECT_EQ(std::string(error.what()).find(FakeBotApi::kToken), std::string::npos)
        << "the token leaked into: " << error.what();
    EXPECT_EQ(std::string(error.what()).find("fake-token"), std::string::npos) << error.what();
    return error;
  }
  ADD_FAILURE() << "the call did not fail";
  return BotApiError(BotApiError::Kind::network, "none", 0, "no failure");
}

TEST(BotApi, GetMeNamesTheBot) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  const auto me = api.get_me();
  EXPECT_EQ(me.id, 7000000001);
  EXPECT_EQ(me.username, "ticketbot_test_bot");
}

TEST(BotApi, SendMessageReturnsIncreasingIdsAndSendsEveryParameterAsJson) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  OutgoingMessage message;
  message.chat_id = -1001234;
  message.text = "<b>Ticket #7</b> is open";
  message.message_thread_id = 55;
  message.reply_markup = json::object{
      {"inline_keyboard",
       json::array{json::array{json::object{{"text", "Open"}, {"callback_data", "t:7"}}}}}};
  const auto first = api.send_message(message);
  message.reply_to_message_id = first;
  message.reply_markup.reset();
  const auto second = api.send_message(message);
  EXPECT_GT(second, first);

  const auto calls = fake.calls("sendMessage");
  ASSERT_EQ(calls.size(), 2u);
  const auto& params = calls[0].as_object().at("params").as_object();
  EXPECT_EQ(calls[0].as_object().at("encoding"), "json");
  EXPECT_EQ(params.at("chat_id"), -1001234);
  EXPECT_EQ(params.at("text"), "<b>Ticket #7</b> is open");
  EXPECT_EQ(params.at("parse_mode"), "HTML");
  EXPECT_EQ(params.at("message_thread_id"), 55);
  EXPECT_EQ(params.at("reply_markup"),
            json::parse(R"({"inline_keyboard":[[{"text":"Open","callback_data":"t:7"}]]})"));
  EXPECT_EQ(params.at("link_preview_options").at("is_disabled"), true);
  EXPECT_FALSE(params.contains("reply_parameters"));

  const auto sent = fake.read("sent", "chat_id=-1001234").at("messages").as_array();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].at("reply_to_message_id"), first);
  EXPECT_EQ(sent[1].at("message_id"), second);
}

TEST(BotApi, AnUnbalancedHtmlTextIsABadRequest) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  OutgoingMessage message;
  message.chat_id = 42;
  message.text = "<b>unclosed";
  const auto error = failure_of([&] { api.send_message(message); });
  EXPECT_EQ(error.kind, BotApiError::Kind::bad_request);
  EXPECT_EQ(error.error_code, 400);
  EXPECT_EQ(error.method, "sendMessage");
}

TEST(BotApi, TooManyRequestsIsRateLimitedWithRetryAfter) {
  FakeBotApi fake;
  fake.control("fail", {{"method", "sendMessage"}, {"error_code", 429}, {"retry_after", 7}});
  BotApi api(options_for(fake));
  const auto error = failure_of([&] { api.send_message({.chat_id = 42, .text = "hi"}); });
  EXPECT_EQ(error.kind, BotApiError::Kind::rate_limited);
  EXPECT_EQ(error.error_code, 429);
  EXPECT_EQ(error.retry_after, 7s);
  // The next one goes through on the same client.
  EXPECT_GT(api.send_message({.chat_id = 42, .text = "hi"}), 0);
}

TEST(BotApi, AnInternalServerErrorIsServer) {
  FakeBotApi fake;
  fake.control("fail", {{"method", "getMe"}, {"error_code", 500}});
  fake.control("fail", {{"method", "getMe"}, {"error_code", 502}});
  BotApi api(options_for(fake));
  auto error = failure_of([&] { api.get_me(); });
  EXPECT_EQ(error.kind, BotApiError::Kind::server);
  EXPECT_EQ(error.error_code, 500);
  error = failure_of([&] { api.get_me(); });
  EXPECT_EQ(error.kind, BotApiError::Kind::server);
  EXPECT_EQ(error.error_code, 502);
}

TEST(BotApi, AChatThatBlockedTheBotIsBlocked) {
  FakeBotApi fake;
  fake.control("block", {{"chat_id", 43}});
  BotApi api(options_for(fake));
  const auto error = failure_of([&] { api.send_message({.chat_id = 43, .text = "hi"}); });
  EXPECT_EQ(error.kind, BotApiError::Kind::blocked);
  EXPECT_EQ(error.error_code, 403);
  EXPECT_NE(error.description.find("blocked"), std::string::npos) << error.description;
}

TEST(BotApi, AWrongTokenIsABadRequestAndTheMessageDoesNotShowIt) {
  FakeBotApi fake;
  BotApi api(BotApiOptions{fake.url(), "123:wrong-secret-token", 5000ms});
  try {
    api.get_me();
    FAIL() << "getMe with a wrong token succeeded";
  } catch (const BotApiError& error) {
    EXPECT_EQ(error.kind, BotApiError::Kind::bad_request);
    EXPECT_EQ(error.error_code, 401);
    EXPECT_EQ(std::string(error.what()).find("wrong-secret-token"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("getMe"), std::string::npos) << error.what();
  }
}

TEST(BotApi, AnUnknownMethodIsABadRequest) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  const auto error = failure_of([&] { api.call("sendTelepathy", {}); });
  EXPECT_EQ(error.kind, BotApiError::Kind::bad_request);
  EXPECT_EQ(error.error_code, 404);
}

TEST(BotApi, ASlowAnswerEndsAsANetworkErrorWithinTheTimeout) {
  FakeBotApi fake;
  fake.control("fail", {{"method", "getMe"}, {"delay_ms", 5000}});
  BotApi api(options_for(fake, 500ms));
  const auto started = Clock::now();
  const auto error = failure_of([&] { api.get_me(); });
  const auto elapsed = Clock::now() - started;
  EXPECT_EQ(error.kind, BotApiError::Kind::network);
  EXPECT_EQ(error.error_code, 0);
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 1500ms);
  // The client recovers on a new connection.
  EXPECT_EQ(api.get_me().id, 7000000001);
}

TEST(BotApi, ALongPollGetsItsOwnTimeoutOnTopOfTheCallTimeout) {
  FakeBotApi fake;
  BotApi api(options_for(fake, 500ms));
  const auto started = Clock::now();
  EXPECT_TRUE(api.get_updates(0, 1, 10).empty());  // waits 1 s, longer than the 0.5 s timeout
  EXPECT_GE(Clock::now() - started, 900ms);
}

TEST(BotApi, GetUpdatesReturnsQueuedUpdatesAndTheOffsetConfirmsThem) {
  FakeBotApi fake;
  fake.control(
      "updates",
      {{"updates",
        json::array{
            json::object{{"message", json::object{{"chat", {{"id", 42}}}, {"text", "/start"}}}},
            json::object{{"message", json::object{{"chat", {{"id", 42}}}, {"text", "hello"}}}}}}});
  BotApi api(options_for(fake));
  auto updates = api.get_updates(0, 0, 100);
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].at("update_id"), 1000);
  EXPECT_EQ(updates[1].at("message").at("text"), "hello");
  updates = api.get_updates(1001, 0, 100);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].at("update_id"), 1001);
  EXPECT_TRUE(api.get_updates(1002, 0, 100).empty());
}

TEST(BotApi, CancelEndsALongPollPromptlyAndEveryLaterCall) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  std::optional<BotApiError> error;
  Clock::time_point ended;
  std::thread poller([&] {
    try {
      api.get_updates(0, 30, 100);
    } catch (const BotApiError& e) {
      error = e;
    }
    ended = Clock::now();
  });
  std::this_thread::sleep_for(300ms);
  const auto cancelled = Clock::now();
  api.cancel();
  poller.join();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, BotApiError::Kind::network);
  EXPECT_LT(ended - cancelled, 1s);

  const auto started = Clock::now();
  EXPECT_EQ(failure_of([&] { api.get_me(); }).kind, BotApiError::Kind::network);
  EXPECT_LT(Clock::now() - started, 100ms);
}

TEST(BotApi, ManyCallsShareTheConnection) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  const auto started = Clock::now();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(api.get_me().id, 7000000001);
  // Not a benchmark: a client that reconnected every time would still pass this; the
  // assertion only catches one that hangs or leaks a connection per call into a stall.
  EXPECT_LT(Clock::now() - started, 20s);
  EXPECT_EQ(fake.calls("getMe").size(), 100u);
}

TEST(BotApi, CallsGoOnAfterTheServerClosesAnIdleConnection) {
  FakeBotApi fake({"--idle-timeout", "0.2"});
  BotApi api(options_for(fake));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(api.get_me().id, 7000000001);
    std::this_thread::sleep_for(500ms);  // the fake drops the connection meanwhile
  }
  EXPECT_GT(api.send_message({.chat_id = 42, .text = "after idle"}), 0);
  EXPECT_EQ(fake.calls("getMe").size(), 3u);
  EXPECT_EQ(fake.calls("sendMessage").size(), 1u);
}

TEST(BotApi, AReusedConnectionClosedBeforeTheAnswerIsRetriedOnceOnANewOne) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  api.get_me();  // the connection is open now
  fake.control("fail", {{"method", "getMe"}, {"close_connection", true}});
  EXPECT_EQ(api.get_me().id, 7000000001);
  const auto calls = fake.calls("getMe");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].at("status"), 0);  // closed without an answer
  EXPECT_EQ(calls[2].at("status"), 200);
}

TEST(BotApi, AConnectionClosedBeforeTheAnswerTwiceIsANetworkError) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  api.get_me();
  fake.control("fail", {{"method", "getMe"}, {"close_connection", true}, {"times", 2}});
  EXPECT_EQ(failure_of([&] { api.get_me(); }).kind, BotApiError::Kind::network);
  EXPECT_EQ(fake.calls("getMe").size(), 3u);  // the retry happened once, not more
  EXPECT_EQ(api.get_me().id, 7000000001);
}

TEST(BotApi, AFreshConnectionClosedBeforeTheAnswerIsNotResent) {
  FakeBotApi fake;
  fake.control("fail", {{"method", "sendMessage"}, {"close_connection", true}});
  BotApi api(options_for(fake));
  EXPECT_EQ(failure_of([&] { api.send_message({.chat_id = 42, .text = "once"}); }).kind,
            BotApiError::Kind::network);
  EXPECT_EQ(fake.calls("sendMessage").size(), 1u);
}

TEST(BotApi, DownloadFileReturnsTheBytes) {
  FakeBotApi fake;
  // Every byte value, base64-encoded by hand-checked Python: bytes(range(256)).
  std::string content;
  for (int i = 0; i < 256; ++i) content.push_back(static_cast<char>(i));
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  for (std::size_t i = 0; i < content.size(); i += 3) {
    const auto byte = [&](std::size_t k) {
      return k < content.size() ? static_cast<unsigned char>(content[k]) : 0u;
    };
    const unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    encoded += kAlphabet[(triple >> 18) & 63];
    encoded += kAlphabet[(triple >> 12) & 63];
    encoded += i + 1 < content.size() ? kAlphabet[(triple >> 6) & 63] : '=';
    encoded += i + 2 < content.size() ? kAlphabet[triple & 63] : '=';
  }
  fake.control(
      "file",
      {{"file_id", "F1"}, {"content_base64", encoded}, {"file_path", "documents/report 1.bin"}});
  BotApi api(options_for(fake));
  const auto info = api.get_file("F1");
  EXPECT_EQ(info.file_id, "F1");
  EXPECT_EQ(info.file_size, 256);
  EXPECT_EQ(info.file_path, "documents/report 1.bin");
  EXPECT_EQ(api.download_file(info.file_path), content);

  auto error = failure_of([&] { api.download_file("documents/missing.bin"); });
  EXPECT_EQ(error.kind, BotApiError::Kind::bad_request);
  EXPECT_EQ(error.error_code, 404);
  error = failure_of([&] { api.get_file("nope"); });
  EXPECT_EQ(error.kind, BotApiError::Kind::bad_request);
}

TEST(BotApi, TheOtherTypedCallsReachTheServer) {
  FakeBotApi fake;
  BotApi api(options_for(fake));
  const auto message_id = api.send_message({.chat_id = 42, .text = "first"});
  api.edit_message_text(
      42, message_id, "<i>edited</i>",
      json::object{{"inline_keyboard", json::array{json::array{
                                           json::object{{"text", "A"}, {"callback_data", "a"}}}}}});
  api.edit_message_reply_markup(42, message_id, std::nullopt);
  api.answer_callback_query("cb-1", "done");
  api.set_my_commands({{"start", "Start"}, {"new", "New ticket"}}, "en");
  api.set_chat_menu_button("Tickets", "https://example.org/app/");
  api.set_webhook("https://example.org/telegram/webhook", "s3cret_token", {"message"});
  api.delete_webhook();
  const auto first_topic = api.create_forum_topic(-100777, "Ticket #1");
  const auto second_topic = api.create_forum_topic(-100777, "Ticket #2");
  EXPECT_GT(second_topic, first_topic);

  const auto sent = fake.read("sent", "chat_id=42").at("messages").as_array();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("text"), "<i>edited</i>");
  EXPECT_TRUE(sent[0].at("reply_markup").is_null() ||
              sent[0].at("reply_markup").as_object().empty())
      << sent[0].at("reply_markup");

  const auto state = fake.read("state").as_object();
  const auto& commands = state.at("commands").as_array();
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].at("language_code"), "en");
  EXPECT_EQ(commands[0].at("commands").as_array().size(), 2u);
  EXPECT_EQ(state.at("menu_buttons").as_array()[0].at("menu_button").at("web_app").at("url"),
            "https://example.org/app/");
  EXPECT_EQ(state.at("webhook").at("url"), "");  // deleted again
  const auto webhooks = fake.calls("setWebhook");
  ASSERT_EQ(webhooks.size(), 1u);
  EXPECT_EQ(webhooks[0].at("params").at("secret_token"), "s3cret_token");
  EXPECT_EQ(webhooks[0].at("params").at("allowed_updates"), json::value(json::array{"message"}));
  EXPECT_EQ(fake.calls("answerCallbackQuery").size(), 1u);
}

TEST(BotApi, AServerThatIsNotListeningIsANetworkError) {
  BotApi api(BotApiOptions{
      "http://127.0.0.1:" + std::to_string(tb::testing::unused_loopback_port()), "1:x", 2000ms});
  const auto started = Clock::now();
  const auto error = failure_of([&] { api.get_me(); });
  EXPECT_EQ(error.kind, BotApiError::Kind::network);
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST(BotApi, HttpsToAPlainHttpServerFailsCleanly) {
  FakeBotApi fake;
  BotApi api(BotApiOptions{"https://127.0.0.1:" + std::to_string(fake.port()), FakeBotApi::kToken,
                           1000ms});
  const auto started = Clock::now();
  const auto error = failure_of([&] { api.get_me(); });
  EXPECT_EQ(error.kind, BotApiError::Kind::network);
  EXPECT_LT(Clock::now() - started, 2500ms);
}

TEST(BotApi, ABaseUrlThatIsNotHttpIsRefusedAtConstruction) {
  EXPECT_THROW(BotApi(BotApiOptions{"ftp://example.org", "1:x", 1000ms}), std::invalid_argument);
  EXPECT_THROW(BotApi(BotApiOptions{"not a url", "1:x", 1000ms}), std::invalid_argument);
  EXPECT_THROW(BotApi(BotApiOptions{"http://example.org/?q=1", "1:x", 1000ms}),
               std::invalid_argument);
  EXPECT_NO_THROW(BotApi(BotApiOptions{"https://api.telegram.org/", "1:x", 1000ms}));
}

}  // namespace
}  // namespace tb::telegram
