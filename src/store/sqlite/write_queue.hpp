#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// Group commit for the single writer connection. A writer thread of its own takes every
// write that is waiting and runs them together: one transaction, each write in a savepoint
// of its own (so one failing write rolls back alone), one commit for all. A commit's fixed
// cost (WAL frames of shared pages, locking) is paid once per batch, not per write.
//
// The callers of a batch sleep on that batch, so its commit wakes exactly them (with one
// system call), and the writer goes straight on to the next batch without waiting for
// anyone to wake up.
class WriteQueue {
 public:
  // With a checkpointer, the writer must defer its checkpoints (defer_checkpoints): the
  // queue asks the checkpointer for them when they are due. `before_commit` runs in each
  // batch's transaction after its writes (a failure fails the batch).
  using Work = std::function<void(Connection&)>;
  WriteQueue(Connection& writer, std::mutex& writer_mutex, Checkpointer* checkpointer = nullptr,
             Work before_commit = {});
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Runs `work` on the writer connection and returns once its batch has committed.
  // Rethrows what `work` threw (after rolling back its savepoint) or a failed commit.
  void run(const std::function<void(Connection&)>& work);

  // Writes waiting for the next batch.
  std::size_t pending();

 private:
  struct Job {
    const std::function<void(Connection&)>* work;
    std::exception_ptr error;  // set by the writer before the batch is marked committed
  };
  // Shared by the writer and the batch's callers, so that it outlives whoever looks last.
  struct Batch {
    std::vector<Job*> jobs;
    std::atomic<std::int32_t> committed{0};
  };

  void write_batches();
  void execute(const std::vector<Job*>& jobs);
  void run_in_savepoint(Job& job);
  // `paused`: no write came for a while, a moment for the checkpointer to copy the WAL whole.
  void checkpoint_if_due(bool paused);

  Connection& writer_;
  std::mutex& writer_mutex_;  // also held by migrations, which run outside the queue
  Checkpointer* checkpointer_;
  Work before_commit_;
  std::mutex mutex_;
  std::condition_variable work_arrived_;
  std::shared_ptr<Batch> filling_ = std::make_shared<Batch>();
  bool writer_idle_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tb::store::sqlite
