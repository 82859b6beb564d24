#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/ticket_service.hpp"

namespace tb::app {

// Background housekeeping on a thread of its own, once a minute: closes tickets resolved
// longer ago than `auto_close_after` (zero: never) and prunes the event log as `retention`
// allows. Stops when destroyed.
class Maintenance {
 public:
  Maintenance(service::TicketService& tickets, std::chrono::seconds auto_close_after,
              store::Store& store, store::EventRetention retention,
              std::chrono::seconds interval = std::chrono::minutes(1));
  ~Maintenance();
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

 private:
  void run(std::stop_token stop);
  void run_once();

  service::TicketService& tickets_;
  std::chrono::seconds auto_close_after_;
  store::Store& store_;
  store::EventRetention retention_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace tb::app
