#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>

#include "core/event.hpp"
#include "realtime/hub.hpp"
#include "service/statistics_service.hpp"

namespace tb::realtime {

// The `dashboard` topic's stats.updated pushes. A ticket change schedules a push `window`
// later; every change until then folds into it, so a subscriber gets at most one a window.
// A push computes the figures once per distinct view among the subscribers (everyone's for
// those with statistics.view_all, one set per agent for the others) and only for the views
// a change can have touched: everyone's on any change, an agent's when a ticket assigned to
// them changed (every agent's when an assignment moved). run() is a task of its own (the
// runtime's "dashboard feed"), so neither the hub's fan-out nor the writer waits for it.
class DashboardFeed {
 public:
  DashboardFeed(Hub& hub, service::StatisticsService& statistics,
                std::chrono::milliseconds window = std::chrono::seconds(1))
      : hub_(hub), statistics_(statistics), window_(window) {}
  DashboardFeed(const DashboardFeed&) = delete;
  DashboardFeed& operator=(const DashboardFeed&) = delete;

  void ticket_changed(const Event& event);
  // Pushes what ticket_changed scheduled, until `stop`.
  void run(std::stop_token stop);

 private:
  // The views a push must recompute.
  struct Changed {
    bool any = false;          // everyone's view
    bool every_agent = false;  // an assignment moved: each agent's view
    std::set<std::int64_t> agents;
    bool touches(const service::StatisticsView& view) const;
  };

  void push(const Changed& changed);

  Hub& hub_;
  service::StatisticsService& statistics_;
  const std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::condition_variable_any woken_;
  Changed changed_;
  std::optional<std::chrono::steady_clock::time_point> due_;
};

}  // namespace tb::realtime
