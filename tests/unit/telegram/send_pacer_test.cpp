#include <gtest/gtest.h>

#include "telegram/sender.hpp"

namespace tb::telegram {
namespace {

using namespace std::chrono_literals;
using TimePoint = SendPacer::TimePoint;

const TimePoint kStart = TimePoint(std::chrono::seconds(1000));

TEST(SendPacer, OneMessageASecondPerChatAndAboutThirtyASecondOverall) {
  SendPacer pacer{SendLimits{}};
  EXPECT_EQ(pacer.earliest(1, kStart), kStart);
  pacer.sent(1, kStart);
  EXPECT_EQ(pacer.earliest(1, kStart), kStart + 1000ms) << "the same chat waits a second";
  EXPECT_EQ(pacer.earliest(2, kStart), kStart + 34ms) << "another chat waits for the overall pace";
  int sent = 0;
  for (auto now = kStart; now < kStart + 1s; now += 1ms) {
    if (pacer.earliest(100 + sent, now) <= now) pacer.sent(100 + sent++, now);
  }
  EXPECT_GE(sent, 28);
  EXPECT_LE(sent, 30);
}

TEST(SendPacer, GroupsGetTwentyAMinute) {
  SendPacer pacer{SendLimits{}};
  pacer.sent(-100123, kStart);
  EXPECT_EQ(pacer.earliest(-100123, kStart), kStart + 3s);
}

TEST(SendPacer, A429HoldsEveryChatUntilItsRetryAfter) {
  SendPacer pacer{SendLimits{}};
  pacer.hold_all_until(kStart + 5s);
  EXPECT_EQ(pacer.earliest(7, kStart), kStart + 5s);
  EXPECT_EQ(pacer.earliest(8, kStart + 6s), kStart + 6s);
}

TEST(SendPacer, WithLimitsOffOnlyA429Holds) {
  SendLimits off;
  off.enabled = false;
  SendPacer pacer{off};
  pacer.sent(1, kStart);
  EXPECT_EQ(pacer.earliest(1, kStart), kStart);
  pacer.hold_all_until(kStart + 2s);
  EXPECT_EQ(pacer.earliest(1, kStart), kStart + 2s);
}

TEST(SendPacer, RetryPausesGrowAndStopAtTenMinutes) {
  EXPECT_EQ(retry_pause(0), 1s);
  EXPECT_EQ(retry_pause(3), 8s);
  EXPECT_EQ(retry_pause(9), 512s);
  EXPECT_EQ(retry_pause(10), 600s);
  EXPECT_EQ(retry_pause(50), 600s);
}

}  // namespace
}  // namespace tb::telegram
