// tb::store — persistence. The Store interface is what services see; each backend lives in
// its own folder (sqlite/ now, postgres/ later) and keeps its SQL dialect there. Nothing
// here knows about HTTP or Telegram.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/telegram_auth.hpp"
#include "core/user.hpp"

namespace tb::store {

// A database failure. The message is for logs (it may hold SQL or paths); callers
// that face a client must not show it.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database cannot be used with this binary or these settings (unreachable path,
// schema newer than the binary, unknown scheme): startup stops with this message.
class StoreConfigError : public StoreError {
 public:
  using StoreError::StoreError;
};

struct MigrationReport {
  int version_before = 0;
  int version_after = 0;
  int latest_known = 0;
  std::vector<std::string> applied;  // "0001_settings", in order
};

// Users in id order, after `after_id`, at most `limit`.
struct UserQuery {
  std::optional<Role> role;
  std::string text;  // matches names, username, or the Telegram id exactly
  std::int64_t after_id = 0;
  int limit = 50;
};

struct Session {
  std::int64_t user_id = 0;
  Timestamp expires_at{};
};

// A user's role moves from `from` to `to`; the write fails (returns false) when the role is
// no longer `from`, so two concurrent changes cannot both apply.
struct RoleChange {
  std::int64_t target_id = 0;
  Role from = Role::user;
  Role to = Role::user;
  std::int64_t actor_id = 0;
  Timestamp at{};
};

struct PermissionChange {
  Role role = Role::user;
  std::vector<std::string> old_permissions;
  std::vector<std::string> new_permissions;
  std::int64_t actor_id = 0;
  Timestamp at{};
};

class Store {
 public:
  virtual ~Store() = default;

  // Throws StoreError when the database does not answer a trivial query.
  virtual void ping() = 0;

  // The highest migration applied to the database.
  virtual int schema_version() = 0;

  // The highest migration embedded in this binary.
  virtual int latest_known_version() const = 0;

  // Applies every embedded migration the database lacks, each in its own transaction.
  virtual MigrationReport migrate() = 0;

  virtual std::string backend_name() const = 0;

  // --- users
  // Creates the user on first sight with `role_if_new`, or refreshes name, username,
  // language and last_seen_at; returns the stored user.
  virtual User upsert_telegram_user(const TelegramUser& profile, Role role_if_new,
                                    Timestamp now) = 0;
  virtual std::optional<User> find_user(std::int64_t id) = 0;
  virtual std::optional<User> find_user_by_telegram_id(std::int64_t telegram_id) = 0;
  virtual std::vector<User> list_users(const UserQuery& query) = 0;
  // Applies the change and writes its audit entry in one transaction.
  virtual bool change_role(const RoleChange& change) = 0;
  virtual void set_user_categories(std::int64_t user_id,
                                   const std::vector<std::int64_t>& category_ids) = 0;
  virtual void set_user_availability(std::int64_t user_id, bool available) = 0;
  // The ids among `ids` that name existing categories.
  virtual std::vector<std::int64_t> existing_categories(const std::vector<std::int64_t>& ids) = 0;

  // --- sessions (keyed by the token's hash)
  virtual void create_session(std::string_view token_hash, std::int64_t user_id, Timestamp now,
                              Timestamp expires_at) = 0;
  virtual std::optional<Session> find_session(std::string_view token_hash) = 0;
  virtual void delete_session(std::string_view token_hash) = 0;

  // --- role permissions: the roles a developer changed, as permission names
  virtual std::map<Role, std::vector<std::string>> load_role_permissions() = 0;
  // Stores the new set and writes its audit entry in one transaction.
  virtual void save_role_permissions(const PermissionChange& change) = 0;

  // --- audit log, newest first, before `before_id` (0: from the newest)
  virtual std::vector<AuditEntry> list_audit(std::int64_t before_id, int limit) = 0;
};

struct StoreOptions {
  int reader_connections = 4;
  int busy_timeout_ms = 5000;
};

// Opens the store that `database_url` names (`sqlite:path`). Throws StoreConfigError when the
// URL or the database is unusable, naming what is wrong in one line.
std::unique_ptr<Store> open_store(const std::string& database_url, const StoreOptions& options);

}  // namespace tb::store
