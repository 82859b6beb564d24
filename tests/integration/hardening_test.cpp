// What an outside review of the core found (issue 12), against the real binary: sessions
// that end while a WebSocket is open, typing and visibility, forged log lines, clients
// behind a reverse proxy, HTTP conformance, connection caps and a shutdown that a frozen
// client cannot crash.
#include <csignal>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <zlib.h>

#include "demo_api.hpp"
#include "test_server.hpp"
#include "ws_client.hpp"

namespace tb::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::int64_t new_ticket(TestServer& server, const std::string& customer) {
  return call(server, "POST", "/tickets", customer,
              R"({"subject":"Help","body":"hello","category_id":1})", 201)
      .at("id")
      .as_int64();
}

std::int64_t post(TestServer& server, std::int64_t ticket, const std::string& token,
                  const std::string& body) {
  return call(server, "POST", "/tickets/" + std::to_string(ticket) + "/messages", token,
              R"({"body":")" + body + R"("})", 201)
      .at("id")
      .as_int64();
}

std::string subscribe(WsClient& client, std::int64_t ticket) {
  client.send_json({{"type", "subscribe"}, {"topic", "ticket:" + std::to_string(ticket)}});
  const auto answer = client.receive_type("subscribed");
  return answer.is_null() ? "" : std::string(answer.at("topic").as_string());
}

// One raw request on a fresh connection: the bytes as given.
std::optional<HttpResponse> raw_request(TestServer& server, const std::string& bytes) {
  Connection connection(server.port());
  connection.send(bytes);
  return connection.read_response(5s);
}

// The access log line of a request is written once its answer is out, so a test that has
// the answer may look a moment before the line is there.
std::string log_once_it_has(TestServer& server, const std::string& needle) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  std::string log = server.log();
  while (log.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    log = server.log();
  }
  return log;
}

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out;
  char buffer[65536];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string("(not gzip)");
}

// --- 1. an ended session ends its WebSocket

TEST(RealtimeSessionExpiry, TheNextEventAfterTheEndClosesWithUnauthorizedAndIsNotSent) {
  TestServer server(Environment{{"SESSION_TTL", "2"}}, "demo");
  const auto customer = token_of(server, "user");
  const auto ticket = new_ticket(server, customer);
  WsClient client(server.port(), "/ws?token=" + customer);
  ASSERT_EQ(subscribe(client, ticket), "ticket:" + std::to_string(ticket));
  std::this_thread::sleep_for(2200ms);
  // A fresh staff session (the first one has ended too) posts to the customer's ticket.
  post(server, ticket, token_of(server, "moderator"), "after the end");
  for (;;) {
    const auto frame = client.receive_json(5s);
    ASSERT_TRUE(frame.is_object()) << "no error after the session ended";
    ASSERT_NE(frame.at("type"), "message.created") << "an event reached an ended session";
    if (frame.at("type") != "error") continue;
    EXPECT_EQ(frame.at("code").as_string(), "unauthorized");
    break;
  }
  EXPECT_TRUE(client.closed(3s));
  EXPECT_EQ(client.close_code(), 1008);
}

TEST(RealtimeSessionExpiry, ASilentConnectionIsClosedSoonAfterTheEnd) {
  TestServer server(Environment{{"SESSION_TTL", "2"}}, "demo");
  WsClient client(server.port(), "/ws?token=" + token_of(server, "user"));
  ASSERT_FALSE(client.receive_type("ready").is_null());
  EXPECT_FALSE(client.closed(1000ms));  // still valid
  const auto error = client.receive_type("error", 5s);
  ASSERT_TRUE(error.is_object()) << "no error within 5 s of the session's end";
  EXPECT_EQ(error.at("code").as_string(), "unauthorized");
  EXPECT_TRUE(client.closed(3s));
  EXPECT_EQ(client.close_code(), 1008);
}

// --- 3. typing respects who may see the ticket now

