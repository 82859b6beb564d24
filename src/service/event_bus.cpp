#include "service/event_bus.hpp"

#include <spdlog/spdlog.h>

namespace tb::service {

void LocalEventBus::subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  subscribers_.push_back(std::move(subscriber));
}

void LocalEventBus::publish(const TicketEvent& event) {
  std::vector<Subscriber> subscribers;
  {
    std::lock_guard lock(mutex_);
    subscribers = subscribers_;
  }
  for (const auto& subscriber : subscribers) {
    // The change is committed already: a failing subscriber must not fail the request.
    try {
      subscriber(event);
    } catch (const std::exception& error) {
      spdlog::error("event subscriber failed: {}", error.what());
    }
  }
}

}  // namespace tb::service
