// Internal to http/: the Beast side of one WebSocket, for server.cpp. Everyone else sees
// only http/websocket.hpp.
#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/channel.hpp"
#include "http/metrics.hpp"
#include "http/websocket.hpp"

namespace tb::http::detail {

class WebSocketConnection;

// Takes over the TCP stream of a connection whose request asks for an upgrade. The result
// is already a working WebSocketPeer: what is sent before the handshake waits for it.
std::shared_ptr<WebSocketConnection> make_websocket_connection(boost::beast::tcp_stream&& stream,
                                                               const WebSocketOptions& options,
                                                               Metrics& metrics);
std::shared_ptr<WebSocketPeer> peer_of(const std::shared_ptr<WebSocketConnection>& connection);

// Completes the handshake, then hands `session` each frame read (on `workers`) until the
// connection ends, and finally calls on_closed.
boost::asio::awaitable<void> serve_websocket(
    std::shared_ptr<WebSocketConnection> connection,
    boost::beast::http::request<boost::beast::http::string_body> upgrade,
    std::shared_ptr<WebSocketSession> session, boost::asio::thread_pool& workers);

// Closes the socket at once, without a close handshake (a shutdown that ran out of time):
// the read loop then ends and the session hears on_closed. Thread-safe.
void abort(const std::shared_ptr<WebSocketConnection>& connection);

// The raw stream, for answering a refused upgrade with a plain HTTP response.
boost::beast::tcp_stream& raw_stream(WebSocketConnection& connection);

// Whether a request just read (its fields in the reading coroutine's arena) asks for one.
bool is_websocket_upgrade(const RequestParser::value_type& request);

}  // namespace tb::http::detail
