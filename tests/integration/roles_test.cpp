// Every permission has its screen, and customers see only what is theirs to see, against the
// real binary in demo mode: moderators set helpers' categories and availability, the audit
// log records changes to categories, auto-replies and settings, the settings that decide what
// customers see (GET/PUT /settings), and the Ticket JSON customers get over REST and WebSocket.
#include <csignal>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "demo_api.hpp"
#include "test_server.hpp"
#include "ws_client.hpp"

namespace tb::testing {
namespace {

namespace json = boost::json;

class RolesAndVisibility : public ::testing::Test {
 protected:
  // One server for the suite (seeding the demo takes seconds); each test starts from the
  // default settings and the state of its helper.
  static void SetUpTestSuite() { server_ = new TestServer(Environment{}, "demo"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    customer_ = token_of(*server_, "user");
    helper_ = token_of(*server_, "helper");
    moderator_ = token_of(*server_, "moderator");
    admin_ = token_of(*server_, "admin");
    put("/settings", admin_,
        R"({"customers":{"show_sla":false,"show_assignee":false,"priorities":["low","normal","high"]}})");
    put("/users/" + std::to_string(id_of(helper_)) + "/availability", helper_,
        R"({"available":true})");
  }

  json::value get(const std::string& path, const std::string& token, int expected = 200) {
    return call(*server_, "GET", path, token, "", expected);
  }
  json::value put(const std::string& path, const std::string& token, const std::string& body,
                  int expected = 200) {
    return call(*server_, "PUT", path, token, body, expected);
  }
  json::value post(const std::string& path, const std::string& token, const std::string& body,
                   int expected = 201) {
    return call(*server_, "POST", path, token, body, expected);
  }

  std::int64_t id_of(const std::string& token) {
    return get("/auth/me", token).at("id").as_int64();
  }

  std::int64_t first_category() {
    return get("/categories", customer_).at("items").at(0).at("id").as_int64();
  }

  // The audit entries, newest first.
  json::array audit() { return get("/audit?limit=200", admin_).at("items").as_array(); }

  // The newest audit entry of `action`, or null.
  json::value latest(const std::string& action) {
    for (const auto& entry : audit()) {
      if (entry.at("action").as_string() == action) return entry;
    }
    return nullptr;
  }

  // How many audit entries of `action` there are.
  std::size_t count(const std::string& action) {
    std::size_t found = 0;
    for (const auto& entry : audit()) found += entry.at("action").as_string() == action;
    return found;
  }

  static TestServer* server_;
  std::string customer_, helper_, moderator_, admin_;
};

TestServer* RolesAndVisibility::server_ = nullptr;

TEST_F(RolesAndVisibility, AModeratorSetsAHelpersCategoriesAndAvailability) {
  const auto helper = std::to_string(id_of(helper_));
  const auto category = first_category();
  const auto me = get("/auth/me", moderator_);
  const auto& permissions = me.at("permissions").as_array();
  EXPECT_NE(std::find(permissions.begin(), permissions.end(), json::value("users.view")),
            permissions.end())
      << "the permission that opens the Users screen";

  const auto changed = put("/users/" + helper + "/categories", moderator_,
                           R"({"category_ids":[)" + std::to_string(category) + "]}");
  EXPECT_EQ(changed.at("category_ids"), json::array({category}));
  const auto away = put("/users/" + helper + "/availability", moderator_, R"({"available":false})");
  EXPECT_FALSE(away.at("available").as_bool());
  EXPECT_FALSE(get("/users/" + helper, moderator_).at("available").as_bool());

  const auto categories_entry = latest("user.categories_changed");
  ASSERT_FALSE(categories_entry.is_null());
  EXPECT_EQ(categories_entry.at("target").at("id").as_int64(), std::stoll(helper));
  EXPECT_EQ(categories_entry.at("new").as_string(), std::to_string(category));
  const auto availability_entry = latest("user.availability_changed");
  ASSERT_FALSE(availability_entry.is_null());
  EXPECT_EQ(availability_entry.at("old").as_string(), "available");
  EXPECT_EQ(availability_entry.at("new").as_string(), "away");
  EXPECT_EQ(availability_entry.at("actor").at("role").as_string(), "moderator");
}

TEST_F(RolesAndVisibility, AHelperSetsOnlyTheirOwnAvailabilityAndNobodysCategories) {
  const auto helper = std::to_string(id_of(helper_));
  const auto moderator = std::to_string(id_of(moderator_));
  put("/users/" + moderator + "/categories", helper_, R"({"category_ids":[]})", 403);
  put("/users/" + helper + "/categories", helper_, R"({"category_ids":[]})", 403);
  // Without users.view another person does not exist for a helper.
  const auto audited = count("user.availability_changed");
  put("/users/" + moderator + "/availability", helper_, R"({"available":false})", 404);
  EXPECT_TRUE(get("/users/" + moderator, moderator_).at("available").as_bool());

  EXPECT_FALSE(put("/users/" + helper + "/availability", helper_, R"({"available":false})")
                   .at("available")
                   .as_bool());
  EXPECT_TRUE(put("/users/" + helper + "/availability", helper_, R"({"available":true})")
                  .at("available")
                  .as_bool());
  EXPECT_EQ(count("user.availability_changed"), audited) << "one's own away is not audited";
  // A customer has no availability to set.
  put("/users/" + std::to_string(id_of(customer_)) + "/availability", customer_,
      R"({"available":false})", 409);
}

TEST_F(RolesAndVisibility, TheAuditRecordsCategoryChangesWithBeforeAndAfter) {
  const auto created = post("/categories", admin_, R"({"name":"Returns","sla_minutes":60})");
  const auto id = std::to_string(created.at("id").as_int64());
  put("/categories/" + id, admin_, R"({"sla_minutes":30,"default_priority":"high"})");
  put("/categories/" + id, admin_, R"({"sla_minutes":30})");  // no change: no entry
  call(*server_, "DELETE", "/categories/" + id, admin_, "", 204);

  std::vector<json::value> entries;
  for (const auto& entry : audit()) {
    if (std::string_view(entry.at("action").as_string()).starts_with("category."))
      entries.push_back(entry);
  }
  ASSERT_EQ(entries.size(), 3u) << json::serialize(audit());
  const auto& deleted = entries[0];
  const auto& updated = entries[1];
  const auto& made = entries[2];
  EXPECT_EQ(made.at("action").as_string(), "category.created");
  EXPECT_TRUE(made.at("old").is_null());
  EXPECT_EQ(made.at("new").at("name").as_string(), "Returns");
  EXPECT_EQ(made.at("new").at("sla_minutes").as_int64(), 60);
  EXPECT_EQ(made.at("actor").at("role").as_string(), "admin");
  EXPECT_EQ(updated.at("action").as_string(), "category.updated");
  EXPECT_EQ(updated.at("old").at("sla_minutes").as_int64(), 60);
  EXPECT_EQ(updated.at("new").at("sla_minutes").as_int64(), 30);
  EXPECT_EQ(updated.at("old").at("default_priority").as_string(), "normal");
  EXPECT_EQ(updated.at("new").at("default_priority").as_string(), "high");
  EXPECT_EQ(deleted.at("action").as_string(), "category.deleted");
  EXPECT_EQ(deleted.at("old").at("name").as_string(), "Returns");
  EXPECT_TRUE(deleted.at("new").is_null());
}

TEST_F(RolesAndVisibility, TheAuditRecordsAutoReplyChanges) {
  const auto created =
      post("/auto-replies", admin_,
           R"({"name":"Passwords","event":"ticket_created","keywords":["password"],)"
           R"("body":"Reset it at /reset"})");
  const auto id = std::to_string(created.at("id").as_int64());
  put("/auto-replies/" + id, admin_, R"({"active":false})");
  call(*server_, "DELETE", "/auto-replies/" + id, admin_, "", 204);

  const auto made = latest("auto_reply.created");
  ASSERT_FALSE(made.is_null());
  EXPECT_EQ(made.at("new").at("keywords"), json::array({"password"}));
  const auto changed = latest("auto_reply.updated");
  ASSERT_FALSE(changed.is_null());
  EXPECT_TRUE(changed.at("old").at("active").as_bool());
  EXPECT_FALSE(changed.at("new").at("active").as_bool());
  const auto removed = latest("auto_reply.deleted");
  ASSERT_FALSE(removed.is_null());
  EXPECT_EQ(removed.at("old").at("body").as_string(), "Reset it at /reset");
  // The audit is the admins': a moderator may not read it.
  get("/audit", moderator_, 403);
}

TEST_F(RolesAndVisibility, SettingsAreReadByEveryoneAndChangedByAdminsOnly) {
  const auto defaults = get("/settings", customer_);
  EXPECT_EQ(
      json::serialize(defaults),
      R"({"customers":{"show_sla":false,"show_assignee":false,"priorities":["low","normal","high"]}})");
  put("/settings", moderator_, R"({"customers":{"show_sla":true}})", 403);
  put("/settings", customer_, R"({"customers":{"show_sla":true}})", 403);
  put("/settings", admin_, R"({"customers":{"priorities":[]}})", 400);
  put("/settings", admin_, R"({"customers":{"priorities":["urgent"]}})", 400);
  put("/settings", admin_, R"({"customers":{"show_sla":"yes"}})", 400);
  EXPECT_EQ(get("/settings", customer_), defaults) << "nothing refused was applied";

  const auto changed = put("/settings", admin_,
                           R"({"customers":{"show_sla":true,"priorities":["critical","low"]}})");
  EXPECT_TRUE(changed.at("customers").at("show_sla").as_bool());
  EXPECT_FALSE(changed.at("customers").at("show_assignee").as_bool()) << "left as it was";
  EXPECT_EQ(changed.at("customers").at("priorities"), json::array({"low", "critical"}));
  EXPECT_EQ(get("/settings", helper_), changed);

  const auto entry = latest("settings.changed");
  ASSERT_FALSE(entry.is_null());
  EXPECT_FALSE(entry.at("old").at("show_sla").as_bool());
  EXPECT_TRUE(entry.at("new").at("show_sla").as_bool());
}

TEST(RolesAndVisibilityRestart, SettingsSurviveARestart) {
  TestServer first(Environment{}, "demo");
  call(first, "PUT", "/settings", token_of(first, "admin"),
       R"({"customers":{"show_assignee":true}})");
  ASSERT_EQ(first.stop(SIGTERM), 0);
  // The same database again, under a new server.
  TestServer again(
      Environment{{"DATABASE_URL", "sqlite:" + (first.directory() / "test.db").string()}}, "demo");
  const auto settings = call(again, "GET", "/settings", token_of(again, "user"));
  EXPECT_TRUE(settings.at("customers").at("show_assignee").as_bool()) << json::serialize(settings);
}

TEST_F(RolesAndVisibility, CustomersGetTicketsWithoutTheHiddenFieldsUntilTheSettingsAllowThem) {
  const auto category = first_category();
  const auto ticket = post(
      "/tickets", customer_,
      R"({"subject":"Refund","body":"please","category_id":)" + std::to_string(category) + "}");
  EXPECT_FALSE(ticket.as_object().contains("assignee")) << json::serialize(ticket);
  EXPECT_FALSE(ticket.as_object().contains("sla_due_at"));
  EXPECT_FALSE(ticket.as_object().contains("breached"));
  const auto id = std::to_string(ticket.at("id").as_int64());

  const auto by_staff = get("/tickets/" + id, moderator_);
  EXPECT_TRUE(by_staff.as_object().contains("assignee"));
  EXPECT_FALSE(by_staff.at("sla_due_at").is_null());
  EXPECT_TRUE(by_staff.as_object().contains("breached"));

  const auto listed = [&](const std::string& token) {
    const auto page = get("/tickets?limit=200", token);  // kept alive: the loop reads into it
    for (const auto& item : page.at("items").as_array()) {
      if (std::to_string(item.at("id").as_int64()) == id) return item.as_object();
    }
    ADD_FAILURE() << "ticket " << id << " not listed";
    return json::object();
  };
  // Twice each: the second answer may come from the page cache, which must not mix them up.
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(listed(customer_).contains("assignee"));
    EXPECT_FALSE(listed(customer_).contains("sla_due_at"));
    EXPECT_TRUE(listed(moderator_).contains("assignee"));
    EXPECT_TRUE(listed(moderator_).contains("sla_due_at"));
  }
  EXPECT_FALSE(get("/tickets/" + id, customer_).as_object().contains("assignee"));

