// The HTTP server as a client sees it: the real binary on loopback.
#include <signal.h>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "test_server.hpp"

namespace tb::testing {
namespace {

using namespace std::chrono_literals;

boost::json::object error_of(const HttpResponse& response) {
  return boost::json::parse(response.body).as_object().at("error").as_object();
}

class HttpServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static TestServer* server_;
};

TestServer* HttpServer::server_ = nullptr;

TEST_F(HttpServer, HealthzReportsTheDatabase) {
  const auto response = server_->request("GET", "/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_TRUE(response.header("date").ends_with(" GMT")) << response.header("date");
  const auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("status").as_string(), "ok");
  EXPECT_EQ(body.at("database").as_string(), "ok");
  EXPECT_EQ(body.at("redis").as_string(), "disabled");
}

TEST_F(HttpServer, UnknownRouteIsJson404WithOrWithoutCredentials) {
  for (const std::string headers : {"", "Authorization: Bearer nonsense\r\n"}) {
    const auto response = server_->request("GET", "/no/such/route", "", headers);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.header("content-type"), "application/json");
    EXPECT_EQ(error_of(response).at("code").as_string(), "not_found");
  }
}

TEST_F(HttpServer, WrongMethodIs405WithAllow) {
  const auto response = server_->request("DELETE", "/healthz");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("allow"), "GET, HEAD");
  EXPECT_EQ(error_of(response).at("code").as_string(), "method_not_allowed");
}

TEST_F(HttpServer, HeadAnswersLikeGetWithoutABody) {
  Connection connection(server_->port());
  connection.send(
      "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto head = connection.read_response(5s, /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "50");
  EXPECT_TRUE(head->body.empty());
  const auto get = connection.read_response();  // pipelined: the next bytes are the GET's answer
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body.size(), 50u);
}

TEST_F(HttpServer, MalformedRequestLineIs400JsonAndCloses) {
  Connection connection(server_->port());
  connection.send("THIS IS NOT HTTP\r\n\r\n");
  const auto response = connection.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(error_of(*response).at("code").as_string(), "invalid_request");
  EXPECT_TRUE(connection.closed_by_peer(5s));
}

TEST_F(HttpServer, OversizedBodyIs413BeforeTheBodyIsSent) {
  Connection connection(server_->port());
  connection.send(
      "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2000000\r\n\r\n{\"a\":");
  const auto response = connection.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(error_of(*response).at("code").as_string(), "payload_too_large");
}

TEST_F(HttpServer, OversizedHeaderIs413) {
  const auto response =
      server_->request("GET", "/healthz", "", "X-Filler: " + std::string(40000, 'a') + "\r\n");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(error_of(response).at("code").as_string(), "payload_too_large");
}

TEST_F(HttpServer, PathTraversalIsRefusedInEverySpelling) {
  for (const std::string target :
       {"/app/../../etc/passwd", "/app/%2e%2e/%2e%2e/etc/passwd", "/app/..%2f..%2fetc%2fpasswd",
        "/app/./index.html", "/docs/%2e%2e/%2e%2e/%2e%2e/etc/passwd"}) {
    const auto response = server_->request("GET", target);
    EXPECT_TRUE(response.status == 400 || response.status == 404) << target;
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << target;
    EXPECT_EQ(response.header("content-type"), "application/json") << target;
  }
}

TEST_F(HttpServer, RootRedirectsToTheMiniApp) {
  const auto response = server_->request("GET", "/");
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.header("location"), "/app/");
}

TEST_F(HttpServer, MiniAppIsServedWithContentTypeAndETag) {
  const auto page = server_->request("GET", "/app/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<!doctype html>"), std::string::npos);
  const std::string etag = page.header("etag");
  ASSERT_FALSE(etag.empty());

  const auto again = server_->request("GET", "/app/", "", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  const auto script = server_->request("GET", "/app/js/main.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type"), "application/javascript; charset=utf-8");
  EXPECT_EQ(server_->request("GET", "/app/missing.js").status, 404);
}

