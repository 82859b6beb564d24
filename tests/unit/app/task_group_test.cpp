#include "app/task_group.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace tb::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// What the group told its observer, as "name state" lines, in order.
class Journal {
 public:
  TaskGroup::Observer observer() {
    return [this](const std::string& name, TaskState state, const std::string& detail) {
      std::lock_guard lock(mutex_);
      const char* word = state == TaskState::started   ? "started"
                         : state == TaskState::stopped ? "stopped"
                                                       : "failed";
      lines_.push_back(name + " " + word);
      if (state == TaskState::failed) details_.push_back(detail);
      changed_.notify_all();
    };
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::vector<std::string> lines_with(const std::string& word) {
    std::vector<std::string> found;
    for (const auto& line : lines()) {
      if (line.ends_with(" " + word))
        found.push_back(line.substr(0, line.size() - word.size() - 1));
    }
    return found;
  }
  std::vector<std::string> details() {
    std::lock_guard lock(mutex_);
    return details_;
  }
  // Waits until `line` has been told; false when it was not within 5 s.
  bool wait_for(const std::string& line) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(
        lock, 5s, [&] { return std::find(lines_.begin(), lines_.end(), line) != lines_.end(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  std::vector<std::string> details_;
};

// An io_context run by a thread of its own, as the runtime runs it.
class RunningIo {
 public:
  RunningIo() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~RunningIo() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

// Thread bodies.
void until_stopped(std::stop_token stop) {
  while (!stop.stop_requested()) std::this_thread::sleep_for(1ms);
}

// Loop bodies: named coroutines, as the group asks (g++ 12).
asio::awaitable<void> wait_an_hour(std::stop_token) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> throw_at_once(std::stop_token) {
  throw std::runtime_error("the loop broke");
  co_return;
}

TEST(TaskGroup, StartsTasksInTheOrderTheyWereAdded) {
  RunningIo io;
  Journal journal;
  TaskGroup group(io.io(), journal.observer());
  group.add_thread("first", until_stopped);
  group.add_loop("second", wait_an_hour);
  group.add_thread("third", until_stopped);
  group.add_loop("fourth", wait_an_hour);
  group.start();
  EXPECT_EQ(journal.lines_with("started"),
            (std::vector<std::string>{"first", "second", "third", "fourth"}));
  EXPECT_TRUE(group.stop(std::chrono::steady_clock::now() + 5s).empty());
}

TEST(TaskGroup, StopsTasksLastAddedFirstEachOnceTheOneAfterItHasEnded) {
  RunningIo io;
  Journal journal;
  TaskGroup group(io.io(), journal.observer());
  group.add_thread("first", until_stopped);
  group.add_loop("second", wait_an_hour);
  // Takes its time to wind down: if stop() did not wait for it, "second" would be told
  // stopped before it.
  group.add_thread("third", [](std::stop_token stop) {
    until_stopped(stop);
    std::this_thread::sleep_for(100ms);
  });
  group.start();
  EXPECT_TRUE(group.stop(std::chrono::steady_clock::now() + 5s).empty());
  EXPECT_EQ(journal.lines_with("stopped"), (std::vector<std::string>{"third", "second", "first"}));
  EXPECT_TRUE(journal.lines_with("failed").empty());
}

TEST(TaskGroup, AThreadThatThrowsIsReportedAsFailedWithItsReason) {
  RunningIo io;
  Journal journal;
  TaskGroup group(io.io(), journal.observer());
  group.add_thread("doomed", [](std::stop_token) { throw std::runtime_error("disk on fire"); });
  group.start();
  ASSERT_TRUE(journal.wait_for("doomed failed"));
  ASSERT_EQ(journal.details().size(), 1u);
  EXPECT_NE(journal.details()[0].find("disk on fire"), std::string::npos);
  EXPECT_TRUE(group.stop(std::chrono::steady_clock::now() + 5s).empty());
}

TEST(TaskGroup, ALoopThatThrowsIsReportedAsFailedWithItsReason) {
  RunningIo io;
  Journal journal;
  TaskGroup group(io.io(), journal.observer());
  group.add_loop("broken", throw_at_once);
  group.start();
  ASSERT_TRUE(journal.wait_for("broken failed"));
  EXPECT_NE(journal.details().at(0).find("the loop broke"), std::string::npos);
  EXPECT_TRUE(group.stop(std::chrono::steady_clock::now() + 5s).empty());
}

TEST(TaskGroup, ATaskThatEndsBeforeItIsAskedToIsAFailure) {
  RunningIo io;
  Journal journal;
  TaskGroup group(io.io(), journal.observer());
  group.add_thread("quitter", [](std::stop_token) {});
  group.start();
  ASSERT_TRUE(journal.wait_for("quitter failed"));
  EXPECT_NE(journal.details().at(0).find("before it was asked to stop"), std::string::npos);
  group.stop(std::chrono::steady_clock::now() + 5s);
}

TEST(TaskGroup, ALoopAwaitingATimerIsCancelledAndCountsAsStopped) {
  RunningIo io;
  Journal journal;
  TaskGroup group(io.io(), journal.observer());
  group.add_loop("sleeper", wait_an_hour);
  group.start();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(group.stop(started + 5s).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(journal.lines_with("stopped"), std::vector<std::string>{"sleeper"});
  EXPECT_TRUE(journal.lines_with("failed").empty());
}

TEST(TaskGroup, StopGivesUpOnATaskThatOutlivesTheDeadlineAndNamesIt) {
  RunningIo io;
  Journal journal;
  std::atomic<bool> released{false};  // before the group, whose destructor joins the thread
  TaskGroup group(io.io(), journal.observer());
  group.add_thread("stubborn", [&released](std::stop_token) {
    while (!released) std::this_thread::sleep_for(1ms);
  });
  group.add_thread("willing", until_stopped);
  group.start();
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(group.stop(started + 200ms), std::vector<std::string>{"stubborn"});
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 2s);
  EXPECT_EQ(journal.lines_with("stopped"), std::vector<std::string>{"willing"});
  released = true;  // the group's destructor joins it
}

}  // namespace
}  // namespace tb::app