TEST(RealtimeTyping, NeverReachesAHelperWhoLostSightOfTheTicket) {
  TestServer server(Environment{}, "demo");
  const auto customer = token_of(server, "user");
  const auto helper = token_of(server, "helper");
  const auto moderator = token_of(server, "moderator");
  const auto me = [&](const std::string& token) {
    return call(server, "GET", "/auth/me", token).at("id").as_int64();
  };
  const auto ticket = new_ticket(server, customer);
  const std::string path = "/tickets/" + std::to_string(ticket);
  call(server, "PUT", path, moderator,
       R"({"assignee_id":)" + std::to_string(me(helper)) + R"(,"category_id":null})");
  WsClient helper_socket(server.port(), "/ws?token=" + helper);
  WsClient moderator_socket(server.port(), "/ws?token=" + moderator);
  WsClient customer_socket(server.port(), "/ws?token=" + customer);
  ASSERT_FALSE(subscribe(helper_socket, ticket).empty());
  ASSERT_FALSE(subscribe(moderator_socket, ticket).empty());
  ASSERT_FALSE(customer_socket.receive_type("ready").is_null());

  customer_socket.send_json({{"type", "typing"}, {"ticket_id", ticket}});
  EXPECT_TRUE(helper_socket.receive_type("typing").is_object());  // theirs, for now

  // Reassigned to the moderator, out of a category: out of the helper's sight.
  call(server, "PUT", path, moderator, R"({"assignee_id":)" + std::to_string(me(moderator)) + "}");
  std::this_thread::sleep_for(1100ms);  // typing is sent at most once a second per sender
  customer_socket.send_json({{"type", "typing"}, {"ticket_id", ticket}});
  EXPECT_TRUE(moderator_socket.receive_type("typing").is_object());
  EXPECT_TRUE(helper_socket.receive_type("typing", 700ms).is_null());
}

// --- 6. what a client sends cannot forge a log line

