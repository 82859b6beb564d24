#include "store/sqlite/write_queue.hpp"

#include <chrono>
#include <utility>

namespace tb::store::sqlite {
namespace {

// No write for this long is a pause, in which a checkpoint can copy the whole WAL.
constexpr auto kPauseInWrites = std::chrono::milliseconds(20);

}  // namespace

WriteQueue::WriteQueue(Connection& writer, std::mutex& writer_mutex, Checkpointer* checkpointer,
                       Work before_commit)
    : writer_(writer),
      writer_mutex_(writer_mutex),
      checkpointer_(checkpointer),
      before_commit_(std::move(before_commit)),
      thread_([this] { write_batches(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_arrived_.notify_one();
  thread_.join();
}

void WriteQueue::run(const std::function<void(Connection&)>& work) {
  Job job{&work, nullptr};
  std::shared_ptr<Batch> batch;
  {
    std::lock_guard lock(mutex_);
    batch = filling_;
    batch->jobs.push_back(&job);
    // A busy writer looks at the queue again before it sleeps: waking it would be wasted.
    if (writer_idle_) work_arrived_.notify_one();
  }
  batch->committed.wait(0, std::memory_order_acquire);
  if (job.error) std::rethrow_exception(job.error);
}

std::size_t WriteQueue::pending() {
  std::lock_guard lock(mutex_);
  return filling_->jobs.size();
}

void WriteQueue::write_batches() {
  std::unique_lock lock(mutex_);
  while (true) {
    writer_idle_ = true;
    const auto work_or_stop = [this] { return stopping_ || !filling_->jobs.empty(); };
    if (!work_arrived_.wait_for(lock, kPauseInWrites, work_or_stop)) {
      lock.unlock();
      checkpoint_if_due(/*paused=*/true);
      lock.lock();
      work_arrived_.wait(lock, work_or_stop);
    }
    writer_idle_ = false;
    if (filling_->jobs.empty()) return;  // stopping, and every write has been served
    const auto batch = std::exchange(filling_, std::make_shared<Batch>());
    lock.unlock();
    execute(batch->jobs);
    batch->committed.store(1, std::memory_order_release);
    batch->committed.notify_all();
    checkpoint_if_due(/*paused=*/false);
    lock.lock();
  }
}

void WriteQueue::execute(const std::vector<Job*>& jobs) {
  std::lock_guard writer_lock(writer_mutex_);
  try {
    writer_.prepare("BEGIN IMMEDIATE").step();
    for (Job* job : jobs) run_in_savepoint(*job);
    if (before_commit_) before_commit_(writer_);
    writer_.prepare("COMMIT").step();
  } catch (...) {
    // The transaction is lost (a failed commit, or an error SQLite answered with a rollback
    // of everything), and with it every write of the batch that had succeeded.
    const auto error = std::current_exception();
    if (writer_.in_transaction()) {
      try {
        writer_.execute("ROLLBACK");
      } catch (...) {  // the first error is the one worth reporting
      }
    }
    for (Job* job : jobs) {
      if (!job->error) job->error = error;
    }
  }
}

void WriteQueue::checkpoint_if_due(bool paused) {
  if (checkpointer_ == nullptr) return;
  std::lock_guard writer_lock(writer_mutex_);
  checkpointer_->copy_rest(writer_);
  if (!writer_.checkpoint_due(paused)) return;
  writer_.checkpoint_requested();
  checkpointer_->request();
}

void WriteQueue::run_in_savepoint(Job& job) {
  writer_.prepare("SAVEPOINT write").step();
  try {
    (*job.work)(writer_);
  } catch (...) {
    job.error = std::current_exception();
    if (!writer_.in_transaction()) throw;
    writer_.prepare("ROLLBACK TO write").step();
  }
  writer_.prepare("RELEASE write").step();
}

}  // namespace tb::store::sqlite
