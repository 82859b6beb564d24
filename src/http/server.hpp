#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/websocket.hpp"

namespace tb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0: any free port (see Server::port)
  int io_threads = 1;
  int worker_threads = 4;  // run handlers of GET and HEAD requests
  int write_threads = 32;  // run handlers of other requests (see dispatch in server.cpp)
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{30};   // to read a whole request once it has begun
  std::chrono::seconds idle_timeout{60};   // a keep-alive connection waiting for its next request
  std::chrono::seconds write_timeout{30};  // to send one response
  std::chrono::seconds shutdown_timeout{10};
  // Peers (addresses, CIDR blocks) whose Forwarded / X-Forwarded-* headers are believed.
  std::vector<std::string> trusted_proxies;
  // Open connections one client address may hold; trusted proxies are exempt. 0: no cap.
  std::size_t max_connections_per_address = 256;
  WebSocketOptions websocket;
};

// The HTTP/1.1 server: accepts connections, reads requests with size limits and deadlines,
// routes them through the Router (blocking handlers on a worker pool), upgrades WebSocket
// requests (websocket_session.cpp), records metrics and the access log, and shuts down
// gracefully. Its .cpp and websocket_session.cpp are the only places that hold Beast.
class Server {
 public:
  // Binds and listens at once; throws std::system_error when the address cannot be used.
  // Upgrade requests on options.websocket.path go to `websockets` (when given).
  Server(const ServerOptions& options, const Router& router, Metrics& metrics,
         WebSocketAcceptor websockets = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;

  // Serves until SIGINT or SIGTERM (or request_stop), then stops accepting, closes idle
  // connections, lets requests in flight finish within shutdown_timeout, cuts off what is
  // still open, and returns once every connection has ended. A second signal during the
  // shutdown ends the process at once.
  void run();

  // Thread-safe: begins the same graceful shutdown as a signal.
  void request_stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb::http
