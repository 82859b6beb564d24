// Identity end to end through the routing table, in-process: the real Application wiring on
// a real SQLite file, requests handed to the router as the server would hand them.
#include <filesystem>
#include <set>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "../../support/app_fixture.hpp"
#include "core/crypto.hpp"

namespace tb {
namespace {

using http::Method;
using testing::kBotToken;

using IdentityApi = testing::AppFixture;

// The role × endpoint matrix, generated from the endpoint catalogue and the permission
// table: every protected endpoint, present and future, is checked for every role.
TEST_F(IdentityApi, RoleEndpointMatrixFollowsThePermissionTable) {
  start();
  const auto target_id = std::to_string(demo_user_id(Role::user));
  ASSERT_FALSE(app_->endpoints().protected_endpoints().empty());
  for (const auto& spec : app_->endpoints().protected_endpoints()) {
    std::string path = spec.pattern;
    for (const auto& [placeholder, value] :
         {std::pair<std::string, std::string>{"{id}", target_id}, {"{role}", "helper"}}) {
      if (auto at = path.find(placeholder); at != std::string::npos)
        path.replace(at, placeholder.size(), value);
    }
    for (const Role role : kAllRoles) {
      const auto response = call(spec.method, path, "{}", demo_token(role));
      const std::string where = std::string(http::method_name(spec.method)) + " " + path + " as " +
                                std::string(role_name(role)) + ": " + response.body;
      if (spec.permission && !default_permissions(role).contains(*spec.permission)) {
        EXPECT_EQ(response.status, 403) << where;
      } else {
        EXPECT_NE(response.status, 403) << where;
        EXPECT_NE(response.status, 401) << where;
      }
    }
    EXPECT_EQ(call(spec.method, path, "{}").status, 401) << spec.pattern;
    EXPECT_EQ(call(spec.method, path, "{}", "Bearer forged-token").status, 401) << spec.pattern;
    EXPECT_EQ(call(spec.method, path, "{}", "Basic dXNlcjpwYXNz").status, 401) << spec.pattern;
  }
}

TEST_F(IdentityApi, TelegramLoginCreatesTheUserAndRefreshesTheirName) {
  start();
  const auto token = telegram_login(4242, "Ann");
  auto me = json(call(Method::get, "/auth/me", "", token));
  EXPECT_EQ(me.at("telegram_id").as_int64(), 4242);
  EXPECT_EQ(me.at("first_name").as_string(), "Ann");
  EXPECT_EQ(me.at("role").as_string(), "user");
  EXPECT_EQ(me.at("language_code").as_string(), "en");
  EXPECT_TRUE(me.at("permissions").as_array().size() > 0);

  telegram_login(4242, "Annie");
  me = json(call(Method::get, "/auth/me", "", token));
  EXPECT_EQ(me.at("first_name").as_string(), "Annie");
}

TEST_F(IdentityApi, ALoginAnswersWithTheUserAsAuthMeDoesPermissionsIncluded) {
  start();
  const auto init_data = testing::init_data_for(5001, "Boss", std::string(kBotToken));
  const auto login =
      json(call(Method::post, "/auth/telegram",
                boost::json::serialize(boost::json::object{{"init_data", init_data}})));
  const auto token = "Bearer " + std::string(login.at("token").as_string());
  const auto me = json(call(Method::get, "/auth/me", "", token));
  EXPECT_EQ(login.at("user"), me);
  EXPECT_GT(login.at("user").at("permissions").as_array().size(), 3u) << "an admin's";
}

TEST_F(IdentityApi, BootstrapIdsGetTheirRoleAtFirstLogin) {
  start();
  EXPECT_EQ(me_role(telegram_login(5001, "Boss")), "admin");
}

TEST_F(IdentityApi, MiniAppInitDataWorksAsAnAuthorizationHeader) {
  start();
  const auto init_data = testing::init_data_for(6060, "Tma", std::string(kBotToken));
  EXPECT_EQ(me_role("tma " + init_data), "user");
  std::string forged = init_data;
  forged[forged.size() - 1] = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(call(Method::get, "/auth/me", "", "tma " + forged).status, 401);
  const auto stale =
      testing::init_data_for(6060, "Tma", std::string(kBotToken), testing::unix_now() - 90000);
  EXPECT_EQ(call(Method::get, "/auth/me", "", "tma " + stale).status, 401);
}

TEST_F(IdentityApi, BadLoginsAreRefusedClearly) {
  start();
  EXPECT_EQ(call(Method::post, "/auth/telegram", R"({"init_data":"user=x&hash=00"})").status, 401);
  EXPECT_EQ(call(Method::post, "/auth/telegram", R"({"init":"x"})").status, 400);
  EXPECT_EQ(call(Method::post, "/auth/telegram", R"({"init_data":)").status, 400);
  EXPECT_EQ(call(Method::post, "/auth/telegram", "[1,2]").status, 400);
  auto request_without_type = call(Method::post, "/auth/demo", "");
  EXPECT_EQ(request_without_type.status, 415);
  EXPECT_EQ(call(Method::post, "/auth/demo", R"({"role":"root"})").status, 400);
}

TEST_F(IdentityApi, LogoutRevokesTheToken) {
  start();
  const auto token = demo_token(Role::helper);
  EXPECT_EQ(call(Method::get, "/auth/me", "", token).status, 200);
  EXPECT_EQ(call(Method::post, "/auth/logout", "", token).status, 204);
  EXPECT_EQ(call(Method::get, "/auth/me", "", token).status, 401);
}

TEST_F(IdentityApi, RoleChangeTakesEffectOnTheNextRequestAndIsAudited) {
  start();
  const auto customer = telegram_login(7001, "Cat");
  const auto customer_id = json(call(Method::get, "/auth/me", "", customer)).at("id").as_int64();
  const auto admin = demo_token(Role::admin);
  const auto changed = call(Method::put, "/users/" + std::to_string(customer_id) + "/role",
                            R"({"role":"helper"})", admin);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json(changed).at("role").as_string(), "helper");
  EXPECT_EQ(me_role(customer), "helper");

