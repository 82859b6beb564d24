#include "core/role.hpp"

namespace tb {

const std::array<PermissionInfo, 23> kAllPermissions = {{
    {Permission::tickets_create, "tickets.create", "open tickets and reply on one's own"},
    {Permission::tickets_view_all, "tickets.view_all", "see every ticket"},
    {Permission::tickets_view_category, "tickets.view_category",
     "see unassigned tickets in one's categories and those assigned to oneself"},
    {Permission::tickets_take, "tickets.take", "assign a ticket to oneself"},
    {Permission::tickets_assign, "tickets.assign", "assign tickets to anyone"},
    {Permission::tickets_update, "tickets.update", "change status, priority and category"},
    {Permission::tickets_delete, "tickets.delete", "delete tickets"},
    {Permission::messages_internal, "messages.internal", "read and write internal notes"},
    {Permission::users_view, "users.view", "list and see other users"},
    {Permission::users_manage_roles, "users.manage_roles", "change roles below one's own"},
    {Permission::users_manage_categories, "users.manage_categories",
     "set the categories staff handle"},
    {Permission::users_manage_availability, "users.manage_availability",
     "mark other staff away or available"},
    {Permission::categories_manage, "categories.manage", "create, edit and delete categories"},
    {Permission::auto_replies_manage, "auto_replies.manage", "manage auto-replies"},
    {Permission::canned_replies_use, "canned_replies.use", "list canned replies to insert them"},
    {Permission::canned_replies_manage, "canned_replies.manage",
     "create, edit and delete canned replies"},
    {Permission::statistics_view, "statistics.view", "see one's own statistics"},
    {Permission::statistics_view_all, "statistics.view_all", "see the whole team's statistics"},
    {Permission::forecast_view, "forecast.view", "see the load forecast"},
    {Permission::reports_export, "reports.export", "export ticket reports"},
    {Permission::audit_view, "audit.view", "read the audit log"},
    {Permission::settings_manage, "settings.manage",
     "choose what customers see of their tickets and which priorities they may pick"},
    {Permission::permissions_manage, "permissions.manage", "edit the role permission table"},
}};

std::string_view role_name(Role role) {
  switch (role) {
    case Role::user: return "user";
    case Role::helper: return "helper";
    case Role::moderator: return "moderator";
    case Role::admin: return "admin";
    case Role::developer: return "developer";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view name) {
  for (auto role : kAllRoles) {
    if (role_name(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view permission_name(Permission permission) {
  return kAllPermissions[static_cast<std::size_t>(permission)].name;
}

std::optional<Permission> parse_permission(std::string_view name) {
  for (const auto& info : kAllPermissions) {
    if (info.name == name) return info.permission;
  }
  return std::nullopt;
}

std::vector<std::string> PermissionSet::names() const {
  std::vector<std::string> names;
  for (const auto& info : kAllPermissions) {
    if (contains(info.permission)) names.emplace_back(info.name);
  }
  return names;
}

PermissionSet default_permissions(Role role) {
  using P = Permission;
  PermissionSet set{P::tickets_create};
  if (role_level(role) >= role_level(Role::helper)) {
    for (auto p : {P::tickets_view_category, P::tickets_take, P::tickets_update,
                   P::messages_internal, P::canned_replies_use, P::statistics_view}) {
      set.add(p);
    }
  }
  if (role_level(role) >= role_level(Role::moderator)) {
    for (auto p :
         {P::tickets_view_all, P::tickets_assign, P::users_view, P::users_manage_categories,
          P::users_manage_availability, P::statistics_view_all, P::forecast_view}) {
      set.add(p);
    }
  }
  if (role_level(role) >= role_level(Role::admin)) {
    for (auto p :
         {P::tickets_delete, P::users_manage_roles, P::categories_manage, P::auto_replies_manage,
          P::canned_replies_manage, P::reports_export, P::audit_view, P::settings_manage}) {
      set.add(p);
    }
  }
  if (role == Role::developer) set.add(P::permissions_manage);
  return set;
}

bool may_change_role(Role actor, bool target_is_self, Role from, Role to) {
  if (target_is_self) return false;
  if (actor == Role::developer) return true;
  return role_level(from) < role_level(actor) && role_level(to) < role_level(actor);
}

}  // namespace tb
