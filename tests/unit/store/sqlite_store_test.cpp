#include "store/sqlite/sqlite_store.hpp"

#include <filesystem>
#include <stdexcept>
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

  // A customer in `store`, and a ticket of theirs with `subject` (its first message: "first
  // <subject>"), for tests of what writes leave in the database.
  static constexpr Timestamp kNow{std::chrono::seconds(1'800'000'000)};
  static std::int64_t customer(SqliteStore& store) {
    TelegramUser profile;
    profile.id = 11;
    profile.first_name = "P";
    return store.upsert_telegram_user(profile, Role::user, kNow).id;
  }
  static std::int64_t ticket(SqliteStore& store, std::int64_t creator_id,
                             const std::string& subject) {
    NewTicket fields;
    fields.subject = subject;
    fields.body = "first " + subject;
    fields.creator_id = creator_id;
    fields.now = kNow;
    return store.create_ticket(fields, [](auto) { return std::nullopt; }).id;
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

// The Store semantics once tested here (concurrent writes in shared batches, message client ids)
// moved to the store contract suite (store_contract_test.cpp); what stays is how SQLite keeps them.

// Rows the reader cannot use (a kind a newer binary wrote) are skipped without counting
// against the limit: a run of them longer than a batch must not hide the events after it.
TEST_F(SqliteStoreTest, EventsOfUnknownKindsDoNotHideTheOnesAfterThem) {
  SqliteStore store(path_, {}, sqlite_migrations());
  store.migrate();
  {
    Connection raw(path_, Access::read_write, 1000);
    raw.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
        "INSERT INTO events (kind, created_at) SELECT 'kind.from.the.future', 0 FROM n");
  }
  const auto system = store.find_user_by_telegram_id(0);  // any existing actor will do
  ASSERT_TRUE(system);
  store.save_role_permissions(PermissionChange{Role::helper, {}, {}, system->id, Timestamp{}});
  const auto events = store.read_events(0, 256);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::permissions_changed);
  EXPECT_EQ(events[0].position, 301);
}

// No key is stored as NULL, never as an empty key: the unique index skips NULLs, so any number
// of messages without a key can share a ticket and author.
TEST_F(SqliteStoreTest, MessagesWithoutAClientIdStoreNull) {
  SqliteStore store(path_, {}, sqlite_migrations());
  store.migrate();
  const auto author = customer(store);
  const auto ticket_id = ticket(store, author, "s");
  const auto message = [&](std::optional<std::string> client_id) {
    return NewMessage{.ticket_id = ticket_id,
                      .author_id = author,
                      .body = "hello",
                      .now = kNow,
                      .client_id = std::move(client_id)};
  };
  store.add_message(message("k"));
  store.add_message(message(std::nullopt));
  store.add_message(message(std::nullopt));
  // The ticket's first message and the two without a key.
  EXPECT_EQ(scalar("SELECT count(*) FROM messages WHERE client_id IS NULL"), "3");
  EXPECT_EQ(scalar("SELECT count(*) FROM messages WHERE client_id = ''"), "0");
}

// The full-text indexes, filled once per commit (migration 0010), hold exactly the tables'
// rows: FTS5's own check compares an external-content index with its table, and fails on an
// entry added twice or taken out without having been put in.
TEST_F(SqliteStoreTest, FullTextIndexesMatchTheirTablesWhateverTheCommitsHeld) {
  SqliteStore store(path_, {}, sqlite_migrations());
  store.migrate();
  const auto author = customer(store);
  const auto now = kNow;
  const auto create = [&](const std::string& subject) { return ticket(store, author, subject); };
  const auto early = create("early bird");
  store.in_one_transaction([&] {  // renamed before it was ever indexed
    const auto id = create("draft title");
    store.update_ticket(id, {.subject = "final title", .now = now});
  });
  store.update_ticket(early, {.subject = "early riser", .now = now});  // renamed once indexed
  EXPECT_THROW(store.in_one_transaction([&] {  // rolled back: nothing of it indexed
    create("ghost ticket");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  {
    std::vector<std::jthread> writers;
    for (int i = 0; i < 8; ++i)
      writers.emplace_back([&, i] { create("parallel " + std::to_string(i)); });
  }

  Connection check(path_, Access::read_write, 1000);
  EXPECT_NO_THROW(
      check.execute("INSERT INTO tickets_fts (tickets_fts) VALUES ('integrity-check')"));
  EXPECT_NO_THROW(
      check.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')"));
  EXPECT_EQ(scalar("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'title'"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'draft OR bird'"),
            "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'riser'"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'ghost'"), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'parallel'"), "8");
  EXPECT_EQ(scalar("SELECT indexed_through = (SELECT max(id) FROM tickets) "
                   "FROM search_index_progress WHERE name = 'tickets'"),
            "1");
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

// find_ticket keeps what it read until the next committed write, and never keeps what it read
// inside a transaction of the store's own, which may not be committed.
TEST_F(SqliteStoreTest, AFoundTicketIsKeptOnlyUntilTheNextWrite) {
  SqliteStore store(path_, {}, sqlite_migrations());
  store.migrate();
  const auto id = ticket(store, customer(store), "Before");
  EXPECT_EQ(store.find_ticket(id)->subject, "Before");
  // Changed behind the store's back: the kept copy is what it gives, since no write of its own
  // moved the count. (The only way to show that the second read was not a read.)
  {
    Connection outside(path_, Access::read_write, 1000);
    outside.execute("UPDATE tickets SET subject = 'Behind its back' WHERE id = " +
                    std::to_string(id));
  }
  EXPECT_EQ(store.find_ticket(id)->subject, "Before");

  TicketChanges changes;
  changes.subject = "After";
  changes.now = kNow;
  ASSERT_TRUE(store.update_ticket(id, changes));
  EXPECT_EQ(store.find_ticket(id)->subject, "After");

  // Read inside a transaction that then fails: what it saw is not kept.
  EXPECT_THROW(store.in_one_transaction([&] {
    TicketChanges inside;
    inside.subject = "Never committed";
    inside.now = kNow;
    store.update_ticket(id, inside);
    EXPECT_EQ(store.find_ticket(id)->subject, "Never committed");
    throw std::runtime_error("rolled back");
  }),
               std::runtime_error);
  EXPECT_EQ(store.find_ticket(id)->subject, "After");
}

Ticket ticket_numbered(std::int64_t id) {
  Ticket ticket;
  ticket.id = id;
  ticket.subject = "ticket " + std::to_string(id);
  return ticket;
}

TEST(KeptTickets, GivesATicketOnlyAtTheWriteCountItWasReadAt) {
  KeptTickets kept(2);
  const auto ticket = ticket_numbered(7);
  kept.put(3, ticket);
  EXPECT_EQ(kept.find(7, 3)->subject, "ticket 7");
  EXPECT_FALSE(kept.find(7, 4));  // a write since
  EXPECT_FALSE(kept.find(8, 3));
  kept.put(2, ticket_numbered(8));  // read before a write the kept ones saw
  EXPECT_FALSE(kept.find(8, 3));
  kept.put(3, ticket_numbered(9));
  kept.put(3, ticket_numbered(10));  // full: starts afresh
  EXPECT_FALSE(kept.find(7, 3));
  EXPECT_TRUE(kept.find(10, 3));
  KeptTickets none(0);
  none.put(1, ticket);
  EXPECT_FALSE(none.find(7, 1));
}

}  // namespace
}  // namespace tb::store::sqlite
