#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/migration.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace tb::store::sqlite {

// The embedded backend: one writer connection (SQLite allows one writer at a time, so
// writes are serialized here rather than by lock contention inside SQLite) and a pool of
// read-only connections, all on one WAL database file.
class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path` and checks that its schema is not
  // newer than `migrations`. Throws StoreConfigError otherwise.
  SqliteStore(const std::string& path, const StoreOptions& options,
              std::span<const Migration> migrations);

  void ping() override;
  int schema_version() override;
  int latest_known_version() const override;
  MigrationReport migrate() override;
  std::string backend_name() const override { return "sqlite"; }

 private:
  int read_schema_version(Connection& connection);

  std::string path_;
  std::span<const Migration> migrations_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::unique_ptr<ReaderPool> readers_;
};

}  // namespace tb::store::sqlite