TEST_F(HttpServer, MiniAppPagesCarryTheContentSecurityPolicy) {
  for (const std::string path :
       {"/app/", "/app/index.html", "/app/js/main.js", "/app/missing.js"}) {
    const auto response = server_->request("GET", path);
    const std::string policy = response.header("content-security-policy");
    EXPECT_NE(policy.find("default-src 'self'"), std::string::npos) << path << ": " << policy;
    // Besides these, only the hash of the page's import map.
    EXPECT_NE(policy.find("script-src 'self' https://telegram.org 'sha256-"), std::string::npos)
        << path << ": " << policy;
    EXPECT_NE(policy.find("frame-src https://oauth.telegram.org"), std::string::npos) << path;
    EXPECT_NE(policy.find("connect-src 'self'"), std::string::npos) << path;
  }
  const auto page = server_->request("GET", "/app/");
  const auto again =
      server_->request("GET", "/app/", "", "If-None-Match: " + page.header("etag") + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.header("content-security-policy"), page.header("content-security-policy"));
  // Telegram's Mini App script is ours to serve, not a CDN's.
  EXPECT_NE(page.body.find("href=\"vendor/telegram-web-app."), std::string::npos);
  EXPECT_EQ(page.body.find("<script src=\"https://"), std::string::npos);
  EXPECT_EQ(server_->request("GET", "/healthz").header("content-security-policy"), "")
      << "the API's JSON is no page";
}

// The page is asked for again at every launch (a 304 when unchanged); everything it names
// has its content's hash in its name and is kept for a year without a request.
TEST_F(HttpServer, MiniAppFilesAreCachedByContentAndThePageIsRevalidated) {
  const auto page = server_->request("GET", "/app/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("cache-control"), "no-cache");
  const auto start = page.body.find("<script type=\"module\" src=\"");
  ASSERT_NE(start, std::string::npos) << page.body;
  const auto from = start + std::string_view("<script type=\"module\" src=\"").size();
  const std::string main = page.body.substr(from, page.body.find('"', from) - from);
  ASSERT_TRUE(main.starts_with("js/main.") && main != "js/main.js") << main;

  const auto script = server_->request("GET", "/app/" + main);
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(script.body, server_->request("GET", "/app/js/main.js").body);
  EXPECT_FALSE(script.header("content-security-policy").empty());
  EXPECT_EQ(server_->request("GET", "/app/js/main.js").header("cache-control"), "no-cache");
  EXPECT_NE(page.body.find("<script type=\"importmap\">"), std::string::npos);
}

TEST_F(HttpServer, ApiDocsPageAndItsScriptsAreServedLocally) {
  const auto page = server_->request("GET", "/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/docs/swagger-ui-bundle.js"), std::string::npos);
  EXPECT_NE(page.body.find("/openapi.json"), std::string::npos);
  EXPECT_EQ(page.body.find("https://"), std::string::npos) << "no CDN";
  if (!TB_HAVE_SWAGGER_UI)
    GTEST_SKIP() << "built without node_modules/swagger-ui-dist (npm ci failed)";

  const auto bundle =
      server_->request("GET", "/docs/swagger-ui-bundle.js", "", "Accept-Encoding: gzip, br\r\n");
  ASSERT_EQ(bundle.status, 200);
  EXPECT_EQ(bundle.header("content-encoding"), "gzip");
  EXPECT_GT(bundle.body.size(), 100000u);
  const auto plain = server_->request("GET", "/docs/swagger-ui-bundle.js");
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_GT(plain.body.size(), bundle.body.size());
}

TEST_F(HttpServer, OpenApiDocumentIsServed) {
  const auto response = server_->request("GET", "/openapi.json");
  ASSERT_EQ(response.status, 200);
  const auto document = boost::json::parse(response.body).as_object();
  EXPECT_TRUE(document.at("openapi").as_string().starts_with("3.1"));
  EXPECT_TRUE(document.at("paths").as_object().contains("/tickets/{id}"));
}