  const auto audit = json(call(Method::get, "/audit", "", admin));
  const auto& entry = audit.at("items").as_array().at(0);
  EXPECT_EQ(entry.at("action").as_string(), "role.changed");
  EXPECT_EQ(entry.at("old").as_string(), "user");
  EXPECT_EQ(entry.at("new").as_string(), "helper");
  EXPECT_EQ(entry.at("target").at("id").as_int64(), customer_id);
  EXPECT_EQ(entry.at("actor").at("role").as_string(), "admin");
}

TEST_F(IdentityApi, PrivilegeEscalationIsRefused) {
  start();
  const auto admin = demo_token(Role::admin);
  const auto moderator = demo_token(Role::moderator);
  const auto user = demo_token(Role::user);
  const auto id = [&](Role role) { return std::to_string(demo_user_id(role)); };
  const auto set_role = [&](const std::string& who, const std::string& target,
                            const std::string& role) {
    return call(Method::put, "/users/" + target + "/role", R"({"role":")" + role + R"("})", who)
        .status;
  };
  EXPECT_EQ(set_role(admin, id(Role::admin), "developer"), 403);  // self-promotion
  EXPECT_EQ(set_role(admin, id(Role::user), "developer"), 403);   // granting above oneself
  EXPECT_EQ(set_role(admin, id(Role::user), "admin"), 403);       // granting one's own level
  EXPECT_EQ(set_role(admin, id(Role::developer), "user"), 403);   // demoting a superior
  EXPECT_EQ(set_role(moderator, id(Role::user), "helper"), 403);  // no permission
  EXPECT_EQ(set_role(user, id(Role::user), "developer"), 403);    // a user, on themself
  EXPECT_EQ(call(Method::get, "/users", "", user).status, 403);   // admin endpoints
  EXPECT_EQ(call(Method::get, "/audit", "", moderator).status, 403);
  EXPECT_EQ(call(Method::put, "/roles/user/permissions", R"({"permissions":[]})", admin).status,
            403);
  EXPECT_EQ(me_role(admin), "admin");
  EXPECT_EQ(set_role(demo_token(Role::developer), id(Role::user), "developer"), 200);
  EXPECT_EQ(set_role(admin, "999999", "helper"), 404);
  EXPECT_EQ(set_role(admin, id(Role::user), "overlord"), 400);
}

TEST_F(IdentityApi, UsersSeeOnlyThemselves) {
  start();
  const auto user = demo_token(Role::user);
  const auto own =
      call(Method::get, "/users/" + std::to_string(demo_user_id(Role::user)), "", user);
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(
      call(Method::get, "/users/" + std::to_string(demo_user_id(Role::admin)), "", user).status,
      404);
  EXPECT_EQ(call(Method::get, "/users/999999", "", user).status, 404);  // same answer: no leak
  EXPECT_EQ(call(Method::get, "/users/abc", "", user).status, 400);
  const auto moderator = demo_token(Role::moderator);
  EXPECT_EQ(call(Method::get, "/users/" + std::to_string(demo_user_id(Role::admin)), "", moderator)
                .status,
            200);
}

TEST_F(IdentityApi, UserListPagesEveryoneExactlyOnceAndFilters) {
  start();
  for (int i = 0; i < 7; ++i) telegram_login(8000 + i, "Page" + std::to_string(i));
  const auto moderator = demo_token(Role::moderator);
  std::set<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    const auto response = call(
        Method::get, "/users?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), "", moderator);
    ASSERT_EQ(response.status, 200) << response.body;
    const auto page = json(response);
    for (const auto& item : page.at("items").as_array())
      EXPECT_TRUE(seen.insert(item.at("id").as_int64()).second);
    ++pages;
    if (page.at("next_cursor").is_null()) break;
    cursor = std::string(page.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen.size(), 12u);  // 5 demo people + 7
  EXPECT_EQ(pages, 4);
  const auto helpers = json(call(Method::get, "/users?role=helper", "", moderator));
  ASSERT_EQ(helpers.at("items").as_array().size(), 1u);
  const auto search = json(call(Method::get, "/users?q=Page3", "", moderator));
  ASSERT_EQ(search.at("items").as_array().size(), 1u);
  EXPECT_EQ(call(Method::get, "/users?role=king", "", moderator).status, 400);
  EXPECT_EQ(call(Method::get, "/users?limit=500", "", moderator).status, 400);
  EXPECT_EQ(call(Method::get, "/users?cursor=bm90LWEtbnVtYmVy", "", moderator).status, 400);
  EXPECT_EQ(call(Method::get, "/users?cursor=!!!", "", moderator).status, 400);
}

// Issue 12: SQLite's LIKE ignores case for ASCII only, so ЖАННА did not find Жанна.
TEST_F(IdentityApi, UserSearchIgnoresCaseInCyrillicAsInLatin) {
  start();
  telegram_login(8100, "Жанна");
  telegram_login(8101, "Zelda");
  telegram_login(8102, "Straße");
  const auto moderator = demo_token(Role::moderator);
  const auto names = [&](const std::string& text) {
    const auto response =
        call(Method::get, "/users?q=" + testing::percent_encode(text), "", moderator);
    EXPECT_EQ(response.status, 200) << text << ": " << response.body;
    std::vector<std::string> found;
    const auto page = json(response);
    for (const auto& item : page.at("items").as_array())
      found.emplace_back(item.at("first_name").as_string());
    return found;
  };
  const std::vector<std::string> zhanna = {"Жанна"};
  EXPECT_EQ(names("ЖАННА"), zhanna);
  EXPECT_EQ(names("жан"), zhanna);
  EXPECT_EQ(names("Жанна"), zhanna);
  EXPECT_EQ(names("ZELDA"), (std::vector<std::string>{"Zelda"}));
  EXPECT_EQ(names("zel"), (std::vector<std::string>{"Zelda"}));
  EXPECT_EQ(names("STRASSE"), (std::vector<std::string>{"Straße"}));
  EXPECT_TRUE(names("ЖАННЫ").empty());
  EXPECT_TRUE(names("%").empty()) << "LIKE wildcards stay literal";
  EXPECT_TRUE(names("_elda").empty()) << "LIKE wildcards stay literal";
}

TEST_F(IdentityApi, StaffCategoriesAndAvailability) {
  start();
  add_category("Billing");
  add_category("Technical");
  const auto moderator = demo_token(Role::moderator);
  const auto helper_id = std::to_string(demo_user_id(Role::helper));
  const auto set = call(Method::put, "/users/" + helper_id + "/categories",
                        R"({"category_ids":[2,1,2]})", moderator);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(boost::json::serialize(json(set).at("category_ids")), "[1,2]");
  EXPECT_EQ(call(Method::put, "/users/" + helper_id + "/categories", R"({"category_ids":[99]})",
                 moderator)
                .status,
            400);
  EXPECT_EQ(call(Method::put, "/users/" + std::to_string(demo_user_id(Role::user)) + "/categories",
                 R"({"category_ids":[1]})", moderator)
                .status,
            409);

  const auto helper = demo_token(Role::helper);
  const auto away =
      call(Method::put, "/users/" + helper_id + "/availability", R"({"available":false})", helper);
  ASSERT_EQ(away.status, 200) << away.body;
  EXPECT_FALSE(json(away).at("available").as_bool());
  EXPECT_FALSE(json(call(Method::get, "/auth/me", "", helper)).at("available").as_bool());
  EXPECT_EQ(
      call(Method::put, "/users/" + std::to_string(demo_user_id(Role::moderator)) + "/availability",
           R"({"available":false})", helper)
          .status,
      404);
  EXPECT_EQ(
      call(Method::put, "/users/" + helper_id + "/availability", R"({"available":"no"})", moderator)
          .status,
      400);
}

// GET /auth/me's answer is kept per person (api/auth_routes.cpp): whatever changes the person or
// their role's permissions must show on the next call, and one person's answer never another's.
TEST_F(IdentityApi, AuthMeIsNeverStaleAfterWhatChangesIt) {
  start();
  add_category("Billing");
  const auto developer = demo_token(Role::developer);
  const auto moderator = demo_token(Role::moderator);
  const auto helper = demo_token(Role::helper);
  const auto helper_id = std::to_string(demo_user_id(Role::helper));
  const auto me = [&](const std::string& token) {
    return json(call(Method::get, "/auth/me", "", token));
  };
  const auto first = me(helper);
  EXPECT_EQ(me(helper), first);  // kept, and the same
  EXPECT_EQ(me(moderator).at("role").as_string(), "moderator");

  ASSERT_EQ(call(Method::put, "/roles/helper/permissions",
                 R"({"permissions":["tickets.create","users.view"]})", developer)
                .status,
            200);
  EXPECT_EQ(boost::json::serialize(me(helper).at("permissions")),
            R"(["tickets.create","users.view"])");

  ASSERT_EQ(
      call(Method::put, "/users/" + helper_id + "/availability", R"({"available":false})", helper)
          .status,
      200);
  EXPECT_FALSE(me(helper).at("available").as_bool());

  ASSERT_EQ(
      call(Method::put, "/users/" + helper_id + "/categories", R"({"category_ids":[1]})", moderator)
          .status,
      200);
  EXPECT_EQ(boost::json::serialize(me(helper).at("category_ids")), "[1]");

  const auto admin = demo_token(Role::admin);
  ASSERT_EQ(
      call(Method::put, "/users/" + helper_id + "/role", R"({"role":"moderator"})", admin).status,
      200);
  const auto promoted = me(helper);
  EXPECT_EQ(promoted.at("role").as_string(), "moderator");
  EXPECT_EQ(promoted.at("permissions"), me(moderator).at("permissions"));
  EXPECT_EQ(promoted.at("id").as_int64(), first.at("id").as_int64());
}

TEST_F(IdentityApi, DeveloperEditsThePermissionTable) {
  start();
  const auto developer = demo_token(Role::developer);
  const auto changed = call(Method::put, "/roles/helper/permissions",
                            R"({"permissions":["tickets.create","users.view"]})", developer);
  ASSERT_EQ(changed.status, 200) << changed.body;
  const auto roles = json(call(Method::get, "/roles", "", developer));
  const auto& helper = roles.at("items").as_array().at(1);
  EXPECT_EQ(helper.at("role").as_string(), "helper");
  EXPECT_EQ(helper.at("level").as_int64(), 1);
  EXPECT_EQ(boost::json::serialize(helper.at("permissions")), R"(["tickets.create","users.view"])");
  // In force at once: a helper may now list users.
  EXPECT_EQ(call(Method::get, "/users", "", demo_token(Role::helper)).status, 200);
  EXPECT_EQ(
      json(call(Method::get, "/audit", "", developer)).at("items").at(0).at("action").as_string(),
      "permissions.changed");

  EXPECT_EQ(call(Method::put, "/roles/helper/permissions", R"({"permissions":["fly"]})", developer)
                .status,
            400);
  EXPECT_EQ(
      call(Method::put, "/roles/developer/permissions", R"({"permissions":[]})", developer).status,
      409);
  EXPECT_EQ(call(Method::put, "/roles/king/permissions", R"({"permissions":[]})", developer).status,
            404);
}

TEST_F(IdentityApi, PermissionTableSurvivesARestart) {
  start();
  call(Method::put, "/roles/user/permissions", R"({"permissions":[]})",
       demo_token(Role::developer));
  stop_app();
  start();
  const auto me = json(call(Method::get, "/auth/me", "", demo_token(Role::user)));
  EXPECT_TRUE(me.at("permissions").as_array().empty());
}

TEST_F(IdentityApi, DemoLoginIsAbsentOutsideDemoMode) {
  start({{"DEMO", "0"}});
  EXPECT_EQ(call(Method::post, "/auth/demo", R"({"role":"admin"})").status, 404);
}

TEST_F(IdentityApi, LoginsAreRateLimitedPerAddress) {
  start({{"AUTH_RATE_LIMIT", "3"}});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(call(Method::post, "/auth/demo", R"({"role":"user"})").status, 200);
  const auto limited = call(Method::post, "/auth/demo", R"({"role":"user"})");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(json(limited).at("error").at("code").as_string(), "rate_limited");
  bool has_retry_after = false;
  for (const auto& [name, value] : limited.headers)
    has_retry_after |= name == "Retry-After" && std::stoi(value) > 0;
  EXPECT_TRUE(has_retry_after);
  EXPECT_EQ(call(Method::post, "/auth/demo", R"({"role":"user"})", "", "10.0.0.2").status, 200);
}

TEST_F(IdentityApi, LoginWidgetLogsStaffIn) {
  start();
  const std::string token(kBotToken);
  const auto now = std::to_string(testing::unix_now());
  const std::string check = "auth_date=" + now + "\nfirst_name=Wes\nid=5001\nusername=wes";
  const auto hash = testing::hex_of(testing::hmac_sha256_bytes(tb::sha256(token), check));
  const auto body = R"({"id":5001,"first_name":"Wes","username":"wes","auth_date":)" + now +
                    R"(,"hash":")" + hash + R"("})";
  const auto response = call(Method::post, "/auth/telegram-login", body);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json(response).at("user").at("role").as_string(), "admin");  // bootstrap admin
  std::string forged = body;
  forged.replace(forged.find("Wes"), 3, "Wez");
  EXPECT_EQ(call(Method::post, "/auth/telegram-login", forged).status, 401);
}

}  // namespace
}  // namespace tb
