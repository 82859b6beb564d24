#include "service/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace tb::service {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsABurstThenAsksToWait) {
  RateLimiter limiter(3, 60s);
  const auto now = RateLimiter::Clock::now();
  EXPECT_EQ(limiter.acquire("a", now), std::nullopt);
  EXPECT_EQ(limiter.acquire("a", now), std::nullopt);
  EXPECT_EQ(limiter.acquire("a", now), std::nullopt);
  EXPECT_EQ(limiter.acquire("a", now), 20);  // one token every 20 s
  EXPECT_EQ(limiter.acquire("b", now), std::nullopt) << "keys are independent";
}

TEST(RateLimiter, RefillsOverTime) {
  RateLimiter limiter(2, 60s);
  const auto start = RateLimiter::Clock::now();
  limiter.acquire("a", start);
  limiter.acquire("a", start);
  EXPECT_TRUE(limiter.acquire("a", start + 10s).has_value());
  EXPECT_EQ(limiter.acquire("a", start + 31s), std::nullopt);
}

TEST(RateLimiter, ForgetsIdleKeysWhenTheTableIsFull) {
  RateLimiter limiter(1, 1s, /*max_keys=*/3);
  const auto start = RateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) limiter.acquire("k" + std::to_string(i), start);
  // Later, all three buckets are full again and can be dropped to make room.
  EXPECT_EQ(limiter.acquire("new", start + 5s), std::nullopt);
  EXPECT_EQ(limiter.acquire("k0", start + 5s), std::nullopt);
}

TEST(RateLimiter, ReleaseGivesATokenBackButNeverBeyondCapacity) {
  RateLimiter limiter(2, 60s);
  const auto now = RateLimiter::Clock::now();
  limiter.acquire("a", now);
  limiter.acquire("a", now);
  EXPECT_TRUE(limiter.acquire("a", now).has_value());
  limiter.release("a", now);
  EXPECT_EQ(limiter.acquire("a", now), std::nullopt);
  EXPECT_TRUE(limiter.acquire("a", now).has_value());

  for (int i = 0; i < 5; ++i) limiter.release("a", now);  // more than were taken
  EXPECT_EQ(limiter.acquire("a", now), std::nullopt);
  EXPECT_EQ(limiter.acquire("a", now), std::nullopt);
  EXPECT_TRUE(limiter.acquire("a", now).has_value()) << "the bucket holds at most its capacity";
  limiter.release("unknown", now);  // a key never seen: nothing to give back
  EXPECT_EQ(limiter.acquire("unknown", now), std::nullopt);
}

}  // namespace
}  // namespace tb::service
