// Reads, through the Store interface alone, the open-ticket load routing sees for each
// candidate of a category: the counter a backend keeps (SQLite by triggers) is otherwise
// visible to nobody but the chooser.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>

#include "store/store.hpp"

namespace tb::testing {

// Each routing candidate of `category_id` (available staff handling it) with the load the store
// offers the chooser. A probe ticket is created by `creator_id` and routed to nobody inside a
// transaction that is then rolled back, so the store is left exactly as it was.
inline std::map<std::int64_t, int> routing_loads(store::Store& store, std::int64_t category_id,
                                                 std::int64_t creator_id, Timestamp now) {
  struct RollBack {};
  std::map<std::int64_t, int> loads;
  try {
    store.in_one_transaction([&] {
      store::NewTicket probe;
      probe.subject = "probe";
      probe.body = "probe";
      probe.category_id = category_id;
      probe.creator_id = creator_id;
      probe.now = now;
      store.create_ticket(probe, [&](std::span<const RoutingCandidate> candidates) {
        for (const auto& candidate : candidates) loads[candidate.user_id] = candidate.open_tickets;
        return std::optional<std::int64_t>{};
      });
      throw RollBack{};
    });
  } catch (const RollBack&) {
  }
  return loads;
}

}  // namespace tb::testing
