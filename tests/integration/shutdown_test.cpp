// The shutdown of the real binary (issue 14, item 4): one signal, and then the runtime's
// fixed order — stop accepting, drain HTTP and WebSockets, stop the background tasks,
// flush, close the store — with nothing in flight lost and exit code 0.
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "demo_api.hpp"
#include "test_server.hpp"
#include "ws_client.hpp"

namespace tb::testing {
namespace {

using namespace std::chrono_literals;

// Where each of `needles` first appears in `log`, after the one before it; npos from the
// first one missing or out of order on.
std::vector<std::size_t> positions_in_order(const std::string& log,
                                            const std::vector<std::string>& needles) {
  std::vector<std::size_t> positions;
  std::size_t from = 0;
  for (const auto& needle : needles) {
    const auto at = from == std::string::npos ? std::string::npos : log.find(needle, from);
    positions.push_back(at);
    from = at;
  }
  return positions;
}

TEST(GracefulShutdown, SigtermAnswersTheRequestInFlightClosesWebSocketsAndExitsZero) {
  TestServer server(Environment{}, "demo");
  WsClient websocket(server.port(), "/ws?token=" + token_of(server, "user"));
  ASSERT_EQ(websocket.handshake_status(), 101);
  ASSERT_FALSE(websocket.receive_json().is_null());  // "ready"

  // A request in flight: its header has begun but is not finished when the signal comes.
  Connection slow(server.port());
  slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  std::this_thread::sleep_for(200ms);
  kill(server.pid(), SIGTERM);
  std::this_thread::sleep_for(300ms);
  slow.send("Accept: application/json\r\n\r\n");

  const auto response = slow.read_response();
  ASSERT_TRUE(response) << server.log();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(websocket.closed(3s));
  EXPECT_EQ(websocket.close_code(), 1001);
  EXPECT_EQ(server.stop(0), 0) << server.log();  // signal 0: just wait for the exit

  const auto log = server.log();
  const std::vector<std::string> steps = {
      "shutting down on signal 15",
      "shutdown 1/5: stop accepting connections",
      "\"GET /healthz\" 200",  // the request in flight, answered while draining
      "shutdown 2/5: HTTP requests and WebSockets drained",
      "task maintenance stopped",
      "shutdown 3/5: background tasks stopped",
      "shutdown 4/5: flushing logs",
      "shutdown 5/5: store closed",
      "stopped",
  };
  const auto positions = positions_in_order(log, steps);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_NE(positions[i], std::string::npos) << "missing or out of order: " << steps[i] << "\n"
                                               << log;
  }
}

TEST(GracefulShutdown, BackgroundTasksStartBeforeTheServerAccepts) {
  TestServer server;
  const auto log = server.log();
  const auto task = log.find("task maintenance started");
  ASSERT_NE(task, std::string::npos) << log;
  EXPECT_LT(task, log.find("listening on http://")) << log;
  EXPECT_EQ(server.stop(SIGINT), 0) << server.log();
}

}  // namespace
}  // namespace tb::testing
