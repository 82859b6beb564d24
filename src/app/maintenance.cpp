#include "app/maintenance.hpp"

#include <spdlog/spdlog.h>

namespace tb::app {

Maintenance::Maintenance(service::TicketService& tickets, std::chrono::seconds auto_close_after,
                         store::Store& store, store::EventRetention retention,
                         std::chrono::seconds interval)
    : tickets_(tickets),
      auto_close_after_(auto_close_after),
      store_(store),
      retention_(retention),
      interval_(interval) {}

void Maintenance::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    run_once();
    std::unique_lock lock(mutex_);
    // Wakes early only when `stop` is requested.
    wake_.wait_for(lock, stop, interval_, [] { return false; });
  }
}

void Maintenance::run_once() {
  // A failure here (say, a busy database) must not end the task: the next round retries.
  try {
    if (auto_close_after_.count() != 0) {
      if (const int closed = tickets_.close_resolved(auto_close_after_)) {
        spdlog::info("closed {} ticket(s) resolved more than {} day(s) ago", closed,
                     std::chrono::duration_cast<std::chrono::days>(auto_close_after_).count());
      }
    }
    const auto now = tickets_.now();
    if (const int pruned = store_.prune_events(retention_, now)) {
      spdlog::info("event log: pruned {} event(s)", pruned);
    }
    // The bot's inbox and outbox: kept long enough to answer "was it sent?" and to map a
    // reply to a month-old notification to its ticket, then dropped.
    store_.prune_telegram_updates(now - std::chrono::days(7));
    if (const int pruned =
            store_.prune_deliveries(now - std::chrono::days(30), now - std::chrono::days(90))) {
      spdlog::info("telegram: pruned {} old deliveries", pruned);
    }
  } catch (const std::exception& error) {
    spdlog::error("maintenance: {}", error.what());
  }
}

}  // namespace tb::app
