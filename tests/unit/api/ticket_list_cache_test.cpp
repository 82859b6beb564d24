// The kept pages of GET /tickets (api::PageCache): served again only while nothing they show
// could have changed — no write since, and no SLA fallen due — and never across viewers who
// may see different tickets.
#include "../../support/app_fixture.hpp"
#include "api/page_cache.hpp"

namespace tb {
namespace {

using http::Method;
using std::chrono::minutes;
using std::chrono::seconds;

class TicketListCache : public testing::AppFixture {
 protected:
  void SetUp() override {
    start();
    admin_ = demo_token(Role::admin);
    moderator_ = demo_token(Role::moderator);
    helper_ = demo_token(Role::helper);
    customer_ = demo_token(Role::user);
    const auto category =
        call(Method::post, "/categories", R"({"name":"Billing","sla_minutes":60})", admin_);
    ASSERT_EQ(category.status, 201) << category.body;
    billing_ = json(category).at("id").as_int64();
  }

  std::int64_t create_ticket(const std::string& who, const std::string& subject,
                             std::optional<std::int64_t> category = std::nullopt) {
    boost::json::object body{{"subject", subject}, {"body", "details"}};
    if (category) body["category_id"] = *category;
    const auto response = call(Method::post, "/tickets", boost::json::serialize(body), who);
    EXPECT_EQ(response.status, 201) << response.body;
    return json(response).at("id").as_int64();
  }

  http::Response list(const std::string& who, const std::string& query = "?limit=50") {
    auto response = call(Method::get, "/tickets" + query, "", who);
    EXPECT_EQ(response.status, 200) << response.body;
    return response;
  }

  // ticketbot_ticket_list_cache_{hits,misses}_total as /metrics shows it. (Parsed by hand:
  // std::regex trips g++ 12's -Wmaybe-uninitialized in the ASan build.)
  std::uint64_t counter(const std::string& name) {
    const auto text = call(Method::get, "/metrics").body;
    const std::string line = "\nticketbot_ticket_list_cache_" + name + "_total ";
    const auto at = text.find(line);
    EXPECT_NE(at, std::string::npos) << text;
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + line.size()));
  }

  std::string admin_, moderator_, helper_, customer_;
  std::int64_t billing_ = 0;
};

TEST_F(TicketListCache, ARepeatedListIsKeptAndAWriteEndsIt) {
  const auto older = create_ticket(customer_, "Older");
  create_ticket(customer_, "Newer");
  const auto first = list(moderator_);
  const auto hits = counter("hits");
  EXPECT_EQ(list(moderator_).body, first.body);
  EXPECT_EQ(counter("hits"), hits + 1);

  advance_clock(seconds(2));  // so that the reply sorts the older ticket first
  ASSERT_EQ(call(Method::post, "/tickets/" + std::to_string(older) + "/messages",
                 R"({"body":"On it"})", moderator_)
                .status,
            201);
  const auto misses = counter("misses");
  const auto after = json(list(moderator_));
  EXPECT_EQ(counter("misses"), misses + 2);  // the moderator's own answer, and the shared page
  const auto& top = after.at("items").at(0);
  EXPECT_EQ(top.at("id").as_int64(), older);
  EXPECT_EQ(top.at("messages_count").as_int64(), 2);
}

TEST_F(TicketListCache, ViewersWithTheSameScopeShareAPageAndOthersNever) {
  const auto stranger = telegram_login(7001, "Another customer");  // before: a login writes
  create_ticket(customer_, "Customer's, no category");
  create_ticket(admin_, "Admin's own, no category");
  const auto all = list(moderator_);
  ASSERT_EQ(json(all).at("items").as_array().size(), 2u);

  const auto hits = counter("hits");
  // Both see every ticket: one page, kept once; each gets their own unread counts with it.
  const auto as_admin = json(list(admin_));
  EXPECT_EQ(as_admin.at("items"), json(all).at("items"));
  EXPECT_EQ(counter("hits"), hits + 1);
  EXPECT_NE(as_admin.at("unread"), json(all).at("unread")) << "the admin wrote one of them";

  // The helper sees neither (not theirs, no category of theirs); the customer only theirs.
  EXPECT_TRUE(json(list(helper_)).at("items").as_array().empty());
  const auto own = json(list(customer_)).at("items").as_array();
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own.at(0).at("subject").as_string(), "Customer's, no category");
  EXPECT_TRUE(json(list(stranger)).at("items").as_array().empty());
  EXPECT_EQ(counter("hits"), hits + 1);
}

// Each viewer's answer (the shared page with their unread counts) is kept too, and a read
// mark, a write like any other, ends it.
TEST_F(TicketListCache, AViewersUnreadCountsAreKeptWithTheirAnswerUntilAWrite) {
  const auto id = create_ticket(customer_, "Card refused");
  const auto key = std::to_string(id);
  const auto first = json(list(moderator_, "?limit=50&unread_total=true"));
  EXPECT_EQ(first.at("unread").at(key).as_int64(), 1);
  EXPECT_EQ(first.at("unread_tickets").as_int64(), 1);
  const auto hits = counter("hits");
  EXPECT_EQ(json(list(moderator_, "?limit=50&unread_total=true")), first);
  EXPECT_EQ(counter("hits"), hits + 1);
  // Without the total: another answer, not the one with it.
  EXPECT_FALSE(json(list(moderator_)).as_object().contains("unread_tickets"));

  ASSERT_EQ(call(Method::post, "/tickets/" + key + "/read", "", moderator_).status, 204);
  const auto after = json(list(moderator_, "?limit=50&unread_total=true"));
  EXPECT_FALSE(after.at("unread").as_object().contains(key));
  EXPECT_EQ(after.at("unread_tickets").as_int64(), 0);
  // The admin, who has not read it, still has it unread: their own answer, not the moderator's.
  EXPECT_EQ(json(list(admin_, "?limit=50&unread_total=true")).at("unread").at(key).as_int64(), 1);
}

