// Internal to http/: one HTTP connection's socket, for server.cpp.
#pragma once

#include <chrono>
#include <memory>
#include <memory_resource>
#include <span>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tb::http::detail {

using Clock = std::chrono::steady_clock;
// A request's header fields come from an arena that server.cpp keeps in the frame of the
// coroutine serving the request, not one by one from the heap.
using FieldsAllocator = std::pmr::polymorphic_allocator<char>;
using RequestParser =
    boost::beast::http::request_parser<boost::beast::http::string_body, FieldsAllocator>;

// Whether `error` says only that the socket has nothing to give, or no room, right now.
bool would_block(const boost::beast::error_code& error);

// A connection's socket, read and written the way nginx does it. A request is parsed from the
// bytes already read when they hold it; an answer is sent at once on the non-blocking socket,
// and the coroutine waits only when the kernel has no room. Most requests arrive whole and most
// answers fit the socket's buffer, so a request costs one recv and one send, with no composed
// operation and no trip through the io_context's queue on the way out.
//
// Every wait has a deadline, enforced by one timer for the whole connection: a new deadline
// is a store unless it is earlier than the one the timer is set for (a write that has to
// wait, say), which is rare. A timer per operation, as beast::tcp_stream keeps, was a tenth
// of a small request's CPU.
//
// Used by one coroutine at a time, on the connection's executor.
class Channel {
 public:
  explicit Channel(boost::asio::ip::tcp::socket socket);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Reads at least one byte into `buffer`, waiting for it until `deadline`. Errors: those of
  // the socket (eof when the peer closed), timeout, or operation_aborted after cancel().
  boost::asio::awaitable<boost::beast::error_code> read_some(boost::beast::flat_buffer& buffer,
                                                             Clock::time_point deadline);

  // Parses the request's header (or, with `whole`, all of it) from what is in `buffer` and
  // what the kernel holds, without waiting: would_block when more must come. Most requests
  // arrive whole, and are read here without a coroutine of their own.
  boost::beast::error_code read_now(boost::beast::flat_buffer& buffer, RequestParser& parser,
                                    bool whole);

  // After read_now said would_block: waits for more bytes until `deadline` and parses them,
  // until the parser has what read_now was asked for. Errors: those of Beast's read, and as
  // read_some's.
  boost::asio::awaitable<boost::beast::error_code> read_rest(boost::beast::flat_buffer& buffer,
                                                             RequestParser& parser, bool whole,
                                                             Clock::time_point deadline);

  // Sends what of `buffers` the kernel takes at once and returns its size: would_block in
  // `error` when the rest must wait for room. Most answers go whole, with no coroutine.
  std::size_t write_now(std::span<const boost::asio::const_buffer> buffers,
                        boost::beast::error_code& error);

  // Writes all of `buffers` but their first `already_sent` bytes, waiting for room for at most
  // `timeout` from the first time the kernel has none.
  boost::asio::awaitable<boost::beast::error_code> write(
      std::span<const boost::asio::const_buffer> buffers, Clock::duration timeout,
      std::size_t already_sent = 0);

  // Reads and drops what the peer sends, up to `most` bytes or until `deadline`, after
  // shutting down the sending side; then closes.
  boost::asio::awaitable<void> drain_and_close(std::size_t most, Clock::time_point deadline);

  // Whether the peer has closed its end or reset it; bytes waiting stay where they are.
  bool peer_has_gone();

  // Ends what the connection is waiting for (operation_aborted). For shutdown.
  void cancel();
  void close();
  void shutdown();

  // The socket, in blocking mode again, and no deadline any more: for a WebSocket.
  boost::asio::ip::tcp::socket release();

 private:
  struct State;
  boost::asio::awaitable<boost::beast::error_code> wait_for_room(Clock::time_point deadline);
  void begin_wait(Clock::time_point deadline);
  boost::beast::error_code end_wait(boost::beast::error_code error);
  void expire_at(Clock::time_point deadline);
  static void arm(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;  // shared with the timer's handler, which may outlive this
};

}  // namespace tb::http::detail
