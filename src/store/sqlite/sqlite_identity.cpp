// SqliteStore: users, sessions, role permissions and the audit log.
#include <charconv>
#include <sstream>

#include "core/text.hpp"
#include "store/sqlite/audit_log.hpp"
#include "store/sqlite/columns.hpp"
#include "store/sqlite/event_log.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tb::store::sqlite {
namespace {

constexpr std::string_view kUserColumns = R"sql(
  u.id, u.telegram_id, u.username, u.first_name, u.last_name, u.language_code, u.role,
  u.available, u.created_at, u.last_seen_at,
  (SELECT group_concat(category_id) FROM user_categories c WHERE c.user_id = u.id))sql";

constexpr std::string_view kUpsertUser = R"sql(
  INSERT INTO users (telegram_id, username, first_name, last_name, language_code, role,
                     created_at, last_seen_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
  ON CONFLICT (telegram_id) DO UPDATE SET
    username = excluded.username, first_name = excluded.first_name,
    last_name = excluded.last_name, language_code = excluded.language_code,
    last_seen_at = excluded.last_seen_at)sql";

constexpr std::string_view kChangeRole = "UPDATE users SET role = ?1 WHERE id = ?2 AND role = ?3";

constexpr std::string_view kSelectAudit = R"sql(
  SELECT a.id, a.action, a.old_value, a.new_value, a.created_at,
         actor.id, actor.first_name, actor.username, actor.role,
         target.id, target.first_name, target.username, target.role
  FROM audit_log a
  JOIN users actor ON actor.id = a.actor_id
  LEFT JOIN users target ON target.id = a.target_id
  WHERE ?1 = 0 OR a.id < ?1
  ORDER BY a.id DESC
  LIMIT ?2)sql";

std::vector<std::int64_t> parse_id_list(const std::string& text) {
  std::vector<std::int64_t> ids;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) ids.push_back(std::stoll(item));
  return ids;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += ',';
    text += item;
  }
  return text;
}

User user_from_row(const Statement& row) {
  User user;
  user.id = row.column_int(0);
  user.telegram_id = row.column_int(1);
  user.username = row.column_optional_text(2);
  user.first_name = row.column_text(3);
  user.last_name = row.column_optional_text(4);
  user.language_code = row.column_optional_text(5);
  user.role = role_column(row, 6);
  user.available = row.column_int(7) != 0;
  user.created_at = timestamp_of(row.column_int(8));
  user.last_seen_at = timestamp_of(row.column_int(9));
  if (!row.column_is_null(10)) user.category_ids = parse_id_list(row.column_text(10));
  return user;
}

std::optional<User> select_one_user(Connection& connection, std::string_view where,
                                    std::int64_t value) {
  auto statement = connection.prepare("SELECT " + std::string(kUserColumns) +
                                      " FROM users u WHERE " + std::string(where));
  statement.bind(1, value);
  if (!statement.step()) return std::nullopt;
  return user_from_row(statement);
}

// LIKE with the caller's text taken literally.
std::string like_pattern(const std::string& text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

}  // namespace

User SqliteStore::upsert_telegram_user(const TelegramUser& profile, Role role_if_new,
                                       Timestamp now) {
  return write([&](Connection& connection) {
    auto statement = connection.prepare(kUpsertUser);
    statement.bind(1, profile.id)
        .bind(2, profile.username)
        .bind(3, std::string_view(profile.first_name))
        .bind(4, profile.last_name)
        .bind(5, profile.language_code)
        .bind(6, role_name(role_if_new))
        .bind(7, seconds_of(now))
        .step();
    return *select_one_user(connection, "u.telegram_id = ?1", profile.id);
  });
}

std::optional<User> SqliteStore::find_user(std::int64_t id) {
  return read([&](Connection& connection) { return select_one_user(connection, "u.id = ?1", id); });
}

std::optional<User> SqliteStore::find_user_by_telegram_id(std::int64_t telegram_id) {
  return read([&](Connection& connection) {
    return select_one_user(connection, "u.telegram_id = ?1", telegram_id);
  });
}

std::vector<User> SqliteStore::list_users(const UserQuery& query) {
  return read([&](Connection& connection) {
    // telegram_id 0 is the system author of auto-replies, not a person.
    std::string sql = "SELECT " + std::string(kUserColumns) +
                      " FROM users u WHERE u.id > ?1 AND u.telegram_id <> 0";
    if (query.role) sql += " AND u.role = ?2";
    if (!query.text.empty()) {
      // LIKE ignores case for ASCII only: both sides are case-folded (casefold() is core's
      // fold_case, registered on every connection), the pattern before it is escaped.
      sql += R"sql( AND (casefold(u.first_name) LIKE ?3 ESCAPE '\'
                   OR casefold(u.last_name) LIKE ?3 ESCAPE '\'
                   OR casefold(u.username) LIKE ?3 ESCAPE '\'
                   OR CAST(u.telegram_id AS TEXT) = ?4))sql";
    }
    sql += " ORDER BY u.id LIMIT ?5";
    auto statement = connection.prepare(sql);
    statement.bind(1, query.after_id);
    if (query.role) statement.bind(2, role_name(*query.role));
    if (!query.text.empty()) {
      statement.bind(3, like_pattern(fold_case(query.text))).bind(4, std::string_view(query.text));
    }
    statement.bind(5, static_cast<std::int64_t>(query.limit));
    std::vector<User> users;
    while (statement.step()) users.push_back(user_from_row(statement));
    return users;
  });
}

