#include "store/sqlite/sqlite_store.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/sqlite/full_text.hpp"

namespace tb::store::sqlite {
namespace {

constexpr std::string_view kCreateMigrationsTable = R"sql(
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
  ) STRICT)sql";

constexpr std::string_view kSelectSchemaVersion =
    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

constexpr std::string_view kInsertMigration =
    "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)";

constexpr int kCheckpointEveryPages = 4000;

int latest_version(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

// Creates the directory that will hold the database file, but only one level deep: a
// mistyped absolute path should fail loudly rather than grow a tree of directories.
void ensure_parent_directory(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty() || std::filesystem::exists(parent)) return;
  std::error_code error;
  std::filesystem::create_directory(parent, error);
  if (error) {
    throw StoreConfigError("cannot create directory " + parent.string() + ": " + error.message());
  }
}

// The tables our migrations create (any version); a database holding tables but none of
// these belongs to another application.
constexpr std::string_view kCountOurTables = R"sql(
  SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN
    ('schema_migrations', 'settings', 'users', 'sessions', 'tickets', 'messages'))sql";

constexpr std::string_view kCountTables =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";

}  // namespace

void SqliteStore::check_usable(const std::string& path) {
  // Permission bits do not stop root, and a read-only mount or an immutable file stops
  // everyone: SQLite then opens the file read-only without an error, and every write would
  // fail later. Ask SQLite what it got instead of looking at the bits.
  if (writer_->read_only()) {
    throw StoreConfigError("database file " + path +
                           " is read-only for this process (permissions, a read-only mount or "
                           "an immutable file); it must be writable");
  }
  try {
    if (writer_->query_int(kCountTables).value_or(0) > 0 &&
        writer_->query_int(kCountOurTables).value_or(0) == 0) {
      throw StoreConfigError("database file " + path +
                             " holds another application's tables and none of ticketbot's; "
                             "refusing to write into it (point DATABASE_URL at a new file)");
    }
  } catch (const StoreConfigError&) {
    throw;
  } catch (const StoreError& error) {
    throw StoreConfigError("cannot use sqlite database " + path + ": " + error.what());
  }
}

SqliteStore::SqliteStore(const std::string& path, const StoreOptions& options,
                         std::span<const Migration> migrations)
    : path_(path), migrations_(migrations) {
  ensure_parent_directory(path);
  writer_ = std::make_unique<Connection>(path, Access::read_write, options.busy_timeout_ms);
  check_usable(path);
  try {
    // WAL lets readers proceed while the writer commits; NORMAL sync is durable across
    // process crashes in WAL mode (not power loss), the usual trade for a helpdesk.
    writer_->execute("PRAGMA journal_mode = WAL");
    writer_->execute("PRAGMA synchronous = NORMAL");
    // Checkpoints run on a thread of their own (Checkpointer), every 4,000 WAL pages rather
    // than SQLite's 1,000: a checkpoint copies each page once however often it changed
    // since the last one, and the pages of a busy helpdesk (index ends, FTS segments, load
    // counters) change constantly.
    writer_->defer_checkpoints(kCheckpointEveryPages);
    writer_->execute("PRAGMA journal_size_limit = 67108864");
    writer_->execute("PRAGMA temp_store = MEMORY");  // savepoint journals, with every batch
    writer_->execute(kCreateMigrationsTable);
  } catch (const StoreError& error) {
    throw StoreConfigError("cannot use sqlite database " + path + ": " + error.what());
  }
  const int version = read_schema_version(*writer_);
  if (version > latest_version(migrations_)) {
    throw StoreConfigError("database " + path + " has schema version " + std::to_string(version) +
                           ", newer than this binary knows (" +
                           std::to_string(latest_version(migrations_)) +
                           "); run a newer ticketbot");
  }
  readers_ =
      std::make_unique<ReaderPool>(path, options.reader_connections, options.busy_timeout_ms);
  checkpointer_ = std::make_unique<Checkpointer>(path, options.busy_timeout_ms);
  write_queue_ =
      std::make_unique<WriteQueue>(*writer_, writer_mutex_, checkpointer_.get(), index_new_rows);
}

