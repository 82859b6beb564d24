// Tickets as last read from the database, kept while nothing could have changed them: a ticket
// read when the store's count of committed writes was N is given again only while the count is
// still N. Exact, like the kept list pages (api/page_cache.hpp), not "fresh enough". Every
// request about one ticket (the ticket, its messages, a post) first reads it to ask whether
// the caller may see it, and that read (24 columns over four joins) costs more than the rest
// of a kept answer. Only reads outside a transaction of the store's own are kept: inside one,
// a ticket may hold changes that are not committed, and may never be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/ticket.hpp"

namespace tb::store {

class KeptTickets {
 public:
  // At most `capacity` tickets; 0 keeps none.
  explicit KeptTickets(std::size_t capacity) : capacity_(capacity) {}

  // The ticket `id`, if it was kept from a read that began at write count `writes`.
  std::optional<Ticket> find(std::int64_t id, std::uint64_t writes) const;
  // Keeps `ticket`, read by a read that began when the write count was `writes`.
  void put(std::uint64_t writes, const Ticket& ticket);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::uint64_t writes_ = 0;  // the write count every kept ticket was read at
  std::unordered_map<std::int64_t, Ticket> tickets_;
};

}  // namespace tb::store
