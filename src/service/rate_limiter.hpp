#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tb::service {

// A token bucket per key (e.g. a client address): `capacity` requests at once, refilled
// evenly to `capacity` per `period`. Memory stays bounded: when the table grows past
// `max_keys`, keys whose buckets are full again are dropped.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(int capacity, std::chrono::seconds period, std::size_t max_keys = 100000);

  // Takes one token. Returns nothing when allowed, or the seconds to wait when not.
  std::optional<int> acquire(const std::string& key, Clock::time_point now = Clock::now());

  // Gives back a token that acquire took, for a request that turned out to change nothing
  // (e.g. a resent message that had been posted already). Never beyond `capacity`.
  void release(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };

  double tokens_at(const Bucket& bucket, Clock::time_point now) const;
  void forget_full_buckets(Clock::time_point now);

  double capacity_;
  double tokens_per_second_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tb::service
