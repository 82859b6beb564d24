// tb::service — use cases: every rule about what may happen lives here or in core/, so the
// REST API and the bot share it. Services talk to store::Store and know nothing of HTTP.
#pragma once

#include <string>

#include "store/store.hpp"

namespace tb::service {

struct HealthReport {
  bool database_ok = false;
  bool database_full = false;  // answers, but its disk is full: writes fail (507)
  bool redis_enabled = false;
  bool redis_ok = false;

  bool healthy() const { return database_ok && !database_full && (!redis_enabled || redis_ok); }
  // "ok", "full" or "error", as /healthz reports it.
  const char* database_status() const {
    return database_full ? "full" : database_ok ? "ok" : "error";
  }
};

// Answers "can this instance serve requests?" by asking each dependency a trivial question.
class HealthService {
 public:
  explicit HealthService(store::Store& store) : store_(store) {}

  // Never throws: a failing dependency is reported (and logged), not raised.
  HealthReport check();

 private:
  store::Store& store_;
};

}  // namespace tb::service
