// How updates reach the bot: long polling (getUpdates) or Telegram's webhook, both into the
// store first (the durable inbox, one row per update_id), then processed in update_id order.
// The poller's offset is the highest update_id stored + 1, so a restart neither loses nor
// repeats one; the webhook answers 200 once the update is stored, before processing it. The
// fetching (poller or webhook) and the processing run on threads of their own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "store/store.hpp"
#include "telegram/bot.hpp"
#include "telegram/bot_api.hpp"

namespace tb::telegram {

// The answers to button presses, sent from a thread of their own so that processing the next
// updates never waits on Telegram's round trips for them.
class CallbackAnswers {
 public:
  explicit CallbackAnswers(BotApi& api);

  void add(std::vector<CallbackAnswer> answers);
  // Sends what is added until `stop`.
  void run(std::stop_token stop);

 private:
  struct Queued {
    CallbackAnswer answer;
    std::chrono::steady_clock::time_point added;
  };

  BotApi& api_;
  std::mutex mutex_;
  std::condition_variable_any added_;
  std::deque<Queued> queue_;
};

// Processes what the inbox holds: each chat's updates in update_id order, different chats side
// by side; the answers to the button presses among them go to `answers`.
class UpdateProcessor {
 public:
  UpdateProcessor(store::Store& store, Bot& bot, CallbackAnswers& answers);

  // Returns how many updates were processed. A store failure stops the round (the update
  // stays pending for the next one).
  int process_pending();
  std::uint64_t processed_total() const { return processed_.load(std::memory_order_relaxed); }
  // Waits until processed_total() reaches `total`, `timeout` passes or `stop` comes.
  void wait_for_processed(std::uint64_t total, std::chrono::milliseconds timeout,
                          std::stop_token stop);

 private:
  void count_processed(std::size_t count);

  store::Store& store_;
  Bot& bot_;
  CallbackAnswers& answers_;
  std::atomic<std::uint64_t> processed_{0};
  std::mutex progress_mutex_;
  std::condition_variable_any progressed_;
};

// Processes what reaches the inbox (from the poller or the webhook route), woken by each
// commit, until `stop`.
void process_stored_updates(store::Store& store, UpdateProcessor& processor, std::stop_token stop);

// Long polling: getUpdates into the inbox until `stop`, while `processor` works on what came
// before; it fetches ahead of the processing by a few batches at most.
void poll_updates(store::Store& store, BotApi& api, UpdateProcessor& processor,
                  std::stop_token stop);

// POST /telegram/webhook: the X-Telegram-Bot-Api-Secret-Token header compared with `secret`
// in constant time before the body is looked at, the update stored, then 200.
void add_webhook_route(http::Router& router, store::Store& store, std::string secret);

// Sleeps `pause` unless `stop` comes first; false when it did.
bool pause_unless_stopped(std::chrono::milliseconds pause, std::stop_token stop);

// The pause after `failures` failed getUpdates in a row: 1 s doubling up to 30 s.
std::chrono::milliseconds poll_backoff(int failures);

}  // namespace tb::telegram
