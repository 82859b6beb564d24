#include "http/websocket_session.hpp"

#include <functional>
#include <mutex>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

namespace tb::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::size_t kKeptRoundCapacity = 64;          // frames
constexpr std::size_t kKeptBufferCapacity = 16 * 1024;  // bytes
constexpr std::chrono::seconds kSlowClientGrace{5};     // for a cut-off client to take its close

}  // namespace

// What Beast writes goes into a buffer, and the connection sends what gathered there with
// one write. Beast writes one frame per call, and fan-out queues several frames on a
// connection at once: without this, each would cost a system call of its own, which is
// most of fan-out's work. Reads go straight through.
class GatheringStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  using next_layer_type = beast::tcp_stream;

  // `on_written` is called when bytes arrive that nobody asked for: Beast's own control
  // frames (pong, ping, close), which then need a flush.
  GatheringStream(beast::tcp_stream&& stream, std::function<void()> on_written)
      : next_(std::move(stream)), on_written_(std::move(on_written)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  next_layer_type& next_layer() noexcept { return next_; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& error) {
    return next_.socket().read_some(buffers, error);
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    return next_.socket().read_some(buffers);
  }

  // The synchronous writes are the connection's own (see write_next); they never block.
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, beast::error_code& error) {
    error = {};
    return append(buffers);
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    return append(buffers);
  }
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    const std::size_t size = append(buffers);
    on_written_();
    return asio::async_initiate<Handler, void(beast::error_code, std::size_t)>(
        [this, size](auto&& completion) {
          asio::post(get_executor(),
                     beast::bind_front_handler(std::move(completion), beast::error_code{}, size));
        },
        handler);
  }

  // Hands over what gathered, and takes `spent` (a buffer already sent) to gather into
  // next: the two buffers take turns, so a round allocates nothing once they are grown.
  void take_gathered(std::string& spent) {
    spent.clear();
    if (spent.capacity() > kKeptBufferCapacity) spent = {};  // a burst is over
    spent.swap(gathered_);
  }

 private:
  template <class ConstBuffers>
  std::size_t append(const ConstBuffers& buffers) {
    const std::size_t size = asio::buffer_size(buffers);
    const std::size_t at = gathered_.size();
    gathered_.resize(at + size);
    asio::buffer_copy(asio::buffer(gathered_.data() + at, size), buffers);
    return size;
  }

  beast::tcp_stream next_;
  std::function<void()> on_written_;
  std::string gathered_;
};

// Beast's websocket tears its lower layer down through these, found by argument lookup.
void teardown(beast::role_type role, GatheringStream& stream, beast::error_code& error) {
  websocket::teardown(role, stream.next_layer().socket(), error);
}
template <class Handler>
void async_teardown(beast::role_type role, GatheringStream& stream, Handler&& handler) {
  websocket::async_teardown(role, stream.next_layer().socket(), std::forward<Handler>(handler));
}

