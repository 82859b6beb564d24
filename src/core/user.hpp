// The people of the system: users with their role, the categories staff handle, and the
// audit trail of changes to roles and permissions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/role.hpp"

namespace tb {

struct User {
  std::int64_t id = 0;
  std::int64_t telegram_id = 0;
  std::optional<std::string> username;
  std::string first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> language_code;
  Role role = Role::user;
  std::vector<std::int64_t> category_ids;
  bool available = true;
  Timestamp created_at{};
  Timestamp last_seen_at{};
};

// What other objects show of a person (API.md UserRef).
struct UserRef {
  std::int64_t id = 0;
  std::string first_name;
  std::optional<std::string> username;
  Role role = Role::user;
};

inline UserRef ref_of(const User& user) {
  return UserRef{user.id, user.first_name, user.username, user.role};
}

struct AuditEntry {
  std::int64_t id = 0;
  UserRef actor;
  std::string action;  // "role.changed", "permissions.changed"
  std::optional<UserRef> target;
  std::string old_value;
  std::string new_value;
  Timestamp created_at{};
};

// ISO-8601 UTC with a Z, as in every JSON timestamp: "2026-11-25T14:50:00Z" (years 0000 to
// 9999; the store never holds others).
std::string format_timestamp(Timestamp time);
// The same, appended: the hot path of every ticket list writes several per row.
void append_timestamp(std::string& out, Timestamp time);

}  // namespace tb
