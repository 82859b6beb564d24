// A ticket's life over real HTTP against the real binary in demo mode.
#include <latch>
#include <set>
#include <thread>

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

  // A new ticket of the caller's, its id as a path segment.
  static std::string new_ticket(const std::string& who) {
    const auto ticket =
        call("POST", "/tickets", who, R"({"subject":"Is it fixed?","body":"Still broken"})", 201);
    return std::to_string(ticket.at("id").as_int64());
  }

  static std::string message_with_key(const std::string& body, const boost::json::value& key) {
    return boost::json::serialize(boost::json::object{{"body", body}, {"client_id", key}});
  }

  static std::size_t messages_on(const std::string& id, const std::string& who) {
    return call("GET", "/tickets/" + id + "/messages", who).at("items").as_array().size();
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
  // Routed to the demo helper; who handles it is not the customer's to see (by default).
  EXPECT_FALSE(ticket.as_object().contains("assignee"));
  EXPECT_EQ(call("GET", "/tickets/" + id, helper).at("assignee").at("role").as_string(), "helper");

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

// Lists show the start of the latest public message; an internal note never shows there.
TEST_F(TicketsOverHttp, TheLastPublicMessageIsPreviewedAndANoteNever) {
  const auto customer = login("user");
  const auto moderator = login("moderator");
  const auto id = new_ticket(customer);
  const auto preview = [&](const std::string& who) -> std::string {
    const auto page = call("GET", "/tickets?limit=200", who);
    for (const auto& ticket : page.at("items").as_array()) {
      if (std::to_string(ticket.at("id").as_int64()) != id) continue;
      const auto& text = ticket.at("last_message_preview");
      return text.is_string() ? std::string(text.as_string()) : "(null)";
    }
    return "(ticket not listed)";
  };

  EXPECT_EQ(preview(customer), "Still broken");
  const std::string reply = "Fixed now. " + std::string(300, 'x');
  call("POST", "/tickets/" + id + "/messages", moderator,
       boost::json::serialize(boost::json::object{{"body", reply}}), 201);
  call("POST", "/tickets/" + id + "/messages", moderator,
       R"({"body":"secret: the customer is a VIP","internal":true})", 201);
  EXPECT_EQ(preview(customer), reply.substr(0, 160));
  EXPECT_EQ(preview(moderator), reply.substr(0, 160));
  EXPECT_EQ(call("GET", "/tickets/" + id, customer).at("last_message_preview").as_string(),
            reply.substr(0, 160));
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

TEST_F(TicketsOverHttp, ResendingAMessageWithItsClientIdPostsItOnce) {
  const auto customer = login("user");
  const auto id = new_ticket(customer);
  const auto path = "/tickets/" + id + "/messages";
  const auto first = call("POST", path, customer, message_with_key("Any news?", "c0ffee-1"), 201);
  const auto ticket = call("GET", "/tickets/" + id, customer);

  const auto again =
      server_->request("POST", path, message_with_key("Any news?", "c0ffee-1"), customer);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(boost::json::parse(again.body), first) << "the original message, as it was answered";
  EXPECT_EQ(messages_on(id, customer), 2u);
  const auto after = call("GET", "/tickets/" + id, customer);
  EXPECT_EQ(after.at("messages_count"), ticket.at("messages_count"));
  EXPECT_EQ(after.at("updated_at"), ticket.at("updated_at"));
}

TEST_F(TicketsOverHttp, AClientIdBelongsToOneAuthorOnOneTicket) {
  const auto customer = login("user");
  const auto moderator = login("moderator");
  const auto first_ticket = new_ticket(customer);
  const auto second_ticket = new_ticket(customer);
  const auto body = message_with_key("hello", "shared-key");
  const auto original = call("POST", "/tickets/" + first_ticket + "/messages", customer, body, 201);
  const auto by_staff =
      call("POST", "/tickets/" + first_ticket + "/messages", moderator, body, 201);
  const auto elsewhere =
      call("POST", "/tickets/" + second_ticket + "/messages", customer, body, 201);
  EXPECT_NE(by_staff.at("id"), original.at("id"));
  EXPECT_NE(elsewhere.at("id"), original.at("id"));
  EXPECT_EQ(messages_on(first_ticket, customer), 3u);
  EXPECT_EQ(messages_on(second_ticket, customer), 2u);
}

TEST_F(TicketsOverHttp, AMalformedClientIdIs400AndPostsNothing) {
  const auto customer = login("user");
  const auto id = new_ticket(customer);
  const boost::json::array bad = {
      "",   std::string(65, 'a'),   "has space", "ключ", "a.b", 42, nullptr,
      true, boost::json::array{"a"}};
  for (const auto& key : bad) {
    const auto response = server_->request("POST", "/tickets/" + id + "/messages",
                                           message_with_key("hi", key), customer);
    EXPECT_EQ(response.status, 400) << boost::json::serialize(key);
    const auto error = boost::json::parse(response.body).at("error");
    EXPECT_EQ(error.at("code").as_string(), "invalid_request");
    EXPECT_NE(std::string(error.at("message").as_string()).find("client_id"), std::string::npos)
        << error;
  }
  EXPECT_EQ(messages_on(id, customer), 1u);
  call("POST", "/tickets/" + id + "/messages", customer,
       message_with_key("hi", boost::json::string(std::string(64, 'a'))), 201);
}

TEST_F(TicketsOverHttp, ConcurrentSendsWithOneClientIdMakeOneMessage) {
  constexpr int kSenders = 8;
  const auto customer = login("user");
  const auto id = new_ticket(customer);
  std::vector<HttpResponse> responses(kSenders);
  std::latch start(kSenders);
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      start.arrive_and_wait();
      responses[s] = server_->request("POST", "/tickets/" + id + "/messages",
                                      message_with_key("sent 8 times", "race-1"), customer);
    });
  }
  for (auto& sender : senders) sender.join();
  int created = 0;
  std::set<std::int64_t> ids;
  for (const auto& response : responses) {
    ASSERT_TRUE(response.status == 200 || response.status == 201) << response.body;
    created += response.status == 201 ? 1 : 0;
    ids.insert(boost::json::parse(response.body).at("id").as_int64());
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(messages_on(id, customer), 2u);
}

// The list is kept rendered between writes: each change must show at once, to managers and
// to customers, who see different lists.
TEST_F(TicketsOverHttp, TheKeptCategoryListChangesWithEveryWrite) {
  const auto customer = login("user");
  const auto admin = login("admin");
  const auto names = [&](const std::string& who) {
    std::set<std::string> found;
    const auto list = call("GET", "/categories", who);
    for (const auto& item : list.at("items").as_array()) {
      found.insert(std::string(item.at("name").as_string()));
    }
    return found;
  };
  ASSERT_FALSE(names(customer).contains("Kept"));  // read twice: the second from the kept answer
  ASSERT_FALSE(names(customer).contains("Kept"));
  ASSERT_FALSE(names(admin).contains("Kept"));
  const auto created = call("POST", "/categories", admin, R"({"name":"Kept"})", 201);
  const auto id = std::to_string(created.at("id").as_int64());
  EXPECT_TRUE(names(customer).contains("Kept"));
  EXPECT_TRUE(names(admin).contains("Kept"));
  call("PUT", "/categories/" + id, admin, R"({"active":false})");
  EXPECT_FALSE(names(customer).contains("Kept"));
  EXPECT_TRUE(names(admin).contains("Kept"));  // managers see inactive categories too
  call("DELETE", "/categories/" + id, admin, "", 204);
  EXPECT_FALSE(names(admin).contains("Kept"));
}

}  // namespace
}  // namespace tb::testing
