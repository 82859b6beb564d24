#include "http/server.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <memory_resource>
#include <mutex>
#include <random>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/string_body.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "http/channel.hpp"
#include "http/content_coding.hpp"
#include "http/error_mapping.hpp"
#include "http/forwarded.hpp"
#include "http/target.hpp"
#include "http/websocket_session.hpp"

// g++ 12 at -O1 (the sanitizer build) takes asio's coroutine frames, allocated with
// aligned_alloc and released with free, for a new/delete mismatch once it inlines one
// coroutine's frame into another's (GCC bug 109224). The pair matches; the warning is wrong.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace tb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

using BeastRequest = detail::RequestParser::value_type;     // its fields in the request's arena
using UpgradeRequest = bhttp::request<bhttp::string_body>;  // fields on the heap: outlives it
using detail::Channel;
using detail::Clock;

constexpr std::size_t kMostBytesDrainedOnClose = 1024 * 1024;
constexpr std::chrono::seconds kDrainTimeout{2};
constexpr std::chrono::milliseconds kShutdownPoll{20};
constexpr std::chrono::seconds kForcedCloseGrace{2};  // for cut-off connections to unwind
constexpr std::size_t kSmallestJsonWorthCompressing = 1024;
constexpr std::size_t kLongestRequestId = 128;
constexpr std::size_t kFieldsArenaBytes = 1024;
// Requests a connection serves in a row before it lets the thread's other connections have a
// turn: reads that find their bytes already there never yield, so a client pipelining a flood
// of requests would otherwise keep the thread to itself.
constexpr unsigned kRequestsBetweenTurns = 32;

// What the shutdown needs to know about one open connection. Touched only on the
// connection's executor, except for the registry set itself (guarded by a mutex).
struct OpenConnection {
  asio::any_io_executor executor;  // the connection's thread (or strand)
  Channel* channel = nullptr;
  bool idle = false;  // waiting for the first byte of its next request
  std::shared_ptr<detail::WebSocketConnection> websocket;  // once upgraded
};

// A request to upgrade to a WebSocket, read and left for run_connection to carry out.
struct PendingUpgrade {
  UpgradeRequest message;
  Request request;
  std::size_t metrics_slot = 0;
  std::string request_id;
};

constexpr std::string_view kRequestIdField = "X-Request-Id";

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

Request to_request(BeastRequest& message, const std::string& peer, const TrustedProxies& proxies) {
  Request request;
  request.method = method_of(message.method());
  request.target = std::string(message.target());
  split_target(request);
  request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  const ClientInfo client = client_of(peer, request.headers, proxies);
  request.remote_address = client.address;
  request.scheme = client.scheme;
  return request;
}

// The request of a WebSocket upgrade, copied out of the arena of the coroutine that read it.
UpgradeRequest to_upgrade_request(BeastRequest& message) {
  UpgradeRequest copy;
  copy.method(message.method());
  copy.target(message.target());
  copy.version(message.version());
  for (const auto& field : message) copy.insert(field.name_string(), field.value());
  copy.body() = std::move(message.body());
  return copy;
}

// What RFC 9112 says a server must refuse before it reads a body (§3.2, §6.1, §6.3), and
// methods no route can serve (501 rather than a 405 that names them).
std::optional<Error> header_refusal(const BeastRequest& message) {
  if (message.version() >= 11 && message.count(bhttp::field::host) != 1) {
    return Error(ErrorCode::invalid_request, "an HTTP/1.1 request needs exactly one Host header");
  }
  if (message.count(bhttp::field::transfer_encoding) > 0) {
    if (message.count(bhttp::field::content_length) > 0) {
      return Error(ErrorCode::invalid_request,
                   "Transfer-Encoding and Content-Length must not come together");
    }
    if (!message.chunked()) {
      return Error(ErrorCode::invalid_request, "chunked must be the last transfer coding");
    }
  }
  if (method_of(message.method()) == Method::other) {
    return Error(ErrorCode::not_implemented, "this request method is not implemented");
  }
  return std::nullopt;
}

