#include "api/page_cache.hpp"

namespace tb::api {

std::shared_ptr<const CachedPage> PageCache::find(const std::string& key, std::uint64_t writes,
                                                  Timestamp now) {
  std::lock_guard lock(mutex_);
  if (writes == writes_) {
    const auto found = entries_.find(key);
    if (found != entries_.end() && (!found->second->until || now <= *found->second->until)) {
      ++counts_.hits;
      return found->second;
    }
  }
  ++counts_.misses;
  return nullptr;
}

std::shared_ptr<const CachedPage> PageCache::put(std::string key, std::uint64_t writes,
                                                 CachedPage page) {
  auto kept = std::make_shared<const CachedPage>(std::move(page));
  const auto size = kept->body.size();
  if (size > max_bytes_) return kept;
  std::lock_guard lock(mutex_);
  if (writes < writes_) return kept;  // built before a write that stored answers already saw
  // A write since the stored answers makes all of them stale; a full cache starts afresh,
  // which costs little since every write empties it anyway.
  if (writes > writes_ || bytes_ + size > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
    writes_ = writes;
  }
  auto& entry = entries_[std::move(key)];
  if (entry) bytes_ -= entry->body.size();
  entry = kept;
  bytes_ += size;
  return kept;
}

PageCache::Counts PageCache::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace tb::api
