// The staff queue's API (issue 17) through the routing table on a real SQLite file: several
// statuses at once, the sla_due / last_activity / relevance orders with cursors that page them
// without gaps, search by number, name and @username that no text turns into a 500, and each
// person's unread counts beside a list page that viewers of the same scope still share.
#include <set>

#include "../../support/app_fixture.hpp"

namespace tb {
namespace {

using http::Method;
using Ids = std::vector<std::int64_t>;

class TicketQueueApi : public testing::AppFixture {
 protected:
  void SetUp() override {
    start();
    admin_ = demo_token(Role::admin);
    moderator_ = demo_token(Role::moderator);
    helper_ = demo_token(Role::helper);
    customer_ = demo_token(Role::user);
    const auto response =
        call(Method::post, "/categories", R"({"name":"Billing","sla_minutes":60})", admin_);
    ASSERT_EQ(response.status, 201) << response.body;
    billing_ = json(response).at("id").as_int64();
    // The orders are tested over every priority, critical included, which customers may
    // choose only when the settings allow it.
    ASSERT_EQ(call(Method::put, "/settings",
                   R"({"customers":{"priorities":["low","normal","high","critical"]}})", admin_)
                  .status,
              200);
  }

  std::int64_t create_ticket(const std::string& who, const std::string& subject,
                             std::optional<std::int64_t> category = std::nullopt,
                             const std::string& priority = "normal") {
    boost::json::object body{{"subject", subject}, {"body", "details"}, {"priority", priority}};
    if (category) body["category_id"] = *category;
    const auto response = call(Method::post, "/tickets", boost::json::serialize(body), who);
    EXPECT_EQ(response.status, 201) << response.body;
    return json(response).at("id").as_int64();
  }

  http::Response post(const std::string& who, std::int64_t id, const std::string& path,
                      const std::string& body) {
    return call(Method::post, "/tickets/" + std::to_string(id) + path, body, who);
  }

  http::Response list(const std::string& who, const std::string& query) {
    auto response = call(Method::get, "/tickets" + query, "", who);
    EXPECT_EQ(response.status, 200) << query << ": " << response.body;
    return response;
  }

  static Ids ids_of(const boost::json::value& page) {
    Ids ids;
    for (const auto& item : page.at("items").as_array()) ids.push_back(item.at("id").as_int64());
    return ids;
  }

  Ids ids(const std::string& who, const std::string& query) {
    return ids_of(json(list(who, query)));
  }

