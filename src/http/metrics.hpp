#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tb::http {

// Request counters and latency histograms by route, the open-connection gauge and the
// WebSocket counters, kept in
// atomics so that recording costs no lock on the request path. Rendered in the Prometheus
// text format for /metrics.
class Metrics {
 public:
  struct RouteLabel {
    std::string method;
    std::string pattern;
  };

  Metrics() { set_routes({}); }

  // One slot per route (in router order) plus one for requests that matched no route.
  // Called once the routing table is complete, before the server starts.
  void set_routes(const std::vector<RouteLabel>& routes);

  std::size_t unmatched_slot() const { return slots_.size() - 1; }

  void record(std::size_t slot, int status, std::chrono::steady_clock::duration elapsed);
  void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const {
    return open_connections_.load(std::memory_order_relaxed);
  }

  void websocket_opened() {
    websockets_open_.fetch_add(1, std::memory_order_relaxed);
    websockets_total_.fetch_add(1, std::memory_order_relaxed);
  }
  void websocket_closed() { websockets_open_.fetch_sub(1, std::memory_order_relaxed); }
  void websocket_sent(std::size_t frames) {
    websocket_frames_sent_.fetch_add(frames, std::memory_order_relaxed);
  }
  void websocket_dropped() { websocket_slow_drops_.fetch_add(1, std::memory_order_relaxed); }

  // A counter another module keeps (a cache's hits, say), read at each scrape. Registered
  // while wiring, before the server starts.
  void add_counter(std::string name, std::string help, std::function<std::uint64_t()> read) {
    counters_.push_back(Counter{std::move(name), std::move(help), "counter", std::move(read)});
  }
  // The same for a figure that goes up and down (a queue's length).
  void add_gauge(std::string name, std::string help, std::function<std::uint64_t()> read) {
    counters_.push_back(Counter{std::move(name), std::move(help), "gauge", std::move(read)});
  }

  // Shown as ticketbot_build_info{version="..."} 1.
  void set_version(std::string version) { version_ = std::move(version); }

  // Also renders the build info and the process figures (CPU, memory, descriptors, start
  // time) read from /proc/self at each scrape.
  std::string render_prometheus() const;

 private:
  static constexpr std::array kBucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  static constexpr int kLowestStatus = 100;
  static constexpr int kStatusSlots = 500;  // 100..599

  struct Slot {
    RouteLabel label;
    std::array<std::atomic<std::uint64_t>, kStatusSlots> by_status{};
    std::array<std::atomic<std::uint64_t>, kBucketBounds.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_microseconds{0};
  };

  struct Counter {
    std::string name;
    std::string help;
    std::string_view type;  // "counter" or "gauge"
    std::function<std::uint64_t()> read;
  };

  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Counter> counters_;
  std::string version_ = "unknown";
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::int64_t> websockets_open_{0};
  std::atomic<std::uint64_t> websockets_total_{0};
  std::atomic<std::uint64_t> websocket_frames_sent_{0};
  std::atomic<std::uint64_t> websocket_slow_drops_{0};
};

}  // namespace tb::http
