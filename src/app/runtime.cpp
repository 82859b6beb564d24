#include "app/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

namespace tb::app {

namespace asio = boost::asio;

struct Runtime::Impl {
  explicit Impl(RuntimeOptions runtime_options)
      : options(runtime_options),
        io(1),
        work(io.get_executor()),
        reads(static_cast<std::size_t>(std::max(1, options.read_workers))),
        writes(static_cast<std::size_t>(std::max(1, options.write_workers))),
        signals(io, SIGINT, SIGTERM),
        tasks(io, [this](const std::string& name, TaskState state, const std::string& detail) {
          if (state != TaskState::failed) return;
          task_failed = true;
          request_stop(StopReason{StopReason::Cause::task_failed, 0, name + ": " + detail});
        }) {}

  void wait_for_signals();
  bool request_stop(StopReason reason);  // false when a stop was asked for already

  RuntimeOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;  // io runs until stop()
  // One thread each: concurrency hint 1 lets asio leave out its locking.
  std::vector<std::unique_ptr<asio::io_context>> connections;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> connections_work;
  asio::thread_pool reads;
  asio::thread_pool writes;
  asio::signal_set signals;
  TaskGroup tasks;                      // after io: destroyed before it
  std::vector<std::thread> io_threads;  // io's, then one per connection context
  std::atomic<bool> task_failed{false};
  std::mutex mutex;  // guards `reason`
  std::condition_variable stop_asked;
  std::optional<StopReason> reason;
  bool stopped = false;
};

bool Runtime::Impl::request_stop(StopReason stop_reason) {
  std::lock_guard lock(mutex);
  if (reason) return false;
  reason = std::move(stop_reason);
  stop_asked.notify_all();
  return true;
}

void Runtime::Impl::wait_for_signals() {
  signals.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (!request_stop(StopReason{StopReason::Cause::signal, signal, {}})) {
      spdlog::warn("received signal {} again: exiting at once", signal);
      spdlog::default_logger()->flush();
      std::_Exit(128 + signal);
    }
    spdlog::info("received signal {}", signal);
    wait_for_signals();
  });
}

Runtime::Runtime(RuntimeOptions options) : impl_(std::make_unique<Impl>(options)) {
  for (int i = 0; i < std::max(1, options.connection_threads); ++i) {
    impl_->connections.push_back(std::make_unique<asio::io_context>(1));
    impl_->connections_work.emplace_back(impl_->connections.back()->get_executor());
  }
}

Runtime::~Runtime() {
  stop();
}

asio::io_context& Runtime::io() {
  return impl_->io;
}

std::vector<asio::io_context*> Runtime::connection_contexts() {
  std::vector<asio::io_context*> contexts;
  for (auto& context : impl_->connections) contexts.push_back(context.get());
  return contexts;
}

asio::thread_pool& Runtime::read_workers() {
  return impl_->reads;
}

asio::thread_pool& Runtime::write_workers() {
  return impl_->writes;
}

TaskGroup& Runtime::tasks() {
  return impl_->tasks;
}

void Runtime::start() {
  Impl* runtime = impl_.get();
  runtime->io_threads.emplace_back([runtime] { runtime->io.run(); });
  for (auto& context : runtime->connections) {
    runtime->io_threads.emplace_back([context = context.get()] { context->run(); });
  }
  runtime->wait_for_signals();
  spdlog::info("runtime: {} connection threads, {} read and {} write workers",
               runtime->connections.size(), std::max(1, runtime->options.read_workers),
               std::max(1, runtime->options.write_workers));
  runtime->tasks.start();
}

StopReason Runtime::wait_for_stop() {
  std::unique_lock lock(impl_->mutex);
  impl_->stop_asked.wait(lock, [this] { return impl_->reason.has_value(); });
  return *impl_->reason;
}

void Runtime::request_stop(StopReason reason) {
  impl_->request_stop(std::move(reason));
}

int Runtime::exit_code() const {
  return impl_->task_failed ? 1 : 0;
}

void Runtime::stop() {
  Impl* runtime = impl_.get();
  if (runtime->stopped) return;
  runtime->stopped = true;
  runtime->work.reset();
  runtime->io.stop();
  for (auto& work : runtime->connections_work) work.reset();
  for (auto& context : runtime->connections) context->stop();
  for (auto& thread : runtime->io_threads) thread.join();
  runtime->reads.join();
  runtime->writes.join();
}

}  // namespace tb::app