// A ticket's messages are kept per kind of reader (with internal notes or without) until the
// next write; whether the caller may see the ticket is asked for every request all the same.
TEST_F(TicketListCache, AKeptPageOfMessagesIsGivenOnlyToThoseWhoMaySeeTheTicket) {
  const auto stranger = telegram_login(7002, "Another customer");  // before: a login writes
  const auto id = std::to_string(create_ticket(customer_, "Card refused"));
  const auto messages = "/tickets/" + id + "/messages?limit=50";
  const auto count = [&](const std::string& who) {
    const auto response = call(Method::get, messages, "", who);
    EXPECT_EQ(response.status, 200) << response.body;
    return json(response).at("items").as_array().size();
  };
  EXPECT_EQ(count(customer_), 1u);
  const auto hits = counter("hits");
  EXPECT_EQ(count(customer_), 1u);
  EXPECT_EQ(counter("hits"), hits + 1);
  EXPECT_EQ(call(Method::get, messages, "", stranger).status, 404) << "kept, still not theirs";

  ASSERT_EQ(call(Method::post, "/tickets/" + id + "/messages",
                 R"({"body":"Bank flagged it","internal":true})", moderator_)
                .status,
            201);
  EXPECT_EQ(count(moderator_), 2u);
  EXPECT_EQ(count(customer_), 1u) << "the note is not in the customers' page";
  ASSERT_EQ(
      call(Method::post, "/tickets/" + id + "/messages", R"({"body":"We are on it"})", moderator_)
          .status,
      201);
  EXPECT_EQ(count(customer_), 2u) << "a write ends the kept page";
}

TEST_F(TicketListCache, FiltersAndPagesAreKeptApart) {
  for (int i = 0; i < 3; ++i) create_ticket(customer_, "Ticket " + std::to_string(i));
  const auto one = json(list(moderator_, "?limit=1")).at("items").as_array();
  const auto two = json(list(moderator_, "?limit=2")).at("items").as_array();
  const auto open = json(list(moderator_, "?status=open")).at("items").as_array();
  const auto closed = json(list(moderator_, "?status=closed")).at("items").as_array();
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(open.size(), 3u);
  EXPECT_TRUE(closed.empty());
  EXPECT_EQ(json(list(moderator_, "?q=Ticket%201")).at("items").as_array().size(), 1u);
}

TEST_F(TicketListCache, AnSlaFallingDueIsShownWithoutAnyWrite) {
  create_ticket(customer_, "Charged twice", billing_);  // due in 60 minutes
  EXPECT_FALSE(json(list(moderator_)).at("items").at(0).at("breached").as_bool());
  advance_clock(minutes(59));
  EXPECT_FALSE(json(list(moderator_)).at("items").at(0).at("breached").as_bool());
  advance_clock(minutes(2));
  EXPECT_TRUE(json(list(moderator_)).at("items").at(0).at("breached").as_bool());
}

TEST_F(TicketListCache, NoneIsKeptWhenTurnedOff) {
  start({{"LIST_CACHE_MB", "0"}});
  moderator_ = demo_token(Role::moderator);
  list(moderator_);
  list(moderator_);
  EXPECT_EQ(counter("hits"), 0u);
}

Timestamp at(std::int64_t second) {
  return Timestamp(seconds(second));
}

api::CachedPage page(std::string body, std::optional<Timestamp> until) {
  return api::CachedPage{std::move(body), {}, until};
}

TEST(PageCache, AnswersOnlyWhatWasBuiltAtTheCurrentWriteCountAndIsStillGood) {
  api::PageCache pages(1 << 20);
  pages.put("a", 7, page("page a", at(100)));
  EXPECT_EQ(pages.find("a", 7, at(100))->body, "page a");
  EXPECT_EQ(pages.find("a", 7, at(101)), nullptr);  // past its time
  EXPECT_EQ(pages.find("a", 8, at(50)), nullptr);   // a write since
  EXPECT_EQ(pages.find("b", 7, at(50)), nullptr);
  EXPECT_EQ(pages.counts().hits, 1u);
  EXPECT_EQ(pages.counts().misses, 3u);
}

TEST(PageCache, APageBuiltBeforeAWriteIsNotKeptAfterIt) {
  api::PageCache pages(1 << 20);
  pages.put("new", 8, page("after the write", std::nullopt));
  pages.put("old", 7, page("before the write", std::nullopt));  // its read began earlier
  EXPECT_EQ(pages.find("old", 7, at(0)), nullptr);
  EXPECT_EQ(pages.find("old", 8, at(0)), nullptr);
  EXPECT_EQ(pages.find("new", 8, at(0))->body, "after the write");
}

TEST(PageCache, KeepsNoMoreThanItsSize) {
  api::PageCache pages(10);
  pages.put("a", 1, page("123456", std::nullopt));
  pages.put("b", 1, page("123456", std::nullopt));  // 12 bytes would not fit: starts afresh
  EXPECT_EQ(pages.find("a", 1, at(0)), nullptr);
  EXPECT_EQ(pages.find("b", 1, at(0))->body, "123456");
  // Larger than the whole cache: not kept, still given back to serve this once.
  EXPECT_EQ(pages.put("c", 1, page("12345678901", std::nullopt))->body, "12345678901");
  EXPECT_EQ(pages.find("c", 1, at(0)), nullptr);
  EXPECT_NE(pages.find("b", 1, at(0)), nullptr);
}

}  // namespace
}  // namespace tb