// The socket and its send queue. The stream is touched only on the connection's strand;
// the queue and the flags under `mutex_`, from any thread. A write loop runs while there
// is something to send ("append; if not already writing, start"): each round moves every
// queued frame into the gathering stream and sends them with one write, so a slow client
// costs a queue, never a blocked thread, and holds at most one round besides its queue.
class WebSocketConnection final : public WebSocketPeer,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(beast::tcp_stream&& stream, const WebSocketOptions& options, Metrics& metrics)
      : ws_(std::move(stream), [this] { wake_writer(); }), options_(options), metrics_(metrics) {}

  bool send(std::shared_ptr<const std::string> text) override {
    bool accepted = true;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return false;
      if (queue_.size() >= options_.send_queue_frames ||
          queued_bytes_ + text->size() > options_.send_queue_bytes) {
        cut_off_slow_client();
        accepted = false;
      } else {
        queued_bytes_ += text->size();
        queue_.push_back(std::move(text));
      }
      if (!claim_writer()) return accepted;
    }
    spawn_writer();
    return accepted;
  }

  void close(CloseCode code, std::string reason) override {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      closing_ = true;
      close_code_ = code;
      close_reason_ = std::move(reason);
      if (!claim_writer()) return;
    }
    spawn_writer();
  }

  // The handshake is done: frames may flow.
  void opened() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
      if (!claim_writer()) return;
    }
    spawn_writer();
  }

  // The read side has ended: nothing more is sent.
  void ended() {
    std::lock_guard lock(mutex_);
    closing_ = true;
    open_ = false;
    queue_.clear();
  }

  websocket::stream<GatheringStream>& stream() { return ws_; }
  const WebSocketOptions& options() const { return options_; }

 private:
  // Called with mutex_ held: whether the caller is to start the write loop (outside the
  // lock, since the loop takes it).
  bool claim_writer() {
    if (writing_ || !open_) return false;
    if (queue_.empty() && !control_pending_ && !(closing_ && !close_sent_)) return false;
    writing_ = true;
    return true;
  }

  // On the strand, from the gathering stream: Beast wrote a control frame of its own.
  void wake_writer() {
    {
      std::lock_guard lock(mutex_);
      control_pending_ = true;
      if (!claim_writer()) return;
    }
    spawn_writer();
  }

  // A plain handler rather than a coroutine: fan-out starts writers on thousands of
  // connections per event, and a coroutine frame per start costs an allocation each.
  void spawn_writer() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  }

  // Called with mutex_ held. A client whose queue is full has stopped reading: what is
  // queued is dropped, and a close frame (1013) goes out after the round in flight, which
  // the client sees if it reads again. One that does not is cut off when kSlowClientGrace
  // ends, which also ends the write that is stuck on it.
  void cut_off_slow_client() {
    closing_ = true;
    close_code_ = CloseCode::try_again_later;
    close_reason_ = "too slow: frames were not read in time";
    queue_.clear();
    queued_bytes_ = 0;
    metrics_.websocket_dropped();
    spdlog::warn("websocket: disconnecting a client that stopped reading");
    auto grace = std::make_shared<asio::steady_timer>(ws_.get_executor(), kSlowClientGrace);
    grace->async_wait([self = shared_from_this(), grace](beast::error_code) { self->abort(); });
  }

 public:
  // On the strand, or posted there: the socket closes now, pending operations end.
  void abort() {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

 private:
  // On the strand: one round of the write loop, then the next from its completion.
  void write_next() {
    bool send_close = false;
    {
      std::lock_guard lock(mutex_);
      round_.swap(queue_);
      queued_bytes_ = 0;
      control_pending_ = false;
      if (closing_ && !close_sent_ && open_) send_close = close_sent_ = true;
    }
    // Synchronous writes into the gathering stream: they return at once, and they keep
    // Beast's per-call work (an operation, a post) off the path of every frame.
    beast::error_code error;
    for (const auto& frame : round_) {
      if (!error) ws_.write(asio::buffer(*frame), error);
    }
    const std::size_t frames = error ? 0 : round_.size();
    round_.clear();
    if (round_.capacity() > kKeptRoundCapacity) round_ = {};  // a burst is over
    if (send_close) {
      websocket::close_reason reason(static_cast<std::uint16_t>(close_code_));
      reason.reason = close_reason_;
      ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {});
    }
    flush(frames);
  }

  void flush(std::size_t frames) {
    ws_.next_layer().take_gathered(in_flight_);
    if (in_flight_.empty()) {
      std::lock_guard lock(mutex_);
      writing_ = false;
      if (claim_writer()) spawn_writer();  // something came in since the round began
      return;
    }
    asio::async_write(ws_.next_layer().next_layer().socket(), asio::buffer(in_flight_),
                      [self = shared_from_this(), frames](beast::error_code error, std::size_t) {
                        if (error) {
                          self->ended();
                          std::lock_guard lock(self->mutex_);
                          self->writing_ = false;
                          return;
                        }
                        self->metrics_.websocket_sent(frames);
                        self->write_next();
                      });
  }

  websocket::stream<GatheringStream> ws_;
  const WebSocketOptions& options_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<const std::string>> queue_;
  std::vector<std::shared_ptr<const std::string>> round_;  // strand only: queue_ swaps with it
  std::string in_flight_;                                  // the bytes of the round being written
  std::size_t queued_bytes_ = 0;
  bool open_ = false;
  bool writing_ = false;
  bool control_pending_ = false;  // Beast wrote a frame of its own into the gathering stream
  bool closing_ = false;
  bool close_sent_ = false;
  CloseCode close_code_ = CloseCode::normal;
  std::string close_reason_;
};

namespace {

awaitable<void> pass_text(std::shared_ptr<WebSocketSession> session, std::string text) {
  session->on_text(text);
  co_return;
}

awaitable<void> pass_closed(std::shared_ptr<WebSocketSession> session) {
  session->on_closed();
  co_return;
}

void configure(websocket::stream<GatheringStream>& ws, const WebSocketOptions& options) {
  // The websocket's own timeouts (with keep-alive pings) replace the TCP stream's.
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = kHandshakeTimeout;
  timeout.idle_timeout = options.idle_timeout;
  timeout.keep_alive_pings = true;
  ws.set_option(timeout);
  ws.read_message_max(options.max_frame_bytes);
  ws.auto_fragment(false);
  ws.text(true);
}

}  // namespace

std::shared_ptr<WebSocketConnection> make_websocket_connection(beast::tcp_stream&& stream,
                                                               const WebSocketOptions& options,
                                                               Metrics& metrics) {
  return std::make_shared<WebSocketConnection>(std::move(stream), options, metrics);
}

std::shared_ptr<WebSocketPeer> peer_of(const std::shared_ptr<WebSocketConnection>& connection) {
  return connection;
}

void abort(const std::shared_ptr<WebSocketConnection>& connection) {
  connection->abort();
}

beast::tcp_stream& raw_stream(WebSocketConnection& connection) {
  return connection.stream().next_layer().next_layer();
}

bool is_websocket_upgrade(const RequestParser::value_type& request) {
  return websocket::is_upgrade(request);
}

awaitable<void> serve_websocket(std::shared_ptr<WebSocketConnection> connection,
                                beast::http::request<beast::http::string_body> upgrade,
                                std::shared_ptr<WebSocketSession> session,
                                asio::thread_pool& workers) {
  auto& ws = connection->stream();
  configure(ws, connection->options());
  auto [error] = co_await ws.async_accept(upgrade, kTuple);
  if (!error) {
    connection->opened();
    beast::flat_buffer buffer;
    for (;;) {
      auto [read_error, bytes] = co_await ws.async_read(buffer, kTuple);
      if (read_error) break;
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(bytes);
      // The next frame is read only once this one is handled: frames are handled in order.
      co_await asio::co_spawn(workers, pass_text(session, std::move(text)), asio::use_awaitable);
    }
  }
  connection->ended();
  co_await asio::co_spawn(workers, pass_closed(session), asio::use_awaitable);
}

}  // namespace tb::http::detail
