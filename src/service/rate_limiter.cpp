#include "service/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace tb::service {

RateLimiter::RateLimiter(int capacity, std::chrono::seconds period, std::size_t max_keys)
    : capacity_(capacity),
      tokens_per_second_(static_cast<double>(capacity) / static_cast<double>(period.count())),
      max_keys_(max_keys) {}

double RateLimiter::tokens_at(const Bucket& bucket, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  return std::min(capacity_, bucket.tokens + elapsed * tokens_per_second_);
}

void RateLimiter::forget_full_buckets(Clock::time_point now) {
  std::erase_if(buckets_,
                [&](const auto& entry) { return tokens_at(entry.second, now) >= capacity_; });
}

std::optional<int> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= max_keys_) forget_full_buckets(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{capacity_, now});
  Bucket& bucket = it->second;
  bucket.tokens = tokens_at(bucket, now);
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  return static_cast<int>(std::ceil((1.0 - bucket.tokens) / tokens_per_second_));
}

void RateLimiter::release(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = buckets_.find(key);
  if (it == buckets_.end()) return;  // forgotten: the bucket was full anyway
  Bucket& bucket = it->second;
  const auto at = std::max(now, bucket.updated);
  bucket.tokens = std::min(capacity_, tokens_at(bucket, at) + 1.0);
  bucket.updated = at;
}

}  // namespace tb::service
