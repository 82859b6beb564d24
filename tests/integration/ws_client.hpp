// A WebSocket client for the integration tests: Beast on a thread of its own, so a test
// can wait for a frame with a timeout, or check that none arrives, without blocking.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace tb::testing {

class WsClient {
 public:
  struct Options {
    std::string target = "/ws";
    std::string origin;      // sent as Origin when not empty
    int receive_buffer = 0;  // SO_RCVBUF when not 0
  };

  // Connects and upgrades; handshake_status() is 101 on success, else the HTTP status.
  WsClient(int port, Options options);
  explicit WsClient(int port, std::string target = "/ws");
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  int handshake_status() const { return handshake_status_; }
  // Stops reading from the socket (a client that hangs); frames pile up in the kernel and
  // then in the server's queue for it.
  void stop_reading();
  void resume_reading();
  void send(const std::string& text);
  void send_json(const boost::json::value& value);
  // The next frame, or nullopt when none arrived within `timeout` (or the connection ended).
  std::optional<std::string> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next frame parsed as JSON (an object), or null.
  boost::json::value receive_json(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Skips frames until one whose "type" is `type`; null when none came in time.
  boost::json::value receive_type(const std::string& type,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True once the server has closed the connection (waits up to `timeout`); the close code
  // the server sent, if any.
  bool closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  std::optional<int> close_code() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int handshake_status_ = 0;
};

// A frame's "type", or "(none)" when it has none (or is not an object).
inline std::string type_of(const boost::json::value& frame) {
  return frame.is_object() && frame.as_object().contains("type")
             ? std::string(frame.at("type").as_string())
             : std::string("(none)");
}

}  // namespace tb::testing
