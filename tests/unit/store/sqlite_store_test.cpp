#include "store/sqlite/sqlite_store.hpp"

#include <filesystem>
#include <stdlib.h>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace tb::store::sqlite {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-store-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    path_ = (directory_ / "test.db").string();
  }
  ~SqliteStoreTest() override { std::filesystem::remove_all(directory_); }

  std::string scalar(const std::string& sql) {
    Connection connection(path_, Access::read_only, 1000);
    auto statement = connection.prepare(sql);
    return statement.step() ? statement.column_text(0) : "(no row)";
  }

  std::filesystem::path directory_;
  std::string path_;
};

constexpr Migration kTwoSteps[] = {
    {1, "0001_first", "CREATE TABLE first (id INTEGER PRIMARY KEY)"},
    {2, "0002_second", "CREATE TABLE second (id INTEGER PRIMARY KEY)"},
};

TEST_F(SqliteStoreTest, FreshDatabaseMigratesToTheLatestVersion) {
  SqliteStore store(path_, {}, kTwoSteps);
  EXPECT_EQ(store.schema_version(), 0);
  const auto report = store.migrate();
  EXPECT_EQ(report.version_before, 0);
  EXPECT_EQ(report.version_after, 2);
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0001_first", "0002_second"}));
  EXPECT_EQ(store.schema_version(), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('first', 'second')"), "2");
}

TEST_F(SqliteStoreTest, MigratingTwiceAppliesNothingTheSecondTime) {
  SqliteStore(path_, {}, kTwoSteps).migrate();
  SqliteStore again(path_, {}, kTwoSteps);
  EXPECT_TRUE(again.migrate().applied.empty());
  EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "2");
}

TEST_F(SqliteStoreTest, OnlyMissingStepsAreAppliedAfterAnUpgrade) {
  SqliteStore(path_, {}, std::span(kTwoSteps).first(1)).migrate();
  const auto report = SqliteStore(path_, {}, kTwoSteps).migrate();
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0002_second"}));
}

