#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "store/store.hpp"

namespace tb::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, int busy_timeout_ms)
    : connection_(path, Access::read_write, busy_timeout_ms), thread_([this] { run(); }) {
  // A connection learns that the file is in WAL mode when it first reads it; until then a
  // checkpoint does nothing.
  connection_.execute("PRAGMA journal_mode = WAL");
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  requested_cv_.notify_one();
  thread_.join();
}

void Checkpointer::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  requested_cv_.notify_one();
}

int Checkpointer::completed() {
  std::lock_guard lock(mutex_);
  return completed_;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    requested_cv_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    checkpoint_on(connection_);
    bulk_copied_.store(true, std::memory_order_release);
    lock.lock();
    ++completed_;
  }
}

void Checkpointer::copy_rest(Connection& writer) {
  // Right after a bulk copy, when the rest is short; without one only when far overdue (a
  // hard bound on the WAL, whatever the disk's speed).
  const bool fresh = bulk_copied_.exchange(false, std::memory_order_acq_rel);
  if ((fresh && writer.wal_overdue(4)) || writer.wal_overdue(8)) checkpoint_on(writer);
}

void Checkpointer::checkpoint_on(Connection& connection) {
  try {
    connection.checkpoint();
  } catch (const StoreError& error) {
    // Nothing is lost: the data is committed, in the WAL, and a later checkpoint copies it.
    spdlog::warn("sqlite checkpoint failed: {}", error.what());
  }
}

}  // namespace tb::store::sqlite