// RFC 6455 §4.2.1-2: an upgrade without a usable key or of another version is refused
// over HTTP, with the version this server speaks.
std::optional<Response> websocket_handshake_refusal(const BeastRequest& message) {
  const auto key = message[bhttp::field::sec_websocket_key];
  const bool key_ok = key.size() == 24 && key.ends_with("==") &&
                      key.find_first_not_of(
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789+/=") == std::string_view::npos;
  std::optional<Response> refusal;
  if (message[bhttp::field::sec_websocket_version] != "13") {
    refusal = error_response(
        Error(ErrorCode::invalid_request, "this server speaks WebSocket version 13"));
    refusal->status = 426;
    refusal->headers.emplace_back("Upgrade", "websocket");
  } else if (!key_ok) {
    refusal = error_response(
        Error(ErrorCode::invalid_request, "Sec-WebSocket-Key must be 16 bytes in base64"));
  }
  if (refusal) refusal->headers.emplace_back("Sec-WebSocket-Version", "13");
  return refusal;
}

// X-Request-Id: kept when a trusted proxy sent a sane one, else made here. Made ones need
// to be unique, not secret: a random start and a counter, mixed so they do not look serial.
// Written into `id`, whose room a connection keeps from one request to the next.
void assign_request_id(std::string& id, std::string_view given, bool from_trusted_proxy) {
  if (from_trusted_proxy && !given.empty() && given.size() <= kLongestRequestId &&
      given.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "-_.:") == std::string_view::npos) {
    id.assign(given);
    return;
  }
  static const std::uint64_t start = std::random_device{}() * 0x9E3779B97F4A7C15ULL;
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t number = start + counter.fetch_add(1, std::memory_order_relaxed);
  number = (number ^ (number >> 30)) * 0xBF58476D1CE4E5B9ULL;  // splitmix64's finaliser
  number = (number ^ (number >> 27)) * 0x94D049BB133111EBULL;
  id.resize(16);
  fmt::format_to(id.data(), FMT_COMPILE("{:016x}"), number ^ (number >> 31));
}

// JSON answers of some size go out gzip-compressed to clients that take it; fastest level,
// since it runs per request.
void compress_json(Response& response, bool client_accepts_gzip) {
  if (response.body.size() < kSmallestJsonWorthCompressing ||
      !response.content_type.starts_with("application/json")) {
    return;
  }
  for (const auto& [name, value] : response.headers) {
    if (name == "Content-Encoding") return;
  }
  response.headers.emplace_back("Vary", "Accept-Encoding");
  if (!client_accepts_gzip) return;
  std::string compressed = gzip(response.body, 1);
  if (compressed.empty()) return;
  response.body = std::move(compressed);
  response.headers.emplace_back("Content-Encoding", "gzip");
}

