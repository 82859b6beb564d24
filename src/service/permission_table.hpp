#pragma once

#include <array>
#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/role.hpp"

namespace tb::service {

// The permissions of each role as in force now: the defaults of core/role.cpp, overlaid with
// the rows a developer stored. Read on every request, written rarely.
class PermissionTable {
 public:
  PermissionTable();

  // Overlays stored permission names (unknown names are ignored: a permission may have
  // been retired since it was stored).
  void load(const std::map<Role, std::vector<std::string>>& stored);

  PermissionSet of(Role role) const;
  void set(Role role, const PermissionSet& permissions);

 private:
  mutable std::shared_mutex mutex_;
  std::array<PermissionSet, kAllRoles.size()> sets_;
};

}  // namespace tb::service
