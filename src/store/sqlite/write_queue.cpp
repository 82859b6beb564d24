#include "store/sqlite/write_queue.hpp"

namespace tb::store::sqlite {

void WriteQueue::run(const std::function<void(Connection&)>& work) {
  Job job{&work, nullptr, false};
  std::unique_lock lock(mutex_);
  waiting_.push_back(&job);
  while (!job.done) {
    if (writing_) {
      finished_.wait(lock);
      continue;
    }
    writing_ = true;
    std::vector<Job*> batch;
    batch.swap(waiting_);
    lock.unlock();
    execute(batch);
    lock.lock();
    writing_ = false;
    for (Job* done : batch) done->done = true;
    finished_.notify_all();
  }
  if (job.error) std::rethrow_exception(job.error);
}

void WriteQueue::execute(const std::vector<Job*>& batch) {
  std::lock_guard writer_lock(writer_mutex_);
  try {
    writer_.execute("BEGIN IMMEDIATE");
  } catch (...) {
    for (Job* job : batch) job->error = std::current_exception();
    return;
  }
  for (Job* job : batch) {
    writer_.execute("SAVEPOINT write");
    try {
      (*job->work)(writer_);
      writer_.execute("RELEASE write");
    } catch (...) {
      job->error = std::current_exception();
      writer_.execute("ROLLBACK TO write");
      writer_.execute("RELEASE write");
    }
  }
  try {
    writer_.execute("COMMIT");
  } catch (...) {
    const auto error = std::current_exception();
    try {
      writer_.execute("ROLLBACK");
    } catch (...) {  // the commit's error is the one worth reporting
    }
    for (Job* job : batch) {
      if (!job->error) job->error = error;
    }
  }
}

}  // namespace tb::store::sqlite
