#include "store/kept_tickets.hpp"

namespace tb::store {

std::optional<Ticket> KeptTickets::find(std::int64_t id, std::uint64_t writes) const {
  std::lock_guard lock(mutex_);
  if (writes != writes_) return std::nullopt;
  const auto found = tickets_.find(id);
  if (found == tickets_.end()) return std::nullopt;
  return found->second;
}

void KeptTickets::put(std::uint64_t writes, const Ticket& ticket) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (writes < writes_) return;  // read before a write that kept tickets already saw
  // A write since makes every kept ticket suspect; a full set starts afresh, which costs
  // little since every write empties it anyway.
  if (writes > writes_ || tickets_.size() >= capacity_) {
    tickets_.clear();
    writes_ = writes;
  }
  tickets_.insert_or_assign(ticket.id, ticket);
}

}  // namespace tb::store
