// The audit log's one write, shared by every SqliteStore change that is audited (roles,
// permissions, canned replies): called inside the change's own write transaction, so an
// entry exists exactly when its change committed.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "store/sqlite/columns.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

inline void insert_audit(Connection& connection, std::int64_t actor_id, std::string_view action,
                         std::optional<std::int64_t> target_id, std::string_view old_value,
                         std::string_view new_value, Timestamp at) {
  auto statement = connection.prepare(R"sql(
    INSERT INTO audit_log (actor_id, action, target_id, old_value, new_value, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6))sql");
  statement.bind(1, actor_id).bind(2, action);
  if (target_id) {
    statement.bind(3, *target_id);
  } else {
    statement.bind_null(3);
  }
  statement.bind(4, old_value).bind(5, new_value).bind(6, seconds_of(at)).step();
}

}  // namespace tb::store::sqlite
