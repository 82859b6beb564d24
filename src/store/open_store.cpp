#include "store/migration.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace tb::store {

std::unique_ptr<Store> open_store(const std::string& database_url, const StoreOptions& options) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (database_url.starts_with(kSqlite)) {
    std::string path = database_url.substr(kSqlite.size());
    // Accept the URL spelling sqlite:///abs/path as well as sqlite:relative/path.
    if (path.starts_with("//")) path.erase(0, 2);
    if (path.empty()) throw StoreConfigError("sqlite URL has no file path");
    return std::make_unique<sqlite::SqliteStore>(path, options, sqlite_migrations());
  }
  if (database_url.starts_with("postgresql://") || database_url.starts_with("postgres://")) {
    throw StoreConfigError("PostgreSQL is not supported by this build yet; use sqlite:PATH");
  }
  throw StoreConfigError("unknown database URL scheme (expected sqlite:PATH)");
}

}  // namespace tb::store
