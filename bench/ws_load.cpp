// WebSocket load generator for bench/ws.sh (Beast, callbacks, a few io threads).
//
// Opens --connections WebSockets to --path (each bound to one of --sources loopback source
// addresses, 127.0.0.1, .2, ..., to get past the ephemeral-port limit of one address),
// subscribes each to one of --tickets (round robin) and waits for "subscribed". Then, by
// --mode:
//   hold        keeps them open for --seconds (the script measures the server's memory);
//   latency     posts messages over HTTP at --rate per second, spread over the tickets,
//               each carrying its send time, and records post → delivery delay at every
//               subscriber;
//   throughput  posts as fast as --posters keep-alive connections allow and counts the
//               deliveries per second at the subscribers.
// Prints one JSON object with the results.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string path = "/ws";
  int sources = 1;
  int connections = 100;
  std::vector<long long> tickets;
  std::string mode = "hold";
  double seconds = 10;
  int rate = 1000;
  int posters = 8;
  std::string post_token;
  int threads = 2;
  int in_flight = 256;  // handshakes at once
  std::string ready_file;
};

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Stats {
  std::atomic<int> ready{0};
  std::atomic<int> failed{0};
  std::atomic<int> closed{0};
  std::atomic<long long> deliveries{0};
  std::atomic<long long> posts_sent{0};
  std::atomic<long long> posts_ok{0};
  std::atomic<long long> posts_failed{0};
  std::atomic<bool> measuring{false};
  std::atomic<bool> record_latency{false};
  std::mutex latency_mutex;
  std::vector<double> latencies_ms;
};

// The send time a posted message carries in its body: "t=<steady ns>".
long long sent_at(std::string_view frame) {
  const auto at = frame.find("\"t=");
  if (at == std::string_view::npos) return 0;
  long long value = 0;
  for (auto i = at + 3; i < frame.size() && frame[i] >= '0' && frame[i] <= '9'; ++i) {
    value = value * 10 + (frame[i] - '0');
  }
  return value;
}

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  Subscriber(asio::io_context& io, const Settings& settings, Stats& stats, int index,
             std::function<void()> on_settled)
      : ws_(asio::make_strand(io)),
        settings_(settings),
        stats_(stats),
        index_(index),
        on_settled_(std::move(on_settled)) {}

  // Ends the connection with a TCP shutdown the server reads as the end of the stream
  // (the client reads raw bytes by now, so a WebSocket close handshake is not possible).
  void close(std::atomic<int>& done) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), &done] {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      ++done;
    });
  }

  void start() {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    beast::error_code error;
    socket.open(tcp::v4(), error);
    const auto source =
        asio::ip::make_address_v4("127.0.0." + std::to_string(1 + index_ % settings_.sources));
    if (!error) socket.bind(tcp::endpoint(source, 0), error);
    if (error) return fail();
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address(settings_.host),
                      static_cast<unsigned short>(settings_.port)),
        [self = shared_from_this()](beast::error_code error) {
          if (error) return self->fail();
          self->ws_.async_handshake(self->settings_.host, self->settings_.path,
                                    [self](beast::error_code error) { self->handshaken(error); });
        });
  }

 private:
  void handshaken(beast::error_code error) {
    if (error) return fail();
    ws_.text(true);
    const auto ticket =
        settings_.tickets[static_cast<std::size_t>(index_) % settings_.tickets.size()];
    subscribe_ = R"({"type":"subscribe","topic":"ticket:)" + std::to_string(ticket) + "\"}";
    ws_.async_write(asio::buffer(subscribe_),
                    [self = shared_from_this()](beast::error_code error, std::size_t) {
                      if (error) return self->fail();
                    });
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error) {
        if (self->subscribed_) {
          ++self->stats_.closed;
        } else {
          self->fail();
        }
        return;
      }
      self->frame(std::string_view(static_cast<const char*>(self->buffer_.data().data()),
                                   self->buffer_.size()));
      self->buffer_.clear();
      if (self->subscribed_) {
        self->raw_.resize(16 * 1024);
        self->batch_reads();
        self->read_raw();
      } else {
        self->read();
      }
    });
  }

  // In throughput runs the kernel wakes the reader once 4 KiB have arrived rather than at
  // each segment: reads of many frames at once keep the generator's own system calls from
  // taking the cores the server under test needs. (Counting in a window is unaffected:
  // what waits in the kernel at its end waited likewise at its start.) Not in latency
  // runs, where a frame must be seen when it arrives.
  void batch_reads() {
    if (settings_.mode != "throughput") return;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(asio::socket_base::receive_low_watermark(4096),
                                                     ignored);
  }

  void frame(std::string_view text) {
    if (text.find("\"subscribed\"") == std::string_view::npos) return;
    subscribed_ = true;
    beast::get_lowest_layer(ws_).expires_never();  // the 30 s covered connect to subscribed
    ++stats_.ready;
    settle();
  }

  // Once subscribed, the client reads the TCP stream raw and counts the frames in it: the
  // server's frames are unmasked text, so each one shows as is. One read then takes many
  // frames at once, and the generator leaves the cores to the server it measures.
  void read_raw() {
    beast::get_lowest_layer(ws_).async_read_some(
        asio::buffer(raw_.data() + carry_, raw_.size() - carry_),
        [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
          if (error) {
            ++self->stats_.closed;
            return;
          }
          self->scan(bytes);
          self->read_raw();
        });
  }

  void scan(std::size_t bytes) {
    static constexpr std::string_view kMarker = "message.created";
    const std::string_view text(raw_.data(), carry_ + bytes);
    const auto now = now_ns();
    for (auto at = text.find(kMarker); at != std::string_view::npos;
         at = text.find(kMarker, at + 1)) {
      if (at + kMarker.size() <= carry_) continue;  // counted with the previous read
      if (!stats_.measuring) continue;
      ++stats_.deliveries;
      if (!stats_.record_latency) continue;
      if (const auto sent = sent_at(text.substr(at))) {
        std::lock_guard lock(stats_.latency_mutex);
        stats_.latencies_ms.push_back(static_cast<double>(now - sent) / 1e6);
      }
    }
    // Keep the tail, where a marker may have been cut in two.
    const std::size_t keep = std::min<std::size_t>(text.size(), 64);
    std::memmove(raw_.data(), raw_.data() + text.size() - keep, keep);
    carry_ = keep;
  }

  void fail() {
    if (settled_) return;
    ++stats_.failed;
    settle();
  }

  void settle() {
    if (settled_) return;
    settled_ = true;
    on_settled_();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  const Settings& settings_;
  Stats& stats_;
  int index_;
  std::function<void()> on_settled_;
  std::string subscribe_;
  std::vector<char> raw_;
  std::size_t carry_ = 0;
  bool subscribed_ = false;
  bool settled_ = false;
};