  put("/settings", admin_, R"({"customers":{"show_sla":true,"show_assignee":true}})");
  EXPECT_TRUE(listed(customer_).contains("assignee"));
  EXPECT_TRUE(listed(customer_).contains("sla_due_at"));
  EXPECT_TRUE(listed(customer_).contains("breached"));
  EXPECT_TRUE(get("/tickets/" + id, customer_).as_object().contains("sla_due_at"));

  put("/settings", admin_, R"({"customers":{"show_sla":false}})");
  EXPECT_TRUE(listed(customer_).contains("assignee"));
  EXPECT_FALSE(listed(customer_).contains("sla_due_at"));
}

TEST_F(RolesAndVisibility, CustomersGetTicketFramesWithoutTheHiddenFields) {
  const auto category = first_category();
  const auto id =
      post("/tickets", customer_,
           R"({"subject":"Live","body":"hello","category_id":)" + std::to_string(category) + "}")
          .at("id")
          .as_int64();
  const auto topic = "ticket:" + std::to_string(id);
  WsClient customer(server_->port(), "/ws?token=" + customer_);
  WsClient moderator(server_->port(), "/ws?token=" + moderator_);
  for (auto* client : {&customer, &moderator}) {
    ASSERT_EQ(client->handshake_status(), 101);
    client->send_json({{"type", "subscribe"}, {"topic", topic}});
    ASSERT_FALSE(client->receive_type("subscribed").is_null());
    client->send_json({{"type", "subscribe"}, {"topic", "tickets"}});
    ASSERT_FALSE(client->receive_type("subscribed").is_null());
  }

  put("/tickets/" + std::to_string(id), moderator_, R"({"status":"in_progress"})");
  // Both frames (the ticket topic's and the list's) of each connection.
  for (int frame = 0; frame < 2; ++frame) {
    const auto to_customer = customer.receive_type("ticket.updated");
    ASSERT_FALSE(to_customer.is_null());
    const auto& shown = to_customer.at("ticket").as_object();
    EXPECT_EQ(shown.at("status").as_string(), "in_progress");
    EXPECT_FALSE(shown.contains("assignee")) << json::serialize(shown);
    EXPECT_FALSE(shown.contains("sla_due_at"));
    EXPECT_FALSE(shown.contains("breached"));
    const auto to_moderator = moderator.receive_type("ticket.updated");
    ASSERT_FALSE(to_moderator.is_null());
    EXPECT_TRUE(to_moderator.at("ticket").as_object().contains("assignee"));
    EXPECT_TRUE(to_moderator.at("ticket").as_object().contains("sla_due_at"));
  }

  put("/settings", admin_, R"({"customers":{"show_assignee":true}})");
  put("/tickets/" + std::to_string(id), moderator_, R"({"status":"waiting"})");
  const auto allowed = customer.receive_type("ticket.updated");
  ASSERT_FALSE(allowed.is_null());
  EXPECT_TRUE(allowed.at("ticket").as_object().contains("assignee"));
  EXPECT_FALSE(allowed.at("ticket").as_object().contains("sla_due_at"));
}

TEST_F(RolesAndVisibility, CustomersChooseOnlyTheAllowedPriorities) {
  const auto refused = server_->request(
      "POST", "/tickets", R"({"subject":"Down","body":"all of it","priority":"critical"})",
      "Authorization: Bearer " + customer_ + "\r\n");
  EXPECT_EQ(refused.status, 403) << refused.body;
  const auto error = json::parse(refused.body).at("error");
  EXPECT_EQ(error.at("code").as_string(), "forbidden");
  EXPECT_NE(std::string(error.at("message").as_string()).find("low, normal, high"),
            std::string::npos)
      << refused.body;
  const auto mine = get("/tickets?limit=200", customer_).at("items").as_array();
  for (const auto& ticket : mine) EXPECT_NE(ticket.at("subject").as_string(), "Down");

  post("/tickets", customer_, R"({"subject":"Slow","body":"a bit","priority":"high"})");
  post("/tickets", helper_, R"({"subject":"Down","body":"all of it","priority":"critical"})");

  put("/settings", admin_, R"({"customers":{"priorities":["low","critical"]}})");
  post("/tickets", customer_, R"({"subject":"Down","body":"all of it","priority":"critical"})");
  post("/tickets", customer_, R"({"subject":"Slow","body":"a bit","priority":"high"})", 403);
  // No priority: the category's default, whatever customers may choose.
  post("/tickets", customer_, R"({"subject":"Question","body":"hi"})");
}

}  // namespace
}  // namespace tb::testing
