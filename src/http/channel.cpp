#include "http/channel.hpp"

#include <array>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>

namespace tb::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kReadChunk = 4096;
constexpr auto kNever = Clock::time_point::max();

// Beast's synchronous reads, given the non-blocking socket: they stop with would_block where
// the kernel has nothing more, and the parser and buffer keep their place for the next call.
struct NonBlockingSocket {
  tcp::socket& socket;

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    return socket.read_some(buffers);
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& error) {
    return socket.read_some(buffers, error);
  }
};

}  // namespace

bool would_block(const beast::error_code& error) {
  return error == asio::error::would_block || error == asio::error::try_again;
}

struct Channel::State {
  explicit State(tcp::socket&& connected)
      : socket(std::move(connected)), timer(socket.get_executor()) {}

  tcp::socket socket;
  asio::steady_timer timer;
  Clock::time_point deadline = kNever;  // of the wait in progress, if any
  bool waiting = false;
  bool timed_out = false;
  bool finished = false;  // the timer stops
};

Channel::Channel(tcp::socket socket) : state_(std::make_shared<State>(std::move(socket))) {
  beast::error_code ignored;
  state_->socket.non_blocking(true, ignored);
  arm(state_);
}

Channel::~Channel() {
  state_->finished = true;
  state_->timer.cancel();
  beast::error_code ignored;
  state_->socket.close(ignored);
}

// The timer sleeps until the deadline it was set for. When it wakes, the deadline may have
// moved on (the connection has served more requests since): it sleeps again until then. Only
// a wait still in progress at its deadline is ended.
void Channel::arm(const std::shared_ptr<State>& state) {
  state->timer.expires_at(state->deadline);
  state->timer.async_wait([state](const beast::error_code&) {
    if (state->finished) return;
    if (Clock::now() >= state->deadline) {
      if (state->waiting) {
        state->timed_out = true;
        beast::error_code ignored;
        state->socket.cancel(ignored);
      }
      state->deadline = kNever;  // until the next wait sets one
    }
    arm(state);
  });
}

void Channel::expire_at(Clock::time_point deadline) {
  state_->deadline = deadline;
  // Wakes the timer to set itself earlier.
  if (deadline < state_->timer.expiry()) state_->timer.cancel();
}

asio::awaitable<beast::error_code> Channel::wait_for_room(Clock::time_point deadline) {
  begin_wait(deadline);
  auto [error] = co_await state_->socket.async_wait(tcp::socket::wait_write,
                                                    asio::as_tuple(asio::use_awaitable));
  co_return end_wait(error);
}

// Not a wait for readiness and then a read: asio's read, which reads at once only when the
// last read did not empty the socket, and otherwise leaves the socket to epoll as it is. A
// wait for readiness would cost an epoll_ctl each time.
asio::awaitable<beast::error_code> Channel::read_some(beast::flat_buffer& buffer,
                                                      Clock::time_point deadline) {
  begin_wait(deadline);
  auto [error, bytes] = co_await state_->socket.async_read_some(
      buffer.prepare(kReadChunk), asio::as_tuple(asio::use_awaitable));
  buffer.commit(bytes);
  co_return end_wait(error);
}

void Channel::begin_wait(Clock::time_point deadline) {
  expire_at(deadline);
  state_->waiting = true;
}

beast::error_code Channel::end_wait(beast::error_code error) {
  state_->waiting = false;
  if (!state_->timed_out) return error;
  state_->timed_out = false;
  return beast::error::timeout;
}

beast::error_code Channel::read_now(beast::flat_buffer& buffer, RequestParser& parser, bool whole) {
  NonBlockingSocket socket{state_->socket};
  beast::error_code error;
  if (whole) {
    bhttp::read(socket, buffer, parser, error);
  } else {
    bhttp::read_header(socket, buffer, parser, error);
  }
  return error;
}

asio::awaitable<beast::error_code> Channel::read_rest(beast::flat_buffer& buffer,
                                                      RequestParser& parser, bool whole,
                                                      Clock::time_point deadline) {
  for (;;) {
    if (const auto waited = co_await read_some(buffer, deadline)) co_return waited;
    const auto error = read_now(buffer, parser, whole);
    if (!would_block(error)) co_return error;
  }
}

namespace {

using Unsent = beast::buffers_suffix<std::span<const asio::const_buffer>>;

// Sends from `rest` what the kernel takes, consuming it, until all is sent or a send fails
// (would_block when the socket is full). Returns the bytes sent.
std::size_t send_what_fits(tcp::socket& socket, Unsent& rest, beast::error_code& error) {
  std::size_t sent = 0;
  while (beast::buffer_bytes(rest) > 0) {
    const std::size_t taken = socket.write_some(rest, error);
    if (error) break;
    rest.consume(taken);
    sent += taken;
  }
  return sent;
}

}  // namespace

std::size_t Channel::write_now(std::span<const asio::const_buffer> buffers,
                               beast::error_code& error) {
  Unsent rest(buffers);
  return send_what_fits(state_->socket, rest, error);
}

asio::awaitable<beast::error_code> Channel::write(std::span<const asio::const_buffer> buffers,
                                                  Clock::duration timeout,
                                                  std::size_t already_sent) {
  Unsent rest(buffers);
  rest.consume(already_sent);
  std::optional<Clock::time_point> deadline;  // from the first wait: most writes never wait
  for (;;) {
    beast::error_code error;
    send_what_fits(state_->socket, rest, error);
    if (!would_block(error)) co_return error;  // all sent, or a failure
    if (!deadline) deadline = Clock::now() + timeout;
    if (const auto waited = co_await wait_for_room(*deadline)) co_return waited;
  }
}

asio::awaitable<void> Channel::drain_and_close(std::size_t most, Clock::time_point deadline) {
  beast::error_code ignored;
  state_->socket.shutdown(tcp::socket::shutdown_send, ignored);
  beast::flat_buffer sink;
  for (std::size_t drained = 0; drained < most; drained += sink.size(), sink.clear()) {
    if (co_await read_some(sink, deadline)) break;
  }
  close();
}

bool Channel::peer_has_gone() {
  std::array<char, 1> byte{};
  beast::error_code error;
  state_->socket.receive(asio::buffer(byte), tcp::socket::message_peek, error);
  return error && !would_block(error);
}

void Channel::cancel() {
  beast::error_code ignored;
  state_->socket.cancel(ignored);
}

void Channel::close() {
  beast::error_code ignored;
  state_->socket.close(ignored);
}

void Channel::shutdown() {
  beast::error_code ignored;
  state_->socket.shutdown(tcp::socket::shutdown_both, ignored);
}

tcp::socket Channel::release() {
  state_->finished = true;
  state_->timer.cancel();
  beast::error_code ignored;
  state_->socket.non_blocking(false, ignored);
  return std::move(state_->socket);
}

}  // namespace tb::http::detail
