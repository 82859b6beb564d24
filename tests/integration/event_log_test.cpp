// The event log seen from WebSocket clients of the real binary (issue 14): live events in log
// order under concurrent posting, replay from a log position, `resync` once that position is
// pruned, and no event lost or repeated when the process dies between a commit and its
// fan-out.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "demo_api.hpp"
#include "test_server.hpp"
#include "ws_client.hpp"

namespace tb::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::map<std::string, std::string> kQuietDemo = {{"DEMO", "1"},
                                                       {"MESSAGE_RATE_LIMIT", "100000"}};

std::int64_t new_ticket(TestServer& server, const std::string& token) {
  return call(server, "POST", "/tickets", token, R"({"subject":"Log","body":"hello"})", 201)
      .at("id")
      .as_int64();
}

std::int64_t post(TestServer& server, std::int64_t ticket, const std::string& token,
                  const std::string& body) {
  return call(server, "POST", "/tickets/" + std::to_string(ticket) + "/messages", token,
              json::serialize(json::object{{"body", body}}), 201)
      .at("id")
      .as_int64();
}

std::unique_ptr<WsClient> connect(TestServer& server, const std::string& token) {
  auto client = std::make_unique<WsClient>(server.port(), "/ws?token=" + token);
  EXPECT_EQ(client->handshake_status(), 101);
  EXPECT_EQ(type_of(client->receive_json()), "ready");
  return client;
}

void send_subscribe(WsClient& client, std::int64_t ticket,
                    std::optional<std::int64_t> after_position = std::nullopt) {
  json::object message{{"type", "subscribe"}, {"topic", "ticket:" + std::to_string(ticket)}};
  if (after_position) message["after_position"] = *after_position;
  client.send_json(message);
}

// What a client saw of message.created frames: message id → position.
struct Seen {
  std::vector<std::int64_t> positions;
  std::vector<std::int64_t> messages;
  void add(const json::value& frame) {
    positions.push_back(frame.at("position").as_int64());
    messages.push_back(frame.at("message").at("id").as_int64());
  }
};

TEST(EventLogOverWebSocket, LiveEventsArriveInLogOrderUnderConcurrentPosting) {
  TestServer server(kQuietDemo);
  const auto customer = token_of(server, "user");
  const auto moderator = token_of(server, "moderator");
  std::vector<std::int64_t> tickets;
  for (int i = 0; i < 3; ++i) tickets.push_back(new_ticket(server, customer));
  auto watcher = connect(server, moderator);
  for (const auto ticket : tickets) {
    send_subscribe(*watcher, ticket);
    ASSERT_EQ(type_of(watcher->receive_type("subscribed")), "subscribed");
  }

  constexpr int kWriters = 6, kEach = 40;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i)
        post(server, tickets[(w + i) % 3], w % 2 ? moderator : customer, "m");
    });
  }
  for (auto& writer : writers) writer.join();

  Seen seen;
  while (seen.messages.size() < kWriters * kEach) {
    const auto frame = watcher->receive_json(5s);
    ASSERT_FALSE(frame.is_null()) << "got " << seen.messages.size() << " messages";
    if (type_of(frame) == "message.created") seen.add(frame);
  }
  for (std::size_t i = 1; i < seen.positions.size(); ++i)
    ASSERT_LT(seen.positions[i - 1], seen.positions[i]) << "frame " << i << " out of log order";
  EXPECT_EQ(std::set<std::int64_t>(seen.messages.begin(), seen.messages.end()).size(),
            seen.messages.size());
}

TEST(EventLogOverWebSocket, ResumingFromAPositionReplaysWhatWasMissedInLogOrderThenLive) {
  TestServer server(kQuietDemo);
  const auto customer = token_of(server, "user");
  const auto moderator = token_of(server, "moderator");
  const auto ticket = new_ticket(server, customer);
  std::int64_t position = 0;
  {
    auto client = connect(server, customer);
    send_subscribe(*client, ticket);
    client->receive_type("subscribed");
    post(server, ticket, moderator, "one");
    position = client->receive_type("message.created").at("position").as_int64();
  }
  const auto two = post(server, ticket, moderator, "two");
  call(server, "PUT", "/tickets/" + std::to_string(ticket), moderator, R"({"status":"waiting"})");
  const auto note = call(server, "POST", "/tickets/" + std::to_string(ticket) + "/messages",
                         moderator, R"({"body":"internal","internal":true})", 201);
  const auto three = post(server, ticket, customer, "three");

  auto client = connect(server, customer);
  send_subscribe(*client, ticket, position);
  std::vector<std::string> replayed;
  std::int64_t last = position;
  for (;;) {
    const auto frame = client->receive_json();
    ASSERT_FALSE(frame.is_null());
    if (type_of(frame) == "subscribed") {
      EXPECT_EQ(frame.at("replayed").as_int64(), 3);
      break;
    }
    EXPECT_GT(frame.at("position").as_int64(), last);
    last = frame.at("position").as_int64();
    replayed.push_back(type_of(frame) == "message.created"
                           ? std::to_string(frame.at("message").at("id").as_int64())
                           : type_of(frame));
  }
  // The customer never learns of the internal note, and gets the rest in log order.
  EXPECT_EQ(replayed, (std::vector<std::string>{std::to_string(two), "ticket.updated",
                                                std::to_string(three)}));
  EXPECT_NE(note.at("id").as_int64(), 0);
  const auto live = post(server, ticket, moderator, "four");
  EXPECT_EQ(client->receive_type("message.created").at("message").at("id").as_int64(), live);
  EXPECT_FALSE(client->receive(300ms).has_value());
}

