#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "core/ticket.hpp"

namespace tb::service {

enum class EventKind {
  ticket_created,
  ticket_updated,
  ticket_deleted,
  message_created,
  critical_ticket
};

// A change that has been committed. Subscribers (the realtime hub, the bot's notifier)
// apply their own visibility rules: internal messages are marked as such.
struct TicketEvent {
  EventKind kind;
  Ticket ticket;
  std::optional<Message> message;
};

// Where services announce changes, always after the database commit.
class EventBus {
 public:
  virtual ~EventBus() = default;
  virtual void publish(const TicketEvent& event) = 0;
};

// In-process delivery to subscribers, synchronously on the publishing thread.
class LocalEventBus final : public EventBus {
 public:
  using Subscriber = std::function<void(const TicketEvent&)>;

  void subscribe(Subscriber subscriber);
  void publish(const TicketEvent& event) override;

 private:
  std::mutex mutex_;
  std::vector<Subscriber> subscribers_;
};

}  // namespace tb::service
