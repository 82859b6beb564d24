#pragma once

#include <cstdint>
#include <vector>

#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// The bot's messages that could not be delivered and were parked (a chat that blocked the bot,
// a message Telegram refused, one that failed ten times): what an admin reads when someone
// says they were never told.
class UndeliveredMessages {
 public:
  explicit UndeliveredMessages(store::Store& store) : store_(store) {}

  // Newest first, before `before_id` (0: from the newest).
  std::vector<store::Delivery> list(const Principal& caller, std::int64_t before_id, int limit) {
    caller.require(Permission::audit_view);
    return store_.list_dead_deliveries(before_id, limit);
  }

 private:
  store::Store& store_;
};

}  // namespace tb::service
