#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

// Copies the WAL back into the database file on a thread and connection of its own, when
// asked to. In WAL mode a checkpoint runs alongside the writer, so neither a COMMIT nor
// the batch after it waits for the copy or for its two fsyncs (docs/PERFORMANCE.md).
class Checkpointer {
 public:
  // `writer_mutex` is held by whoever writes (WriteQueue, migrations).
  Checkpointer(const std::string& path, int busy_timeout_ms, std::mutex& writer_mutex);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Never waits: a checkpoint already asked for or running absorbs the request.
  void request();
  // Checkpoints completed so far, for tests.
  int completed();

 private:
  void run();
  void checkpoint();

  Connection connection_;
  std::mutex& writer_mutex_;
  std::mutex mutex_;
  std::condition_variable requested_cv_;
  bool requested_ = false;
  bool stopping_ = false;
  int completed_ = 0;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tb::store::sqlite
