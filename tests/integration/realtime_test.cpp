// The WebSocket channel (/ws) against the real binary: live delivery with the REST API's
// visibility rules, replay on reconnect, authentication, limits and slow clients.
#include <csignal>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "demo_api.hpp"
#include "test_server.hpp"
#include "ws_client.hpp"

namespace tb::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class RealtimeOverWebSocket : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(Environment{{"MESSAGE_RATE_LIMIT", "100000"},
                                         {"WS_AUTH_TIMEOUT", "1"},
                                         {"WS_MAX_CONNECTIONS_PER_USER", "6"}},
                             "demo");
    customer_ = new std::string(token_of(*server_, "user"));
    // Staff who see every ticket, wherever routing sends it.
    helper_ = new std::string(token_of(*server_, "moderator"));
    admin_ = new std::string(token_of(*server_, "admin"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete customer_;
    delete helper_;
    delete admin_;
  }

  // A ticket of the demo customer, in Billing.
  static std::int64_t customer_ticket() {
    const auto categories = call(*server_, "GET", "/categories", *customer_);
    const auto billing = categories.at("items").at(0).at("id").as_int64();
    return call(
               *server_, "POST", "/tickets", *customer_,
               R"({"subject":"Live","body":"hello","category_id":)" + std::to_string(billing) + "}",
               201)
        .at("id")
        .as_int64();
  }

  static std::int64_t post(std::int64_t ticket, const std::string& token, const std::string& body,
                           bool internal = false) {
    json::object message{{"body", body}, {"internal", internal}};
    return call(*server_, "POST", "/tickets/" + std::to_string(ticket) + "/messages", token,
                json::serialize(message), 201)
        .at("id")
        .as_int64();
  }

  static std::unique_ptr<WsClient> connect(const std::string& token) {
    auto client = std::make_unique<WsClient>(server_->port(), "/ws?token=" + token);
    EXPECT_EQ(client->handshake_status(), 101);
    EXPECT_EQ(type_of(client->receive_json()), "ready");
    return client;
  }

  static json::value subscribe(WsClient& client, std::int64_t ticket, std::int64_t after_id = 0) {
    json::object message{{"type", "subscribe"}, {"topic", "ticket:" + std::to_string(ticket)}};
    if (after_id) message["after_id"] = after_id;
    client.send_json(message);
    return client.receive_type("subscribed");
  }

  static TestServer* server_;
  static std::string* customer_;
  static std::string* helper_;
  static std::string* admin_;
};

TestServer* RealtimeOverWebSocket::server_ = nullptr;
std::string* RealtimeOverWebSocket::customer_ = nullptr;
std::string* RealtimeOverWebSocket::helper_ = nullptr;
std::string* RealtimeOverWebSocket::admin_ = nullptr;

TEST_F(RealtimeOverWebSocket, StaffReplyReachesTheCustomerAndAnInternalNoteDoesNot) {
  const auto ticket = customer_ticket();
  auto customer = connect(*customer_);
  auto helper = connect(*helper_);
  ASSERT_FALSE(subscribe(*customer, ticket).is_null());
  ASSERT_FALSE(subscribe(*helper, ticket).is_null());

  post(ticket, *helper_, "We are on it");
  post(ticket, *helper_, "customer seems confused", true);
  post(ticket, *helper_, "Refund sent");

  const auto first = customer->receive_type("message.created");
  ASSERT_FALSE(first.is_null());
  EXPECT_EQ(first.at("message").at("body").as_string(), "We are on it");
  const auto second = customer->receive_type("message.created");
  ASSERT_FALSE(second.is_null());
  EXPECT_EQ(second.at("message").at("body").as_string(), "Refund sent");
  // Staff see all three, the note included.
  std::vector<std::string> staff_saw;
  for (int i = 0; i < 3; ++i) {
    const auto frame = helper->receive_type("message.created");
    ASSERT_FALSE(frame.is_null());
    staff_saw.emplace_back(frame.at("message").at("body").as_string());
  }
  EXPECT_EQ(staff_saw[1], "customer seems confused");
  // Nothing about the note ever reaches the customer, in any frame.
  while (const auto frame = customer->receive(300ms)) {
    EXPECT_EQ(frame->find("confused"), std::string::npos) << *frame;
  }
}

