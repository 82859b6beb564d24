// GET /statistics and the dashboard's stats.updated pushes against the real binary over
// loopback: who may see which figures, the errors for bad parameters, and pushes that move
// with a new ticket, coalesced to one a second, each subscriber getting only their own view.
#include <chrono>
#include <thread>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "demo_api.hpp"
#include "test_server.hpp"
#include "ws_client.hpp"

namespace tb::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class StatisticsOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer(Environment{{"MESSAGE_RATE_LIMIT", "100000"}}, "demo");
    for (const auto* role : {"user", "helper", "moderator", "admin"})
      tokens_[role] = token_of(*server_, role);
  }
  static void TearDownTestSuite() { delete server_; }

  static const std::string& token(const std::string& role) { return tokens_.at(role); }

  static std::int64_t id_of(const std::string& role) {
    return call(*server_, "GET", "/auth/me", token(role)).at("id").as_int64();
  }

  static std::int64_t new_ticket(const std::string& subject) {
    return call(*server_, "POST", "/tickets", token("user"),
                R"({"subject":")" + subject + R"(","body":"Please help"})", 201)
        .at("id")
        .as_int64();
  }

  static std::unique_ptr<WsClient> dashboard_of(const std::string& role) {
    auto client = std::make_unique<WsClient>(server_->port(), "/ws?token=" + token(role));
    EXPECT_EQ(client->handshake_status(), 101);
    EXPECT_EQ(type_of(client->receive_json()), "ready");
    client->send_json({{"type", "subscribe"}, {"topic", "dashboard"}});
    EXPECT_EQ(type_of(client->receive_type("subscribed")), "subscribed");
    return client;
  }

  // Skips pushes already under way (from earlier tests' changes) until none comes for a while.
  static void drain(WsClient& client) {
    while (!client.receive_type("stats.updated", 1500ms).is_null()) {
    }
  }

  static TestServer* server_;
  static std::map<std::string, std::string> tokens_;
};

TestServer* StatisticsOverHttp::server_ = nullptr;
std::map<std::string, std::string> StatisticsOverHttp::tokens_;

TEST_F(StatisticsOverHttp, StaffGetTheFiguresAndCustomersAreRefused) {
  const auto everyone = call(*server_, "GET", "/statistics", token("moderator"));
  EXPECT_GT(everyone.at("tickets").as_int64(), 0) << "the demo data holds tickets";
  for (const auto* field : {"by_status", "by_priority", "unassigned", "breached", "backlog",
                            "by_category", "agents", "timeseries"}) {
    EXPECT_TRUE(everyone.as_object().contains(field)) << field;
  }
  EXPECT_EQ(everyone.at("timeseries").at("interval").as_string(), "day");
  EXPECT_EQ(everyone.at("timeseries").at("points").as_array().size(), 30u);
  call(*server_, "GET", "/statistics", token("user"), "", 403);
  EXPECT_EQ(server_->request("GET", "/statistics").status, 401);
}

TEST_F(StatisticsOverHttp, AHelperGetsOnlyTheirOwnFigures) {
  const auto helper = id_of("helper");
  const auto mine = call(*server_, "GET", "/statistics", token("helper"));
  for (const auto& agent : mine.at("agents").as_array())
    EXPECT_EQ(agent.at("user").at("id").as_int64(), helper) << json::serialize(agent);
  const auto as_moderator = call(
      *server_, "GET", "/statistics?assignee_id=" + std::to_string(helper), token("moderator"));
  EXPECT_EQ(json::serialize(mine.at("agents")), json::serialize(as_moderator.at("agents")));
  EXPECT_EQ(mine.at("tickets"), as_moderator.at("tickets"));
  const auto moderator = id_of("moderator");
  const auto refused = call(*server_, "GET", "/statistics?assignee_id=" + std::to_string(moderator),
                            token("helper"), "", 403);
  EXPECT_EQ(refused.at("error").at("code").as_string(), "forbidden");
}

TEST_F(StatisticsOverHttp, BadParametersAre400InvalidRequest) {
  for (const auto* query :
       {"tz=Not/AZone", "from=2026-02-30", "from=tomorrow", "from=2026-11-25&to=2026-11-01",
        "interval=week", "from=2025-01-01&to=2026-06-01", "category_id=abc", "assignee_id=-1"}) {
    const auto answer =
        call(*server_, "GET", std::string("/statistics?") + query, token("admin"), "", 400);
    EXPECT_EQ(answer.at("error").at("code").as_string(), "invalid_request") << query;
  }
}

