#include "core/role.hpp"

#include <set>

#include <gtest/gtest.h>

namespace tb {
namespace {

TEST(Roles, NamesRoundTripAndLevelsFollowTheHierarchy) {
  int level = 0;
  for (const Role role : kAllRoles) {
    EXPECT_EQ(parse_role(role_name(role)), role);
    EXPECT_EQ(role_level(role), level++);
  }
  EXPECT_EQ(parse_role("root"), std::nullopt);
  EXPECT_EQ(parse_role("Admin"), std::nullopt);
}

TEST(Permissions, CatalogueNamesAreUniqueDottedAndInEnumOrder) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kAllPermissions.size(); ++i) {
    const auto& info = kAllPermissions[i];
    EXPECT_EQ(static_cast<std::size_t>(info.permission), i) << info.name;
    EXPECT_NE(info.name.find('.'), std::string_view::npos);
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_EQ(parse_permission(info.name), info.permission);
  }
}

TEST(Permissions, EachRoleHasAtLeastWhatTheRoleBelowHas) {
  for (std::size_t i = 1; i < kAllRoles.size(); ++i) {
    const auto lower = default_permissions(kAllRoles[i - 1]);
    const auto higher = default_permissions(kAllRoles[i]);
    for (const auto& info : kAllPermissions) {
      if (lower.contains(info.permission)) {
        EXPECT_TRUE(higher.contains(info.permission))
            << role_name(kAllRoles[i]) << " " << info.name;
      }
    }
  }
}

TEST(Permissions, DefaultsMatchTheRoleDescriptions) {
  const auto user = default_permissions(Role::user);
  EXPECT_TRUE(user.contains(Permission::tickets_create));
  EXPECT_FALSE(user.contains(Permission::messages_internal));
  EXPECT_FALSE(user.contains(Permission::users_view));
  EXPECT_TRUE(default_permissions(Role::helper).contains(Permission::messages_internal));
  EXPECT_FALSE(default_permissions(Role::helper).contains(Permission::tickets_view_all));
  EXPECT_TRUE(default_permissions(Role::moderator).contains(Permission::tickets_assign));
  EXPECT_FALSE(default_permissions(Role::moderator).contains(Permission::users_manage_roles));
  EXPECT_TRUE(default_permissions(Role::admin).contains(Permission::users_manage_roles));
  EXPECT_FALSE(default_permissions(Role::admin).contains(Permission::permissions_manage));
  EXPECT_EQ(default_permissions(Role::developer).names().size(), kAllPermissions.size());
  // Canned replies: staff insert them, admins manage them.
  EXPECT_FALSE(user.contains(Permission::canned_replies_use));
  EXPECT_TRUE(default_permissions(Role::helper).contains(Permission::canned_replies_use));
  EXPECT_FALSE(default_permissions(Role::moderator).contains(Permission::canned_replies_manage));
  EXPECT_TRUE(default_permissions(Role::admin).contains(Permission::canned_replies_manage));
}

TEST(RoleChanges, FollowTheContract) {
  // Never one's own.
  EXPECT_FALSE(may_change_role(Role::developer, true, Role::developer, Role::user));
  EXPECT_FALSE(may_change_role(Role::admin, true, Role::admin, Role::developer));
  // Admin: only below admin, to below admin.
  EXPECT_TRUE(may_change_role(Role::admin, false, Role::user, Role::moderator));
  EXPECT_TRUE(may_change_role(Role::admin, false, Role::moderator, Role::user));
  EXPECT_FALSE(may_change_role(Role::admin, false, Role::user, Role::admin));
  EXPECT_FALSE(may_change_role(Role::admin, false, Role::user, Role::developer));
  EXPECT_FALSE(may_change_role(Role::admin, false, Role::admin, Role::user));
  EXPECT_FALSE(may_change_role(Role::admin, false, Role::developer, Role::user));
  // Moderator (if granted the permission): only users and helpers.
  EXPECT_TRUE(may_change_role(Role::moderator, false, Role::user, Role::helper));
  EXPECT_FALSE(may_change_role(Role::moderator, false, Role::helper, Role::moderator));
  // Developer: any role, to any role.
  EXPECT_TRUE(may_change_role(Role::developer, false, Role::developer, Role::user));
  EXPECT_TRUE(may_change_role(Role::developer, false, Role::user, Role::developer));
}

}  // namespace
}  // namespace tb
