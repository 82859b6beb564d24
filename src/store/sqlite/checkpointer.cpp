#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "store/store.hpp"

namespace tb::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, int busy_timeout_ms, std::mutex& writer_mutex)
    : connection_(path, Access::read_write, busy_timeout_ms),
      writer_mutex_(writer_mutex),
      thread_([this] { run(); }) {
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
    checkpoint();
    lock.lock();
    ++completed_;
  }
}

void Checkpointer::checkpoint() {
  try {
    connection_.checkpoint();  // the bulk of the copy, and its fsyncs, alongside the writer
    // The writer appended meanwhile, and the WAL only starts over from its beginning once
    // all of it is copied: the rest, short, is copied with the writer held.
    std::lock_guard writer_lock(writer_mutex_);
    connection_.checkpoint();
  } catch (const StoreError& error) {
    // Nothing is lost: the data is in the WAL, and the next request copies it.
    spdlog::warn("sqlite checkpoint failed: {}", error.what());
  }
}

}  // namespace tb::store::sqlite
