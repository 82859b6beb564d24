#include "ws_client.hpp"

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace tb::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct WsClient::Impl {
  asio::io_context io;
  // Keeps io.run() going while nothing is outstanding (a client that stopped reading).
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  websocket::stream<tcp::socket> ws{io};
  beast::flat_buffer buffer;
  std::deque<std::string> outgoing;
  std::thread thread;

  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<std::string> frames;
  bool ended = false;
  bool paused = false;   // touched on the io thread only
  bool reading = false;  // a read is outstanding; io thread only
  std::optional<int> close_code;

  void read_next() {
    reading = true;
    ws.async_read(buffer, [this](beast::error_code error, std::size_t) {
      std::lock_guard lock(mutex);
      reading = false;
      if (error) {
        ended = true;
        if (ws.reason().code != websocket::close_code::none) close_code = ws.reason().code;
        arrived.notify_all();
        return;
      }
      frames.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      arrived.notify_all();
      if (!paused) read_next();
    });
  }

  void write_next() {
    ws.async_write(asio::buffer(outgoing.front()), [this](beast::error_code error, std::size_t) {
      outgoing.pop_front();
      if (!error && !outgoing.empty()) write_next();
    });
  }
};

WsClient::WsClient(int port, std::string target) : WsClient(port, Options{std::move(target), ""}) {}

WsClient::WsClient(int port, Options options) : impl_(std::make_unique<Impl>()) {
  auto& ws = impl_->ws;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"),
                             static_cast<unsigned short>(port));
  ws.next_layer().open(server.protocol());
  if (options.receive_buffer > 0) {
    ws.next_layer().set_option(asio::socket_base::receive_buffer_size(options.receive_buffer));
  }
  ws.next_layer().connect(server);
  ws.set_option(websocket::stream_base::decorator([origin = options.origin](auto& request) {
    if (!origin.empty()) request.set("Origin", origin);
  }));
  websocket::response_type response;
  beast::error_code error;
  ws.handshake(response, "127.0.0.1:" + std::to_string(port), options.target, error);
  handshake_status_ = error ? static_cast<int>(response.result_int()) : 101;
  if (error) {
    if (handshake_status_ == 0) handshake_status_ = -1;
    impl_->ended = true;
    return;
  }
  ws.text(true);
  impl_->read_next();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

WsClient::~WsClient() {
  if (impl_->thread.joinable()) {
    asio::post(impl_->io, [impl = impl_.get()] {
      beast::error_code ignored;
      impl->ws.next_layer().close(ignored);
      impl->work.reset();
    });
    impl_->thread.join();
  }
}

void WsClient::stop_reading() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->paused = true; });
}

void WsClient::resume_reading() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->paused = false;
    bool idle = false;
    {
      std::lock_guard lock(impl->mutex);
      idle = !impl->reading && !impl->ended;
    }
    if (idle) impl->read_next();
  });
}

void WsClient::send(const std::string& text) {
  asio::post(impl_->io, [impl = impl_.get(), text] {
    impl->outgoing.push_back(text);
    if (impl->outgoing.size() == 1) impl->write_next();
  });
}

void WsClient::send_json(const boost::json::value& value) {
  send(boost::json::serialize(value));
}

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  impl_->arrived.wait_for(lock, timeout, [&] { return !impl_->frames.empty() || impl_->ended; });
  if (impl_->frames.empty()) return std::nullopt;
  std::string frame = std::move(impl_->frames.front());
  impl_->frames.pop_front();
  return frame;
}

boost::json::value WsClient::receive_json(std::chrono::milliseconds timeout) {
  const auto frame = receive(timeout);
  if (!frame) return nullptr;
  return boost::json::parse(*frame);
}

boost::json::value WsClient::receive_type(const std::string& type,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return nullptr;
    auto frame = receive_json(left);
    if (frame.is_null()) return nullptr;
    if (frame.is_object() && frame.as_object().contains("type") &&
        frame.at("type").as_string() == type) {
      return frame;
    }
  }
}

bool WsClient::closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->arrived.wait_for(lock, timeout, [&] { return impl_->ended; });
}

std::optional<int> WsClient::close_code() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->close_code;
}

}  // namespace tb::testing
