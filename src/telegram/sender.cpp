#include "telegram/sender.hpp"

#include <algorithm>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "core/text.hpp"

namespace tb::telegram {
namespace {

using Clock = std::chrono::steady_clock;

bool is_group(std::int64_t chat_id) {
  return chat_id < 0;
}

constexpr int kPassSize = 100;
constexpr std::chrono::milliseconds kIdleWait{1000};

std::string forum_topic_name(const Ticket& ticket) {
  const std::string name = "#" + std::to_string(ticket.id) + " " + ticket.subject;
  return std::string(utf8_prefix(name, 128));  // Telegram allows 128
}

}  // namespace

SendPacer::TimePoint SendPacer::earliest(std::int64_t chat_id, TimePoint now) const {
  auto at = std::max(now, held_until_);
  if (!limits_.enabled) return at;
  at = std::max(at, next_any_);
  if (auto it = next_by_chat_.find(chat_id); it != next_by_chat_.end())
    at = std::max(at, it->second);
  return at;
}

void SendPacer::sent(std::int64_t chat_id, TimePoint at) {
  if (!limits_.enabled) return;
  next_any_ = at + limits_.overall_interval;
  next_by_chat_[chat_id] =
      at + (is_group(chat_id) ? limits_.group_interval : limits_.private_interval);
  // Forget chats whose pause is over, so the map holds only the last minute's chats.
  if (next_by_chat_.size() > 4096) {
    std::erase_if(next_by_chat_, [&](const auto& entry) { return entry.second <= at; });
  }
}

void SendPacer::hold_all_until(TimePoint until) {
  held_until_ = std::max(held_until_, until);
}

std::chrono::seconds retry_pause(int attempts) {
  const int exponent = std::clamp(attempts, 0, 10);
  return std::min(std::chrono::seconds(1LL << exponent), std::chrono::seconds(600));
}

Sender::Sender(store::Store& store, BotApi& api, SendLimits limits)
    : store_(store), api_(api), pacer_(limits) {}

int Sender::send_due() {
  const auto due = store_.due_deliveries(system_now(), kPassSize);
  std::set<std::int64_t> held_chats;  // a chat's later rows wait while an earlier one waits
  int sent = 0;
  next_wake_ = Clock::now() + kIdleWait;
  for (const auto& delivery : due) {
    if (held_chats.contains(delivery.chat_id)) continue;
    auto now = Clock::now();
    const auto at = pacer_.earliest(delivery.chat_id, now);
    if (at > now) {
      // Only the overall pace is worth a short sleep here; a chat's own pause is not.
      const bool chat_held =
          pacer_.earliest(0, now) < at || at - now > std::chrono::milliseconds(100);
      if (chat_held) {
        held_chats.insert(delivery.chat_id);
        next_wake_ = std::min(next_wake_, at);
        continue;
      }
      std::this_thread::sleep_until(at);
    }
    switch (send(delivery)) {
      case Outcome::sent: ++sent; break;
      case Outcome::deferred:
      case Outcome::failed: held_chats.insert(delivery.chat_id); break;
    }
  }
  if (auto next = store_.next_delivery_due()) {
    const auto in = std::chrono::duration_cast<std::chrono::milliseconds>(*next - system_now());
    next_wake_ = std::min(next_wake_, Clock::now() + std::max(in, std::chrono::milliseconds(0)));
  }
  return sent;
}

std::optional<std::int64_t> Sender::thread_for(const store::Delivery& delivery) {
  if (!delivery.topic_ticket_id) return delivery.thread_id;
  const auto ticket_id = *delivery.topic_ticket_id;
  if (auto thread = store_.topic_of_ticket(ticket_id, delivery.chat_id)) return thread;
  const auto ticket = store_.find_ticket(ticket_id);
  const std::string name = ticket ? forum_topic_name(*ticket) : "#" + std::to_string(ticket_id);
  const auto thread = api_.create_forum_topic(delivery.chat_id, name);
  store_.save_topic(ticket_id, delivery.chat_id, thread);
  return thread;
}

Sender::Outcome Sender::send(const store::Delivery& delivery) {
  try {
    OutgoingMessage message;
    message.chat_id = delivery.chat_id;
    message.text = delivery.text;
    message.message_thread_id = thread_for(delivery);
    if (!delivery.reply_markup.empty()) {
      message.reply_markup = boost::json::parse(delivery.reply_markup).as_object();
    }
    message.reply_to_message_id = delivery.reply_to_message_id;
    const auto message_id = api_.send_message(message);
    pacer_.sent(delivery.chat_id, Clock::now());
    store_.mark_delivery_sent(delivery.id, message_id, system_now());
    sent_.fetch_add(1, std::memory_order_relaxed);
    return Outcome::sent;
  } catch (const BotApiError& error) {
    pacer_.sent(delivery.chat_id, Clock::now());  // a refused call counts against the limits too
    handle_failure(delivery, error);
    return error.kind == BotApiError::Kind::rate_limited ? Outcome::deferred : Outcome::failed;
  }
}

void Sender::handle_failure(const store::Delivery& delivery, const BotApiError& error) {
  const auto now = system_now();
  const std::string reason = error.description.empty() ? error.what() : error.description;
  switch (error.kind) {
    case BotApiError::Kind::rate_limited: {
      const auto wait = std::max(error.retry_after, std::chrono::seconds(1));
      pacer_.hold_all_until(Clock::now() + wait);
      spdlog::warn("telegram: 429 for chat {}, holding every send for {}s", delivery.chat_id,
                   wait.count());
      return store_.retry_delivery(delivery.id, now + wait, reason);
    }
    case BotApiError::Kind::blocked:
      spdlog::info("telegram: chat {} blocked the bot ({}); its deliveries are parked",
                   delivery.chat_id, reason);
      return store_.block_bot_chat(delivery.chat_id, reason, now);
    case BotApiError::Kind::bad_request:
      spdlog::warn("telegram: delivery {} refused ({}), parked", delivery.id, reason);
      return store_.park_delivery(delivery.id, reason, now);
    case BotApiError::Kind::server:
    case BotApiError::Kind::network:
      if (delivery.attempts + 1 >= kMaxAttempts) {
        spdlog::warn("telegram: delivery {} failed {} times ({}), parked", delivery.id,
                     kMaxAttempts, reason);
        return store_.park_delivery(delivery.id, reason, now);
      }
      return store_.retry_delivery(delivery.id, now + retry_pause(delivery.attempts), reason);
  }
}

void Sender::run(std::stop_token stop) {
  std::stop_callback cancel_call(stop, [this] { api_.cancel(); });
  while (!stop.stop_requested()) {
    const auto seen = store_.committed_writes();
    try {
      send_due();
    } catch (const std::exception& error) {
      spdlog::error("telegram sender: {}", error.what());
      next_wake_ = Clock::now() + kIdleWait;
    }
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_wake_ - Clock::now());
    if (wait > std::chrono::milliseconds(0)) store_.wait_for_writes(seen, wait, stop);
  }
}

}  // namespace tb::telegram
