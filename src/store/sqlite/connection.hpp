// A thin RAII layer over the SQLite C API: a connection, prepared statements, and the
// pool of connections a SqliteStore hands out. SQLite-specific; lives only in store/sqlite.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace tb::store::sqlite {

// A prepared statement. Those handed out by Connection::prepare are usually borrowed from
// the connection's cache: on destruction they are reset for the next use, not finalized.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use);  // borrowed from a cache
  Statement(sqlite3* db, std::string_view sql);              // owned
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
  }
  Statement& bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // The index of a named parameter (":name"), 0 when the statement has none by that name.
  int parameter(const char* name) const;

  // Advances to the next row; false when done. Throws StoreError on failure
  // (UniqueViolation for a taken unique key).
  bool step();
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;
  std::optional<std::string> column_optional_text(int index) const {
    if (column_is_null(index)) return std::nullopt;
    return column_text(index);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // the cache slot's flag; null when this statement owns stmt_
};

enum class Access { read_write, read_only };

class Connection {
 public:
  // Throws StoreConfigError when the file cannot be opened.
  Connection(const std::string& path, Access access, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows.
  void execute(std::string_view sql);
  // Prepares `sql` once per connection and hands out the cached statement afterwards:
  // parsing and planning a query often costs more than running it.
  Statement prepare(std::string_view sql);
  std::optional<std::int64_t> query_int(std::string_view sql);
  // False once a transaction has ended, including when SQLite rolled it back on an error.
  bool in_transaction() const;
  // True when SQLite could open the file only for reading (sqlite3_db_readonly).
  bool read_only() const;
  std::int64_t last_insert_id() const;
  int changes() const;

  // Stops SQLite from checkpointing inside a COMMIT (the committing caller would wait for
  // it). Instead, checkpoint_due() says when `wal_pages` pages were added to the WAL since
  // the last checkpoint_requested(), and the owner has one run elsewhere (Checkpointer).
  void defer_checkpoints(int wal_pages);
  // In a pause of the writes any page not yet asked for is enough: a checkpoint alongside
  // then copies the whole WAL, and the next write starts it over.
  bool checkpoint_due(bool paused = false) const;
  void checkpoint_requested();
  // Whether the WAL holds `intervals` checkpoint intervals or more: so long that the writer
  // should copy the rest itself (under unbroken writes a checkpoint alongside never catches up).
  bool wal_overdue(int intervals) const;

  // A PASSIVE checkpoint: copies what no reader still needs, never waits for anyone.
  void checkpoint();

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int wal_pages);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, CachedStatement> cache_;
  int checkpoint_every_ = 0;    // WAL pages; 0 while SQLite checkpoints by itself
  int wal_pages_ = 0;           // in the WAL after the last commit
  int requested_at_pages_ = 0;  // the WAL's size when a checkpoint was last asked for
};

// Several read-only connections handed out one caller at a time. WAL lets them read while
// the single writer commits.
class ReaderPool {
 public:
  ReaderPool(const std::string& path, int size, int busy_timeout_ms);

  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->release(std::move(connection_));
    }
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  Lease acquire();

 private:
  void release(std::unique_ptr<Connection> connection);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace tb::store::sqlite
