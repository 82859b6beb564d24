// The one owner of the process's threads: the shared io_context and its thread, the
// connection threads (an io_context each, so a connection's work never changes thread), the
// worker pools that blocking request handlers run on, the SIGINT/SIGTERM handler and the
// group of background tasks. Modules get these lent to them (http::Server serves on the
// io_contexts and the pools; loops are tasks in the group); none of them starts a thread of
// its own for the life of the process or handles a signal. It does not decide the order of
// the shutdown: run_server spells that out, step by step, using what this offers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/task_group.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace tb::app {

struct RuntimeOptions {
  int connection_threads = 1;  // each runs an io_context of its own that serves connections
  int read_workers = 4;        // request handlers that read (GET, HEAD)
  int write_workers = 32;      // request handlers that change data: they mostly wait on a commit
};

// Why the process is stopping: the first of these wins.
struct StopReason {
  enum class Cause { signal, task_failed, requested };
  Cause cause = Cause::requested;
  int signal = 0;      // with Cause::signal
  std::string detail;  // with Cause::task_failed: which task and why
};

class Runtime {
 public:
  // Creates the io_context and the pools and takes over SIGINT and SIGTERM at once, so a
  // signal that comes during start-up is held until start() and then begins the shutdown.
  explicit Runtime(RuntimeOptions options);
  // Stops whatever still runs (see stop()).
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // The shared io_context (one thread): signals, timers, loops of the task group, accepting.
  boost::asio::io_context& io();
  // One io_context per connection thread.
  std::vector<boost::asio::io_context*> connection_contexts();
  boost::asio::thread_pool& read_workers();
  boost::asio::thread_pool& write_workers();
  // Add the background loops here before start().
  TaskGroup& tasks();

  // Runs the io and connection threads, listens for signals, then starts the tasks in registration
  // order.
  void start();

  // Blocks until a stop is asked for: the first SIGINT or SIGTERM, a task failing, or
  // request_stop. From then on a further signal ends the process at once (exit 128 +
  // signal), for when the graceful shutdown is stuck.
  StopReason wait_for_stop();

  // Thread-safe. Ignored once a stop has been asked for.
  void request_stop(StopReason reason);

  // 0 after a clean run, 1 when any task failed (even while stopping).
  int exit_code() const;

  // Ends the io threads and the pools and joins them; idempotent. Every connection and
  // task must have ended first. Signals are not handled after this.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb::app