// One keep-alive HTTP connection posting messages; `next` says whether to post again now.
class Poster : public std::enable_shared_from_this<Poster> {
 public:
  Poster(asio::io_context& io, const Settings& settings, Stats& stats)
      : stream_(asio::make_strand(io)), settings_(settings), stats_(stats) {}

  void connect(std::function<void()> done) {
    stream_.async_connect(tcp::endpoint(asio::ip::make_address(settings_.host),
                                        static_cast<unsigned short>(settings_.port)),
                          [self = shared_from_this(), done](beast::error_code error) {
                            if (error) ++self->stats_.posts_failed;
                            done();
                          });
  }

  // Takes the connection for one post; false while a post is under way on it.
  bool try_claim() {
    bool idle = false;
    return busy_.compare_exchange_strong(idle, true);
  }

  // Posts one message to `ticket` (after try_claim); `then` runs when the answer is in.
  void post(long long ticket, std::function<void()> then) {
    request_ = {http::verb::post, "/tickets/" + std::to_string(ticket) + "/messages", 11};
    request_.set(http::field::host, settings_.host);
    request_.set(http::field::authorization, "Bearer " + settings_.post_token);
    request_.set(http::field::content_type, "application/json");
    request_.body() = R"({"body":"t=)" + std::to_string(now_ns()) + "\"}";
    request_.prepare_payload();
    ++stats_.posts_sent;
    http::async_write(
        stream_, request_, [self = shared_from_this(), then](beast::error_code error, std::size_t) {
          if (error) return self->finish(false, then);
          self->response_ = {};
          http::async_read(self->stream_, self->buffer_, self->response_,
                           [self, then](beast::error_code error, std::size_t) {
                             self->finish(!error && self->response_.result_int() == 201, then);
                           });
        });
  }

 private:
  void finish(bool ok, const std::function<void()>& then) {
    ++(ok ? stats_.posts_ok : stats_.posts_failed);
    busy_ = false;
    then();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  const Settings& settings_;
  Stats& stats_;
  std::atomic<bool> busy_{false};
};

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(rank), values.end());
  return values[rank];
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"WebSocket load generator for bench/ws.sh"};
  app.add_option("--host", settings.host, "server address");
  app.add_option("--port", settings.port, "server port")->required();
  app.add_option("--path", settings.path, "WebSocket path with query, e.g. /ws?token=T");
  app.add_option("--sources", settings.sources, "loopback source addresses to spread over (1..250)")
      ->check(CLI::Range(1, 250));
  app.add_option("--connections", settings.connections, "WebSockets to open")
      ->check(CLI::PositiveNumber);
  app.add_option("--tickets", settings.tickets, "ticket ids to subscribe to (round robin)")
      ->required()
      ->delimiter(',');
  app.add_option("--mode", settings.mode, "hold, latency or throughput")
      ->check(CLI::IsMember({"hold", "latency", "throughput"}));
  app.add_option("--seconds", settings.seconds, "how long to hold or measure");
  app.add_option("--rate", settings.rate, "messages per second to post (latency mode)");
  app.add_option("--posters", settings.posters, "keep-alive HTTP connections that post");
  app.add_option("--post-token", settings.post_token, "session token of the poster");
  app.add_option("--threads", settings.threads, "io threads")->check(CLI::Range(1, 64));
  app.add_option("--in-flight", settings.in_flight, "handshakes at once");
  app.add_option("--ready-file", settings.ready_file, "touched once every connection settled");
  CLI11_PARSE(app, argc, argv);

  asio::io_context io;
  Stats stats;
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  subscribers.reserve(static_cast<std::size_t>(settings.connections));
  std::atomic<int> next{0};
  std::atomic<int> settled{0};
  std::function<void()> launch_next;
  launch_next = [&] {
    const int index = next++;
    if (index >= settings.connections) return;
    subscribers[static_cast<std::size_t>(index)]->start();
  };
  for (int i = 0; i < settings.connections; ++i) {
    subscribers.push_back(std::make_shared<Subscriber>(io, settings, stats, i, [&] {
      ++settled;
      launch_next();
    }));
  }
  const auto connect_started = Clock::now();
  for (int i = 0; i < std::min(settings.in_flight, settings.connections); ++i) launch_next();

  std::vector<std::thread> threads;
  auto work = asio::make_work_guard(io);
  for (int i = 0; i < settings.threads; ++i) threads.emplace_back([&] { io.run(); });

  while (settled < settings.connections) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double connect_seconds =
      std::chrono::duration<double>(Clock::now() - connect_started).count();
  if (!settings.ready_file.empty()) std::ofstream(settings.ready_file) << stats.ready << "\n";

  double measured_seconds = settings.seconds;
  if (settings.mode == "hold") {
    std::this_thread::sleep_for(std::chrono::duration<double>(settings.seconds));
  } else {
    std::vector<std::shared_ptr<Poster>> posters;
    std::atomic<int> connected{0};
    for (int i = 0; i < settings.posters; ++i) {
      posters.push_back(std::make_shared<Poster>(io, settings, stats));
      posters.back()->connect([&] { ++connected; });
    }
    while (connected < settings.posters) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stats.record_latency = settings.mode == "latency";
    stats.measuring = true;
    const auto started = Clock::now();
    const auto deadline = started + std::chrono::duration<double>(settings.seconds);
    std::atomic<long long> issued{0};
    const auto ticket_of = [&](long long n) {
      return settings.tickets[static_cast<std::size_t>(n) % settings.tickets.size()];
    };
    // Outlives the measurement: posts in flight still call it.
    std::function<void(std::shared_ptr<Poster>)> again;
    if (settings.mode == "throughput") {
      again = [&](std::shared_ptr<Poster> poster) {
        if (Clock::now() >= deadline || !poster->try_claim()) return;
        poster->post(ticket_of(issued++), [&, poster] { again(poster); });
      };
      for (auto& poster : posters) asio::post(io, [&, poster] { again(poster); });
      std::this_thread::sleep_until(deadline);
    } else {
      // Paced: every millisecond, post what the rate says is due, on idle connections.
      while (Clock::now() < deadline) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
        const auto due = static_cast<long long>(elapsed * settings.rate);
        for (auto& poster : posters) {
          if (issued >= due) break;
          if (!poster->try_claim()) continue;
          const long long n = issued++;
          asio::post(io, [&, poster, n] { poster->post(ticket_of(n), [] {}); });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    measured_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // deliveries in flight
    stats.measuring = false;
  }

  std::vector<double> latencies;
  {
    std::lock_guard lock(stats.latency_mutex);
    latencies = stats.latencies_ms;
  }
  std::printf(
      "{\"mode\":\"%s\",\"connections\":%d,\"ready\":%d,\"failed\":%d,\"closed\":%d,"
      "\"connect_seconds\":%.2f,\"seconds\":%.2f,\"posts_sent\":%lld,\"posts_ok\":%lld,"
      "\"posts_failed\":%lld,\"deliveries\":%lld,\"deliveries_per_second\":%.0f,"
      "\"posts_per_second\":%.0f,\"latency_samples\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"max_ms\":%.3f}\n",
      settings.mode.c_str(), settings.connections, stats.ready.load(), stats.failed.load(),
      stats.closed.load(), connect_seconds, measured_seconds, stats.posts_sent.load(),
      stats.posts_ok.load(), stats.posts_failed.load(), stats.deliveries.load(),
      static_cast<double>(stats.deliveries.load()) / measured_seconds,
      static_cast<double>(stats.posts_ok.load()) / measured_seconds, latencies.size(),
      percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0));
  std::fflush(stdout);
  std::atomic<int> closed{0};
  for (auto& subscriber : subscribers) subscriber->close(closed);
  const auto close_deadline = Clock::now() + std::chrono::seconds(5);
  while (closed < settings.connections && Clock::now() < close_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::_Exit(0);  // the sockets are closed; skip destroying tens of thousands of objects
}
