// The background loops of the process (maintenance, the event follower, later the poller,
// the notifier, the Redis bridge), each a named task in one group. The group starts them in
// the order they were added and stops them in reverse order within a deadline, so a loop
// that feeds another outlives it. It owns no threads of the io_context: app::Runtime runs
// those. It must not swallow a failure: a task that throws, or ends before it was asked to
// stop, is reported to the observer (the runtime ends the process with an error).
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace tb::app {

enum class TaskState {
  started,  // about to run its body; the next task starts only after this
  stopped,  // its body returned (or was cancelled) after being asked to stop
  failed,   // its body threw, or returned before being asked to stop
};

class TaskGroup {
 public:
  // A loop that blocks (database work, a blocking client): runs on a thread of its own and
  // returns soon after `stop` is requested.
  using ThreadBody = std::function<void(std::stop_token stop)>;
  // A loop on the io_context (on a strand of its own). Stopping requests `stop` and cancels
  // (terminal) whatever it is awaiting; the operation_aborted error that results counts as a
  // clean stop. Return a named coroutine here, not a capturing coroutine lambda (g++ 12).
  using LoopBody = std::function<boost::asio::awaitable<void>(std::stop_token stop)>;
  // Told of every change of state, from the thread the change happens on; with `failed`,
  // `detail` says why. Must not block.
  using Observer =
      std::function<void(const std::string& name, TaskState state, const std::string& detail)>;

  // Loop tasks run on `io`, whose threads someone else runs (and must keep running until
  // stop() has returned).
  explicit TaskGroup(boost::asio::io_context& io, Observer observer = {});
  // Asks every task still running to stop and joins the threads; loop tasks must have ended
  // by then or their io_context must no longer run.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Registration; only before start().
  void add_thread(std::string name, ThreadBody body);
  void add_loop(std::string name, LoopBody body);

  // Starts every task in registration order, each once the one before has begun.
  void start();

  // Asks the tasks to stop, last added first, waiting for each to end before asking the
  // next, all by `deadline`. Returns the names of those that had not ended by then (empty
  // when all stopped). Call it once, from a thread that is not one of the tasks.
  std::vector<std::string> stop(std::chrono::steady_clock::time_point deadline);

  struct Task;

 private:
  void start_thread(Task& task);
  void start_loop(Task& task);
  void finished(Task& task, std::exception_ptr failure);
  void notify(const Task& task, TaskState state, const std::string& detail = {});
  void ask_to_stop(Task& task);

  // A named coroutine taking its state by pointer, not a capturing lambda (g++ 12).
  static boost::asio::awaitable<void> run_loop(TaskGroup* group, Task* task);

  boost::asio::io_context& io_;
  Observer observer_;
  std::mutex mutex_;  // guards the tasks' `began` and `ended`
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Task>> tasks_;
  bool started_ = false;
};

}  // namespace tb::app
