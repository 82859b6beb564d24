#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/role.hpp"
#include "core/user.hpp"

namespace tb::service {

// Who is calling, as established by AuthService for one request: the user as of now (a
// role change shows on the next request) and the permissions of their role.
struct Principal {
  std::shared_ptr<const User> user;
  PermissionSet permissions;
  std::optional<std::string> session_token_hash;  // absent for `tma` (initData) callers
  // When these credentials stop being valid: the session's end, or when the initData grows
  // too old. A long-lived connection checks it, since it authenticated only once.
  std::optional<Timestamp> expires_at;

  std::int64_t id() const { return user->id; }
  Role role() const { return user->role; }
  bool can(Permission permission) const { return permissions.contains(permission); }

  // Throws forbidden when the permission is missing.
  void require(Permission permission) const {
    if (!can(permission)) {
      throw Error(ErrorCode::forbidden,
                  "requires the " + std::string(permission_name(permission)) + " permission");
    }
  }
};

}  // namespace tb::service
