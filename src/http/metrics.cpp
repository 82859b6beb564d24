#include "http/metrics.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

namespace tb::http {
namespace {

// Label values are route patterns and method names we chose, but escape them anyway so the
// output stays valid whatever a later route is called.
std::string escape_label(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return escaped;
}

struct ProcessFigures {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double open_fds = 0;
  double start_time_seconds = 0;
};

// The standard process_* figures of Prometheus client libraries, from /proc (Linux only;
// zeros elsewhere). Read at each scrape: a few small files, no state kept.
ProcessFigures read_process_figures() {
  ProcessFigures figures;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces and parentheses: fields are counted after
  // its closing parenthesis, which is the last one in the line.
  if (const auto close = stat.rfind(')'); close != std::string::npos && ticks > 0) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> values;  // values[0] is field 3 (state)
    for (std::string value; fields >> value;) values.push_back(value);
    if (values.size() > 19) {
      figures.cpu_seconds = (std::stod(values[11]) + std::stod(values[12])) / ticks;  // 14, 15
      double boot_time = 0;
      std::ifstream system_stat("/proc/stat");
      for (std::string line; std::getline(system_stat, line);) {
        if (line.starts_with("btime ")) boot_time = std::stod(line.substr(6));
      }
      figures.start_time_seconds = boot_time + std::stod(values[19]) / ticks;  // field 22
    }
  }
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    figures.resident_bytes = resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++figures.open_fds;
  }
  return figures;
}

}  // namespace

void Metrics::set_routes(const std::vector<RouteLabel>& routes) {
  slots_.clear();
  for (const auto& label : routes) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->label = label;
  }
  slots_.push_back(std::make_unique<Slot>());
  slots_.back()->label = {"", "unmatched"};
}

void Metrics::record(std::size_t slot, int status, std::chrono::steady_clock::duration elapsed) {
  Slot& target = *slots_.at(std::min(slot, unmatched_slot()));
  const int status_index =
      std::clamp(status, kLowestStatus, kLowestStatus + kStatusSlots - 1) - kLowestStatus;
  target.by_status[static_cast<size_t>(status_index)].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const auto bucket = static_cast<size_t>(
      std::distance(kBucketBounds.begin(),
                    std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), seconds)));
  target.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  target.count.fetch_add(1, std::memory_order_relaxed);
  target.sum_microseconds.fetch_add(
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()),
      std::memory_order_relaxed);
}

std::string Metrics::render_prometheus() const {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "# HELP ticketbot_http_requests_total HTTP requests answered, by route and "
                 "status.\n# TYPE ticketbot_http_requests_total counter\n");
  for (const auto& slot : slots_) {
    for (size_t i = 0; i < slot->by_status.size(); ++i) {
      const auto value = slot->by_status[i].load(std::memory_order_relaxed);
      if (value == 0) continue;
      fmt::format_to(it,
                     "ticketbot_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} "
                     "{}\n",
                     escape_label(slot->label.method), escape_label(slot->label.pattern),
                     i + kLowestStatus, value);
    }
  }
  fmt::format_to(it,
                 "# HELP ticketbot_http_request_duration_seconds Time from a request's last byte "
                 "read to its answer.\n# TYPE ticketbot_http_request_duration_seconds "
                 "histogram\n");
  for (const auto& slot : slots_) {
    const auto count = slot->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string labels =
        fmt::format("method=\"{}\",route=\"{}\"", escape_label(slot->label.method),
                    escape_label(slot->label.pattern));
    std::uint64_t cumulative = 0;
    for (size_t i = 0; i < slot->buckets.size(); ++i) {
      cumulative += slot->buckets[i].load(std::memory_order_relaxed);
      const std::string bound =
          i < kBucketBounds.size() ? fmt::format("{}", kBucketBounds[i]) : "+Inf";
      fmt::format_to(it, "ticketbot_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                     labels, bound, cumulative);
    }
    fmt::format_to(
        it, "ticketbot_http_request_duration_seconds_sum{{{}}} {}\n", labels,
        static_cast<double>(slot->sum_microseconds.load(std::memory_order_relaxed)) / 1e6);
    fmt::format_to(it, "ticketbot_http_request_duration_seconds_count{{{}}} {}\n", labels, count);
  }
  fmt::format_to(it,
                 "# HELP ticketbot_http_open_connections HTTP connections open now.\n"
                 "# TYPE ticketbot_http_open_connections gauge\n"
                 "ticketbot_http_open_connections {}\n",
                 open_connections());
  fmt::format_to(
      it,
      "# HELP ticketbot_websocket_open_connections WebSocket connections open now.\n"
      "# TYPE ticketbot_websocket_open_connections gauge\n"
      "ticketbot_websocket_open_connections {}\n"
      "# HELP ticketbot_websocket_connections_total WebSocket connections accepted.\n"
      "# TYPE ticketbot_websocket_connections_total counter\n"
      "ticketbot_websocket_connections_total {}\n"
      "# HELP ticketbot_websocket_messages_sent_total WebSocket frames sent to clients.\n"
      "# TYPE ticketbot_websocket_messages_sent_total counter\n"
      "ticketbot_websocket_messages_sent_total {}\n"
      "# HELP ticketbot_websocket_slow_consumer_drops_total Clients disconnected because "
      "their send queue was full.\n"
      "# TYPE ticketbot_websocket_slow_consumer_drops_total counter\n"
      "ticketbot_websocket_slow_consumer_drops_total {}\n",
      websockets_open_.load(std::memory_order_relaxed),
      websockets_total_.load(std::memory_order_relaxed),
      websocket_frames_sent_.load(std::memory_order_relaxed),
      websocket_slow_drops_.load(std::memory_order_relaxed));
  for (const auto& counter : counters_) {
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", counter.name, counter.help,
                   counter.type, counter.read());
  }
  fmt::format_to(it,
                 "# HELP ticketbot_build_info The running ticketbot's version.\n"
                 "# TYPE ticketbot_build_info gauge\n"
                 "ticketbot_build_info{{version=\"{}\"}} 1\n",
                 escape_label(version_));
  const auto process = read_process_figures();
  fmt::format_to(
      it,
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      "# TYPE process_cpu_seconds_total counter\n"
      "process_cpu_seconds_total {}\n"
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\n"
      "process_resident_memory_bytes {}\n"
      "# HELP process_open_fds Number of open file descriptors.\n"
      "# TYPE process_open_fds gauge\n"
      "process_open_fds {}\n"
      "# HELP process_start_time_seconds Start time of the process since unix epoch in "
      "seconds.\n"
      "# TYPE process_start_time_seconds gauge\n"
      "process_start_time_seconds {}\n",
      process.cpu_seconds, process.resident_bytes, process.open_fds, process.start_time_seconds);
  return fmt::to_string(out);
}

}  // namespace tb::http
