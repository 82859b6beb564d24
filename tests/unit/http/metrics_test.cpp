#include "http/metrics.hpp"

#include <gtest/gtest.h>

namespace tb::http {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, CountsByRouteAndStatus) {
  Metrics metrics;
  metrics.set_routes({{"GET", "/healthz"}, {"GET", "/tickets/{id}"}});
  metrics.record(0, 200, 2ms);
  metrics.record(0, 200, 3ms);
  metrics.record(1, 404, 1ms);
  metrics.record(metrics.unmatched_slot(), 405, 1ms);
  const auto text = metrics.render_prometheus();
  EXPECT_NE(
      text.find(
          "ticketbot_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"/tickets/{id}\",status=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("route=\"unmatched\",status=\"405\"} 1\n"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics;
  metrics.set_routes({{"GET", "/x"}});
  metrics.record(0, 200, 200us);  // ≤ 0.0005
  metrics.record(0, 200, 3ms);    // ≤ 0.005
  metrics.record(0, 200, 20s);    // +Inf only
  const auto text = metrics.render_prometheus();
  const std::string prefix =
      "ticketbot_http_request_duration_seconds_bucket{method=\"GET\",route=\"/x\",";
  EXPECT_NE(text.find(prefix + "le=\"0.0005\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find(prefix + "le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find(prefix + "le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(
      text.find("ticketbot_http_request_duration_seconds_count{method=\"GET\",route=\"/x\"} 3\n"),
      std::string::npos);
}

TEST(Metrics, OpenConnectionsGauge) {
  Metrics metrics;
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  EXPECT_NE(metrics.render_prometheus().find("ticketbot_http_open_connections 1\n"),
            std::string::npos);
}

TEST(Metrics, OutOfRangeSlotAndStatusAreClamped) {
  Metrics metrics;
  metrics.record(99, 999, 1ms);
  EXPECT_NE(metrics.render_prometheus().find("route=\"unmatched\",status=\"599\"} 1"),
            std::string::npos);
}

TEST(Metrics, RendersBuildInfoAndProcessFigures) {
  Metrics metrics;
  metrics.set_version("1.2.3");
  const auto text = metrics.render_prometheus();
  EXPECT_NE(text.find("\nticketbot_build_info{version=\"1.2.3\"} 1\n"), std::string::npos) << text;
  for (const std::string name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                                 "process_open_fds", "process_start_time_seconds"}) {
    EXPECT_NE(text.find("# TYPE " + name + " "), std::string::npos) << name;
    const auto at = text.find("\n" + name + " ");
    ASSERT_NE(at, std::string::npos) << name;
    const double value = std::stod(text.substr(at + name.size() + 2));
    if (name == "process_cpu_seconds_total") {
      EXPECT_GE(value, 0.0);  // counted in 10 ms ticks: a fresh process may show none yet
    } else {
      EXPECT_GT(value, 0.0) << name;
    }
  }
}

}  // namespace
}  // namespace tb::http
