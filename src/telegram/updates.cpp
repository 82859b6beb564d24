#include "telegram/updates.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "core/crypto.hpp"
#include "core/error.hpp"

namespace tb::telegram {
namespace {

constexpr int kBatch = 100;
// Updates of one chat are processed in order, those of different chats side by side: their
// writes then share the store's group commits instead of waiting for one commit each.
constexpr std::size_t kLanes = 8;

// The chat an update is about (0 when it names none).
std::int64_t chat_of(const store::TelegramUpdate& update) {
  boost::system::error_code error;
  const auto value = boost::json::parse(update.payload, error);
  if (error || !value.is_object()) return 0;
  const auto& root = value.as_object();
  const boost::json::value* message = root.if_contains("message");
  if (const auto* callback = root.if_contains("callback_query");
      callback && callback->is_object()) {
    message = callback->as_object().if_contains("message");
  }
  if (!message || !message->is_object()) return 0;
  const auto* chat = message->as_object().if_contains("chat");
  if (!chat || !chat->is_object()) return 0;
  const auto* id = chat->as_object().if_contains("id");
  return id && id->is_int64() ? id->as_int64() : 0;
}
constexpr int kLongPollSeconds = 25;
// How far the poller may fetch ahead of the processing: the inbox is durable, but a poller
// far ahead only moves Telegram's queue into ours.
constexpr std::uint64_t kPollAhead = 3 * kBatch;
constexpr auto kAnswerLifetime = std::chrono::seconds(10);
constexpr auto kGatherPause = std::chrono::milliseconds(5);

}  // namespace

bool pause_unless_stopped(std::chrono::milliseconds pause, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, pause, [] { return false; });
  return !stop.stop_requested();
}

CallbackAnswers::CallbackAnswers(BotApi& api) : api_(api) {}

void CallbackAnswers::add(std::vector<CallbackAnswer> answers) {
  if (answers.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (auto& answer : answers) queue_.push_back({std::move(answer), now});
  }
  added_.notify_one();
}

void CallbackAnswers::run(std::stop_token stop) {
  std::stop_callback cancel_call(stop, [this] { api_.cancel(); });
  std::unique_lock lock(mutex_);
  while (added_.wait(lock, stop, [this] { return !queue_.empty(); })) {
    auto next = std::move(queue_.front());
    queue_.pop_front();
    // Telegram refuses an answer after ~15 s ("query is too old"): skip it rather than wait.
    if (std::chrono::steady_clock::now() - next.added > kAnswerLifetime) continue;
    lock.unlock();
    try {  // a pop-up's answer is a courtesy: the button press itself has been handled
      api_.answer_callback_query(next.answer.callback_query_id, next.answer.text);
    } catch (const BotApiError& error) {
      spdlog::debug("telegram: answerCallbackQuery failed: {}", error.what());
    }
    lock.lock();
  }
}

UpdateProcessor::UpdateProcessor(store::Store& store, Bot& bot, CallbackAnswers& answers)
    : store_(store), bot_(bot), answers_(answers) {}

