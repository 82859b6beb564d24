// The WebSocket side of the server as the application sees it: no Beast here. The server
// upgrades a request on the WebSocket path, asks the application (a WebSocketAcceptor)
// whether to accept it, and then feeds the application's WebSocketSession the text frames
// it reads, while the application sends through the WebSocketPeer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "http/message.hpp"

namespace tb::http {

// RFC 6455 close codes the server uses.
enum class CloseCode : std::uint16_t {
  normal = 1000,
  going_away = 1001,        // the server is shutting down
  policy_violation = 1008,  // refused: not authenticated in time, too many connections
  too_big = 1009,           // a frame over the limit
  try_again_later = 1013,   // could not keep up with what it was sent
};

struct WebSocketOptions {
  std::string path = "/ws";
  std::size_t max_frame_bytes = 64 * 1024;
  // Frames queued for one client beyond this mean it stopped reading: it is disconnected.
  std::size_t send_queue_frames = 1024;
  std::size_t send_queue_bytes = 4 * 1024 * 1024;
  // Server pings go out after half of this without traffic; no answer by the end of it
  // closes the connection.
  std::chrono::seconds idle_timeout{60};
};

// One open WebSocket, seen from the application. Thread-safe; every call returns at once.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text frame. False when the client is not keeping up (its queue is full) or the
  // connection is closing; the server then disconnects it, and nothing more is sent.
  virtual bool send(std::shared_ptr<const std::string> text) = 0;
  // Sends a close frame after what is queued, then ends the connection.
  virtual void close(CloseCode code, std::string reason) = 0;
};

// The application's side of one connection. The server calls it one frame at a time, on a
// worker thread (so it may touch the database), and reads the next frame only once
// on_text has returned.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void on_text(std::string_view text) = 0;
  // The connection has ended, for whatever reason; called once, after the last on_text.
  virtual void on_closed() = 0;
};

// Decides on an upgrade request: an error Response refuses it (with that status), a
// session accepts it. Runs on a worker thread.
using WebSocketAcceptor = std::function<std::variant<Response, std::shared_ptr<WebSocketSession>>(
    const Request& request, std::shared_ptr<WebSocketPeer> peer)>;

}  // namespace tb::http