TEST_F(RealtimeOverWebSocket, SomeoneElsesTicketCannotBeSubscribed) {
  const auto foreign = call(*server_, "POST", "/tickets", *admin_,
                            R"({"subject":"Admin's own","body":"private"})", 201)
                           .at("id")
                           .as_int64();
  auto customer = connect(*customer_);
  customer->send_json({{"type", "subscribe"}, {"topic", "ticket:" + std::to_string(foreign)}});
  const auto refused = customer->receive_json();
  EXPECT_EQ(type_of(refused), "error");
  EXPECT_EQ(refused.at("code").as_string(), "not_found");
  EXPECT_EQ(refused.at("topic").as_string(), "ticket:" + std::to_string(foreign));
  customer->send_json({{"type", "subscribe"}, {"topic", "dashboard"}});
  EXPECT_EQ(customer->receive_json().at("code").as_string(), "forbidden");
  // No event of that ticket leaks to the customer afterwards.
  post(foreign, *admin_, "secret follow-up");
  customer->send_json({{"type", "ping"}});
  const auto next = customer->receive_json();
  EXPECT_EQ(type_of(next), "pong") << json::serialize(next);
}

TEST_F(RealtimeOverWebSocket, ReconnectingWithAfterIdReplaysExactlyTheMissedMessagesInOrder) {
  const auto ticket = customer_ticket();
  std::int64_t seen = 0;
  {
    auto customer = connect(*customer_);
    subscribe(*customer, ticket);
    seen = post(ticket, *helper_, "one");
    ASSERT_EQ(customer->receive_type("message.created").at("message").at("id").as_int64(), seen);
  }
  const std::vector<std::int64_t> missed = {post(ticket, *helper_, "two"),
                                            post(ticket, *helper_, "three"),
                                            post(ticket, *customer_, "four")};
  auto customer = connect(*customer_);
  json::object message{
      {"type", "subscribe"}, {"topic", "ticket:" + std::to_string(ticket)}, {"after_id", seen}};
  customer->send_json(message);
  for (const auto id : missed) {
    const auto frame = customer->receive_json();
    ASSERT_EQ(type_of(frame), "message.created") << json::serialize(frame);
    EXPECT_EQ(frame.at("message").at("id").as_int64(), id);
  }
  const auto subscribed = customer->receive_json();
  ASSERT_EQ(type_of(subscribed), "subscribed");
  EXPECT_EQ(subscribed.at("replayed").as_int64(), 3);
  const auto live = post(ticket, *helper_, "five");
  EXPECT_EQ(customer->receive_type("message.created").at("message").at("id").as_int64(), live);
  EXPECT_FALSE(customer->receive(300ms).has_value());  // no duplicate of anything
}

TEST_F(RealtimeOverWebSocket, MessagesPostedDuringTheReplayArriveOnceAndInOrder) {
  const auto ticket = customer_ticket();
  const auto before = post(ticket, *helper_, "before");
  for (int i = 0; i < 30; ++i) post(ticket, *helper_, "backlog " + std::to_string(i));
  std::vector<std::int64_t> posted;
  std::thread poster([&] {
    for (int i = 0; i < 40; ++i)
      posted.push_back(post(ticket, *helper_, "live " + std::to_string(i)));
  });
  auto customer = connect(*customer_);
  json::object message{
      {"type", "subscribe"}, {"topic", "ticket:" + std::to_string(ticket)}, {"after_id", before}};
  customer->send_json(message);
  poster.join();
  std::vector<std::int64_t> received;
  while (received.size() < 70) {
    const auto frame = customer->receive_json(5s);
    ASSERT_FALSE(frame.is_null()) << "got " << received.size() << " of 70";
    if (type_of(frame) == "message.created")
      received.push_back(frame.at("message").at("id").as_int64());
  }
  for (std::size_t i = 1; i < received.size(); ++i) EXPECT_LT(received[i - 1], received[i]);
  EXPECT_EQ(received.back(), posted.back());
  EXPECT_FALSE(customer->receive(300ms).has_value());
}

TEST_F(RealtimeOverWebSocket, TypingReachesTheOtherSideAndIsRateLimited) {
  const auto ticket = customer_ticket();
  auto customer = connect(*customer_);
  auto helper = connect(*helper_);
  subscribe(*customer, ticket);
  subscribe(*helper, ticket);
  helper->send_json({{"type", "typing"}, {"ticket_id", ticket}});
  helper->send_json({{"type", "typing"}, {"ticket_id", ticket}});  // within a second: dropped
  const auto typing = customer->receive_json();
  ASSERT_EQ(type_of(typing), "typing");
  EXPECT_EQ(typing.at("user").at("role").as_string(), "moderator");
  EXPECT_FALSE(customer->receive(500ms).has_value());
  EXPECT_FALSE(helper->receive(200ms).has_value());  // not echoed to the sender
}

TEST_F(RealtimeOverWebSocket, CredentialsOriginsAndConnectionLimits) {
  EXPECT_EQ(WsClient(server_->port(), "/ws?token=forged").handshake_status(), 401);
  WsClient foreign(server_->port(),
                   WsClient::Options{"/ws?token=" + *customer_, "https://evil.example"});
  EXPECT_EQ(foreign.handshake_status(), 403);
  WsClient local(server_->port(),
                 WsClient::Options{"/ws?token=" + *customer_, "http://localhost:5173"});
  EXPECT_EQ(local.handshake_status(), 101);  // loopback origins are fine in demo mode
  WsClient lookalike(server_->port(),
                     WsClient::Options{"/ws?token=" + *customer_, "http://127.evil.com"});
  EXPECT_EQ(lookalike.handshake_status(), 403);  // the host is compared whole

  WsClient late(server_->port());
  ASSERT_EQ(late.handshake_status(), 101);
  const auto error = late.receive_json(3s);
  EXPECT_EQ(error.at("code").as_string(), "unauthorized");
  EXPECT_TRUE(late.closed(3s));
  EXPECT_EQ(late.close_code(), 1008);

  WsClient in_time(server_->port());
  in_time.send_json({{"type", "auth"}, {"token", *helper_}});
  EXPECT_EQ(type_of(in_time.receive_json()), "ready");

  std::vector<std::unique_ptr<WsClient>> many;
  for (int i = 0; i < 6; ++i) many.push_back(connect(*admin_));
  WsClient one_too_many(server_->port(), "/ws?token=" + *admin_);
  EXPECT_EQ(one_too_many.receive_json().at("code").as_string(), "rate_limited");
  EXPECT_TRUE(one_too_many.closed(3s));
}

TEST_F(RealtimeOverWebSocket, LogoutEndsTheOpenConnection) {
  const auto token = token_of(*server_, "user");
  auto client = connect(token);
  call(*server_, "POST", "/auth/logout", token, "", 204);
  client->send_json({{"type", "subscribe"}, {"topic", "tickets"}});
  const auto error = client->receive_json();
  EXPECT_EQ(error.at("code").as_string(), "unauthorized");
  EXPECT_TRUE(client->closed(3s));
  EXPECT_EQ(client->close_code(), 1008);
}

TEST_F(RealtimeOverWebSocket, BadFramesGetAnErrorOrACloseNeverACrash) {
  auto client = connect(*customer_);
  client->send("not json at all");
  EXPECT_EQ(client->receive_json().at("code").as_string(), "invalid_request");
  client->send("[1,2,3]");
  EXPECT_EQ(client->receive_json().at("code").as_string(), "invalid_request");
  client->send_json({{"type", "launch_rockets"}});
  EXPECT_EQ(client->receive_json().at("code").as_string(), "invalid_request");
  client->send_json({{"type", "subscribe"}, {"topic", "ticket:-4"}});
  EXPECT_EQ(client->receive_json().at("code").as_string(), "invalid_request");
  client->send_json({{"type", "subscribe"}, {"topic", "ticket:1"}, {"after_id", "x"}});
  EXPECT_EQ(client->receive_json().at("code").as_string(), "invalid_request");
  client->send(std::string(70 * 1024, 'x'));  // over the 64 KiB frame limit
  EXPECT_TRUE(client->closed(3s));
  EXPECT_EQ(client->close_code(), 1009);
  EXPECT_EQ(server_->request("GET", "/healthz").status, 200);
  EXPECT_EQ(server_->request("GET", "/ws").status, 400);  // not an upgrade
}

// A client that stops reading is cut off once its queue is full, while another client on
// the same ticket keeps receiving every message.
TEST(RealtimeSlowConsumer, IsDisconnectedWithoutHoldingUpOthers) {
  TestServer server(Environment{{"MESSAGE_RATE_LIMIT", "1000000"}, {"WS_SEND_QUEUE", "16"}},
                    "demo");
  const auto customer = token_of(server, "user");
  const auto helper = token_of(server, "moderator");
  const auto ticket = call(server, "POST", "/tickets", customer,
                           R"({"subject":"Flood","body":"x","category_id":1})", 201)
                          .at("id")
                          .as_int64();
  const std::string topic = "ticket:" + std::to_string(ticket);
  WsClient slow(server.port(), WsClient::Options{"/ws?token=" + customer, "", 4096});
  WsClient reader(server.port(), "/ws?token=" + customer);
  for (auto* client : {&slow, &reader}) {
    client->send_json({{"type", "subscribe"}, {"topic", topic}});
    ASSERT_FALSE(client->receive_type("subscribed").is_null());
  }
  slow.stop_reading();
  const std::string body(3000, 'z');
  int posted = 0;
  int received = 0;
  // The reader keeps up, ten messages at a time, fewer than its queue holds (WS_SEND_QUEUE):
  // left unread, 12 MB of frames would make it a slow client too once the kernel's buffers
  // are full.
  const auto read_up_to_posted = [&] {
    while (received < posted && reader.receive_type("message.created", 5s).is_object()) {
      ++received;
    }
  };
  const std::string drops = "\nticketbot_websocket_slow_consumer_drops_total ";  // not # HELP
  bool dropped = false;
  while (posted < 4000 && !dropped) {
    call(server, "POST", "/tickets/" + std::to_string(ticket) + "/messages", helper,
         R"({"body":")" + body + R"("})", 201);
    if (++posted % 10 == 0) read_up_to_posted();
    if (posted % 100 == 0) {
      const auto metrics = server.request("GET", "/metrics").body;
      const auto at = metrics.find(drops);
      ASSERT_NE(at, std::string::npos);
      dropped = metrics.compare(at + drops.size(), 2, "0\n") != 0;
    }
  }
  EXPECT_TRUE(dropped) << "the slow client was never cut off after " << posted << " messages";
  read_up_to_posted();
  EXPECT_EQ(received, posted);
  const auto metrics = server.request("GET", "/metrics").body;
  EXPECT_NE(metrics.find(drops + "1\n"), std::string::npos) << "only the slow client is cut off";
}

// While a client does not read, its frames pile up in the server's queue; the server then
// sends them several to a write. They must arrive whole, once each and in order.
TEST_F(RealtimeOverWebSocket, FramesThatPiledUpArriveWholeAndInOrder) {
  const auto ticket = customer_ticket();
  WsClient customer(server_->port(), WsClient::Options{"/ws?token=" + *customer_, "", 4096});
  ASSERT_EQ(type_of(customer.receive_json()), "ready");
  ASSERT_FALSE(subscribe(customer, ticket).is_null());
  customer.stop_reading();
  std::vector<std::int64_t> posted;
  for (int i = 0; i < 40; ++i) {
    posted.push_back(post(ticket, *helper_, std::to_string(i) + std::string(3000, 'p')));
  }
  customer.resume_reading();
  for (std::size_t i = 0; i < posted.size(); ++i) {
    const auto frame = customer.receive_type("message.created");
    ASSERT_FALSE(frame.is_null()) << "message " << i << " of " << posted.size();
    EXPECT_EQ(frame.at("message").at("id").as_int64(), posted[i]);
    EXPECT_EQ(frame.at("message").at("body").as_string(),
              std::to_string(i) + std::string(3000, 'p'));
  }
  EXPECT_FALSE(customer.receive(300ms).has_value());
}

// A role change applies to connections that are already open: a moderator demoted to user
// stops receiving the events of tickets that are not theirs.
TEST(RealtimeRoleChange, TakesEffectOnOpenConnections) {
  TestServer server(Environment{}, "demo");
  const auto moderator = token_of(server, "moderator");
  const auto admin = token_of(server, "admin");
  const auto customer = token_of(server, "user");
  WsClient watcher(server.port(), "/ws?token=" + moderator);
  const auto ready = watcher.receive_json();
  ASSERT_EQ(type_of(ready), "ready");
  const auto moderator_id = ready.at("user").at("id").as_int64();
  watcher.send_json({{"type", "subscribe"}, {"topic", "tickets"}});
  ASSERT_FALSE(watcher.receive_type("subscribed").is_null());

  const auto new_ticket = [&] {
    call(server, "POST", "/tickets", customer, R"({"subject":"Seen?","body":"x"})", 201);
  };
  new_ticket();
  EXPECT_EQ(type_of(watcher.receive_json()), "ticket.created");  // a moderator sees all

  call(server, "PUT", "/users/" + std::to_string(moderator_id) + "/role", admin,
       R"({"role":"user"})");
  new_ticket();
  // Now a customer: someone else's new ticket is none of their business.
  while (const auto frame = watcher.receive(500ms)) {
    EXPECT_EQ(frame->find("ticket.created"), std::string::npos) << *frame;
  }
}

TEST(RealtimeShutdown, OpenWebSocketsAreClosedAsGoingAway) {
  TestServer server(Environment{}, "demo");
  WsClient client(server.port(), "/ws?token=" + token_of(server, "user"));
  ASSERT_EQ(type_of(client.receive_json()), "ready");
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_TRUE(client.closed(3s));
  EXPECT_EQ(client.close_code(), 1001);
}

}  // namespace
}  // namespace tb::testing