TEST_F(StatisticsOverHttp, DaysFollowTheGivenTimeZone) {
  const auto moscow =
      call(*server_, "GET", "/statistics?from=2026-11-01&to=2026-11-07&tz=Europe/Moscow",
           token("admin"));
  EXPECT_EQ(moscow.at("from").as_string(), "2026-10-31T21:00:00Z");
  EXPECT_EQ(moscow.at("to").as_string(), "2026-11-07T21:00:00Z");
  EXPECT_EQ(moscow.at("tz").as_string(), "Europe/Moscow");
  const auto& points = moscow.at("timeseries").at("points").as_array();
  ASSERT_EQ(points.size(), 7u);
  EXPECT_EQ(points[1].at("t").as_string(), "2026-11-01T21:00:00Z");
}

TEST_F(StatisticsOverHttp, ANewTicketMovesTheDashboardWithinASecond) {
  auto moderator = dashboard_of("moderator");
  drain(*moderator);
  new_ticket("First of the day");
  const auto first = moderator->receive_type("stats.updated", 3s);
  ASSERT_FALSE(first.is_null()) << "a push after the change";
  const auto counted = first.at("statistics").at("tickets").as_int64();
  new_ticket("Second of the day");
  const auto second = moderator->receive_type("stats.updated", 3s);
  ASSERT_FALSE(second.is_null());
  EXPECT_EQ(second.at("statistics").at("tickets").as_int64(), counted + 1)
      << "the number moved with the new ticket";
  EXPECT_EQ(second.at("statistics").at("timeseries").at("interval").as_string(), "hour");
}

TEST_F(StatisticsOverHttp, TwoQuickChangesGiveOnePush) {
  auto moderator = dashboard_of("moderator");
  drain(*moderator);
  new_ticket("Quick one");
  const auto baseline = moderator->receive_type("stats.updated", 3s);
  ASSERT_FALSE(baseline.is_null());
  const auto counted = baseline.at("statistics").at("tickets").as_int64();
  drain(*moderator);

  const auto started = std::chrono::steady_clock::now();
  new_ticket("Quick two");
  new_ticket("Quick three");
  const auto push = moderator->receive_type("stats.updated", 3s);
  ASSERT_FALSE(push.is_null());
  EXPECT_EQ(push.at("statistics").at("tickets").as_int64(), counted + 2) << "both in one push";
  EXPECT_LE(std::chrono::steady_clock::now() - started, 2500ms);
  EXPECT_TRUE(moderator->receive_type("stats.updated", 1500ms).is_null()) << "and only one";
}

TEST_F(StatisticsOverHttp, EachDashboardSubscriberGetsOnlyTheFiguresTheyMaySee) {
  auto helper = dashboard_of("helper");
  auto moderator = dashboard_of("moderator");
  drain(*helper);
  drain(*moderator);
  const auto helper_id = id_of("helper");
  const auto ticket = new_ticket("For the helper");
  call(*server_, "PUT", "/tickets/" + std::to_string(ticket), token("moderator"),
       R"({"assignee_id":)" + std::to_string(helper_id) + "}");
  const auto own = helper->receive_type("stats.updated", 3s);
  ASSERT_FALSE(own.is_null());
  const auto& figures = own.at("statistics");
  for (const auto& agent : figures.at("agents").as_array())
    EXPECT_EQ(agent.at("user").at("id").as_int64(), helper_id);
  EXPECT_EQ(figures.at("unassigned").as_int64(), 0);
  // The same as the helper's own REST figures for that period.
  const auto rest = call(*server_, "GET",
                         "/statistics?from=" + std::string(figures.at("from").as_string()) +
                             "&to=" + std::string(figures.at("to").as_string()),
                         token("helper"));
  EXPECT_EQ(figures.at("tickets"), rest.at("tickets"));
  EXPECT_GE(figures.at("tickets").as_int64(), 1);
  const auto all = moderator->receive_type("stats.updated", 3s);
  ASSERT_FALSE(all.is_null());
  EXPECT_GT(all.at("statistics").at("tickets").as_int64(), figures.at("tickets").as_int64())
      << "the moderator's view holds the customers' other new tickets too";
}

}  // namespace
}  // namespace tb::testing
