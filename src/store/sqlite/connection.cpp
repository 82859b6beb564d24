#include "store/sqlite/connection.hpp"

#include <new>

#include <sqlite3.h>

#include "core/text.hpp"
#include "store/store.hpp"

namespace tb::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  if (db && (sqlite3_extended_errcode(db) & 0xff) == SQLITE_FULL) {
    throw StorageFull(std::string(what) + ": " + sqlite3_errmsg(db));
  }
  throw StoreError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

namespace {

sqlite3_stmt* prepare_statement(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    fail(db, "prepare");
  }
  return stmt;
}

// Enough for every query shape the store builds; past it, statements are simply not cached.
constexpr std::size_t kMostCachedStatements = 256;

// SQL's casefold(text): core's fold_case, so that queries ignore case beyond ASCII (SQLite's
// own LIKE, lower() and NOCASE know ASCII only). NULL stays NULL.
void casefold_function(sqlite3_context* context, int, sqlite3_value** arguments) {
  if (sqlite3_value_type(arguments[0]) == SQLITE_NULL) return sqlite3_result_null(context);
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(arguments[0]));
  if (!text) return sqlite3_result_error_nomem(context);
  const auto size = static_cast<std::size_t>(sqlite3_value_bytes(arguments[0]));
  // No exception may cross SQLite's C frames: each becomes the statement's error.
  try {
    const std::string folded = fold_case(std::string_view(text, size));
    sqlite3_result_text64(context, folded.data(), folded.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  } catch (const std::exception& error) {
    sqlite3_result_error(context, error.what(), -1);
  }
}

}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use)
    : db_(db), stmt_(stmt), in_use_(in_use) {
  *in_use_ = true;
}

Statement::Statement(sqlite3* db, std::string_view sql)
    : db_(db), stmt_(prepare_statement(db, sql)) {}

Statement::~Statement() {
  if (!in_use_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(db_, "bind");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

int Statement::parameter(const char* name) const {
  return sqlite3_bind_parameter_index(stmt_, name);
}

bool Statement::step() {
  switch (sqlite3_step(stmt_)) {
    case SQLITE_ROW: return true;
    case SQLITE_DONE: return false;
    default: {
      const int code = sqlite3_extended_errcode(db_);
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        throw UniqueViolation(std::string("step: ") + sqlite3_errmsg(db_));
      }
      fail(db_, "step");
    }
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
              : std::string();
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

Connection::Connection(const std::string& path, Access access, int busy_timeout_ms) {
  // Memory statistics take a process-wide mutex on every allocation inside SQLite; nothing
  // here reads them. This must precede the first connection, hence the function static.
  [[maybe_unused]] static const int no_memory_statistics =
      sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  const int flags = (access == Access::read_only ? SQLITE_OPEN_READONLY
                                                 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreConfigError("cannot open sqlite database " + path + ": " + reason);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  execute("PRAGMA foreign_keys = ON");
  if (sqlite3_create_function_v2(db_, "casefold", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                 casefold_function, nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(db_, "register casefold()");
  }
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(std::string_view sql) {
  auto found = cache_.find(std::string(sql));
  if (found == cache_.end()) {
    if (cache_.size() >= kMostCachedStatements) return Statement(db_, sql);
    found =
        cache_.emplace(std::string(sql), CachedStatement{prepare_statement(db_, sql), false}).first;
  }
  // The same query nested inside itself gets a statement of its own.
  if (found->second.in_use) return Statement(db_, sql);
  return Statement(db_, found->second.stmt, &found->second.in_use);
}

bool Connection::read_only() const {
  return sqlite3_db_readonly(db_, "main") == 1;
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

void Connection::execute(std::string_view sql) {
  // sqlite3_exec needs a terminated string; statements are short and rare here.
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string reason = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_FULL)
      throw StorageFull("execute: " + reason);
    throw StoreError("execute: " + reason);
  }
}

std::optional<std::int64_t> Connection::query_int(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement.step() || statement.column_is_null(0)) return std::nullopt;
  return statement.column_int(0);
}

void Connection::defer_checkpoints(int wal_pages) {
  checkpoint_every_ = wal_pages;
  sqlite3_wal_hook(db_, &Connection::on_wal_commit, this);  // replaces the automatic one
}

int Connection::on_wal_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto& connection = *static_cast<Connection*>(self);
  // A smaller WAL than last seen means it was started over from its beginning.
  if (wal_pages < connection.wal_pages_) connection.requested_at_pages_ = 0;
  connection.wal_pages_ = wal_pages;
  return SQLITE_OK;
}

bool Connection::checkpoint_due(bool paused) const {
  return checkpoint_every_ > 0 &&
         wal_pages_ - requested_at_pages_ >= (paused ? 1 : checkpoint_every_);
}

void Connection::checkpoint_requested() {
  requested_at_pages_ = wal_pages_;
}

bool Connection::wal_overdue(int intervals) const {
  return checkpoint_every_ > 0 && wal_pages_ >= intervals * checkpoint_every_;
}

void Connection::checkpoint() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // BUSY: another process is checkpointing; what it leaves is copied next time.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) fail(db_, "checkpoint");
}

std::int64_t Connection::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

int Connection::changes() const {
  return sqlite3_changes(db_);
}

ReaderPool::ReaderPool(const std::string& path, int size, int busy_timeout_ms) {
  for (int i = 0; i < size; ++i) {
    idle_.push_back(std::make_unique<Connection>(path, Access::read_only, busy_timeout_ms));
  }
}

ReaderPool::Lease ReaderPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(connection));
}

void ReaderPool::release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

}  // namespace tb::store::sqlite
