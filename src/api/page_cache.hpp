// Rendered answers of the ticket list, the read every staff member's queue opens and
// refreshes with, kept until they could differ. Exact, never stale: an answer is served only
// while the store's write count is the one read before the answer was built, and not after
// the moment the clock alone would change it (a ticket's SLA falling due).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/user.hpp"

namespace tb::api {

// A kept answer; the ids of the tickets it shows (for what is added per viewer to a shared
// page: their unread counts); and when the clock alone would change it (an SLA falling due;
// none: only a write does).
struct CachedPage {
  std::string body;
  std::vector<std::int64_t> ids;
  std::optional<Timestamp> until;
};

class PageCache {
 public:
  // At most `max_bytes` of answers; 0 keeps none.
  explicit PageCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The answer stored under `key`, if it was built at `writes` and is still good at `now`.
  std::shared_ptr<const CachedPage> find(const std::string& key, std::uint64_t writes,
                                         Timestamp now);
  // Keeps `page`, built from a read that began when the store's write count was `writes`, until
  // the next write or its `until`. Returns it, kept or not (too large, or built before a write).
  std::shared_ptr<const CachedPage> put(std::string key, std::uint64_t writes, CachedPage page);

  struct Counts {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  Counts counts() const;

 private:
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::uint64_t writes_ = 0;  // the write count every stored answer was built at
  std::size_t bytes_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const CachedPage>> entries_;
  Counts counts_;
};

}  // namespace tb::api