// Control characters (CR, LF, ESC...), quotes and backslashes of a logged value as \xNN,
// so what a client sends can never forge or break a log line.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '"' || c == '\\') {
      out += fmt::format("\\x{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
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

// A response as it goes on the wire: its status line and header, then its body.
struct WireResponse {
  std::string header;
  std::string body;

  std::array<asio::const_buffer, 2> buffers() const {
    return {asio::buffer(header), asio::buffer(body)};
  }
};

// How the client learns where the body ends (RFC 9112 §6.3): its length in the header; a
// chunked body whose pieces come as they are made; or, for an HTTP/1.0 client, which knows
// no chunks, the connection closing.
enum class Framing { length, chunked, close };

// Written by hand rather than with Beast's message and serializer: those allocate a node per
// header field and walk a chain of buffer views, a tenth of a small request's CPU. The same
// bytes as Beast's prepare_payload and keep_alive would give.
// `header`, when given, is written over: a connection passes the one its last answer went out
// with, so that its room is kept.
WireResponse to_wire(Response&& response, unsigned version, bool keep_alive, bool head,
                     const std::string& request_id, Framing framing = Framing::length,
                     std::string header = {}) {
  const auto status = static_cast<bhttp::status>(response.status);
  header.clear();
  header.reserve(256);
  header += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  header += std::to_string(response.status);
  header += ' ';
  const auto reason = bhttp::obsolete_reason(status);
  header.append(reason.data(), reason.size());
  const auto add = [&header](std::string_view name, std::string_view value) {
    header.append(name).append(": ");
    // A line break in a value would end the header early (response splitting): never sent.
    // (Not find_first_of, which calls memchr once per character of the value.)
    if (value.find('\r') == std::string_view::npos && value.find('\n') == std::string_view::npos) {
      header.append(value);
    } else {
      for (const char c : value) header += (c == '\r' || c == '\n') ? ' ' : c;
    }
    header += "\r\n";
  };
  header += "\r\n";
  add("Date", http_date_now());
  add("X-Request-Id", request_id);
  if (!response.content_type.empty()) add("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) add(name, value);
  // RFC 9110 §8.6: no Content-Length on 1xx, 204 and 304. HEAD: what GET would send.
  const bool bodiless = bhttp::to_status_class(status) == bhttp::status_class::informational ||
                        status == bhttp::status::no_content ||
                        status == bhttp::status::not_modified;
  if (!bodiless && framing == Framing::length) {
    add("Content-Length", std::to_string(response.body.size()));
  }
  if (!bodiless && framing == Framing::chunked) add("Transfer-Encoding", "chunked");
  if (version >= 11 && !keep_alive) add("Connection", "close");
  if (version < 11 && keep_alive) add("Connection", "keep-alive");
  header += "\r\n";
  if (head || bodiless) response.body.clear();
  return WireResponse{std::move(header), std::move(response.body)};
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
  Impl(const ServerOptions& server_options, ServerThreads threads, const Router& table,
       Metrics& counters, WebSocketAcceptor acceptor_of_websockets)
      : options(server_options),
        router(table),
        metrics(counters),
        websockets(std::move(acceptor_of_websockets)),
        io(threads.io),
        workers(threads.reads),
        writers(threads.writes),
        connection_contexts(std::move(threads.connections)),
        acceptor(io),
        proxies(TrustedProxies::parse(options.trusted_proxies)) {}

  void listen();
  void begin_shutdown();
  void force_close_connections();
  // Counts a new connection from `address` against its cap; false when it is over.
  bool admit(const std::string& address);

  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  WebSocketAcceptor websockets;
  asio::io_context& io;
  asio::thread_pool& workers;  // requests that read
  asio::thread_pool& writers;  // requests that change data: they mostly wait on a group commit
  std::vector<asio::io_context*> connection_contexts;  // one thread each; see ServerThreads
  std::size_t accepted = 0;  // connections accepted, to deal them out in turn (accept loop only)
  tcp::acceptor acceptor;
  TrustedProxies proxies;
  std::atomic<bool> stopping{false};
  std::atomic<bool> accept_loop_running{false};
  // Set (under drained_mutex) once no connection is open and the accept loop has ended. Not
  // a std::promise: the waiter destroys the server as soon as it wakes, and a promise may
  // still be touching its shared state then.
  std::mutex drained_mutex;
  std::condition_variable drained_changed;
  bool drained = false;
  std::mutex connections_mutex;  // guards the two below
  std::unordered_set<std::shared_ptr<OpenConnection>> connections;
  std::unordered_map<std::string, std::size_t> connections_by_address;
  std::atomic<std::uint64_t> refused_connections{0};
};

namespace {

using Impl = Server::Impl;

// Keeps the registry and the open-connections gauge true for the life of one connection.
class ConnectionRegistration {
 public:
  ConnectionRegistration(Impl& server, std::shared_ptr<OpenConnection> entry, std::string address)
      : server_(server), entry_(std::move(entry)), address_(std::move(address)) {
    std::lock_guard lock(server_.connections_mutex);
    server_.connections.insert(entry_);
    server_.metrics.connection_opened();
  }
  ~ConnectionRegistration() {
    entry_->channel = nullptr;
    std::lock_guard lock(server_.connections_mutex);
    server_.connections.erase(entry_);
    const auto counted = server_.connections_by_address.find(address_);
    if (counted != server_.connections_by_address.end() && --counted->second == 0) {
      server_.connections_by_address.erase(counted);
    }
    server_.metrics.connection_closed();
  }
  ConnectionRegistration(const ConnectionRegistration&) = delete;
  ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;

 private:
  Impl& server_;
  std::shared_ptr<OpenConnection> entry_;
  std::string address_;
};

awaitable<Response> respond_on_worker(const Router* router, RouteMatch match, Request request,
                                      bool accepts_gzip) {
  Response response = router->respond(match, request);
  compress_json(response, accepts_gzip);
  co_return response;
}

bool runs_on_pool(const Impl& server, Execution execution) {
  switch (execution) {
    case Execution::worker_pool: return true;
    case Execution::io_thread: return false;
    case Execution::quick_read: return !server.options.quick_reads_inline;
  }
  return true;
}

// The route and where its handler runs. A handler for the connection's thread is called
// here, with no coroutine of its own: most requests are such reads, and a coroutine frame
// and a resumption per request showed in their profile.
struct Routed {
  std::optional<Response> answered;   // the response, when the handler ran here
  asio::thread_pool* pool = nullptr;  // else the pool to run it on
  RouteMatch match;
  bool gzip_ok = false;
};

Routed dispatch(Impl& server, Request& request, std::size_t& metrics_slot) {
  Routed result;
  result.gzip_ok = accepts_gzip(request.header("accept-encoding"));
  result.match = server.router.match(request.method, request.path);
  const auto& match = result.match;
  metrics_slot = match.path_route ? match.path_route->id : server.metrics.unmatched_slot();
  if (match.route && runs_on_pool(server, match.route->execution(request))) {
    // Reads get a pool sized for the cores; writes a larger one, because a write spends most
    // of its time waiting for its batch to commit, and more waiting writes make bigger
    // batches — without crowding the cores that reads need.
    const bool reads = request.method == Method::get || request.method == Method::head;
    result.pool = reads ? &server.workers : &server.writers;
    return result;
  }
  result.answered = server.router.respond(match, request);
  compress_json(*result.answered, result.gzip_ok);
  return result;
}

void log_access(const std::string& remote, std::string_view method, std::string_view path,
                int status, std::size_t bytes, std::chrono::steady_clock::duration elapsed,
                const std::string& request_id) {
  // The escaping below is work on every request: none of it when info lines are not kept.
  if (!spdlog::should_log(spdlog::level::info)) return;
  // The path only: query strings may carry tokens (/ws?token=...) that must not reach logs.
  spdlog::info("{} \"{} {}\" {} {}B {:.2f}ms id={}", remote, printable(method), printable(path),
               status, bytes, std::chrono::duration<double, std::milli>(elapsed).count(),
               request_id);
}

// What one call of a body producer gave: more to come, the end, or a failure.
enum class Produced { more, end, failed };

awaitable<Produced> produce_on_worker(BodyProducer* producer, std::string* piece) {
  try {
    co_return (*producer)(*piece) ? Produced::more : Produced::end;
  } catch (const std::exception& failure) {
    spdlog::error("a streamed response body failed: {}", failure.what());
    co_return Produced::failed;
  }
}

// Sends a response whose body comes from its producer, with chunked transfer coding
// (RFC 9112 §7.1). Production runs on the worker pool, so the io threads never wait for it,
// and one piece at a time: the next is asked for only after the last was written, so a slow
// client holds back the producer (TCP backpressure) and at most one piece is in memory. Each
// write has the write deadline. Stops, destroying the unfinished producer, when the client has
// gone or a write fails. An HTTP/1.0 client, which knows no chunks, gets the pieces as they
// are and the end of the body by the connection closing. Returns whether the whole response
// went out and the byte count.
awaitable<std::pair<bool, std::size_t>> write_streamed(Impl& server, Channel& channel,
                                                       Response response, unsigned version,
                                                       bool keep_alive, bool head,
                                                       const std::string& request_id) {
  const bool chunked = version >= 11;
  BodyProducer producer = std::move(response.producer);
  const auto header = to_wire(std::move(response), version, keep_alive && chunked, head, request_id,
                              chunked ? Framing::chunked : Framing::close);
  const asio::const_buffer header_bytes = asio::buffer(header.header);
  if (co_await channel.write({&header_bytes, 1}, server.options.write_timeout)) {
    co_return std::pair{false, std::size_t{0}};
  }
  if (head) co_return std::pair{chunked, std::size_t{0}};  // HTTP/1.0 was told Connection: close
  std::string piece;
  std::size_t sent = 0;
  const auto abandon = [&](std::string_view why) {
    spdlog::info("streamed body abandoned after {}B: {} id={}", sent, why, request_id);
    return std::pair{false, sent};
  };
  for (;;) {
    if (channel.peer_has_gone()) co_return abandon("the client went away");
    const Produced produced = co_await asio::co_spawn(
        server.workers, produce_on_worker(&producer, &piece), use_awaitable);
    // A failure after the header can only be told by ending the connection without the last
    // chunk: the client then knows the body is incomplete.
    if (produced == Produced::failed) co_return abandon("the producer failed");
    if (!piece.empty()) {
      // RFC 9112 §7.1: each chunk is its size in hex, CRLF, its bytes, CRLF.
      const std::string size_line = chunked ? fmt::format("{:x}\r\n", piece.size()) : "";
      const std::array<asio::const_buffer, 3> chunk{
          asio::buffer(size_line), asio::buffer(piece),
          asio::buffer(std::string_view(chunked ? "\r\n" : ""))};
      if (const auto error = co_await channel.write(chunk, server.options.write_timeout)) {
        co_return abandon(error.message());
      }
      sent += piece.size();
    }
    if (produced == Produced::end) break;
  }
  if (!chunked) co_return std::pair{false, sent};  // the close ends the body
  static constexpr std::string_view kLastChunk = "0\r\n\r\n";
  const asio::const_buffer last = asio::buffer(kLastChunk);
  const auto error = co_await channel.write({&last, 1}, server.options.write_timeout);
  co_return std::pair{!error, sent};
}

bool wants_websocket(const Impl& server, const BeastRequest& message, const Request& request) {
  return server.websockets && request.method == Method::get &&
         request.path == server.options.websocket.path && detail::is_websocket_upgrade(message);
}

// Strings a connection reuses from one request to the next, so that their room is allocated
// once: its answers' header and its requests' ids.
struct ConnectionScratch {
  std::string header;
  std::string request_id;
};

// Reads, answers and writes one request. Returns whether the connection may be reused; a
// WebSocket upgrade is not answered here but left in `upgrade` (and false returned).
awaitable<bool> serve_one(Impl& server, Channel& channel, beast::flat_buffer& buffer,
                          const std::string& peer, std::optional<PendingUpgrade>& upgrade,
                          ConnectionScratch& scratch) {
  // Room for the header fields of most requests; a larger header takes more from the heap.
  alignas(std::max_align_t) std::array<std::byte, kFieldsArenaBytes> fields_room;
  std::pmr::monotonic_buffer_resource fields_arena(fields_room.data(), fields_room.size());
  detail::RequestParser parser(std::piecewise_construct, std::make_tuple(),
                               std::make_tuple(detail::FieldsAllocator(&fields_arena)));
  parser.header_limit(static_cast<std::uint32_t>(server.options.max_header_bytes));
  parser.body_limit(server.options.max_body_bytes);
  // A request's time, in the metrics and the log, runs from its first bytes being here to
  // its answer's last being sent, as nginx's $request_time does.
  const auto started = Clock::now();
  const auto read_deadline = started + server.options.read_timeout;
  auto error = channel.read_now(buffer, parser, false);
  if (detail::would_block(error)) {
    error = co_await channel.read_rest(buffer, parser, false, read_deadline);
  }
  std::optional<Error> refusal;
  if (!error) refusal = header_refusal(parser.get());
  if (!error && !refusal && wants_continue(parser.get())) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    const asio::const_buffer interim = asio::buffer(kContinue);
    error = co_await channel.write({&interim, 1}, server.options.write_timeout);
  }
  // A request without a body (most GETs) is whole with its header: no second read.
  if (!error && !refusal && !parser.is_done()) {
    error = channel.read_now(buffer, parser, true);
    if (detail::would_block(error)) {
      error = co_await channel.read_rest(buffer, parser, true, read_deadline);
    }
  }

  BeastRequest& message = parser.get();
  const bool from_proxy = server.proxies.contains(peer);
  assign_request_id(scratch.request_id, message[kRequestIdField], from_proxy);
  const std::string& request_id = scratch.request_id;
  std::string remote = peer;
  Response response;
  std::size_t metrics_slot = server.metrics.unmatched_slot();
  std::string method_text = "-";
  std::string path = "-";
  bool head = false;
  bool keep_alive = false;
  const bool unread = error || refusal;  // the request (or its body) was not read whole
  if (error && !refusal) refusal = read_failure_answer(error, server.options);
  if (unread && !refusal) co_return false;
  if (refusal) {
    if (!error) method_text = std::string(message.method_string());  // refused after its header
    response = error_response(*refusal);
  } else {
    method_text = std::string(message.method_string());
    head = message.method() == bhttp::verb::head;
    const bool client_keeps_alive = message.keep_alive();
    try {
      Request request = to_request(message, peer, server.proxies);
      remote = request.remote_address;
      path = request.path;
      if (wants_websocket(server, message, request)) {
        if (auto refused = websocket_handshake_refusal(message)) {
          response = std::move(*refused);
        } else {
          const auto match = server.router.match(request.method, request.path);
          upgrade.emplace(PendingUpgrade{to_upgrade_request(message), std::move(request),
                                         match.route ? match.route->id : metrics_slot, request_id});
          co_return false;
        }
      } else {
        auto routed = dispatch(server, request, metrics_slot);
        if (routed.answered) {
          response = std::move(*routed.answered);
        } else {
          response =
              co_await asio::co_spawn(*routed.pool,
                                      respond_on_worker(&server.router, std::move(routed.match),
                                                        std::move(request), routed.gzip_ok),
                                      use_awaitable);
        }
      }
    } catch (const Error& refused) {
      response = error_response(refused);
    }
    // Checked after handling: a shutdown that began meanwhile ends this connection.
    keep_alive = client_keeps_alive && !server.stopping;
  }
  const int status = response.status;
  if (response.producer) {
    const auto [complete, streamed] = co_await write_streamed(
        server, channel, std::move(response), message.version(), keep_alive, head, request_id);
    const auto elapsed = Clock::now() - started;
    server.metrics.record(metrics_slot, status, elapsed);
    log_access(remote, method_text, path, status, streamed, elapsed, request_id);
    const bool reusable = keep_alive && complete;
    co_return reusable;
  }
  const std::size_t bytes = response.body.size();
  auto out = to_wire(std::move(response), message.version(), keep_alive, head, request_id,
                     Framing::length, std::move(scratch.header));
  const auto wire = out.buffers();
  beast::error_code write_error;
  const std::size_t sent = channel.write_now(wire, write_error);
  if (detail::would_block(write_error)) {
    write_error = co_await channel.write(wire, server.options.write_timeout, sent);
  }
  scratch.header = std::move(out.header);
  const auto elapsed = Clock::now() - started;
  server.metrics.record(metrics_slot, status, elapsed);
  log_access(remote, method_text, path, status, bytes, elapsed, request_id);
  if (write_error) co_return false;
  // After an error answer the peer may still be sending a body we did not read; closing at
  // once would make the kernel reset the connection and could destroy our answer in flight.
  if (unread) {
    co_await channel.drain_and_close(kMostBytesDrainedOnClose, Clock::now() + kDrainTimeout);
  }
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
awaitable<void> upgrade_to_websocket(Impl& server, tcp::socket socket, PendingUpgrade upgrade,
                                     OpenConnection& entry) {
  const auto started = std::chrono::steady_clock::now();
  auto connection = detail::make_websocket_connection(beast::tcp_stream(std::move(socket)),
                                                      server.options.websocket, server.metrics);
  const std::string remote = upgrade.request.remote_address;
  auto decision = co_await asio::co_spawn(
      server.workers,
      decide_on_worker(&server.websockets, std::move(upgrade.request), detail::peer_of(connection)),
      use_awaitable);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const std::string path = server.options.websocket.path;
  if (auto* refused = std::get_if<Response>(&decision)) {
    const int status = refused->status;
    const std::size_t bytes = refused->body.size();
    const auto out =
        to_wire(std::move(*refused), upgrade.message.version(), false, false, upgrade.request_id);
    auto& raw = detail::raw_stream(*connection);
    raw.expires_after(server.options.write_timeout);
    co_await asio::async_write(raw, out.buffers(), kTuple);
    server.metrics.record(upgrade.metrics_slot, status, elapsed);
    log_access(remote, "GET", path, status, bytes, elapsed, upgrade.request_id);
    co_return;
  }
  server.metrics.record(upgrade.metrics_slot, 101, elapsed);
  log_access(remote, "GET", path, 101, 0, elapsed, upgrade.request_id);
  entry.websocket = connection;
  if (server.stopping) {
    detail::peer_of(connection)->close(CloseCode::going_away, "server shutting down");
  }
  server.metrics.websocket_opened();
  co_await detail::serve_websocket(connection, std::move(upgrade.message),
                                   std::get<std::shared_ptr<WebSocketSession>>(decision),
                                   server.workers);
  server.metrics.websocket_closed();
  entry.websocket = nullptr;
}

awaitable<void> run_connection(Impl* server, tcp::socket socket, std::string peer) {
  auto entry = std::make_shared<OpenConnection>();
  entry->executor = socket.get_executor();
  ConnectionRegistration registration(*server, entry, peer);
  std::optional<PendingUpgrade> upgrade;
  {
    Channel channel(std::move(socket));
    entry->channel = &channel;
    beast::flat_buffer buffer;
    ConnectionScratch scratch;
    unsigned served = 0;
    for (;;) {
      // Waits for the first byte of the next request, unless pipelined bytes are here. Ends
      // when the peer closed, the connection stayed idle too long, or the server is stopping.
      // (Not a coroutine of its own: that was a frame and a resumption more per request.)
      if (buffer.size() == 0) {
        entry->idle = true;
        if (server->stopping) break;
        const auto error =
            co_await channel.read_some(buffer, Clock::now() + server->options.idle_timeout);
        entry->idle = false;
        if (error) break;
      }
      if (!co_await serve_one(*server, channel, buffer, peer, upgrade, scratch)) break;
      if (++served % kRequestsBetweenTurns == 0) {
        co_await asio::post(entry->executor, use_awaitable);
      }
    }
    entry->channel = nullptr;
    if (upgrade) {
      socket = channel.release();
    } else {
      channel.shutdown();
    }
  }
  if (upgrade) {
    co_await upgrade_to_websocket(*server, std::move(socket), std::move(*upgrade), *entry);
  }
}

void log_unexpected(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& error) {
    spdlog::error("connection ended by an unexpected error: {}", error.what());
  }
}

// The connections' threads in turn, or a strand of the shared io_context without them.
asio::any_io_executor next_connection_executor(Impl& server) {
  if (server.connection_contexts.empty()) return asio::make_strand(server.io);
  auto& context = *server.connection_contexts[server.accepted % server.connection_contexts.size()];
  ++server.accepted;
  return context.get_executor();
}

awaitable<void> accept_loop(Impl* server) {
  for (;;) {
    auto [error, socket] =
        co_await server->acceptor.async_accept(next_connection_executor(*server), kTuple);
    if (error) {
      if (!server->acceptor.is_open()) co_return;
      // Out of file descriptors or similar: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", error.message());
      asio::steady_timer pause(server->io, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    beast::error_code ignored;
    const auto endpoint = socket.remote_endpoint(ignored);
    std::string peer = ignored ? "-" : endpoint.address().to_string();
    if (!server->admit(peer)) {
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_connection(server, std::move(socket), std::move(peer)),
                   log_unexpected);
  }
}

std::size_t open_connections(Impl* server) {
  std::lock_guard lock(server->connections_mutex);
  return server->connections.size();
}

// Polls until no connection is open (and the accept loop, which might still open one, has
// ended) or `deadline` passes; true when none is.
awaitable<bool> all_closed_by(Impl* server, std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(server->io);
  while (open_connections(server) > 0 || server->accept_loop_running) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(kShutdownPoll);
    co_await timer.async_wait(kTuple);
  }
  co_return true;
}

// Waits until every connection has closed, or cuts off those still open when the shutdown
// timeout passes; then says the server is drained. Every connection must have ended before
// the owner stops the io_context: a WebSocket still referenced by the application once the
// io_context is gone would be destroyed against freed memory.
awaitable<void> finish_shutdown(Impl* server) {
  const auto now = std::chrono::steady_clock::now();
  if (!co_await all_closed_by(server, now + server->options.shutdown_timeout)) {
    spdlog::warn("shutdown: cutting off {} connection(s) still open after {}s",
                 open_connections(server), server->options.shutdown_timeout.count());
    server->force_close_connections();
    if (!co_await all_closed_by(server, std::chrono::steady_clock::now() + kForcedCloseGrace)) {
      // Only a handler stuck in a worker can keep one open now; cleaning up around it is
      // not safe, so the process ends here.
      spdlog::error("shutdown: {} connection(s) did not end; exiting without cleanup",
                    open_connections(server));
      spdlog::default_logger()->flush();
      std::_Exit(1);
    }
  }
  // Notified under the lock: once the waiter sees `drained` it may destroy the server.
  std::lock_guard lock(server->drained_mutex);
  server->drained = true;
  server->drained_changed.notify_all();
}

}  // namespace

bool Server::Impl::admit(const std::string& address) {
  std::lock_guard lock(connections_mutex);
  auto& open = connections_by_address[address];
  if (options.max_connections_per_address == 0 || open < options.max_connections_per_address ||
      proxies.contains(address)) {
    ++open;
    return true;
  }
  // Logged now and then: a flood must not become a flood of log lines as well.
  if (refused_connections.fetch_add(1) % 1000 == 0) {
    spdlog::warn("refusing connections from {}: it holds {} already (MAX_CONNECTIONS_PER_ADDRESS)",
                 address, open);
  }
  return false;
}

void Server::Impl::force_close_connections() {
  std::lock_guard lock(connections_mutex);
  for (const auto& entry : connections) {
    asio::post(entry->executor, [entry] {
      beast::error_code ignored;
      if (entry->channel) entry->channel->close();
      if (entry->websocket) detail::abort(entry->websocket);
    });
  }
}

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
  beast::error_code ignored;
  acceptor.close(ignored);
  std::vector<std::shared_ptr<OpenConnection>> open;
  {
    std::lock_guard lock(connections_mutex);
    open.assign(connections.begin(), connections.end());
  }
  spdlog::info(
      "no longer accepting connections; {} open: requests in flight finish, "
      "idle connections close, WebSockets get 1001",
      open.size());
  for (auto& entry : open) {
    // On the connection's own executor, so `idle` and `channel` are read race-free. A busy
    // connection finishes its request and then sees `stopping`.
    asio::post(entry->executor, [entry] {
      if (entry->channel && entry->idle) entry->channel->cancel();
      if (entry->websocket) {
        detail::peer_of(entry->websocket)->close(CloseCode::going_away, "server shutting down");
      }
    });
  }
  asio::co_spawn(io, finish_shutdown(this), log_unexpected);
}

Server::Server(const ServerOptions& options, ServerThreads threads, const Router& router,
               Metrics& metrics, WebSocketAcceptor websockets)
    : impl_(std::make_unique<Impl>(options, threads, router, metrics, std::move(websockets))) {
  impl_->listen();
}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void Server::start() {
  Impl* server = impl_.get();
  spdlog::info("listening on http://{}:{}", server->options.host, port());
  server->accept_loop_running = true;
  asio::co_spawn(server->io, accept_loop(server), [server](std::exception_ptr failure) {
    log_unexpected(failure);
    server->accept_loop_running = false;
  });
}

void Server::request_stop() {
  Impl* server = impl_.get();
  asio::post(server->io, [server] { server->begin_shutdown(); });
}

void Server::wait_until_drained() {
  std::unique_lock lock(impl_->drained_mutex);
  impl_->drained_changed.wait(lock, [this] { return impl_->drained; });
}

}  // namespace tb::http
