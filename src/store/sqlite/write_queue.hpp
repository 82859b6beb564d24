#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// Group commit for the single writer connection. Writes that arrive while another batch is
// being committed wait and then go together: one transaction, each write in a savepoint of
// its own (so one failing write rolls back alone), one commit for all. The thread that finds
// the writer idle runs the batch; the others sleep until their write is done. A commit's
// fixed cost (WAL frames of shared pages, locking) is paid once per batch, not per write.
class WriteQueue {
 public:
  WriteQueue(Connection& writer, std::mutex& writer_mutex)
      : writer_(writer), writer_mutex_(writer_mutex) {}

  // Runs `work` on the writer connection and returns once its batch has committed.
  // Rethrows what `work` threw (after rolling back its savepoint) or a failed commit.
  void run(const std::function<void(Connection&)>& work);

 private:
  struct Job {
    const std::function<void(Connection&)>* work;
    std::exception_ptr error;
    bool done = false;
  };

  void execute(const std::vector<Job*>& batch);

  Connection& writer_;
  std::mutex& writer_mutex_;  // also held by migrations, which run outside the queue
  std::mutex mutex_;
  std::condition_variable finished_;
  std::vector<Job*> waiting_;
  bool writing_ = false;
};

}  // namespace tb::store::sqlite
