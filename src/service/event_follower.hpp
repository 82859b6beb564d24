#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>

#include "store/store.hpp"

namespace tb::service {

// Follows the event log from a position and hands every event to `deliver`, in log order,
// each once: live through the store's wake-up after each commit, and after a restart from
// wherever it is told to begin (a durable consumer's saved cursor). A consumer whose effects
// must not repeat saves its cursor in the transaction of those effects.
class EventFollower {
 public:
  using Deliver = std::function<void(const Event&)>;
  // Takes a batch at once (e.g. to write its effects and the cursor in one transaction). When
  // it throws, the follower stays where it was and offers the same events again later.
  using DeliverBatch = std::function<void(std::span<const Event>)>;

  EventFollower(store::Store& store, Deliver deliver, std::int64_t after);
  EventFollower(store::Store& store, DeliverBatch deliver, std::int64_t after);

  // Delivers what the log holds after the position now; returns how many events. Throws
  // what a batch consumer threw (having delivered nothing of that batch).
  int poll();
  // Polls until `stop` is requested, sleeping between commits (at most `idle` at a time, so
  // that writes of another process sharing the database are seen too).
  void run(std::stop_token stop, std::chrono::milliseconds idle = std::chrono::milliseconds(250));

  std::int64_t position() const { return position_; }

 private:
  static constexpr int kBatch = 256;
  static constexpr std::chrono::microseconds kGather{1000};

  store::Store& store_;
  Deliver deliver_;
  DeliverBatch deliver_batch_;
  std::int64_t position_;
};

}  // namespace tb::service
