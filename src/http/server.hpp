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

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace tb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0: any free port (see Server::port)
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
  // Run Execution::quick_read handlers on the connection's thread (a local database), not
  // on the read pool (a database across the network, where a read waits for a round trip).
  bool quick_reads_inline = false;
};

// Where the server runs, lent by its owner (app::Runtime), who runs the io_contexts'
// threads and joins the pools. The acceptor, the shutdown and its timers live on `io`.
// Connections are dealt out in turn to `connections`, io_contexts run by one thread each,
// so that a connection stays on one thread and nothing hands its work between threads
// (empty: each connection on a strand of `io`). Worker-pool handlers of GET and HEAD
// requests run on `reads`, those of other requests on `writes` (see dispatch in server.cpp).
struct ServerThreads {
  boost::asio::io_context& io;
  boost::asio::thread_pool& reads;
  boost::asio::thread_pool& writes;
  std::vector<boost::asio::io_context*> connections{};
};

// The HTTP/1.1 server: accepts connections, reads requests with size limits and deadlines,
// routes them through the Router (blocking handlers on a worker pool), upgrades WebSocket
// requests (websocket_session.cpp), records metrics and the access log, and drains
// gracefully when asked. It owns no threads and handles no signals: whoever owns the
// process decides when to stop it. Its .cpp and websocket_session.cpp are the only places
// that hold Beast.
class Server {
 public:
  // Binds and listens at once, but accepts nothing until start(); throws std::system_error
  // when the address cannot be used. Upgrade requests on options.websocket.path go to
  // `websockets` (when given).
  Server(const ServerOptions& options, ServerThreads threads, const Router& router,
         Metrics& metrics, WebSocketAcceptor websockets = {});
  // Only once drained (or never started), while the io_context still exists.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;

  // Begins accepting connections on the io_context.
  void start();

  // Thread-safe, returns at once: stops accepting, closes connections waiting idle for
  // their next request, sends every WebSocket a close 1001 "going away"; a request being
  // read or handled is finished and answered with Connection: close.
  void request_stop();

  // Blocks until every connection has ended: after shutdown_timeout what is still open is
  // cut off. When even that does not end them (a handler stuck on a worker), the process
  // exits with 1, since nothing can safely be torn down around them. Call after
  // request_stop, never from an io thread.
  void wait_until_drained();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb::http
