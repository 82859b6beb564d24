#pragma once

#include <span>
#include <string_view>

namespace tb::store {

// One numbered schema change, embedded in the binary from migrations/<dialect>/NNNN_name.sql.
struct Migration {
  int version;
  std::string_view name;  // "0001_settings"
  std::string_view sql;
};

// Generated at build time from migrations/sqlite/*.sql, ordered by version.
std::span<const Migration> sqlite_migrations();

}  // namespace tb::store