TEST_F(SqliteStoreTest, DatabaseNewerThanTheBinaryIsRefused) {
  SqliteStore(path_, {}, kTwoSteps).migrate();
  try {
    SqliteStore older(path_, {}, std::span(kTwoSteps).first(1));
    FAIL() << "expected StoreConfigError";
  } catch (const StoreConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("schema version 2, newer than this binary knows (1)"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(SqliteStoreTest, FailingMigrationRollsBackAndKeepsTheOldVersion) {
  constexpr Migration kBroken[] = {
      {1, "0001_first", "CREATE TABLE first (id INTEGER PRIMARY KEY)"},
      {2, "0002_broken", "CREATE TABLE half (id INTEGER); THIS IS NOT SQL"},
  };
  SqliteStore store(path_, {}, kBroken);
  EXPECT_THROW(store.migrate(), StoreError);
  EXPECT_EQ(store.schema_version(), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half'"), "0");
}

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  SqliteStore store(path_, {}, kTwoSteps);
  EXPECT_EQ(scalar("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, UnreachablePathIsAConfigurationError) {
  EXPECT_THROW(SqliteStore("/nonexistent/deeper/x.db", {}, kTwoSteps), StoreConfigError);
}

TEST_F(SqliteStoreTest, ReadersWorkFromManyThreadsAtOnce) {
  SqliteStore store(path_, StoreOptions{.reader_connections = 2}, kTwoSteps);
  store.migrate();
  std::vector<std::thread> threads;
  std::atomic<int> pings{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        store.ping();
        ++pings;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(pings.load(), 1600);
}

TEST(OpenStore, RecognisesUrlSchemes) {
  EXPECT_THROW(open_store("mysql://x", {}), StoreConfigError);
  EXPECT_THROW(open_store("sqlite:", {}), StoreConfigError);
  EXPECT_THROW(open_store("postgresql://localhost/x", {}), StoreConfigError);
}

TEST(EmbeddedMigrations, AreNumberedFromOneWithoutGaps) {
  int expected = 1;
  for (const auto& migration : sqlite_migrations()) {
    EXPECT_EQ(migration.version, expected++);
    EXPECT_FALSE(migration.sql.empty());
  }
  EXPECT_GT(expected, 1);
}

}  // namespace
}  // namespace tb::store::sqlite

namespace tb::store::sqlite {
namespace {

// Writes from many threads are committed in shared batches; each still lands exactly once,
// and one that fails rolls back alone without taking its batch-mates with it.
TEST_F(SqliteStoreTest, ConcurrentWritesAllLandAndAFailingOneRollsBackAlone) {
  SqliteStore store(path_, {}, sqlite_migrations());
  store.migrate();
  std::atomic<int> duplicates_refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Category category;
        category.name = "c-" + std::to_string(t) + "-" + std::to_string(i);
        store.save_category(category);
        Category duplicate;
        duplicate.name = "shared";
        try {
          store.save_category(duplicate);
        } catch (const UniqueViolation&) {
          ++duplicates_refused;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store.list_categories().size(), 8u * 50u + 1u);
  EXPECT_EQ(duplicates_refused.load(), 8 * 50 - 1);
}

// The key that makes a message post idempotent is unique per ticket and author: a second
// insert under it is refused as a UniqueViolation and leaves the ticket as it was.
TEST_F(SqliteStoreTest, AMessageClientIdIsUniquePerTicketAndAuthor) {
  SqliteStore store(path_, {}, sqlite_migrations());
  store.migrate();
  const auto now = Timestamp{std::chrono::seconds(1'800'000'000)};
  const auto person = [&](std::int64_t telegram_id) {
    TelegramUser profile;
    profile.id = telegram_id;
    profile.first_name = "P";
    return store.upsert_telegram_user(profile, Role::user, now);
  };
  const auto author = person(11).id;
  const auto other_author = person(12).id;
  const auto ticket = [&] {
    NewTicket fields;
    fields.subject = "s";
    fields.body = "b";
    fields.creator_id = author;
    fields.now = now;
    return store.create_ticket(fields, [](auto) { return std::nullopt; }).id;
  };
  const auto first_ticket = ticket();
  const auto second_ticket = ticket();
  const auto message = [&](std::int64_t ticket_id, std::int64_t author_id,
                           std::optional<std::string> client_id) {
    return NewMessage{.ticket_id = ticket_id,
                      .author_id = author_id,
                      .body = "hello",
                      .now = now + std::chrono::seconds(60),
                      .client_id = std::move(client_id)};
  };

  const auto original = store.add_message(message(first_ticket, author, "k"));
  EXPECT_THROW(store.add_message(message(first_ticket, author, "k")), UniqueViolation);
  const auto after = store.find_ticket(first_ticket);
  EXPECT_EQ(after->messages_count, 2) << "the refused insert changed nothing";
  EXPECT_EQ(store.list_messages(first_ticket, 0, 10, true).size(), 2u);

  EXPECT_EQ(store.find_message_by_client_id(first_ticket, author, "k")->id, original.id);
  EXPECT_FALSE(store.find_message_by_client_id(first_ticket, other_author, "k"));
  EXPECT_FALSE(store.find_message_by_client_id(second_ticket, author, "k"));
  EXPECT_FALSE(store.find_message_by_client_id(first_ticket, author, "K"));

  EXPECT_NO_THROW(store.add_message(message(first_ticket, other_author, "k")));
  EXPECT_NO_THROW(store.add_message(message(second_ticket, author, "k")));
  EXPECT_NO_THROW(store.add_message(message(first_ticket, author, std::nullopt)));
  EXPECT_NO_THROW(store.add_message(message(first_ticket, author, std::nullopt)));
  EXPECT_EQ(store.list_messages(first_ticket, 0, 10, true).size(), 5u);
  EXPECT_EQ(scalar("SELECT count(*) FROM messages WHERE client_id IS NULL"), "4");
}

// A look-up by key reads the unique index, not every message of the ticket.
TEST_F(SqliteStoreTest, MessageLookUpByClientIdUsesItsIndex) {
  SqliteStore(path_, {}, sqlite_migrations()).migrate();
  Connection connection(path_, Access::read_only, 1000);
  auto statement = connection.prepare(
      "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE ticket_id = 1 AND author_id = 2 "
      "AND client_id = 'k'");
  std::string details;
  while (statement.step()) details += statement.column_text(3) + "\n";
  EXPECT_NE(details.find("messages_by_client_id"), std::string::npos) << details;
}

}  // namespace
}  // namespace tb::store::sqlite
