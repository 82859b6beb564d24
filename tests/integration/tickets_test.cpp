// A ticket's life over real HTTP against the real binary in demo mode.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "test_server.hpp"

namespace tb::testing {
namespace {

class TicketsOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(Environment{}, "demo"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static std::string login(const std::string& role) {
    const auto response = server_->request("POST", "/auth/demo", R"({"role":")" + role + R"("})");
    EXPECT_EQ(response.status, 200) << response.body;
    return "Authorization: Bearer " +
           std::string(boost::json::parse(response.body).at("token").as_string()) + "\r\n";
  }

  static boost::json::value call(const std::string& method, const std::string& path,
                                 const std::string& who, const std::string& body = "",
                                 int expected = 200) {
    const auto response = server_->request(method, path, body, who);
    EXPECT_EQ(response.status, expected) << method << " " << path << ": " << response.body;
    return response.body.empty() ? boost::json::value() : boost::json::parse(response.body);
  }

  static TestServer* server_;
};

TestServer* TicketsOverHttp::server_ = nullptr;

TEST_F(TicketsOverHttp, CustomerAndHelperWorkATicketToTheEnd) {
  const auto customer = login("user");
  const auto helper = login("helper");
  const auto categories = call("GET", "/categories", customer);
  ASSERT_EQ(categories.at("items").as_array().size(), 4u);  // the demo's
  const auto billing = categories.at("items").at(0).at("id").as_int64();

  const auto ticket = call("POST", "/tickets", customer,
                           R"({"subject":"Double charge","body":"Charged twice","category_id":)" +
                               std::to_string(billing) + "}",
                           201);
  const auto id = std::to_string(ticket.at("id").as_int64());
  EXPECT_EQ(ticket.at("assignee").at("role").as_string(), "helper");  // routed to the demo helper

  call("POST", "/tickets/" + id + "/messages", helper, R"({"body":"Refund is on its way"})", 201);
  call("POST", "/tickets/" + id + "/messages", helper,
       R"({"body":"double-check card","internal":true})", 201);
  const auto seen_by_customer = call("GET", "/tickets/" + id + "/messages", customer);
  EXPECT_EQ(seen_by_customer.at("items").as_array().size(), 2u);
  EXPECT_EQ(boost::json::serialize(seen_by_customer).find("double-check"), std::string::npos);

  call("PUT", "/tickets/" + id, helper, R"({"status":"resolved"})");
  const auto rated = call("POST", "/tickets/" + id + "/rating", customer, R"({"score":5})", 201);
  EXPECT_EQ(rated.at("rating").at("score").as_int64(), 5);
  EXPECT_EQ(rated.at("status").as_string(), "resolved");
  EXPECT_FALSE(rated.at("first_response_at").is_null());

  call("PUT", "/tickets/" + id, customer, R"({"status":"closed"})");
  call("PUT", "/tickets/" + id, customer, R"({"status":"waiting"})",
       403);  // not the customer's to set
  call("PUT", "/tickets/" + id, helper, R"({"status":"waiting"})", 409);  // closed → only open
}

TEST_F(TicketsOverHttp, MalformedRequestsGetClearErrors) {
  const auto customer = login("user");
  call("POST", "/tickets", customer, R"({"subject":"x")", 400);
  call("POST", "/tickets", customer, R"({"subject":"x","body":"y","priority":"urgent"})", 400);
  call("GET", "/tickets/abc", customer, "", 400);
  call("GET", "/tickets?status=lost", customer, "", 400);
  call("GET", "/tickets/99999999", customer, "", 404);
  const auto response = server_->request("POST", "/tickets", R"({"subject":"x","body":"y"})",
                                         customer + "Content-Type: text/plain\r\n");
  EXPECT_EQ(response.status, 415);
}

}  // namespace
}  // namespace tb::testing
