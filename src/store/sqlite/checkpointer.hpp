#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// Copies the WAL back into the database file on a thread and connection of its own, when
// asked to. In WAL mode a checkpoint runs alongside the writer, so neither a COMMIT nor
// the batch after it waits for the bulk of the copy or for its fsyncs (docs/PERFORMANCE.md).
//
// The writer appends meanwhile, and the WAL only starts over from its beginning once all of
// it has been copied. The writer asks for a checkpoint in a pause of the writes too (see
// WriteQueue), so such a pause is enough for one here to copy the WAL whole, and the
// next write starts it over without anyone waiting. Under unbroken writes that never happens,
// and once the WAL is four intervals long the writer copies the rest itself between two
// batches, right after a checkpoint here (copy_rest): short, but the batches wait for its
// fsyncs (tens of ms on a busy disk), so it is the exception. (Holding the writer's mutex
// here instead starves this thread: the writer takes the mutex again at once after every
// batch.)
class Checkpointer {
 public:
  Checkpointer(const std::string& path, int busy_timeout_ms);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Never waits: a checkpoint already asked for or running absorbs the request.
  void request();
  // Called by the writer between batches, with `writer` its connection: once a bulk copy
  // has finished and the WAL is overdue, copies what was appended meanwhile.
  void copy_rest(Connection& writer);
  // Checkpoints completed so far, for tests.
  int completed();

 private:
  void run();
  static void checkpoint_on(Connection& connection);  // logs a failure, never throws

  Connection connection_;
  std::atomic<bool> bulk_copied_{false};
  std::mutex mutex_;
  std::condition_variable requested_cv_;
  bool requested_ = false;
  bool stopping_ = false;
  int completed_ = 0;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tb::store::sqlite
