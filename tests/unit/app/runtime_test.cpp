#include "app/runtime.hpp"

#include <csignal>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace tb::app {
namespace {

using namespace std::chrono_literals;

void until_stopped(std::stop_token stop) {
  while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
}

TEST(Runtime, ATaskThatFailsEndsTheRunWithAnError) {
  Runtime runtime(RuntimeOptions{.connection_threads = 1, .read_workers = 1, .write_workers = 1});
  runtime.tasks().add_thread("steady", until_stopped);
  runtime.tasks().add_thread("doomed",
                             [](std::stop_token) { throw std::runtime_error("disk on fire"); });
  runtime.start();
  const auto reason = runtime.wait_for_stop();
  EXPECT_EQ(reason.cause, StopReason::Cause::task_failed);
  EXPECT_NE(reason.detail.find("doomed"), std::string::npos) << reason.detail;
  EXPECT_NE(reason.detail.find("disk on fire"), std::string::npos) << reason.detail;
  EXPECT_TRUE(runtime.tasks().stop(std::chrono::steady_clock::now() + 5s).empty());
  runtime.stop();
  EXPECT_EQ(runtime.exit_code(), 1);
}

TEST(Runtime, TheFirstSignalAsksForAStopAndExitsCleanly) {
  Runtime runtime(RuntimeOptions{.connection_threads = 2, .read_workers = 1, .write_workers = 1});
  runtime.tasks().add_thread("steady", until_stopped);
  runtime.start();
  std::raise(SIGTERM);
  const auto reason = runtime.wait_for_stop();
  EXPECT_EQ(reason.cause, StopReason::Cause::signal);
  EXPECT_EQ(reason.signal, SIGTERM);
  EXPECT_TRUE(runtime.tasks().stop(std::chrono::steady_clock::now() + 5s).empty());
  runtime.stop();
  EXPECT_EQ(runtime.exit_code(), 0);
}

TEST(Runtime, ASignalDuringStartUpIsHeldUntilStart) {
  Runtime runtime(RuntimeOptions{.connection_threads = 1, .read_workers = 1, .write_workers = 1});
  std::raise(SIGINT);  // before start: must not kill the process
  runtime.start();
  const auto reason = runtime.wait_for_stop();
  EXPECT_EQ(reason.cause, StopReason::Cause::signal);
  EXPECT_EQ(reason.signal, SIGINT);
  runtime.stop();
}

}  // namespace
}  // namespace tb::app