TEST(EventLogOverWebSocket, APrunedPositionIsAnsweredWithResync) {
  const auto directory = make_temp_directory();
  auto environment = kQuietDemo;
  environment["DATABASE_URL"] = "sqlite:" + (directory / "shared.db").string();
  std::string customer;
  std::int64_t ticket = 0;
  {
    TestServer first(environment);
    customer = token_of(first, "user");
    ticket = new_ticket(first, customer);
    for (int i = 0; i < 5; ++i) post(first, ticket, customer, "m" + std::to_string(i));
    ASSERT_EQ(first.stop(SIGTERM), 0);
  }
  environment["EVENT_LOG_RETAIN_COUNT"] = "2";  // maintenance prunes right at start-up
  TestServer second(environment);
  for (int i = 0; i < 200 && second.log().find("event log: pruned") == std::string::npos; ++i)
    std::this_thread::sleep_for(25ms);
  auto client = connect(second, customer);
  send_subscribe(*client, ticket, 1);
  const auto resync = client->receive_json();
  ASSERT_EQ(type_of(resync), "resync") << json::serialize(resync);
  EXPECT_EQ(resync.at("topic").as_string(), "ticket:" + std::to_string(ticket));
  EXPECT_EQ(type_of(client->receive_json()), "subscribed");
  const auto live = post(second, ticket, customer, "after the resync");
  EXPECT_EQ(client->receive_type("message.created").at("message").at("id").as_int64(), live);
  std::filesystem::remove_all(directory);
}

// The process dies (as if killed) right after committing an event and before the hub hears
// of it. A client that resumes from the last position it saw, on the restarted server, gets
// every event it missed, once each and in order.
TEST(EventLogOverWebSocket, NothingIsLostOrRepeatedWhenTheProcessDiesBetweenCommitAndFanOut) {
  const auto directory = make_temp_directory();
  auto environment = kQuietDemo;
  environment["DATABASE_URL"] = "sqlite:" + (directory / "shared.db").string();
  std::string customer, moderator;
  std::int64_t ticket = 0;
  {
    TestServer first(environment);
    customer = token_of(first, "user");
    moderator = token_of(first, "moderator");
    ticket = new_ticket(first, customer);
    ASSERT_EQ(first.stop(SIGTERM), 0);
  }
  Seen live;
  {
    auto faulty = environment;
    faulty["TB_FAULT_EXIT_BEFORE_EVENT"] = "4";  // the 4th event since start-up
    TestServer crashing(faulty);
    auto client = connect(crashing, customer);
    send_subscribe(*client, ticket);
    client->receive_type("subscribed");
    for (int i = 0; i < 3; ++i) post(crashing, ticket, moderator, "m" + std::to_string(i));
    while (live.messages.size() < 3) {
      const auto frame = client->receive_type("message.created");
      ASSERT_FALSE(frame.is_null()) << "live delivery before the fault";
      live.add(frame);
    }
    // Its commit is the 4th event: the process ends, before or after answering it.
    try {
      crashing.request("POST", "/tickets/" + std::to_string(ticket) + "/messages",
                       R"({"body":"m3"})", "Authorization: Bearer " + moderator + "\r\n");
    } catch (const std::exception&) {  // no answer: it died first
    }
    EXPECT_TRUE(client->closed(5s));
    EXPECT_EQ(crashing.stop(SIGKILL), 137) << "the fault point ended the process";
  }
  ASSERT_EQ(live.messages.size(), 3u) << "the 4th was committed but never fanned out";

  TestServer restarted(environment);
  auto client = connect(restarted, customer);
  send_subscribe(*client, ticket, live.positions.back());
  Seen replayed;
  for (;;) {
    const auto frame = client->receive_json();
    ASSERT_FALSE(frame.is_null());
    if (type_of(frame) == "subscribed") break;
    if (type_of(frame) == "message.created") replayed.add(frame);
  }
  const auto stored =
      call(restarted, "GET", "/tickets/" + std::to_string(ticket) + "/messages", customer);
  std::vector<std::int64_t> all;
  for (const auto& message : stored.at("items").as_array())
    all.push_back(message.at("id").as_int64());
  std::vector<std::int64_t> received = live.messages;
  received.insert(received.end(), replayed.messages.begin(), replayed.messages.end());
  ASSERT_EQ(replayed.messages.size(), 1u);
  EXPECT_GT(replayed.positions.front(), live.positions.back());
  EXPECT_EQ(std::vector<std::int64_t>(all.end() - 4, all.end()), received);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace tb::testing
