#include "service/event_follower.hpp"

#include <thread>

#include <spdlog/spdlog.h>

namespace tb::service {

EventFollower::EventFollower(store::Store& store, Deliver deliver, std::int64_t after)
    : store_(store), deliver_(std::move(deliver)), position_(after) {}

EventFollower::EventFollower(store::Store& store, DeliverBatch deliver, std::int64_t after)
    : store_(store), deliver_batch_(std::move(deliver)), position_(after) {}

int EventFollower::poll() {
  int delivered = 0;
  for (;;) {
    const auto events = store_.read_events(position_, kBatch);
    if (deliver_batch_) {
      if (events.empty()) return delivered;
      deliver_batch_(events);
      position_ = events.back().position;
      delivered += static_cast<int>(events.size());
      if (static_cast<int>(events.size()) < kBatch) return delivered;
      continue;
    }
    for (const auto& event : events) {
      // Committed already: a failing consumer must not stop the others or repeat the event.
      try {
        deliver_(event);
      } catch (const std::exception& error) {
        spdlog::error("event {} ({}): its consumer failed: {}", event.position,
                      event_kind_name(event.kind), error.what());
      }
      position_ = event.position;
      ++delivered;
    }
    if (static_cast<int>(events.size()) < kBatch) return delivered;
  }
}

void EventFollower::run(std::stop_token stop, std::chrono::milliseconds idle) {
  while (!stop.stop_requested()) {
    // The count is read before the log, so a commit after the read still wakes the wait.
    const auto seen = store_.committed_writes();
    try {
      poll();
    } catch (const std::exception& error) {  // e.g. the database briefly unreadable
      spdlog::error("event log: reading after position {} failed: {}", position_, error.what());
    }
    if (store_.wait_for_writes(seen, idle, stop) != seen) {
      // Under a stream of commits, a moment's pause gathers many into one read instead of a
      // read (and a wake-up) per commit.
      std::this_thread::sleep_for(kGather);
    }
  }
}

}  // namespace tb::service
