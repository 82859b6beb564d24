// Logging in over real HTTP against the real binary.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "../support/init_data_signer.hpp"
#include "test_server.hpp"

namespace tb::testing {
namespace {

const std::string kBotToken = "4242:integration-token";

std::string login_body(std::int64_t telegram_id, const std::string& name) {
  return boost::json::serialize(
      boost::json::object{{"init_data", init_data_for(telegram_id, name, kBotToken)}});
}

std::string token_of(const HttpResponse& response) {
  return std::string(boost::json::parse(response.body).at("token").as_string());
}

TEST(AuthOverHttp, LoginMeLogout) {
  TestServer server(Environment{{"TELEGRAM_BOT_TOKEN", kBotToken}});
  const auto login = server.request("POST", "/auth/telegram", login_body(31337, "Eve"));
  ASSERT_EQ(login.status, 200) << login.body;
  const auto token = token_of(login);
  EXPECT_EQ(token.size(), 43u);  // 256 bits, base64url

  const std::string bearer = "Authorization: Bearer " + token + "\r\n";
  const auto me = server.request("GET", "/auth/me", "", bearer);
  ASSERT_EQ(me.status, 200) << me.body;
  const auto user = boost::json::parse(me.body);
  EXPECT_EQ(user.at("telegram_id").as_int64(), 31337);
  EXPECT_EQ(user.at("role").as_string(), "user");

  EXPECT_EQ(server.request("POST", "/auth/logout", "", bearer).status, 204);
  const auto after = server.request("GET", "/auth/me", "", bearer);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.header("www-authenticate"), "Bearer");
  EXPECT_EQ(boost::json::parse(after.body).at("error").at("code").as_string(), "unauthorized");
}

TEST(AuthOverHttp, ForgedAndExpiredInitDataAreRefused) {
  TestServer server(Environment{{"TELEGRAM_BOT_TOKEN", kBotToken}, {"INIT_DATA_MAX_AGE", "60"}});
  const auto other_bot = boost::json::serialize(
      boost::json::object{{"init_data", init_data_for(1, "Mallory", "4242:another-token")}});
  EXPECT_EQ(server.request("POST", "/auth/telegram", other_bot).status, 401);
  const auto stale = boost::json::serialize(
      boost::json::object{{"init_data", init_data_for(1, "Old", kBotToken, unix_now() - 120)}});
  EXPECT_EQ(server.request("POST", "/auth/telegram", stale).status, 401);
}

TEST(AuthOverHttp, SessionsSurviveARestart) {
  std::string token;
  const auto directory = make_temp_directory();
  const Environment environment{{"TELEGRAM_BOT_TOKEN", kBotToken},
                                {"DATABASE_URL", "sqlite:" + (directory / "keep.db").string()}};
  {
    TestServer first(environment);
    token = token_of(first.request("POST", "/auth/telegram", login_body(777, "Persistent")));
  }
  TestServer second(environment);
  EXPECT_EQ(second.request("GET", "/auth/me", "", "Authorization: Bearer " + token + "\r\n").status,
            200);
  std::filesystem::remove_all(directory);
}

TEST(AuthOverHttp, DemoLoginOnlyInDemoMode) {
  TestServer demo(Environment{}, "demo");
  const auto login = demo.request("POST", "/auth/demo", R"({"role":"moderator"})");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(boost::json::parse(login.body).at("user").at("role").as_string(), "moderator");

  TestServer plain;
  EXPECT_EQ(plain.request("POST", "/auth/demo", R"({"role":"moderator"})").status, 404);

  // /auth/methods says so, without credentials, so a client need not probe.
  const auto demo_methods = demo.request("GET", "/auth/methods");
  ASSERT_EQ(demo_methods.status, 200);
  EXPECT_TRUE(boost::json::parse(demo_methods.body).at("demo").as_bool());
  const auto plain_methods = boost::json::parse(plain.request("GET", "/auth/methods").body);
  EXPECT_FALSE(plain_methods.at("demo").as_bool());
  EXPECT_FALSE(plain_methods.at("telegram").as_bool());  // no bot token configured
  TestServer with_bot(Environment{{"TELEGRAM_BOT_TOKEN", kBotToken}});
  EXPECT_TRUE(
      boost::json::parse(with_bot.request("GET", "/auth/methods").body).at("telegram").as_bool());
}

TEST(AuthOverHttp, LoginsAreRateLimitedWithRetryAfter) {
  TestServer server(Environment{{"AUTH_RATE_LIMIT", "2"}}, "demo");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(server.request("POST", "/auth/demo", R"({"role":"user"})").status, 200);
  }
  const auto limited = server.request("POST", "/auth/demo", R"({"role":"user"})");
  EXPECT_EQ(limited.status, 429);
  EXPECT_GE(std::stoi(limited.header("retry-after")), 1);
}

}  // namespace
}  // namespace tb::testing
