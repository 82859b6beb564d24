// Sends the delivery rows the notifier and the bot wrote, at Telegram's limits (about 30
// messages a second overall, one a second per chat, 20 a minute per group), in each chat's
// order. A 429 holds everything for its retry_after; network and server errors retry with
// growing pauses; a chat that blocked the bot is marked and its deliveries parked; a delivery
// that keeps failing, or that Telegram refuses as malformed, is parked as dead.
//
// Exactly once, nearly: a row is marked sent right after Telegram's answer. A crash between
// the answer and that mark sends the message again after the restart; no other path does.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <unordered_map>

#include "store/store.hpp"
#include "telegram/bot_api.hpp"

namespace tb::telegram {

struct SendLimits {
  bool enabled = true;  // off: as fast as the Bot API answers (benchmarks, a local server)
  std::chrono::milliseconds overall_interval{34};    // ≈ 30 per second
  std::chrono::milliseconds private_interval{1000};  // 1 per second per chat
  std::chrono::milliseconds group_interval{3000};    // 20 per minute per group
};

// When the next message may go. Pure: the caller passes the time.
class SendPacer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SendPacer(SendLimits limits) : limits_(limits) {}

  TimePoint earliest(std::int64_t chat_id, TimePoint now) const;
  void sent(std::int64_t chat_id, TimePoint at);
  // Telegram said 429: nothing goes until `until`.
  void hold_all_until(TimePoint until);

 private:
  SendLimits limits_;
  TimePoint next_any_{};
  TimePoint held_until_{};
  std::unordered_map<std::int64_t, TimePoint> next_by_chat_;
};

class Sender {
 public:
  static constexpr int kMaxAttempts = 10;

  Sender(store::Store& store, BotApi& api, SendLimits limits);

  // Sends what is due now, as the limits allow; returns how many were sent.
  int send_due();
  // Sends until `stop`, woken by every commit (a new delivery) or when a held one falls due.
  void run(std::stop_token stop);
  std::uint64_t sent_total() const { return sent_.load(std::memory_order_relaxed); }

 private:
  enum class Outcome { sent, deferred, failed };
  Outcome send(const store::Delivery& delivery);
  std::optional<std::int64_t> thread_for(const store::Delivery& delivery);
  void handle_failure(const store::Delivery& delivery, const BotApiError& error);

  store::Store& store_;
  BotApi& api_;
  SendPacer pacer_;
  SendPacer::TimePoint next_wake_{};
  std::atomic<std::uint64_t> sent_{0};
};

// The pause before the attempt after `attempts` failed ones: 1 s, 2 s, 4 s, … up to 10 min.
std::chrono::seconds retry_pause(int attempts);

}  // namespace tb::telegram
