// Canned replies end to end through the routing table on a real SQLite file: who may read and
// write them, what a reply may hold, and the audit trail of every change.
#include <string>
#include <tuple>
#include <vector>

#include "../../support/app_fixture.hpp"

namespace tb {
namespace {

using http::Method;

class CannedReplyApi : public testing::AppFixture {
 protected:
  void SetUp() override {
    start();
    admin_ = demo_token(Role::admin);
    moderator_ = demo_token(Role::moderator);
    helper_ = demo_token(Role::helper);
    customer_ = demo_token(Role::user);
  }

  http::Response create(const std::string& who, const std::string& name, const std::string& body) {
    return call(Method::post, "/canned-replies",
                boost::json::serialize(boost::json::object{{"name", name}, {"body", body}}), who);
  }

  std::vector<std::string> names(const std::string& who) {
    const auto response = call(Method::get, "/canned-replies", "", who);
    EXPECT_EQ(response.status, 200) << response.body;
    std::vector<std::string> found;
    const auto page = json(response);
    EXPECT_TRUE(page.at("next_cursor").is_null());
    for (const auto& item : page.at("items").as_array())
      found.emplace_back(std::string(item.at("name").as_string()));
    return found;
  }

  // The newest audit entries first, as (action, old, new).
  std::vector<std::tuple<std::string, std::string, std::string>> audit(int count) {
    const auto page = json(call(Method::get, "/audit?limit=" + std::to_string(count), "", admin_));
    std::vector<std::tuple<std::string, std::string, std::string>> entries;
    for (const auto& entry : page.at("items").as_array()) {
      // Snapshots are objects; nothing (before a creation, after a deletion) is null.
      const auto text = [](const boost::json::value& value) {
        return value.is_null() ? std::string() : boost::json::serialize(value);
      };
      entries.emplace_back(std::string(entry.at("action").as_string()), text(entry.at("old")),
                           text(entry.at("new")));
      EXPECT_EQ(entry.at("actor").at("role").as_string(), "admin");
      EXPECT_TRUE(entry.at("target").is_null());
    }
    return entries;
  }

  std::string admin_, moderator_, helper_, customer_;
};

TEST_F(CannedReplyApi, AdminsManageThemStaffReadThemCustomersNeither) {
  const auto made = create(admin_, "Greeting", "Hello {customer_name}, I am {agent_name}.");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto reply = json(made);
  const auto id = std::to_string(reply.at("id").as_int64());
  EXPECT_EQ(reply.at("name").as_string(), "Greeting");
  EXPECT_EQ(reply.at("body").as_string(), "Hello {customer_name}, I am {agent_name}.");
  EXPECT_FALSE(reply.at("updated_at").as_string().empty());
  ASSERT_EQ(create(admin_, "Apology", "Sorry for the wait on #{ticket_id}.").status, 201);

  // Staff read them, by name; customers may not even list them.
  EXPECT_EQ(names(helper_), (std::vector<std::string>{"Apology", "Greeting"}));
  EXPECT_EQ(names(moderator_), (std::vector<std::string>{"Apology", "Greeting"}));
  EXPECT_EQ(call(Method::get, "/canned-replies", "", customer_).status, 403);

  // Only admins write.
  for (const auto* who : {&helper_, &moderator_, &customer_}) {
    EXPECT_EQ(create(*who, "Mine", "Text").status, 403);
    EXPECT_EQ(call(Method::put, "/canned-replies/" + id, R"({"name":"Taken"})", *who).status, 403);
    EXPECT_EQ(call(Method::del, "/canned-replies/" + id, "", *who).status, 403);
  }
  EXPECT_EQ(names(admin_), (std::vector<std::string>{"Apology", "Greeting"}));

  const auto renamed = call(Method::put, "/canned-replies/" + id, R"({"name":"Hello"})", admin_);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(json(renamed).at("name").as_string(), "Hello");
  EXPECT_EQ(json(renamed).at("body").as_string(), "Hello {customer_name}, I am {agent_name}.");
  EXPECT_EQ(call(Method::del, "/canned-replies/" + id, "", admin_).status, 204);
  EXPECT_EQ(call(Method::del, "/canned-replies/" + id, "", admin_).status, 404);
  EXPECT_EQ(call(Method::put, "/canned-replies/" + id, R"({"name":"Back"})", admin_).status, 404);
  EXPECT_EQ(names(helper_), (std::vector<std::string>{"Apology"}));
}

TEST_F(CannedReplyApi, WhatAReplyMayHoldIsChecked) {
  const auto expect_invalid = [&](const http::Response& response, const std::string& naming) {
    EXPECT_EQ(response.status, 400) << response.body;
    const std::string message(json(response).at("error").at("message").as_string());
    EXPECT_NE(message.find(naming), std::string::npos) << message;
  };
  expect_invalid(call(Method::post, "/canned-replies", R"({"name":"No body"})", admin_), "body");
  expect_invalid(create(admin_, "   ", "Text"), "name");
  expect_invalid(create(admin_, std::string(101, 'x'), "Text"), "name");
  expect_invalid(create(admin_, "Long", std::string(4097, 'x')), "body");
  // A misspelt placeholder would reach a customer as it is: refused, named.
  expect_invalid(create(admin_, "Typo", "Hi {custmer_name}"), "{custmer_name}");
  EXPECT_EQ(call(Method::post, "/canned-replies", R"({"name":1,"body":"x"})", admin_).status, 400);
  EXPECT_EQ(names(admin_), std::vector<std::string>{});

  // Braces around anything else are text; names are trimmed and unique.
  const auto made = create(admin_, "  Code  ", "Type {\"a\": 1} or { } as it is.");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json(made).at("name").as_string(), "Code");
  const auto duplicate = create(admin_, "Code", "Another");
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(json(duplicate).at("error").at("code").as_string(), "conflict");
  const auto other = json(create(admin_, "Other", "Text"));
  EXPECT_EQ(call(Method::put, "/canned-replies/" + std::to_string(other.at("id").as_int64()),
                 R"({"name":"Code"})", admin_)
                .status,
            409);
  EXPECT_EQ(names(admin_), (std::vector<std::string>{"Code", "Other"}));
}

TEST_F(CannedReplyApi, EveryChangeIsAudited) {
  const auto id = std::to_string(json(create(admin_, "Greeting", "Hello")).at("id").as_int64());
  ASSERT_EQ(
      call(Method::put, "/canned-replies/" + id, R"({"body":"Hello {customer_name}"})", admin_)
          .status,
      200);
  ASSERT_EQ(call(Method::del, "/canned-replies/" + id, "", admin_).status, 204);
  // A refused change leaves no entry.
  ASSERT_EQ(create(helper_, "Nope", "Text").status, 403);
  ASSERT_EQ(create(admin_, "Bad", "{nope}").status, 400);

  using Entry = std::tuple<std::string, std::string, std::string>;
  EXPECT_EQ(
      audit(3),
      (std::vector<Entry>{
          {"canned_reply.deleted", R"({"name":"Greeting","body":"Hello {customer_name}"})", ""},
          {"canned_reply.updated", R"({"name":"Greeting","body":"Hello"})",
           R"({"name":"Greeting","body":"Hello {customer_name}"})"},
          {"canned_reply.created", "", R"({"name":"Greeting","body":"Hello"})"},
      }));
}

}  // namespace
}  // namespace tb
