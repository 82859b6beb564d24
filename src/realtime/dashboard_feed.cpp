#include "realtime/dashboard_feed.hpp"

#include <map>

#include <spdlog/spdlog.h>

#include "realtime/client_session.hpp"
#include "wire/statistics_json.hpp"

namespace tb::realtime {

bool DashboardFeed::Changed::touches(const service::StatisticsView& view) const {
  if (!view.own_only) return any;
  return every_agent || agents.contains(*view.own_only);
}

void DashboardFeed::ticket_changed(const Event& event) {
  if (!is_ticket_event(event.kind)) return;
  {
    std::lock_guard lock(mutex_);
    changed_.any = true;
    if (event.ticket.assignee) changed_.agents.insert(event.ticket.assignee->id);
    if (event.assignee_to) changed_.every_agent = true;  // someone's figures lost the ticket
    if (due_) return;
    due_ = std::chrono::steady_clock::now() + window_;
  }
  woken_.notify_one();
}

void DashboardFeed::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    if (!due_) {
      woken_.wait(lock, stop, [this] { return due_.has_value(); });
      continue;
    }
    // Wait out the window: the changes that come meanwhile fold into this push.
    woken_.wait_until(lock, stop, *due_, [] { return false; });
    if (stop.stop_requested()) return;
    const auto changed = std::exchange(changed_, Changed{});
    due_.reset();
    lock.unlock();
    try {
      push(changed);
    } catch (const std::exception& error) {  // the next change tries again
      spdlog::error("dashboard: statistics push failed: {}", error.what());
    }
    lock.lock();
  }
}

void DashboardFeed::push(const Changed& changed) {
  std::map<std::optional<std::int64_t>, std::shared_ptr<const std::string>> frames;
  for (const auto& client : hub_.listeners(Topic{Topic::Kind::dashboard, 0})) {
    const auto view = client->dashboard_view();
    if (!view || !changed.touches(*view)) continue;
    auto& frame = frames[view->own_only];
    if (!frame) {
      frame = std::make_shared<const std::string>(
          wire::stats_updated_frame(statistics_.dashboard(*view)));
    }
    client->deliver_statistics(*view, frame);
  }
}

}  // namespace tb::realtime
