#include "http/server.hpp"

#include <array>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "http/error_mapping.hpp"
#include "http/websocket_session.hpp"

namespace tb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMostBytesDrainedOnClose = 1024 * 1024;
constexpr std::chrono::seconds kDrainTimeout{2};
constexpr std::chrono::milliseconds kShutdownPoll{20};

// What the shutdown needs to know about one open connection. Touched only on the
// connection's strand, except for the registry set itself (guarded by a mutex).
struct OpenConnection {
  asio::any_io_executor strand;
  beast::tcp_stream* stream = nullptr;
  bool idle = false;                         // waiting for the first byte of its next request
  std::shared_ptr<WebSocketPeer> websocket;  // once upgraded
};

// A request to upgrade to a WebSocket, read and left for run_connection to carry out.
struct PendingUpgrade {
  BeastRequest message;
  Request request;
  std::size_t metrics_slot = 0;
};

Method method_of(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get: return Method::get;
    case bhttp::verb::head: return Method::head;
    case bhttp::verb::post: return Method::post;
    case bhttp::verb::put: return Method::put;
    case bhttp::verb::patch: return Method::patch;
    case bhttp::verb::delete_: return Method::del;
    case bhttp::verb::options: return Method::options;
    default: return Method::other;
  }
}

// Splits and decodes the request target. Refuses what no route should ever see: targets
// that are not origin-form, dot segments (path traversal) and encoded '/' or NUL in a segment.
Request to_request(BeastRequest& message, const std::string& remote) {
  Request request;
  request.method = method_of(message.method());
  request.target = std::string(message.target());
  const auto url = boost::urls::parse_origin_form(request.target);
  if (!url) throw Error(ErrorCode::invalid_request, "malformed request target");
  for (const std::string segment : url->segments()) {
    if (segment == "." || segment == "..") {
      throw Error(ErrorCode::invalid_request, "dot segments are not allowed in paths");
    }
    if (segment.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
      throw Error(ErrorCode::invalid_request, "encoded '/' or NUL is not allowed in paths");
    }
  }
  request.path = url->path();
  if (request.path.empty()) request.path = "/";
  request.query = std::string(url->encoded_query());
  request.headers.reserve(16);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote;
  return request;
}

// The Date header every origin server must send (RFC 9110 §6.6.1), formatted at most once a
// second per thread.
const std::string& http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached_text;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 64> text{};
    const auto length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    cached_text.assign(text.data(), length);
    cached_second = now;
  }
  return cached_text;
}

BeastResponse to_beast(Response&& response, unsigned version, bool keep_alive, bool head) {
  BeastResponse out{static_cast<bhttp::status>(response.status), version};
  out.set(bhttp::field::date, http_date_now());
  if (!response.content_type.empty()) out.set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) out.insert(name, value);
  out.keep_alive(keep_alive);
  if (head) {
    out.content_length(response.body.size());  // what GET would send, without the body
  } else {
    out.body() = std::move(response.body);
    out.prepare_payload();
  }
  return out;
}

// The answer to a request that could not be read, or nothing when the connection should
// just close (the peer went away, a deadline passed, shutdown).
std::optional<Error> read_failure_answer(const beast::error_code& error,
                                         const ServerOptions& options) {
  if (error == bhttp::error::body_limit) {
    return Error(
        ErrorCode::payload_too_large,
        "request body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
  }
  if (error == bhttp::error::header_limit) {
    return Error(
        ErrorCode::payload_too_large,
        "request header is larger than " + std::to_string(options.max_header_bytes) + " bytes");
  }
  if (error == bhttp::error::end_of_stream || error == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (error.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return Error(ErrorCode::invalid_request, "malformed HTTP request");
  }
  return std::nullopt;
}

bool wants_continue(const BeastRequest& message) {
  return beast::iequals(message[bhttp::field::expect], "100-continue");
}

}  // namespace

struct Server::Impl {
  Impl(const ServerOptions& server_options, const Router& table, Metrics& counters,
       WebSocketAcceptor acceptor_of_websockets)
      : options(server_options),
        router(table),
        metrics(counters),
        websockets(std::move(acceptor_of_websockets)),
        io(std::max(1, options.io_threads)),
        workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
        writers(static_cast<std::size_t>(std::max(1, options.write_threads))),
        acceptor(io),
        signals(io, SIGINT, SIGTERM) {}

  void listen();
  void begin_shutdown();

  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  WebSocketAcceptor websockets;
  asio::io_context io;
  asio::thread_pool workers;  // requests that read
  asio::thread_pool writers;  // requests that change data: they mostly wait on a group commit
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};
  std::mutex connections_mutex;
  std::unordered_set<std::shared_ptr<OpenConnection>> connections;
};

