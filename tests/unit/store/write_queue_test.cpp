#include "store/sqlite/write_queue.hpp"

#include <filesystem>
#include <future>
#include <stdlib.h>
#include <thread>

#include <gtest/gtest.h>

namespace tb::store::sqlite {
namespace {

class WriteQueueTest : public ::testing::Test {
 protected:
  WriteQueueTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-queue-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    writer_ =
        std::make_unique<Connection>((directory_ / "q.db").string(), Access::read_write, 1000);
    writer_->execute("PRAGMA journal_mode = WAL");
    writer_->execute("CREATE TABLE items (name TEXT PRIMARY KEY)");
    queue_ = std::make_unique<WriteQueue>(*writer_, writer_mutex_);
  }
  ~WriteQueueTest() override {
    queue_.reset();
    writer_.reset();
    std::filesystem::remove_all(directory_);
  }

  static auto insert(std::string name, std::string_view conflict = "ABORT") {
    return [name, conflict](Connection& connection) {
      connection.prepare("INSERT OR " + std::string(conflict) + " INTO items VALUES (?1)")
          .bind(1, name)
          .step();
    };
  }

  // Runs `writes` in one batch: they queue up while the writer is held by a first write.
  std::vector<std::exception_ptr> run_as_one_batch(
      const std::vector<std::function<void(Connection&)>>& writes) {
    std::promise<void> started;
    std::promise<void> release;
    auto blocker = std::async(std::launch::async, [&] {
      queue_->run([&](Connection&) {
        started.set_value();
        release.get_future().wait();
      });
    });
    started.get_future().wait();
    std::vector<std::future<void>> results;
    for (const auto& write : writes) {
      results.push_back(std::async(std::launch::async, [&] { queue_->run(write); }));
    }
    while (queue_->pending() != writes.size()) std::this_thread::yield();
    release.set_value();
    blocker.get();
    std::vector<std::exception_ptr> errors;
    for (auto& result : results) {
      try {
        result.get();
        errors.push_back(nullptr);
      } catch (...) {
        errors.push_back(std::current_exception());
      }
    }
    return errors;
  }

  std::int64_t count() { return writer_->query_int("SELECT COUNT(*) FROM items").value_or(-1); }

  std::filesystem::path directory_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<WriteQueue> queue_;
};

TEST_F(WriteQueueTest, WritesThatArriveTogetherCommitTogetherAndAFailureStaysInItsSavepoint) {
  queue_->run(insert("taken"));
  const auto errors = run_as_one_batch({insert("a"), insert("taken"), insert("b")});
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_FALSE(errors[0]);
  EXPECT_TRUE(errors[1]);
  EXPECT_FALSE(errors[2]);
  EXPECT_EQ(count(), 3);
}

// A statement can make SQLite roll back the whole transaction (here INSERT OR ROLLBACK on a
// taken key). Then the writes before it in the batch are lost too, so they must fail rather
// than report success, and the queue must go on serving later writes.
TEST_F(WriteQueueTest, ATransactionLostMidBatchFailsEveryWriteOfTheBatch) {
  queue_->run(insert("taken"));
  const auto errors =
      run_as_one_batch({insert("a"), insert("taken", "ROLLBACK"), insert("b"), insert("c")});
  for (const auto& error : errors) EXPECT_TRUE(error);
  EXPECT_EQ(count(), 1);
  queue_->run(insert("after"));
  EXPECT_EQ(count(), 2);
}

TEST_F(WriteQueueTest, AWriteThatThrowsGetsItsOwnErrorBack) {
  struct Refused : std::exception {};
  EXPECT_THROW(queue_->run([](Connection& connection) {
    connection.execute("INSERT INTO items VALUES ('half')");
    throw Refused();
  }),
               Refused);
  EXPECT_EQ(count(), 0);
}

// SQLite's own checkpoints are off once they are deferred: the queue must ask the
// checkpointer for them, or the WAL grows with every write.
TEST_F(WriteQueueTest, DeferredCheckpointsRunOnTheCheckpointerAndKeepTheWalBounded) {
  queue_.reset();
  Checkpointer checkpointer((directory_ / "q.db").string(), 1000);
  writer_->defer_checkpoints(20);
  queue_ = std::make_unique<WriteQueue>(*writer_, writer_mutex_, &checkpointer);
  const std::string filler(2000, 'x');
  for (int i = 0; i < 1500; ++i) queue_->run(insert(std::to_string(i) + filler));
  EXPECT_EQ(count(), 1500);
  EXPECT_GT(checkpointer.completed(), 5);
  // Unbounded, the WAL would hold every page written: over 1,500. The writer copies the rest
  // at four intervals after a checkpoint alongside, or at eight whatever; a slow disk (a
  // checkpoint alongside still running) can add some.
  const auto wal_bytes = std::filesystem::file_size(directory_ / "q.db-wal");
  EXPECT_LT(wal_bytes, 500u * 4096u) << "1,500 writes of 2 KB each, checkpoints every 20 pages";
  queue_.reset();
}

// Under a stream of writes the writer copies the rest of the WAL itself only once it is
// overdue; a pause in the writes is enough for the checkpointer to copy it whole, and the
// next write then starts it over from its beginning.
TEST_F(WriteQueueTest, APauseInTheWritesLetsTheWalStartOverWithoutTheWriterCopying) {
  queue_.reset();
  Checkpointer checkpointer((directory_ / "q.db").string(), 1000);
  writer_->defer_checkpoints(20);
  queue_ = std::make_unique<WriteQueue>(*writer_, writer_mutex_, &checkpointer);
  const std::string filler(2000, 'x');
  // Few enough that the WAL stays under four intervals even if the checkpointer, on a busy
  // machine, has not run at all yet (a commit of one row writes up to four pages).
  for (int i = 0; i < 10; ++i) queue_->run(insert(std::to_string(i) + filler));
  ASSERT_FALSE(writer_->wal_overdue(4)) << "10 writes of 2 KB: under four intervals of 20 pages";

  // A few writes after pauses; only then a look (its own checkpoint must not be what helps).
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    queue_->run(insert("after pause " + std::to_string(i)));
  }
  const auto frames_in_wal = [&] {
    Connection probe((directory_ / "q.db").string(), Access::read_write, 1000);
    auto statement = probe.prepare("PRAGMA wal_checkpoint(PASSIVE)");  // busy, log, checkpointed
    return statement.step() ? statement.column_int(1) : -1;
  };
  EXPECT_LT(frames_in_wal(), 10) << "the WAL started over: only the last writes are in it";
  queue_.reset();
}

}  // namespace
}  // namespace tb::store::sqlite
