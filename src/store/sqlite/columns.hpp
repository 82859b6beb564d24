// Reading our column conventions back out of SQLite rows: times as Unix seconds, NULL as
// nothing, a person as (id, first_name, username, role) — shared by the SqliteStore files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/user.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

inline std::int64_t seconds_of(Timestamp time) {
  return time.time_since_epoch().count();
}
inline Timestamp timestamp_of(std::int64_t seconds) {
  return Timestamp{std::chrono::seconds(seconds)};
}

inline std::optional<Timestamp> optional_time(const Statement& row, int index) {
  if (row.column_is_null(index)) return std::nullopt;
  return timestamp_of(row.column_int(index));
}

inline std::optional<std::int64_t> optional_int(const Statement& row, int index) {
  if (row.column_is_null(index)) return std::nullopt;
  return row.column_int(index);
}

inline Role role_column(const Statement& row, int index) {
  return parse_role(row.column_text(index)).value_or(Role::user);
}

// Four columns from `first`: id, first_name, username, role.
inline UserRef user_ref(const Statement& row, int first) {
  return UserRef{row.column_int(first), row.column_text(first + 1),
                 row.column_optional_text(first + 2), role_column(row, first + 3)};
}

// The non-empty pieces of a list stored as text (permission names, keywords).
inline std::vector<std::string> split_nonempty(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, separator)) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

}  // namespace tb::store::sqlite