TEST_F(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection connection(server_->port());
  for (int i = 0; i < 3; ++i) {
    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(HttpServer, MetricsCountRequestsByRouteAndStatus) {
  server_->request("GET", "/healthz");
  server_->request("GET", "/definitely-missing");
  Connection held_open(server_->port());
  std::this_thread::sleep_for(100ms);
  const auto response = server_->request("GET", "/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_NE(response.header("content-type").find("text/plain"), std::string::npos);
  const auto& text = response.body;
  EXPECT_NE(
      text.find("ticketbot_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
      std::string::npos);
  EXPECT_NE(text.find("route=\"unmatched\",status=\"404\""), std::string::npos);
  EXPECT_NE(text.find("ticketbot_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                      "healthz\",le=\"+Inf\"}"),
            std::string::npos);
  // The held connection and the one asking: at least two open.
  const std::string gauge_line = "\nticketbot_http_open_connections ";
  const auto gauge = text.find(gauge_line);
  ASSERT_NE(gauge, std::string::npos);
  EXPECT_GE(std::stoi(text.substr(gauge + gauge_line.size())), 2);
}

TEST_F(HttpServer, AccessLogRecordsRequestsWithoutQueryStrings) {
  server_->request("GET", "/healthz?token=secret-value");
  std::this_thread::sleep_for(100ms);
  const auto log = server_->log();
  EXPECT_NE(log.find("\"GET /healthz\" 200"), std::string::npos);
  EXPECT_EQ(log.find("secret-value"), std::string::npos);
}

TEST(HttpServerLimits, SlowClientIsCutOffAfterTheReadTimeout) {
  TestServer server(Environment{{"HTTP_READ_TIMEOUT", "1"}});
  Connection connection(server.port());
  connection.send("GET /healthz HTTP/1.1\r\n");  // and then nothing more
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(connection.closed_by_peer(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  // The server itself still answers others.
  EXPECT_EQ(server.request("GET", "/healthz").status, 200);
}

// The connection's one timer is set for the idle deadline after the first request; the read
// deadline of a second, half-sent request is earlier, and must still be kept.
TEST(HttpServerLimits, AHalfSentRequestIsCutOffAtTheReadTimeoutThoughTheIdleOneIsLonger) {
  TestServer server(Environment{{"HTTP_READ_TIMEOUT", "1"}, {"HTTP_IDLE_TIMEOUT", "30"}});
  Connection connection(server.port());
  connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(connection.read_response());
  connection.send("GET /healthz HTTP/1.1\r\n");  // and then nothing more
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(connection.closed_by_peer(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

// A client that pipelines many requests gets every answer, in order (the server serves them
// from what it has read, letting other connections have turns), and others are still served.
TEST(HttpServerLimits, APipelinedFloodIsAnsweredWholeAndInOrder) {
  TestServer server(Environment{{"HTTP_THREADS", "1"}});
  constexpr int kRequests = 200;
  std::string flood;
  for (int i = 0; i < kRequests; ++i) {
    flood += "GET /categories?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  flood += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  Connection flooding(server.port());
  flooding.send(flood);
  EXPECT_EQ(server.request("GET", "/healthz").status, 200);
  for (int i = 0; i < kRequests; ++i) {
    const auto response = flooding.read_response();
    ASSERT_TRUE(response) << "answer " << i;
    ASSERT_EQ(response->status, 401) << "answer " << i;  // /categories wants credentials
  }
  const auto last = flooding.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_NE(last->body.find("\"status\""), std::string::npos) << last->body;
}

TEST(HttpServerLimits, IdleKeepAliveConnectionIsClosed) {
  TestServer server(Environment{{"HTTP_IDLE_TIMEOUT", "1"}});
  Connection connection(server.port());
  connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(connection.read_response());
  EXPECT_TRUE(connection.closed_by_peer(4s));
}

TEST(HttpServerShutdown, SigtermDuringASlowRequestStillAnswersIt) {
  TestServer server;
  Connection connection(server.port());
  connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // headers not finished
  std::this_thread::sleep_for(200ms);
  kill(server.pid(), SIGTERM);
  std::this_thread::sleep_for(300ms);
  connection.send("Accept: application/json\r\n\r\n");
  const auto response = connection.read_response();
  ASSERT_TRUE(response) << server.log();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(server.stop(0), 0) << server.log();  // signal 0: just wait for the exit
}

TEST(HttpServerShutdown, SigtermClosesIdleConnectionsAndExitsPromptly) {
  TestServer server;
  Connection idle(server.port());
  idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.read_response());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(idle.closed_by_peer(1s));
  EXPECT_NE(server.log().find("shutting down"), std::string::npos);
}

}  // namespace
}  // namespace tb::testing
