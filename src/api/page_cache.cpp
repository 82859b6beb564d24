#include "api/page_cache.hpp"

namespace tb::api {

std::shared_ptr<const CachedPage> PageCache::find(const std::string& key, std::uint64_t writes,
                                                  Timestamp now) {
  std::lock_guard lock(mutex_);
  if (writes == writes_) {
    const auto found = entries_.find(key);
    if (found != entries_.end() && (!found->second.until || now <= *found->second.until)) {
      ++counts_.hits;
      return found->second.page;
    }
  }
  ++counts_.misses;
  return nullptr;
}

void PageCache::put(std::string key, std::uint64_t writes, std::optional<Timestamp> until,
                    std::string body, std::vector<std::int64_t> ids) {
  if (body.size() > max_bytes_) return;
  std::lock_guard lock(mutex_);
  if (writes < writes_) return;  // built before a write that stored answers already saw
  // A write since the stored answers makes all of them stale; a full cache starts afresh,
  // which costs little since every write empties it anyway.
  if (writes > writes_ || bytes_ + body.size() > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
    writes_ = writes;
  }
  const auto size = body.size();
  auto& entry = entries_[std::move(key)];
  if (entry.page) bytes_ -= entry.page->body.size();
  entry =
      Entry{until, std::make_shared<const CachedPage>(CachedPage{std::move(body), std::move(ids)})};
  bytes_ += size;
}

PageCache::Counts PageCache::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace tb::api