TEST(AccessLog, EscapesControlCharactersInThePath) {
  TestServer server(Environment{}, "serve");
  EXPECT_EQ(server.request("GET", "/app/x%0D%0AINJECTED%1B%5B31m").status, 404);
  const std::string escaped = R"("GET /app/x\x0D\x0AINJECTED\x1B[31m" 404)";
  const std::string log = log_once_it_has(server, escaped);
  EXPECT_NE(log.find(escaped), std::string::npos) << log;
  EXPECT_EQ(log.find("\nINJECTED"), std::string::npos) << log;
  EXPECT_EQ(log.find('\x1b'), std::string::npos);
}

// --- 8. after_id=0 is "from the start"

TEST(AfterIdZero, MeansTheWholeConversationOverRestAndWebSocket) {
  TestServer server(Environment{}, "demo");
  const auto customer = token_of(server, "user");
  const auto ticket = new_ticket(server, customer);
  const auto reply = post(server, ticket, token_of(server, "moderator"), "first answer");
  const auto page =
      call(server, "GET", "/tickets/" + std::to_string(ticket) + "/messages?after_id=0", customer);
  ASSERT_GE(page.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.at("items").as_array().back().at("id").as_int64(), reply);

  WsClient client(server.port(), "/ws?token=" + customer);
  client.send_json(
      {{"type", "subscribe"}, {"topic", "ticket:" + std::to_string(ticket)}, {"after_id", 0}});
  std::vector<std::int64_t> replayed;
  for (;;) {
    const auto frame = client.receive_json();
    ASSERT_TRUE(frame.is_object());
    if (frame.at("type") == "subscribed") {
      EXPECT_EQ(frame.at("replayed").as_int64(), static_cast<std::int64_t>(replayed.size()));
      break;
    }
    if (frame.at("type") == "message.created") {
      replayed.push_back(frame.at("message").at("id").as_int64());
    }
  }
  EXPECT_EQ(replayed.size(), page.at("items").as_array().size());
  EXPECT_EQ(replayed.back(), reply);
}

// --- 10. behind a reverse proxy

TEST(ReverseProxy, ATrustedProxySaysWhoTheClientIsAndNobodyElseCan) {
  TestServer server(Environment{{"TRUSTED_PROXIES", "127.0.0.0/8"}, {"AUTH_RATE_LIMIT", "2"}},
                    "demo");
  const auto login_from = [&](const std::string& forwarded) {
    return server.request("POST", "/auth/demo", R"({"role":"user"})", forwarded).status;
  };
  EXPECT_EQ(login_from("X-Forwarded-For: 203.0.113.7, 127.0.0.1\r\n"), 200);
  EXPECT_EQ(login_from("X-Forwarded-For: 203.0.113.7\r\n"), 200);
  EXPECT_EQ(login_from("X-Forwarded-For: 203.0.113.7\r\n"), 429);  // that client's bucket
  EXPECT_EQ(login_from("Forwarded: for=\"[2001:db8::5]:4711\";proto=https\r\n"), 200);
  EXPECT_EQ(login_from("X-Forwarded-For: 198.51.100.9\r\n"), 200);  // another client's
  for (const std::string line :
       {"203.0.113.7 \"POST /auth/demo\" 429", "2001:db8::5 \"POST /auth/demo\" 200"}) {
    const std::string log = log_once_it_has(server, line);
    EXPECT_NE(log.find(line), std::string::npos) << log;
  }

  const auto echoed = server.request("GET", "/healthz", "", "X-Request-Id: abc-123.def\r\n");
  EXPECT_EQ(echoed.header("x-request-id"), "abc-123.def");
  EXPECT_NE(log_once_it_has(server, "id=abc-123.def").find("id=abc-123.def"), std::string::npos);
}

TEST(ReverseProxy, ForwardedHeadersFromAnUntrustedPeerAreIgnored) {
  TestServer server(Environment{{"AUTH_RATE_LIMIT", "2"}}, "demo");
  const auto login_from = [&](const std::string& address) {
    return server
        .request("POST", "/auth/demo", R"({"role":"user"})",
                 "X-Forwarded-For: " + address + "\r\nX-Request-Id: forged\r\n")
        .status;
  };
  EXPECT_EQ(login_from("203.0.113.1"), 200);
  EXPECT_EQ(login_from("203.0.113.2"), 200);
  EXPECT_EQ(login_from("203.0.113.3"), 429);  // one bucket: the real peer's
  const auto response = server.request("GET", "/healthz", "", "X-Request-Id: forged\r\n");
  EXPECT_EQ(response.header("x-request-id").size(), 16u);  // made here
  EXPECT_EQ(server.log().find("203.0.113"), std::string::npos);
}

TEST(ReverseProxy, TokenAnswersAreNeverCached) {
  TestServer server(Environment{}, "demo");
  const auto response = server.request("POST", "/auth/demo", R"({"role":"user"})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("cache-control"), "no-store");
}

// --- 11. HTTP conformance

TEST(HttpConformance, FramingErrorsAre400) {
  TestServer server(Environment{}, "serve");
  auto response = raw_request(server, "GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << "HTTP/1.1 without Host";
  response = raw_request(server, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << "two Host headers";
  response = raw_request(server, "GET /healthz HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << "HTTP/1.0 needs no Host";
  response = raw_request(server,
                         "POST /auth/demo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                         "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << "Transfer-Encoding other than chunked with Content-Length";
  response = raw_request(server,
                         "POST /auth/demo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0"
                         "\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400) << "chunked with Content-Length";
}

TEST(HttpConformance, UnknownMethodsAre501WithoutInternalNames) {
  TestServer server(Environment{}, "serve");
  for (const char* method : {"FOO", "TRACE", "PROPFIND"}) {
    const auto response =
        raw_request(server, std::string(method) + " /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(response) << method;
    EXPECT_EQ(response->status, 501) << method;
    EXPECT_NE(response->body.find("not_implemented"), std::string::npos);
    EXPECT_EQ(response->body.find("OTHER"), std::string::npos) << response->body;
  }
}

TEST(HttpConformance, ABadWebSocketHandshakeIsRefusedOverHttp) {
  TestServer server(Environment{}, "demo");
  const std::string upgrade =
      "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  auto response = raw_request(server, upgrade +
                                          "Sec-WebSocket-Version: 8\r\n"
                                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 426);
  EXPECT_EQ(response->header("sec-websocket-version"), "13");
  response = raw_request(server, upgrade + "Sec-WebSocket-Version: 13\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->header("sec-websocket-version"), "13");
  // Each line is written once its answer is out, on whichever io thread served it.
  log_once_it_has(server, "\"GET /ws\" 426");
  const std::string log = log_once_it_has(server, "\"GET /ws\" 400");
  EXPECT_NE(log.find("\"GET /ws\" 426"), std::string::npos) << log;
  EXPECT_NE(log.find("\"GET /ws\" 400"), std::string::npos) << log;
  EXPECT_EQ(log.find("\"GET /ws\" 101"), std::string::npos) << log;
}

TEST(HttpConformance, MediaTypesAreComparedWithoutCase) {
  TestServer server(Environment{}, "demo");
  const auto response = raw_request(
      server,
      "POST /auth/demo HTTP/1.1\r\nHost: a\r\nContent-Type: Application/JSON; Charset=UTF-8\r\n"
      "Content-Length: 15\r\n\r\n{\"role\":\"user\"}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST(HttpConformance, ContentCodingsFollowTheirQValuesAndHaveTheirOwnETags) {
  TestServer server(Environment{}, "serve");
  const auto plain = server.request("GET", "/app/", "", "Accept-Encoding: gzip;q=0, br\r\n");
  const auto zipped = server.request("GET", "/app/", "", "Accept-Encoding: GZIP;q=0.5\r\n");
  const auto any = server.request("GET", "/app/", "", "Accept-Encoding: *\r\n");
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(zipped.header("content-encoding"), "gzip");
  EXPECT_EQ(any.header("content-encoding"), "gzip");
  ASSERT_FALSE(plain.header("etag").empty());
  EXPECT_NE(plain.header("etag"), zipped.header("etag"));
  EXPECT_EQ(gunzip(zipped.body), plain.body);
  const auto revalidated =
      server.request("GET", "/app/", "",
                     "Accept-Encoding: gzip\r\nIf-None-Match: " + zipped.header("etag") + "\r\n");
  EXPECT_EQ(revalidated.status, 304);
  const auto other_variant =
      server.request("GET", "/app/", "", "If-None-Match: " + zipped.header("etag") + "\r\n");
  EXPECT_EQ(other_variant.status, 200);
}

TEST(HttpConformance, LargeJsonIsCompressedForClientsThatTakeIt) {
  TestServer server(Environment{}, "demo");
  const auto token = token_of(server, "moderator");
  const std::string auth = "Authorization: Bearer " + token + "\r\n";
  const auto plain = server.request("GET", "/tickets?limit=50", "", auth);
  const auto zipped =
      server.request("GET", "/tickets?limit=50", "", auth + "Accept-Encoding: gzip, deflate\r\n");
  ASSERT_GT(plain.body.size(), 1024u);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(zipped.header("content-encoding"), "gzip");
  EXPECT_EQ(zipped.header("vary"), "Accept-Encoding");
  EXPECT_LT(zipped.body.size(), plain.body.size() / 2);
  EXPECT_EQ(gunzip(zipped.body), plain.body);
  const auto small = server.request("GET", "/healthz", "", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(small.header("content-encoding"), "");
  const auto document = server.request("GET", "/openapi.json");
  const auto document_zipped =
      server.request("GET", "/openapi.json", "", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(document_zipped.header("content-encoding"), "gzip");
  EXPECT_EQ(gunzip(document_zipped.body), document.body);
}

TEST(HttpConformance, AppWithoutTheSlashRedirects) {
  TestServer server(Environment{}, "serve");
  const auto response = server.request("GET", "/app");
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.header("location"), "/app/");
}

TEST(HttpConformance, ASlowConsumerIsToldWhyWithCloseCode1013) {
  TestServer server(Environment{{"MESSAGE_RATE_LIMIT", "1000000"}, {"WS_SEND_QUEUE", "16"}},
                    "demo");
  const auto customer = token_of(server, "user");
  const auto moderator = token_of(server, "moderator");
  const auto ticket = new_ticket(server, customer);
  WsClient slow(server.port(), WsClient::Options{"/ws?token=" + customer, "", 4096});
  ASSERT_FALSE(subscribe(slow, ticket).empty());
  slow.stop_reading();
  const std::string body(3000, 'z');
  bool dropped = false;
  for (int posted = 0; posted < 2000 && !dropped; ++posted) {
    post(server, ticket, moderator, body);
    dropped =
        posted % 50 == 49 &&
        server.request("GET", "/metrics")
                .body.find("ticketbot_websocket_slow_consumer_drops_total 1") != std::string::npos;
  }
  ASSERT_TRUE(dropped);
  slow.resume_reading();
  EXPECT_TRUE(slow.closed(10s));
  EXPECT_EQ(slow.close_code(), 1013);
}

// --- 15 (part). one address cannot hold every file descriptor

TEST(ConnectionCap, OneAddressGetsAtMostItsShare) {
  TestServer server(Environment{{"MAX_CONNECTIONS_PER_ADDRESS", "4"}}, "serve");
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<Connection>(server.port()));
    held.back()->send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(held.back()->read_response(5s)) << i;  // served and kept open
  }
  Connection fifth(server.port());
  EXPECT_TRUE(fifth.closed_by_peer(3s));
  held.pop_back();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server.request("GET", "/healthz").status, 200);  // a freed slot is usable again
}

// --- 14. shutdown never crashes

// A WebSocket client that subscribes and then never reads again: it never sees the close
// frame, so it never answers it. Raw bytes, since any WebSocket library would answer.
std::unique_ptr<Connection> frozen_subscriber(TestServer& server, const std::string& token,
                                              const std::string& topic) {
  auto connection = std::make_unique<Connection>(server.port());
  connection->send(
      "GET /ws?token=" + token +
      " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  const std::string text = R"({"type":"subscribe","topic":")" + topic + R"("})";
  // A masked text frame (clients must mask) with a zero key, so the payload goes as it is.
  std::string frame = {'\x81', static_cast<char>(0x80 | text.size()), 0, 0, 0, 0};
  connection->send(frame + text);
  return connection;
}

TEST(ShutdownWithAFrozenSubscriber, EndsCleanlyWhenTheTimeoutRunsOut) {
  TestServer server(Environment{{"SHUTDOWN_TIMEOUT", "1"}}, "demo");
  const auto customer = token_of(server, "user");
  const auto ticket = new_ticket(server, customer);
  const auto frozen = frozen_subscriber(server, customer, "ticket:" + std::to_string(ticket));
  post(server, ticket, token_of(server, "moderator"), "for the frozen one");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(SIGTERM, 15s), 0) << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 6s);
  EXPECT_NE(server.log().find("stopped"), std::string::npos);
}

TEST(ShutdownWithAFrozenSubscriber, ASecondSignalExitsAtOnce) {
  TestServer server(Environment{{"SHUTDOWN_TIMEOUT", "60"}}, "demo");
  const auto frozen = frozen_subscriber(server, token_of(server, "user"), "tickets");
  std::this_thread::sleep_for(300ms);
  kill(server.pid(), SIGTERM);
  std::this_thread::sleep_for(500ms);
  const auto started = std::chrono::steady_clock::now();
  const int code = server.stop(SIGINT, 5s);
  EXPECT_EQ(code, 128 + SIGINT);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

}  // namespace
}  // namespace tb::testing
