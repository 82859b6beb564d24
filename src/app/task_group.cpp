#include "app/task_group.hpp"

#include <optional>
#include <pthread.h>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <spdlog/spdlog.h>

namespace tb::app {

namespace asio = boost::asio;

struct TaskGroup::Task {
  enum class Kind { thread, loop };

  std::string name;
  Kind kind = Kind::thread;
  ThreadBody thread_body;
  LoopBody loop_body;
  std::stop_source stop;
  std::thread thread;                                                   // Kind::thread
  std::optional<asio::strand<asio::io_context::executor_type>> strand;  // Kind::loop
  asio::cancellation_signal cancel;                                     // Kind::loop, on the strand
  bool began = false;  // guarded by TaskGroup::mutex_, like `ended`
  bool ended = false;
};

TaskGroup::TaskGroup(asio::io_context& io, Observer observer)
    : io_(io), observer_(std::move(observer)) {}

TaskGroup::~TaskGroup() {
  for (auto& task : tasks_) task->stop.request_stop();
  for (auto& task : tasks_) {
    if (task->thread.joinable()) task->thread.join();
  }
}

void TaskGroup::add_thread(std::string name, ThreadBody body) {
  auto task = std::make_unique<Task>();
  task->name = std::move(name);
  task->kind = Task::Kind::thread;
  task->thread_body = std::move(body);
  tasks_.push_back(std::move(task));
}

void TaskGroup::add_loop(std::string name, LoopBody body) {
  auto task = std::make_unique<Task>();
  task->name = std::move(name);
  task->kind = Task::Kind::loop;
  task->loop_body = std::move(body);
  tasks_.push_back(std::move(task));
}

void TaskGroup::start() {
  started_ = true;
  for (auto& task : tasks_) {
    if (task->kind == Task::Kind::thread) {
      start_thread(*task);
    } else {
      start_loop(*task);
    }
    // One at a time: a task may count on those added before it being under way.
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return task->began; });
  }
}

void TaskGroup::start_thread(Task& task) {
  task.thread = std::thread([this, &task] {
    // Linux keeps 15 characters of a thread name: enough to tell the tasks apart in top.
    pthread_setname_np(pthread_self(), task.name.substr(0, 15).c_str());
    notify(task, TaskState::started);
    {
      std::lock_guard lock(mutex_);
      task.began = true;
      changed_.notify_all();
    }
    std::exception_ptr failure;
    try {
      task.thread_body(task.stop.get_token());
    } catch (...) {
      failure = std::current_exception();
    }
    finished(task, failure);
  });
}

asio::awaitable<void> TaskGroup::run_loop(TaskGroup* group, Task* task) {
  group->notify(*task, TaskState::started);
  {
    std::lock_guard lock(group->mutex_);
    task->began = true;
    group->changed_.notify_all();
  }
  co_await task->loop_body(task->stop.get_token());
}

void TaskGroup::start_loop(Task& task) {
  task.strand.emplace(asio::make_strand(io_));
  asio::co_spawn(
      *task.strand, run_loop(this, &task),
      asio::bind_cancellation_slot(task.cancel.slot(), [this, &task](std::exception_ptr failure) {
        // co_spawn leaves its handler in the slot, pointing into the coroutine's state, which
        // is freed once this returns: a stop asked for after a loop ended by itself would
        // emit into freed memory (AddressSanitizer caught it). Runs on the loop's strand, as
        // the emit does.
        task.cancel.slot().clear();
        finished(task, failure);
      }));
}

void TaskGroup::finished(Task& task, std::exception_ptr failure) {
  const bool asked = task.stop.stop_requested();
  std::string detail;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const boost::system::system_error& error) {
      // What cancelling an awaited operation looks like from inside the loop.
      if (asked && error.code() == asio::error::operation_aborted) {
        failure = nullptr;
      } else {
        detail = error.what();
      }
    } catch (const std::exception& error) {
      detail = error.what();
    } catch (...) {
      detail = "an exception that is not a std::exception";
    }
  } else if (!asked) {
    detail = "ended before it was asked to stop";
  }
  notify(task, detail.empty() ? TaskState::stopped : TaskState::failed, detail);
  // Notified under the lock: once stop() sees `ended` the group may be destroyed.
  std::lock_guard lock(mutex_);
  task.ended = true;
  changed_.notify_all();
}

void TaskGroup::notify(const Task& task, TaskState state, const std::string& detail) {
  switch (state) {
    case TaskState::started: spdlog::info("task {} started", task.name); break;
    case TaskState::stopped: spdlog::info("task {} stopped", task.name); break;
    case TaskState::failed: spdlog::error("task {} failed: {}", task.name, detail); break;
  }
  if (observer_) observer_(task.name, state, detail);
}

void TaskGroup::ask_to_stop(Task& task) {
  task.stop.request_stop();
  if (task.kind == Task::Kind::loop) {
    // A cancellation signal is not thread-safe: it is emitted on the loop's own strand.
    asio::post(*task.strand, [&task] { task.cancel.emit(asio::cancellation_type::terminal); });
  }
}

std::vector<std::string> TaskGroup::stop(std::chrono::steady_clock::time_point deadline) {
  std::vector<std::string> late;
  for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) {
    Task& task = **it;
    {
      std::lock_guard lock(mutex_);
      if (!task.began) continue;
    }
    ask_to_stop(task);
    std::unique_lock lock(mutex_);
    if (!changed_.wait_until(lock, deadline, [&] { return task.ended; })) {
      late.push_back(task.name);
      continue;
    }
    lock.unlock();
    if (task.thread.joinable()) task.thread.join();
  }
  return late;
}

}  // namespace tb::app