  // Every ticket of `query`, page by page (`limit` each), following next_cursor.
  Ids all_pages(const std::string& who, const std::string& query, int limit) {
    Ids seen;
    std::string cursor;
    for (int page = 0; page < 50; ++page) {
      const auto body = json(list(who, query + "&limit=" + std::to_string(limit) +
                                           (cursor.empty() ? "" : "&cursor=" + cursor)));
      for (const auto id : ids_of(body)) seen.push_back(id);
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    return seen;
  }

  std::string admin_, moderator_, helper_, customer_;
  std::int64_t billing_ = 0;
};

TEST_F(TicketQueueApi, StatusTakesSeveralCommaSeparatedValues) {
  const auto open = create_ticket(customer_, "Open one");
  const auto waiting = create_ticket(customer_, "Waiting one");
  const auto closed = create_ticket(customer_, "Closed one");
  ASSERT_EQ(call(Method::put, "/tickets/" + std::to_string(waiting), R"({"status":"waiting"})",
                 moderator_)
                .status,
            200);
  ASSERT_EQ(
      call(Method::put, "/tickets/" + std::to_string(closed), R"({"status":"closed"})", moderator_)
          .status,
      200);
  const auto sorted = [](Ids ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(sorted(ids(moderator_, "?status=open,in_progress,waiting")), sorted({open, waiting}));
  EXPECT_EQ(ids(moderator_, "?status=closed"), Ids{closed}) << "one value, as before";
  EXPECT_EQ(sorted(ids(moderator_, "?status=closed%2Cwaiting")), sorted({waiting, closed}));
  EXPECT_EQ(sorted(ids(moderator_, "")), sorted({open, waiting, closed}));
  for (const std::string bad : {"open,nope", "open,", ",open", "", "OPEN"}) {
    const auto response = call(Method::get, "/tickets?status=" + bad, "", moderator_);
    expect_invalid_naming(response, "status", bad);
  }
}

// sla_due: the soonest first response due first (breached ones first), then tickets with none
// pending; the row shows the due time. Cursors page every order without gaps or repeats.
TEST_F(TicketQueueApi, SlaDueOrderAndEveryOrderPagesWithoutGaps) {
  const auto low = create_ticket(customer_, "Low", billing_, "low");                 // 120 min
  const auto critical = create_ticket(customer_, "Critical", billing_, "critical");  // 15 min
  const auto none = create_ticket(customer_, "No category");                         // 4 h default
  advance_clock(std::chrono::minutes(20));
  const auto high = create_ticket(customer_, "High", billing_, "high");  // 30 min from now
  const auto answered = create_ticket(customer_, "Answered", billing_, "critical");
  ASSERT_EQ(post(moderator_, answered, "/messages", R"({"body":"On it"})").status, 201);
  EXPECT_EQ(ids(moderator_, "?sort=sla_due"), (Ids{critical, high, low, none, answered}));
  const auto first = json(list(moderator_, "?sort=sla_due")).at("items").at(0);
  EXPECT_TRUE(first.at("breached").as_bool()) << "the breached one leads";

  for (int i = 0; i < 12; ++i) {
    create_ticket(customer_, "Printer " + std::to_string(i),
                  i % 2 ? std::optional(billing_) : std::nullopt, i % 3 ? "normal" : "high");
    advance_clock(std::chrono::seconds(i % 4));
  }
  for (const std::string query :
       {"?sort=sla_due", "?sort=last_activity", "?sort=priority", "?sort=updated_at",
        "?sort=created_at", "?q=printer", "?q=printer&sort=sla_due", "?sort=relevance"}) {
    SCOPED_TRACE(query);
    const auto whole = ids(moderator_, query + "&limit=200");
    EXPECT_EQ(all_pages(moderator_, query, 4), whole);
    EXPECT_EQ(std::set<std::int64_t>(whole.begin(), whole.end()).size(), whole.size());
  }
  EXPECT_EQ(call(Method::get, "/tickets?sort=sla_due&cursor=MS4y", "", moderator_).status, 200);
  // A cursor of one order is no cursor of another shape.
  const auto page = json(list(moderator_, "?q=printer&limit=2"));
  const std::string relevance_cursor(page.at("next_cursor").as_string());
  EXPECT_EQ(call(Method::get, "/tickets?sort=created_at&cursor=" + relevance_cursor, "", moderator_)
                .status,
            400);
}

TEST_F(TicketQueueApi, SearchFindsTheNumberFirstAndPeopleForStaffOnly) {
  const auto olivia = telegram_login(7001, "Olivia");
  const auto hers = create_ticket(olivia, "Printer offline");
  for (const auto* other : {"Printer jam", "Printer smell", "Printer noise"})
    create_ticket(customer_, other);
  const auto number = std::to_string(hers);
  EXPECT_EQ(ids(moderator_, "?q=" + number).front(), hers);
  EXPECT_EQ(ids(moderator_, "?q=%23" + number).front(), hers);
  EXPECT_TRUE(ids(customer_, "?q=%23" + number).empty()) << "not a ticket the customer sees";
  EXPECT_EQ(ids(moderator_, "?q=olivia"), Ids{hers});
  EXPECT_EQ(ids(moderator_, "?q=OLI"), Ids{hers}) << "a name's start, in any case";
  EXPECT_TRUE(ids(customer_, "?q=olivia").empty()) << "customers do not search people";
  EXPECT_EQ(ids(moderator_, "?q=print").size(), 4u) << "a prefix while typing";
}

// A prefix or a stem reaches no further than a whole word did: never into internal notes for a
// customer, nor into another customer's name.
TEST_F(TicketQueueApi, ACustomersSearchNeverMatchesInternalNotesByPrefixOrStem) {
  const auto id = create_ticket(customer_, "Login");
  ASSERT_EQ(
      post(moderator_, id, "/messages", R"({"body":"zebras flagged","internal":true})").status,
      201);
  for (const std::string q : {"zeb", "zebra", "zebras", "flag", "flagging"}) {
    EXPECT_TRUE(ids(customer_, "?q=" + q).empty()) << q;
    EXPECT_EQ(ids(moderator_, "?q=" + q), Ids{id}) << q;
  }
}

// Whatever is typed is a search or no filter, never a 500.
TEST_F(TicketQueueApi, HostileSearchTextIsNeverAnError) {
  create_ticket(customer_, "Printer on fire");
  for (const std::string q : {"%22",
                              "%22%22",
                              "*",
                              "printer*",
                              "-printer",
                              "NEAR(printer%20fire)",
                              "(((",
                              ")",
                              "%5E",
                              "subject%3Aprinter",
                              "AND",
                              "OR%20NOT",
                              "%27%3B%20DROP%20TABLE%20tickets%3B%20--",
                              "%25",
                              "_",
                              "%5C",
                              "%40",
                              "%40%25",
                              "%40_",
                              "%23",
                              "%23%23",
                              "%2399999999999999999999",
                              "-1",
                              "0",
                              "9223372036854775807",
                              "%00",
                              "%FF%FE",
                              "%F0%9F%94%A5",
                              "%E2%80%8B",
                              "%E3%80%80"}) {
    for (const auto& who : {customer_, helper_, moderator_}) {
      const auto response = call(Method::get, "/tickets?q=" + q, "", who);
      EXPECT_EQ(response.status, 200) << q << ": " << response.body;
    }
  }
}

// Unread counts are each person's own, added to the page that viewers of the same scope share.
TEST_F(TicketQueueApi, UnreadCountsArePerPersonAndFollowReadMarks) {
  const auto first = create_ticket(customer_, "First");
  const auto second = create_ticket(customer_, "Second");
  ASSERT_EQ(post(admin_, first, "/messages", R"({"body":"Looking"})").status, 201);

  const auto as_moderator = json(list(moderator_, "?unread_total=true"));
  const auto as_admin = json(list(admin_, "?unread_total=1"));
  EXPECT_EQ(as_moderator.at("items"), as_admin.at("items")) << "the same tickets";
  EXPECT_EQ(as_moderator.at("unread"),
            (boost::json::object{{std::to_string(first), 2}, {std::to_string(second), 1}}));
  EXPECT_EQ(as_moderator.at("unread_tickets").as_int64(), 2);
  EXPECT_EQ(as_admin.at("unread"),
            (boost::json::object{{std::to_string(first), 1}, {std::to_string(second), 1}}))
      << "the admin's own reply is not unread for them";
  const auto as_customer = json(list(customer_, "?unread_total=true"));
  EXPECT_EQ(as_customer.at("unread"), (boost::json::object{{std::to_string(first), 1}}));
  EXPECT_EQ(as_customer.at("unread_tickets").as_int64(), 1);

  EXPECT_EQ(post(customer_, first, "/read", "").status, 204);
  EXPECT_TRUE(json(list(customer_, "")).at("unread").as_object().empty());
  EXPECT_EQ(json(list(customer_, "?unread_total=true")).at("unread_tickets").as_int64(), 0);
  EXPECT_EQ(json(list(moderator_, "?unread_total=true")).at("unread_tickets").as_int64(), 2)
      << "theirs only";
  EXPECT_FALSE(json(list(moderator_, "")).as_object().contains("unread_tickets"))
      << "only when asked for";
  expect_invalid_naming(call(Method::get, "/tickets?unread_total=yes", "", moderator_),
                        "unread_total", "yes");

  EXPECT_EQ(post(moderator_, second, "/read", "{}").status, 204);
  EXPECT_EQ(json(list(moderator_, "")).at("unread"),
            (boost::json::object{{std::to_string(first), 2}}));
  // A page after the first carries its counts but no total (it is the list's, said once).
  const auto page = json(list(moderator_, "?limit=1&unread_total=true"));
  const auto next = json(list(moderator_, "?limit=1&unread_total=true&cursor=" +
                                              std::string(page.at("next_cursor").as_string())));
  EXPECT_TRUE(page.as_object().contains("unread_tickets"));
  EXPECT_FALSE(next.as_object().contains("unread_tickets"));
  EXPECT_TRUE(next.as_object().contains("unread"));
}

TEST_F(TicketQueueApi, ReadMarksNeedATicketTheCallerSees) {
  const auto id = create_ticket(customer_, "Mine");
  const auto stranger = telegram_login(7002, "Stranger");
  EXPECT_EQ(post(stranger, id, "/read", "").status, 404);
  EXPECT_EQ(post(stranger, 999999, "/read", "").status, 404);
  EXPECT_EQ(post(customer_, id, "/read", "").status, 204);
  EXPECT_EQ(call(Method::post, "/tickets/" + std::to_string(id) + "/read").status, 401);
  expect_invalid_naming(post(customer_, id, "/read", R"({"message_id":"x"})"), "message_id", "x");
  // Up to a message: what comes after it stays unread.
  const auto reply = json(post(moderator_, id, "/messages", R"({"body":"One"})"));
  ASSERT_EQ(post(moderator_, id, "/messages", R"({"body":"Two"})").status, 201);
  EXPECT_EQ(post(customer_, id, "/read",
                 R"({"message_id":)" + std::to_string(reply.at("id").as_int64()) + "}")
                .status,
            204);
  EXPECT_EQ(json(list(customer_, "")).at("unread"), (boost::json::object{{std::to_string(id), 1}}));
}

}  // namespace
}  // namespace tb
