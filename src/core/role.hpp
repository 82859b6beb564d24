// Roles and permissions: the strict hierarchy user < helper < moderator < admin < developer,
// the catalogue of permissions, and the default permission set of each role. Pure rules.
#pragma once

#include <array>
#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

enum class Role { user, helper, moderator, admin, developer };

inline constexpr std::array kAllRoles = {Role::user, Role::helper, Role::moderator, Role::admin,
                                         Role::developer};

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);
// 0 for user … 4 for developer.
inline int role_level(Role role) {
  return static_cast<int>(role);
}

// The permission catalogue. A new permission is added here, in kAllPermissions (with its
// wire name) and, where a role should have it by default, in default_permissions().
enum class Permission {
  tickets_create,
  tickets_view_all,
  tickets_view_category,
  tickets_take,
  tickets_assign,
  tickets_update,
  tickets_delete,
  messages_internal,
  users_view,
  users_manage_roles,
  users_manage_categories,
  users_manage_availability,
  categories_manage,
  auto_replies_manage,
  canned_replies_use,
  canned_replies_manage,
  statistics_view,
  statistics_view_all,
  forecast_view,
  reports_export,
  audit_view,
  settings_manage,
  permissions_manage,
};

struct PermissionInfo {
  Permission permission;
  std::string_view name;         // "tickets.view_all"
  std::string_view description;  // one line, for the admin UI
};

extern const std::array<PermissionInfo, 23> kAllPermissions;

std::string_view permission_name(Permission permission);
std::optional<Permission> parse_permission(std::string_view name);

// A set of permissions, cheap to copy and test.
class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> permissions) {
    for (auto permission : permissions) add(permission);
  }
  void add(Permission permission) { bits_.set(static_cast<std::size_t>(permission)); }
  bool contains(Permission permission) const {
    return bits_.test(static_cast<std::size_t>(permission));
  }
  std::vector<std::string> names() const;  // in catalogue order
  bool operator==(const PermissionSet&) const = default;

 private:
  std::bitset<kAllPermissions.size()> bits_;
};

PermissionSet default_permissions(Role role);

// Whether `actor` may change `target` from `from` to `to` (API.md: never one's own role;
// never to or from a role at or above the actor's own, except that a developer may grant
// any role). The caller also needs the users.manage_roles permission.
bool may_change_role(Role actor, bool target_is_self, Role from, Role to);

}  // namespace tb
