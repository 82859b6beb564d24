#include "service/permission_table.hpp"

#include <mutex>

namespace tb::service {

PermissionTable::PermissionTable() {
  for (auto role : kAllRoles)
    sets_[static_cast<std::size_t>(role_level(role))] = default_permissions(role);
}

void PermissionTable::load(const std::map<Role, std::vector<std::string>>& stored) {
  for (const auto& [role, names] : stored) {
    PermissionSet set;
    for (const auto& name : names) {
      if (auto permission = parse_permission(name)) set.add(*permission);
    }
    this->set(role, set);
  }
}

PermissionSet PermissionTable::of(Role role) const {
  std::shared_lock lock(mutex_);
  return sets_[static_cast<std::size_t>(role_level(role))];
}

void PermissionTable::set(Role role, const PermissionSet& permissions) {
  std::unique_lock lock(mutex_);
  sets_[static_cast<std::size_t>(role_level(role))] = permissions;
}

}  // namespace tb::service
