// Two instances on one database, as several instances share one PostgreSQL: what one changes
// reaches the other's caches through the event log, not through memory they do not share.
#include <thread>

#include "../../support/app_fixture.hpp"

namespace tb {
namespace {

using http::Method;

class TwoInstances : public testing::AppFixture {
 protected:
  void SetUp() override {
    start();
    const app::Settings settings{{"DATABASE_URL", "sqlite:" + (directory_ / "test.db").string()},
                                 {"DEMO", "1"},
                                 {"TELEGRAM_BOT_TOKEN", std::string(testing::kBotToken)},
                                 {"WEB_ROOT", (directory_ / "web").string()}};
    const auto config = app::load_config(app::ConfigSources{settings, {}, {}});
    other_ = std::make_unique<app::Application>(config, store::open_store(config.database_url, {}));
    other_follower_ = std::jthread([this](std::stop_token stop) { other_->follow_events(stop); });
  }
  void TearDown() override {
    other_follower_ = std::jthread();
    other_.reset();
  }

  http::Response call_other(Method method, const std::string& target,
                            const std::string& authorization, const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.path = target;
    request.remote_address = "10.0.0.2";
    request.headers.emplace_back("authorization", authorization);
    if (!body.empty()) request.headers.emplace_back("content-type", "application/json");
    request.body = body;
    return other_->router().respond(other_->router().match(method, request.path), request);
  }

  // The other instance hears of changes within its follower's wake-up (250 ms at most, as
  // it shares no commit signal with this one); waits until `done` or 5 s.
  template <class Done>
  bool eventually(Done done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::unique_ptr<app::Application> other_;
  std::jthread other_follower_;
};

TEST_F(TwoInstances, ALogoutOnOneEndsTheSessionOnTheOther) {
  const auto token = demo_token(Role::user);
  ASSERT_EQ(call_other(Method::get, "/auth/me", token).status, 200);  // now in its cache
  ASSERT_EQ(call(Method::post, "/auth/logout", "", token).status, 204);
  EXPECT_TRUE(eventually([&] { return call_other(Method::get, "/auth/me", token).status == 401; }));
}

TEST_F(TwoInstances, ARoleChangeOnOneIsSeenByTheOther) {
  const auto admin = demo_token(Role::admin);
  const auto user = telegram_login(7001, "Becomes a helper");
  const auto me = call_other(Method::get, "/auth/me", user);
  ASSERT_EQ(me.status, 200);
  const auto id = json(me).at("id").as_int64();
  ASSERT_EQ(
      call(Method::put, "/users/" + std::to_string(id) + "/role", R"({"role":"helper"})", admin)
          .status,
      200);
  EXPECT_TRUE(eventually([&] {
    return json(call_other(Method::get, "/auth/me", user)).at("role").as_string() == "helper";
  }));
}

TEST_F(TwoInstances, APermissionEditOnOneAppliesOnTheOther) {
  const auto developer = demo_token(Role::developer);
  const auto helper = demo_token(Role::helper);
  ASSERT_EQ(call_other(Method::get, "/users", helper).status, 403);
  const auto roles = json(call(Method::get, "/roles", "", developer));
  boost::json::array permissions;
  for (const auto& role : roles.at("items").as_array()) {
    if (role.at("role").as_string() == "helper") permissions = role.at("permissions").as_array();
  }
  permissions.emplace_back("users.view");
  ASSERT_EQ(
      call(Method::put, "/roles/helper/permissions",
           boost::json::serialize(boost::json::object{{"permissions", permissions}}), developer)
          .status,
      200);
  EXPECT_TRUE(eventually([&] { return call_other(Method::get, "/users", helper).status == 200; }));
}

}  // namespace
}  // namespace tb
