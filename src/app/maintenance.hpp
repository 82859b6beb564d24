#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

#include "service/ticket_service.hpp"

namespace tb::app {

// Background housekeeping, once a minute: closes tickets resolved longer ago than
// `auto_close_after` (zero: never), prunes the event log as `retention` allows, and the bot's
// processed updates (after 7 days) and deliveries (sent: 30 days, dead: 90). A task in
// the runtime's group (run is its body); it starts no thread of its own.
class Maintenance {
 public:
  Maintenance(service::TicketService& tickets, std::chrono::seconds auto_close_after,
              store::Store& store, store::EventRetention retention,
              std::chrono::seconds interval = std::chrono::minutes(1));
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // One round now, then one every interval until `stop` is requested. A failed round is
  // logged and retried at the next (a busy database must not end the process).
  void run(std::stop_token stop);

 private:
  void run_once();

  service::TicketService& tickets_;
  std::chrono::seconds auto_close_after_;
  store::Store& store_;
  store::EventRetention retention_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
};

}  // namespace tb::app