namespace {

using Impl = Server::Impl;

// Keeps the registry and the open-connections gauge true for the life of one connection.
class ConnectionRegistration {
 public:
  ConnectionRegistration(Impl& server, std::shared_ptr<OpenConnection> entry)
      : server_(server), entry_(std::move(entry)) {
    std::lock_guard lock(server_.connections_mutex);
    server_.connections.insert(entry_);
    server_.metrics.connection_opened();
  }
  ~ConnectionRegistration() {
    entry_->stream = nullptr;
    std::lock_guard lock(server_.connections_mutex);
    server_.connections.erase(entry_);
    server_.metrics.connection_closed();
  }
  ConnectionRegistration(const ConnectionRegistration&) = delete;
  ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;

 private:
  Impl& server_;
  std::shared_ptr<OpenConnection> entry_;
};

awaitable<Response> respond_on_worker(const Router* router, RouteMatch match, Request request) {
  co_return router->respond(match, request);
}

// After an error answer the peer may still be sending a body we did not read; closing at
// once would make the kernel reset the connection and could destroy our answer in flight.
// So: stop sending, read and discard for a bounded time and amount, then close.
awaitable<void> drain_and_close(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(kDrainTimeout);
  std::array<char, kReadChunk> sink{};
  std::size_t drained = 0;
  while (drained < kMostBytesDrainedOnClose) {
    auto [error, bytes] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
    if (error) break;
    drained += bytes;
  }
  stream.close();
}

// Waits for the first byte of the next request. False when the connection should end:
// the peer closed it, it stayed idle too long, or the server is shutting down.
awaitable<bool> wait_for_request(Impl& server, beast::tcp_stream& stream,
                                 beast::flat_buffer& buffer, OpenConnection& entry) {
  if (buffer.size() > 0) co_return true;  // pipelined bytes already here
  entry.idle = true;
  if (server.stopping) co_return false;
  stream.expires_after(server.options.idle_timeout);
  auto [error, bytes] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kTuple);
  entry.idle = false;
  if (error) co_return false;
  buffer.commit(bytes);
  co_return true;
}

awaitable<Response> dispatch(Impl& server, Request request, std::size_t& metrics_slot) {
  RouteMatch match = server.router.match(request.method, request.path);
  metrics_slot = match.path_route ? match.path_route->id : server.metrics.unmatched_slot();
  if (match.route && match.route->execution == Execution::worker_pool) {
    // Reads get a pool sized for the cores; writes a larger one, because a write spends most
    // of its time waiting for its batch to commit, and more waiting writes make bigger
    // batches — without crowding the cores that reads need.
    const bool reads = request.method == Method::get || request.method == Method::head;
    auto& pool = reads ? server.workers : server.writers;
    co_return co_await asio::co_spawn(
        pool, respond_on_worker(&server.router, std::move(match), std::move(request)),
        use_awaitable);
  }
  co_return server.router.respond(match, request);
}

void log_access(const std::string& remote, std::string_view method, std::string_view path,
                int status, std::size_t bytes, std::chrono::steady_clock::duration elapsed) {
  // The path only: query strings may carry tokens (/ws?token=...) that must not reach logs.
  spdlog::info("{} \"{} {}\" {} {}B {:.2f}ms", remote, method, path, status, bytes,
               std::chrono::duration<double, std::milli>(elapsed).count());
}

bool wants_websocket(const Impl& server, const BeastRequest& message, const Request& request) {
  return server.websockets && request.method == Method::get &&
         request.path == server.options.websocket.path && detail::is_websocket_upgrade(message);
}