bool SqliteStore::change_role(const RoleChange& change) {
  return write([&](Connection& connection) {
    connection.prepare(kChangeRole)
        .bind(1, role_name(change.to))
        .bind(2, change.target_id)
        .bind(3, role_name(change.from))
        .step();
    if (connection.changes() == 0) return false;
    insert_audit(connection, change.actor_id, "role.changed", change.target_id,
                 role_name(change.from), role_name(change.to), change.at);
    append_identity_event(connection, EventKind::identity_changed, change.target_id, std::nullopt);
    return true;
  });
}

void SqliteStore::set_user_categories(std::int64_t user_id,
                                      const std::vector<std::int64_t>& category_ids) {
  write([&](Connection& connection) {
    connection.prepare("DELETE FROM user_categories WHERE user_id = ?1").bind(1, user_id).step();
    auto insert = connection.prepare(
        "INSERT OR IGNORE INTO user_categories (user_id, category_id) VALUES (?1, ?2)");
    for (const auto category_id : category_ids) {
      insert.bind(1, user_id).bind(2, category_id).step();
      insert.reset();
    }
    append_identity_event(connection, EventKind::identity_changed, user_id, std::nullopt);
  });
}

void SqliteStore::set_user_availability(std::int64_t user_id, bool available) {
  write([&](Connection& connection) {
    connection.prepare("UPDATE users SET available = ?1 WHERE id = ?2")
        .bind(1, static_cast<std::int64_t>(available))
        .bind(2, user_id)
        .step();
    append_identity_event(connection, EventKind::identity_changed, user_id, std::nullopt);
  });
}

std::vector<std::int64_t> SqliteStore::existing_categories(const std::vector<std::int64_t>& ids) {
  return read([&](Connection& connection) {
    std::vector<std::int64_t> found;
    auto statement = connection.prepare("SELECT 1 FROM categories WHERE id = ?1");
    for (const auto id : ids) {
      statement.bind(1, id);
      if (statement.step()) found.push_back(id);
      statement.reset();
    }
    return found;
  });
}

void SqliteStore::create_session(std::string_view token_hash, std::int64_t user_id, Timestamp now,
                                 Timestamp expires_at) {
  write([&](Connection& connection) {
    connection
        .prepare(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, "
            "?3, ?4)")
        .bind(1, token_hash)
        .bind(2, user_id)
        .bind(3, seconds_of(now))
        .bind(4, seconds_of(expires_at))
        .step();
    // Expired sessions are swept here, a little at a time, instead of by a timer.
    connection
        .prepare(
            "DELETE FROM sessions WHERE token_hash IN "
            "(SELECT token_hash FROM sessions WHERE expires_at < ?1 LIMIT 100)")
        .bind(1, seconds_of(now))
        .step();
  });
}

std::optional<Session> SqliteStore::find_session(std::string_view token_hash) {
  return read([&](Connection& connection) -> std::optional<Session> {
    auto statement =
        connection.prepare("SELECT user_id, expires_at FROM sessions WHERE token_hash = ?1");
    statement.bind(1, token_hash);
    if (!statement.step()) return std::nullopt;
    return Session{statement.column_int(0), timestamp_of(statement.column_int(1))};
  });
}

void SqliteStore::delete_session(std::string_view token_hash) {
  write([&](Connection& connection) {
    connection.prepare("DELETE FROM sessions WHERE token_hash = ?1").bind(1, token_hash).step();
    if (connection.changes() > 0)
      append_identity_event(connection, EventKind::session_ended, std::nullopt, token_hash);
  });
}

std::map<Role, std::vector<std::string>> SqliteStore::load_role_permissions() {
  return read([&](Connection& connection) {
    std::map<Role, std::vector<std::string>> table;
    auto statement = connection.prepare("SELECT role, permissions FROM role_permissions");
    while (statement.step()) {
      if (auto role = parse_role(statement.column_text(0))) {
        table[*role] = split_nonempty(statement.column_text(1), ',');
      }
    }
    return table;
  });
}

void SqliteStore::save_role_permissions(const PermissionChange& change) {
  write([&](Connection& connection) {
    connection
        .prepare(
            R"sql(INSERT INTO role_permissions (role, permissions, updated_at) VALUES (?1, ?2, ?3)
                       ON CONFLICT (role) DO UPDATE SET permissions = excluded.permissions,
                                                        updated_at = excluded.updated_at)sql")
        .bind(1, role_name(change.role))
        .bind(2, join(change.new_permissions))
        .bind(3, seconds_of(change.at))
        .step();
    insert_audit(connection, change.actor_id, "permissions.changed", std::nullopt,
                 std::string(role_name(change.role)) + ": " + join(change.old_permissions),
                 std::string(role_name(change.role)) + ": " + join(change.new_permissions),
                 change.at);
    append_identity_event(connection, EventKind::permissions_changed, std::nullopt, std::nullopt);
  });
}

void SqliteStore::append_audit(const AuditRecord& record) {
  write([&](Connection& connection) {
    insert_audit(connection, record.actor_id, record.action, record.target_user_id,
                 record.old_value, record.new_value, record.at);
  });
}

std::vector<AuditEntry> SqliteStore::list_audit(std::int64_t before_id, int limit) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(kSelectAudit);
    statement.bind(1, before_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<AuditEntry> entries;
    while (statement.step()) {
      AuditEntry entry;
      entry.id = statement.column_int(0);
      entry.action = statement.column_text(1);
      entry.old_value = statement.column_text(2);
      entry.new_value = statement.column_text(3);
      entry.created_at = timestamp_of(statement.column_int(4));
      entry.actor = user_ref(statement, 5);
      if (!statement.column_is_null(9)) {
        entry.target = user_ref(statement, 9);
      }
      entries.push_back(std::move(entry));
    }
    return entries;
  });
}

}  // namespace tb::store::sqlite
