#include "http/websocket_session.hpp"

#include <deque>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
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

}  // namespace

// The socket and its send queue. The stream is touched only on the connection's strand;
// the queue and the flags under `mutex_`, from any thread. Frames go out one at a time
// from a write loop that runs while there is something to send ("append; if not already
// writing, start"), so a slow client costs a queue, never a blocked thread.
class WebSocketConnection final : public WebSocketPeer,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(beast::tcp_stream&& stream, const WebSocketOptions& options, Metrics& metrics)
      : ws_(std::move(stream)), options_(options), metrics_(metrics) {}

  bool send(std::shared_ptr<const std::string> text) override {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return false;
      if (queue_.size() >= options_.send_queue_frames ||
          queued_bytes_ + text->size() > options_.send_queue_bytes) {
        cut_off_slow_client();
        return false;
      }
      queued_bytes_ += text->size();
      queue_.push_back(std::move(text));
      if (!claim_writer()) return true;
    }
    spawn_writer();
    return true;
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

  websocket::stream<beast::tcp_stream>& stream() { return ws_; }
  const WebSocketOptions& options() const { return options_; }

 private:
  // Called with mutex_ held: whether the caller is to start the write loop (outside the
  // lock, since the loop takes it).
  bool claim_writer() {
    if (writing_ || !open_) return false;
    if (queue_.empty() && !(closing_ && !close_sent_)) return false;
    writing_ = true;
    return true;
  }

  // A plain handler rather than a coroutine: fan-out starts writers on thousands of
  // connections per event, and a coroutine frame per start costs an allocation each.
  void spawn_writer() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  }

  // Called with mutex_ held. A client whose queue is full has stopped reading, so a close
  // frame would wait behind everything else: the socket is cut instead, which also ends
  // the write that is stuck on it.
  void cut_off_slow_client() {
    closing_ = true;
    close_sent_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    metrics_.websocket_dropped();
    spdlog::warn("websocket: disconnecting a client that stopped reading");
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

  // On the strand: writes the next queued frame (or the close frame), then comes back.
  void write_next() {
    bool send_close = false;
    {
      std::lock_guard lock(mutex_);
      if (!queue_.empty()) {
        in_flight_ = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= in_flight_->size();
      } else if (closing_ && !close_sent_ && open_) {
        send_close = close_sent_ = true;
      } else {
        writing_ = false;
        return;
      }
    }
    if (send_close) {
      websocket::close_reason reason(static_cast<std::uint16_t>(close_code_));
      reason.reason = close_reason_;
      ws_.async_close(reason,
                      [self = shared_from_this()](beast::error_code) { self->write_next(); });
      return;
    }
    ws_.async_write(asio::buffer(*in_flight_),
                    [self = shared_from_this()](beast::error_code error, std::size_t) {
                      self->in_flight_.reset();
                      if (error) {
                        self->ended();
                        std::lock_guard lock(self->mutex_);
                        self->writing_ = false;
                        return;
                      }
                      self->metrics_.websocket_sent();
                      self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  const WebSocketOptions& options_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::shared_ptr<const std::string> in_flight_;  // the frame being written
  std::size_t queued_bytes_ = 0;
  bool open_ = false;
  bool writing_ = false;
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

void configure(websocket::stream<beast::tcp_stream>& ws, const WebSocketOptions& options) {
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

beast::tcp_stream& raw_stream(WebSocketConnection& connection) {
  return connection.stream().next_layer();
}

bool is_websocket_upgrade(const beast::http::request<beast::http::string_body>& request) {
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