// Reads, answers and writes one request. Returns whether the connection may be reused; a
// WebSocket upgrade is not answered here but left in `upgrade` (and false returned).
awaitable<bool> serve_one(Impl& server, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                          const std::string& remote, std::optional<PendingUpgrade>& upgrade) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(server.options.max_header_bytes));
  parser.body_limit(server.options.max_body_bytes);
  stream.expires_after(server.options.read_timeout);
  auto [error, ignored] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
  if (!error && wants_continue(parser.get())) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    std::tie(error, ignored) = co_await asio::async_write(
        stream, asio::buffer(kContinue.data(), kContinue.size()), kTuple);
  }
  if (!error) std::tie(error, ignored) = co_await bhttp::async_read(stream, buffer, parser, kTuple);

  const auto started = std::chrono::steady_clock::now();
  Response response;
  std::size_t metrics_slot = server.metrics.unmatched_slot();
  std::string method_text = "-";
  std::string path = "-";
  bool head = false;
  bool keep_alive = false;
  if (error) {
    const auto answer = read_failure_answer(error, server.options);
    if (!answer) co_return false;
    response = error_response(*answer);
  } else {
    BeastRequest& message = parser.get();
    method_text = std::string(message.method_string());
    head = message.method() == bhttp::verb::head;
    const bool client_keeps_alive = message.keep_alive();
    try {
      Request request = to_request(message, remote);
      path = request.path;
      if (wants_websocket(server, message, request)) {
        const auto match = server.router.match(request.method, request.path);
        upgrade.emplace(PendingUpgrade{std::move(message), std::move(request),
                                       match.route ? match.route->id : metrics_slot});
        co_return false;
      }
      response = co_await dispatch(server, std::move(request), metrics_slot);
    } catch (const Error& refused) {
      response = error_response(refused);
    }
    // Checked after handling: a shutdown that began meanwhile ends this connection.
    keep_alive = client_keeps_alive && !server.stopping;
  }
  const int status = response.status;
  const std::size_t bytes = response.body.size();
  auto out = to_beast(std::move(response), parser.get().version(), keep_alive, head);
  stream.expires_after(server.options.write_timeout);
  auto [write_error, written] = co_await bhttp::async_write(stream, out, kTuple);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  server.metrics.record(metrics_slot, status, elapsed);
  log_access(remote, method_text, path, status, bytes, elapsed);
  if (write_error) co_return false;
  if (error) co_await drain_and_close(stream);
  co_return keep_alive;
}

using WebSocketDecision = std::variant<Response, std::shared_ptr<WebSocketSession>>;

awaitable<WebSocketDecision> decide_on_worker(const WebSocketAcceptor* acceptor, Request request,
                                              std::shared_ptr<WebSocketPeer> peer) {
  try {
    co_return (*acceptor)(request, std::move(peer));
  } catch (const Error& refused) {
    co_return error_response(refused);
  } catch (const std::exception& failure) {
    spdlog::error("websocket upgrade failed: {}", failure.what());
    co_return error_response(Error(ErrorCode::internal, "internal error"));
  }
}

// Asks the application whether to accept the upgrade, then either answers its refusal over
// plain HTTP or serves the WebSocket until it closes.
awaitable<void> upgrade_to_websocket(Impl& server, beast::tcp_stream&& stream,
                                     PendingUpgrade upgrade, OpenConnection& entry,
                                     const std::string& remote) {
  const auto started = std::chrono::steady_clock::now();
  auto connection = detail::make_websocket_connection(std::move(stream), server.options.websocket,
                                                      server.metrics);
  entry.stream = nullptr;
  auto decision = co_await asio::co_spawn(
      server.workers,
      decide_on_worker(&server.websockets, std::move(upgrade.request), detail::peer_of(connection)),
      use_awaitable);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const std::string path = server.options.websocket.path;
  if (auto* refused = std::get_if<Response>(&decision)) {
    const int status = refused->status;
    const std::size_t bytes = refused->body.size();
    auto out = to_beast(std::move(*refused), upgrade.message.version(), false, false);
    auto& raw = detail::raw_stream(*connection);
    raw.expires_after(server.options.write_timeout);
    co_await bhttp::async_write(raw, out, kTuple);
    server.metrics.record(upgrade.metrics_slot, status, elapsed);
    log_access(remote, "GET", path, status, bytes, elapsed);
    co_return;
  }
  server.metrics.record(upgrade.metrics_slot, 101, elapsed);
  log_access(remote, "GET", path, 101, 0, elapsed);
  entry.websocket = detail::peer_of(connection);
  if (server.stopping) entry.websocket->close(CloseCode::going_away, "server shutting down");
  server.metrics.websocket_opened();
  co_await detail::serve_websocket(connection, std::move(upgrade.message),
                                   std::get<std::shared_ptr<WebSocketSession>>(decision),
                                   server.workers);
  server.metrics.websocket_closed();
  entry.websocket = nullptr;
}

