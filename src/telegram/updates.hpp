// How updates reach the bot: long polling (getUpdates) or Telegram's webhook, both into the
// store first (the durable inbox, one row per update_id), then processed in update_id order.
// The poller's offset is the highest update_id stored + 1, so a restart neither loses nor
// repeats one; the webhook answers 200 once the update is stored, before processing it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

#include "http/router.hpp"
#include "store/store.hpp"
#include "telegram/bot.hpp"
#include "telegram/bot_api.hpp"

namespace tb::telegram {

// Processes what the inbox holds: each chat's updates in update_id order, different chats side
// by side; then answers the button presses among them.
class UpdateProcessor {
 public:
  UpdateProcessor(store::Store& store, Bot& bot, BotApi& api);

  // Returns how many updates were processed. A store failure stops the round (the update
  // stays pending for the next one).
  int process_pending();
  std::uint64_t processed_total() const { return processed_.load(std::memory_order_relaxed); }

 private:
  void answer(const std::vector<CallbackAnswer>& answers);

  store::Store& store_;
  Bot& bot_;
  BotApi& api_;
  std::atomic<std::uint64_t> processed_{0};
};

// Long polling: getUpdates into the inbox, then processing, until `stop`.
void poll_updates(store::Store& store, BotApi& api, UpdateProcessor& processor,
                  std::stop_token stop);
// Webhook mode: processes what the webhook route stores, woken by each commit, until `stop`.
void process_webhook_updates(store::Store& store, UpdateProcessor& processor, std::stop_token stop);

// POST /telegram/webhook: the X-Telegram-Bot-Api-Secret-Token header compared with `secret`
// in constant time before the body is looked at, the update stored, then 200.
void add_webhook_route(http::Router& router, store::Store& store, std::string secret);

// Sleeps `pause` unless `stop` comes first; false when it did.
bool pause_unless_stopped(std::chrono::milliseconds pause, std::stop_token stop);

// The pause after `failures` failed getUpdates in a row: 1 s doubling up to 30 s.
std::chrono::milliseconds poll_backoff(int failures);

}  // namespace tb::telegram