void SqliteStore::run_write(const std::function<void(Connection&)>& work) {
  try {
    write_queue_->run(work);
    // After the commit, never before: a read that sees the old count may see newer rows,
    // but one that sees the new count always sees them.
    committed_writes_.fetch_add(1, std::memory_order_release);
    {
      std::lock_guard lock(writes_mutex_);  // so that a waiter cannot miss the change
    }
    writes_moved_.notify_all();
  } catch (const StorageFull& error) {
    if (!storage_full_.exchange(true))
      spdlog::error("database: the disk is full: {}", error.what());
    throw Error(ErrorCode::insufficient_storage,
                "the server's storage is full; nothing was saved, try again later");
  }
  if (storage_full_.exchange(false)) spdlog::info("database: writes succeed again");
}

void SqliteStore::in_one_transaction(const std::function<void()>& work) {
  if (in_own_transaction()) return work();
  run_write([&](Connection&) {
    transaction_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    try {
      work();
    } catch (...) {
      transaction_thread_.store({}, std::memory_order_relaxed);
      throw;
    }
    transaction_thread_.store({}, std::memory_order_relaxed);
  });
}

std::optional<std::string> SqliteStore::get_setting(std::string_view key) {
  return read([&](Connection& connection) -> std::optional<std::string> {
    auto statement = connection.prepare("SELECT value FROM settings WHERE key = ?1");
    statement.bind(1, key);
    if (!statement.step()) return std::nullopt;
    return statement.column_text(0);
  });
}

void SqliteStore::set_setting(std::string_view key, std::string_view value) {
  write([&](Connection& connection) {
    connection
        .prepare(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET "
            "value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")
        .bind(1, key)
        .bind(2, value)
        .step();
  });
}

std::optional<Ticket> SqliteStore::find_ticket_by_client_id(std::int64_t creator_id,
                                                            std::string_view client_id) {
  const auto id = read([&](Connection& connection) -> std::optional<std::int64_t> {
    auto statement =
        connection.prepare("SELECT id FROM tickets WHERE creator_id = ?1 AND client_id = ?2");
    statement.bind(1, creator_id).bind(2, client_id);
    if (!statement.step()) return std::nullopt;
    return statement.column_int(0);
  });
  return id ? find_ticket(*id) : std::nullopt;
}

int SqliteStore::read_schema_version(Connection& connection) {
  return static_cast<int>(connection.query_int(kSelectSchemaVersion).value_or(0));
}

void SqliteStore::ping() {
  auto reader = readers_->acquire();
  if (reader->query_int("SELECT 1") != 1) throw StoreError("ping: unexpected answer");
}

int SqliteStore::schema_version() {
  auto reader = readers_->acquire();
  return read_schema_version(*reader);
}

int SqliteStore::latest_known_version() const {
  return latest_version(migrations_);
}

MigrationReport SqliteStore::migrate() {
  std::lock_guard lock(writer_mutex_);
  MigrationReport report;
  report.latest_known = latest_version(migrations_);
  report.version_before = read_schema_version(*writer_);
  for (const auto& migration : migrations_) {
    // IMMEDIATE takes the write lock first, so two processes migrating at once apply each
    // step once: the second re-reads the version inside its own transaction.
    writer_->execute("BEGIN IMMEDIATE");
    try {
      if (read_schema_version(*writer_) >= migration.version) {
        writer_->execute("COMMIT");
        continue;
      }
      writer_->execute(migration.sql);
      writer_->prepare(kInsertMigration).bind(1, migration.version).bind(2, migration.name).step();
      writer_->execute("COMMIT");
    } catch (const StoreError& error) {
      writer_->execute("ROLLBACK");
      throw StoreError("migration " + std::string(migration.name) + " failed: " + error.what());
    }
    report.applied.emplace_back(migration.name);
  }
  report.version_after = read_schema_version(*writer_);
  return report;
}

}  // namespace tb::store::sqlite
