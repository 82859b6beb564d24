#pragma once

#include <vector>

#include "service/auth_service.hpp"
#include "service/permission_table.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

struct RoleInfo {
  Role role = Role::user;
  PermissionSet permissions;
};

// People and their roles: who may see whom, who may change whose role, categories and
// availability; and the role permission table. Every change is audited where API.md asks.
class UserService {
 public:
  UserService(store::Store& store, AuthService& auth, PermissionTable& permissions,
              Clock clock = system_now);

  // Self, or anyone for callers with users.view; otherwise not_found (no existence leaks).
  User get(const Principal& caller, std::int64_t user_id);
  std::vector<User> list(const Principal& caller, const store::UserQuery& query);

  User change_role(const Principal& caller, std::int64_t user_id, std::string_view role);
  User set_categories(const Principal& caller, std::int64_t user_id,
                      std::vector<std::int64_t> category_ids);
  User set_availability(const Principal& caller, std::int64_t user_id, bool available);

  std::vector<RoleInfo> roles() const;
  RoleInfo set_role_permissions(const Principal& caller, std::string_view role,
                                const std::vector<std::string>& permission_names);

  std::vector<AuditEntry> audit(const Principal& caller, std::int64_t before_id, int limit);

 private:
  User visible_user(const Principal& caller, std::int64_t user_id);
  User reload(std::int64_t user_id);

  store::Store& store_;
  AuthService& auth_;
  PermissionTable& permissions_;
  Clock clock_;
};

}  // namespace tb::service