awaitable<void> run_connection(Impl* server, tcp::socket socket) {
  auto entry = std::make_shared<OpenConnection>();
  entry->strand = socket.get_executor();
  ConnectionRegistration registration(*server, entry);
  beast::error_code endpoint_error;
  const auto peer = socket.remote_endpoint(endpoint_error);
  const std::string remote = endpoint_error ? "-" : peer.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  entry->stream = &stream;
  beast::flat_buffer buffer;
  std::optional<PendingUpgrade> upgrade;
  while (co_await wait_for_request(*server, stream, buffer, *entry)) {
    if (!co_await serve_one(*server, stream, buffer, remote, upgrade)) break;
  }
  if (upgrade) {
    co_await upgrade_to_websocket(*server, std::move(stream), std::move(*upgrade), *entry, remote);
    co_return;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

void log_unexpected(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    spdlog::error("connection ended by an unexpected error: {}", error.what());
  }
}

awaitable<void> accept_loop(Impl* server) {
  for (;;) {
    auto [error, socket] =
        co_await server->acceptor.async_accept(asio::make_strand(server->io), kTuple);
    if (error) {
      if (!server->acceptor.is_open()) co_return;
      // Out of file descriptors or similar: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", error.message());
      asio::steady_timer pause(server->io, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_connection(server, std::move(socket)), log_unexpected);
  }
}

// Waits until every connection has closed (or the deadline passes), then stops the loop.
awaitable<void> finish_shutdown(Impl* server) {
  const auto deadline = std::chrono::steady_clock::now() + server->options.shutdown_timeout;
  asio::steady_timer timer(server->io);
  for (;;) {
    std::size_t open = 0;
    {
      std::lock_guard lock(server->connections_mutex);
      open = server->connections.size();
    }
    if (open == 0) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      spdlog::warn("shutdown: closing {} connection(s) still busy after {}s", open,
                   server->options.shutdown_timeout.count());
      break;
    }
    timer.expires_after(kShutdownPoll);
    co_await timer.async_wait(kTuple);
  }
  server->io.stop();
}

}  // namespace

void Server::Impl::listen() {
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  beast::error_code error;
  const auto address = asio::ip::make_address(host, error);
  const tcp::endpoint endpoint(address, options.port);
  if (!error) acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw std::system_error(error, host + ":" + std::to_string(options.port));
  }
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  spdlog::info("shutting down: no new connections, finishing requests in flight");
  beast::error_code ignored;
  acceptor.close(ignored);
  signals.cancel(ignored);
  std::vector<std::shared_ptr<OpenConnection>> open;
  {
    std::lock_guard lock(connections_mutex);
    open.assign(connections.begin(), connections.end());
  }
  for (auto& entry : open) {
    // On the connection's own strand, so `idle` and `stream` are read race-free. A busy
    // connection finishes its request and then sees `stopping`.
    asio::post(entry->strand, [entry] {
      if (entry->stream && entry->idle) entry->stream->cancel();
      if (entry->websocket) entry->websocket->close(CloseCode::going_away, "server shutting down");
    });
  }
  asio::co_spawn(io, finish_shutdown(this), log_unexpected);
}

Server::Server(const ServerOptions& options, const Router& router, Metrics& metrics,
               WebSocketAcceptor websockets)
    : impl_(std::make_unique<Impl>(options, router, metrics, std::move(websockets))) {
  impl_->listen();
}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void Server::run() {
  Impl* server = impl_.get();
  server->signals.async_wait([server](const beast::error_code& error, int signal) {
    if (error) return;
    spdlog::info("received signal {}", signal);
    server->begin_shutdown();
  });
  asio::co_spawn(server->io, accept_loop(server), log_unexpected);
  spdlog::info("listening on http://{}:{} ({} io threads, {} read and {} write workers)",
               server->options.host, port(), std::max(1, server->options.io_threads),
               std::max(1, server->options.worker_threads),
               std::max(1, server->options.write_threads));

  std::vector<std::thread> threads;
  for (int i = 1; i < server->options.io_threads; ++i)
    threads.emplace_back([server] { server->io.run(); });
  server->io.run();
  for (auto& thread : threads) thread.join();
  server->workers.join();
  server->writers.join();
  spdlog::info("stopped");
}

void Server::request_stop() {
  Impl* server = impl_.get();
  asio::post(server->io, [server] { server->begin_shutdown(); });
}

}  // namespace tb::http
