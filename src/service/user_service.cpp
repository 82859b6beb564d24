#include "service/user_service.hpp"

#include <algorithm>

#include "service/audit_trail.hpp"

namespace tb::service {
namespace {

bool is_staff(Role role) {
  return role_level(role) >= role_level(Role::helper);
}

}  // namespace

UserService::UserService(store::Store& store, AuthService& auth, PermissionTable& permissions,
                         Clock clock)
    : store_(store), auth_(auth), permissions_(permissions), clock_(std::move(clock)) {}

User UserService::visible_user(const Principal& caller, std::int64_t user_id) {
  if (user_id == caller.id()) return *caller.user;
  if (!caller.can(Permission::users_view)) throw Error(ErrorCode::not_found, "no such user");
  auto user = store_.find_user(user_id);
  if (!user) throw Error(ErrorCode::not_found, "no such user");
  return *user;
}

User UserService::reload(std::int64_t user_id) {
  auth_.forget_user(user_id);
  auto user = store_.find_user(user_id);
  if (!user) throw Error(ErrorCode::not_found, "no such user");
  return *user;
}

User UserService::get(const Principal& caller, std::int64_t user_id) {
  return visible_user(caller, user_id);
}

std::vector<User> UserService::list(const Principal& caller, const store::UserQuery& query) {
  caller.require(Permission::users_view);
  return store_.list_users(query);
}

User UserService::change_role(const Principal& caller, std::int64_t user_id,
                              std::string_view role) {
  caller.require(Permission::users_manage_roles);
  const auto to = parse_role(role);
  if (!to)
    throw Error(ErrorCode::invalid_request,
                "role must be one of user, helper, moderator, admin, developer");
  const User target = visible_user(caller, user_id);
  if (target.id == caller.id())
    throw Error(ErrorCode::forbidden, "you cannot change your own role");
  if (!may_change_role(caller.role(), false, target.role, *to)) {
    throw Error(ErrorCode::forbidden,
                "you may only change roles below your own, to roles below your own");
  }
  if (target.role == *to) return target;
  const bool applied = store_.change_role(store::RoleChange{.target_id = target.id,
                                                            .from = target.role,
                                                            .to = *to,
                                                            .actor_id = caller.id(),
                                                            .at = clock_()});
  if (!applied)
    throw Error(ErrorCode::conflict, "the role was changed by someone else meanwhile; reload");
  return reload(target.id);
}

User UserService::set_categories(const Principal& caller, std::int64_t user_id,
                                 std::vector<std::int64_t> category_ids) {
  caller.require(Permission::users_manage_categories);
  const User target = visible_user(caller, user_id);
  if (!is_staff(target.role))
    throw Error(ErrorCode::conflict, "only staff (helper and above) handle categories");
  std::sort(category_ids.begin(), category_ids.end());
  category_ids.erase(std::unique(category_ids.begin(), category_ids.end()), category_ids.end());
  const auto existing = store_.existing_categories(category_ids);
  for (const auto id : category_ids) {
    if (std::find(existing.begin(), existing.end(), id) == existing.end()) {
      throw Error(ErrorCode::invalid_request, "no category with id " + std::to_string(id));
    }
  }
  auto before = target.category_ids;
  std::sort(before.begin(), before.end());
  store_.in_one_transaction([&] {
    store_.set_user_categories(target.id, category_ids);
    if (before == category_ids) return;
    store_.append_audit(store::AuditRecord{.actor_id = caller.id(),
                                           .action = std::string(audit::kUserCategoriesChanged),
                                           .target_user_id = target.id,
                                           .old_value = audit::id_list(before),
                                           .new_value = audit::id_list(category_ids),
                                           .at = clock_()});
  });
  return reload(target.id);
}

User UserService::set_availability(const Principal& caller, std::int64_t user_id, bool available) {
  const User target = visible_user(caller, user_id);
  if (target.id != caller.id()) caller.require(Permission::users_manage_availability);
  if (!is_staff(target.role))
    throw Error(ErrorCode::conflict, "only staff (helper and above) have availability");
  store_.in_one_transaction([&] {
    store_.set_user_availability(target.id, available);
    // Someone else's doing is recorded; one's own "away" is not news for the audit.
    if (target.id == caller.id() || target.available == available) return;
    store_.append_audit(store::AuditRecord{.actor_id = caller.id(),
                                           .action = std::string(audit::kUserAvailabilityChanged),
                                           .target_user_id = target.id,
                                           .old_value = target.available ? "available" : "away",
                                           .new_value = available ? "available" : "away",
                                           .at = clock_()});
  });
  return reload(target.id);
}

std::vector<RoleInfo> UserService::roles() const {
  std::vector<RoleInfo> roles;
  for (const Role role : kAllRoles) roles.push_back(RoleInfo{role, permissions_.of(role)});
  return roles;
}

RoleInfo UserService::set_role_permissions(const Principal& caller, std::string_view role,
                                           const std::vector<std::string>& permission_names) {
  caller.require(Permission::permissions_manage);
  const auto parsed = parse_role(role);
  if (!parsed) throw Error(ErrorCode::not_found, "no such role");
  PermissionSet set;
  for (const auto& name : permission_names) {
    const auto permission = parse_permission(name);
    if (!permission) throw Error(ErrorCode::invalid_request, "unknown permission " + name);
    set.add(*permission);
  }
  if (*parsed == Role::developer && !set.contains(Permission::permissions_manage)) {
    throw Error(ErrorCode::conflict, "the developer role must keep permissions.manage");
  }
  const PermissionSet old = permissions_.of(*parsed);
  if (old != set) {
    store_.save_role_permissions(store::PermissionChange{.role = *parsed,
                                                         .old_permissions = old.names(),
                                                         .new_permissions = set.names(),
                                                         .actor_id = caller.id(),
                                                         .at = clock_()});
    permissions_.set(*parsed, set);
    auth_.permissions_changed();
  }
  return RoleInfo{*parsed, set};
}

std::vector<AuditEntry> UserService::audit(const Principal& caller, std::int64_t before_id,
                                           int limit) {
  caller.require(Permission::audit_view);
  return store_.list_audit(before_id, limit);
}

}  // namespace tb::service