int UpdateProcessor::process_pending() {
  int processed = 0;
  for (;;) {
    const auto pending = store_.pending_telegram_updates(kBatch);
    std::array<std::vector<const store::TelegramUpdate*>, kLanes> lanes;
    for (const auto& update : pending) {
      lanes[static_cast<std::uint64_t>(chat_of(update)) % kLanes].push_back(&update);
    }
    std::mutex mutex;  // guards the two below
    std::exception_ptr failure;
    int done = 0;
    auto run_lane = [&](const std::vector<const store::TelegramUpdate*>& lane) {
      try {  // a failure leaves the chat's later updates waiting: its order must hold
        answers_.add(bot_.process(lane));
        count_processed(lane.size());
        std::lock_guard lock(mutex);
        done += static_cast<int>(lane.size());
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    };
    {
      // One lane runs here, the others on threads of their own for this batch: a batch of one
      // update (the usual case) starts none.
      std::vector<std::jthread> others;
      const std::vector<const store::TelegramUpdate*>* here = nullptr;
      for (const auto& lane : lanes) {
        if (lane.empty()) continue;
        if (!here) {
          here = &lane;
        } else {
          others.emplace_back(run_lane, std::cref(lane));
        }
      }
      if (here) run_lane(*here);
    }
    processed += done;
    if (failure) std::rethrow_exception(failure);
    if (static_cast<int>(pending.size()) < kBatch) return processed;
  }
}

void UpdateProcessor::count_processed(std::size_t count) {
  {
    std::lock_guard lock(progress_mutex_);
    processed_.fetch_add(count, std::memory_order_relaxed);
  }
  progressed_.notify_all();
}

void UpdateProcessor::wait_for_processed(std::uint64_t total, std::chrono::milliseconds timeout,
                                         std::stop_token stop) {
  std::unique_lock lock(progress_mutex_);
  progressed_.wait_for(lock, stop, timeout, [&] { return processed_total() >= total; });
}

std::chrono::milliseconds poll_backoff(int failures) {
  const int exponent = std::clamp(failures - 1, 0, 5);
  return std::min(std::chrono::milliseconds(1000LL << exponent), std::chrono::milliseconds(30000));
}

void process_stored_updates(store::Store& store, UpdateProcessor& processor, std::stop_token stop) {
  while (!stop.stop_requested()) {
    const auto seen = store.committed_writes();
    try {
      processor.process_pending();
    } catch (const std::exception& error) {
      spdlog::error("telegram: updates: {}", error.what());
    }
    // Once woken, a moment for more to arrive: one round over several updates commits once
    // per lane instead of once per update (the webhook stores them one by one).
    if (store.wait_for_writes(seen, std::chrono::seconds(1), stop) != seen) {
      pause_unless_stopped(kGatherPause, stop);
    }
  }
}

void poll_updates(store::Store& store, BotApi& api, UpdateProcessor& processor,
                  std::stop_token stop) {
  std::stop_callback cancel_call(stop, [&api] { api.cancel(); });
  int failures = 0;
  // Updates stored by this poller; processed_total() also counts what was pending before it
  // started, so "stored - processed" never overstates how far ahead the poller is.
  std::uint64_t stored = 0;
  while (!stop.stop_requested()) {
    try {
      // At most a second: a run cut short by a store failure commits updates it does not
      // count, so the count alone could keep the poller waiting for good.
      if (stored > processor.processed_total() + kPollAhead) {
        processor.wait_for_processed(stored - kPollAhead, std::chrono::seconds(1), stop);
        if (stop.stop_requested()) return;
      }
      const auto offset = store.last_telegram_update_id() + 1;
      const auto updates = api.get_updates(offset, kLongPollSeconds, kBatch);
      std::vector<store::TelegramUpdate> rows;
      rows.reserve(updates.size());
      for (const auto& update : updates) {
        const auto* id = update.if_contains("update_id");
        if (!id || !id->is_int64()) continue;
        rows.push_back({id->as_int64(), boost::json::serialize(update)});
      }
      if (!rows.empty()) stored += store.store_telegram_updates(rows, system_now());
      failures = 0;
    } catch (const BotApiError& error) {
      if (stop.stop_requested()) return;
      ++failures;
      auto pause = poll_backoff(failures);
      if (error.kind == BotApiError::Kind::rate_limited) {
        pause = std::max<std::chrono::milliseconds>(pause, error.retry_after);
      }
      spdlog::warn("telegram: getUpdates failed ({}); trying again in {} ms", error.what(),
                   pause.count());
      pause_unless_stopped(pause, stop);
    } catch (const std::exception& error) {
      ++failures;
      spdlog::error("telegram: updates: {}", error.what());
      pause_unless_stopped(poll_backoff(failures), stop);
    }
  }
}

void add_webhook_route(http::Router& router, store::Store& store, std::string secret) {
  router.add(
      http::Method::post, "/telegram/webhook",
      [&store, secret = std::move(secret)](http::Request& request) {
        if (!constant_time_equal(request.header("x-telegram-bot-api-secret-token"), secret)) {
          throw Error(ErrorCode::unauthorized, "wrong or missing secret token");
        }
        boost::system::error_code error;
        const auto update = boost::json::parse(request.body, error);
        const auto* id =
            !error && update.is_object() ? update.as_object().if_contains("update_id") : nullptr;
        if (!id || !id->is_int64()) {
          throw Error(ErrorCode::invalid_request, "the body is no Telegram update");
        }
        const store::TelegramUpdate row{id->as_int64(), std::move(request.body)};
        store.store_telegram_updates({&row, 1}, system_now());
        return http::Response::json(200, "{}");
      });
}

}  // namespace tb::telegram
