// tb::service — use cases: every rule about what may happen lives here or in core/, so the
// REST API and the bot share it. Services talk to store::Store and know nothing of HTTP.
#pragma once

#include <string>

#include "store/store.hpp"

namespace tb::service {

struct HealthReport {
  bool database_ok = false;
  bool redis_enabled = false;
  bool redis_ok = false;

  bool healthy() const { return database_ok && (!redis_enabled || redis_ok); }
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
