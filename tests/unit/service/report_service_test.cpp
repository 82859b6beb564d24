// ReportService on a real SQLite store: the summary's figures on a hand-made data set with
// known answers, keyset paging over several pages, and the checks of a report's filter.
#include "service/report_service.hpp"

#include "../../support/store_fixture.hpp"

namespace tb::service {
namespace {

using namespace std::chrono;
using testing::StoreFixture;

constexpr Timestamp kNovember1{sys_days(year(2026) / 11 / 1)};
const Timestamp kNow = kNovember1 + days(10);

class ReportServiceTest : public StoreFixture {
 protected:
  ReportServiceTest() : reports_(*store_, [] { return kNow; }) {}

  std::int64_t category(const std::string& name) {
    Category category;
    category.name = name;
    return store_->save_category(category).id;
  }

  Ticket ticket_at(Timestamp created, std::int64_t creator, std::optional<std::int64_t> category_id,
                   Priority priority = Priority::normal) {
    store::NewTicket ticket;
    ticket.subject = "Subject";
    ticket.body = "Body";
    ticket.category_id = category_id;
    ticket.creator_id = creator;
    ticket.priority = priority;
    ticket.now = created;
    ticket.route = false;
    return store_->create_ticket(ticket, [](auto) { return std::nullopt; });
  }

  void change(const Ticket& ticket, Timestamp at, std::optional<TicketStatus> status,
              std::optional<std::int64_t> assignee = std::nullopt) {
    store::TicketChanges changes;
    changes.status = status;
    if (assignee) changes.assignee_id = std::optional<std::int64_t>{*assignee};
    changes.now = at;
    ASSERT_TRUE(store_->update_ticket(ticket.id, changes));
  }

  ReportService reports_;
};

TEST_F(ReportServiceTest, SummaryCountsTheTicketsOfThePeriod) {
  const auto admin = principal(Role::admin, 1, "Admin");
  const auto customer = principal(Role::user, 2, "Дарья");
  const auto agent = principal(Role::helper, 3, "Harper");
  const auto billing = category("Оплата");
  const auto other = category("Other");
  // Three tickets on 2 November, one on 4 November, one before the period, one after it.
  const auto first =
      ticket_at(kNovember1 + days(1) + hours(9), customer.id(), billing, Priority::high);
  const auto second = ticket_at(kNovember1 + days(1) + hours(10), customer.id(), billing);
  ticket_at(kNovember1 + days(1) + hours(11), customer.id(), std::nullopt, Priority::critical);
  const auto fourth = ticket_at(kNovember1 + days(3), customer.id(), other);
  const auto before = ticket_at(kNovember1 - hours(1), customer.id(), billing);
  ticket_at(kNovember1 + days(5), customer.id(), billing);
  change(first, kNovember1 + days(1) + hours(12), TicketStatus::in_progress, agent.id());
  change(first, kNovember1 + days(2), TicketStatus::resolved);
  change(second, kNovember1 + days(2), std::nullopt, agent.id());
  change(fourth, kNovember1 + days(3) + hours(1), TicketStatus::closed);
  change(before, kNovember1 + days(3), TicketStatus::resolved);  // resolved in the period

  const auto filter = reports_.filter({.from = "2026-11-01",
                                       .to = "2026-11-04",
                                       .category_id = std::nullopt,
                                       .status = std::nullopt});
  EXPECT_EQ(filter.period.from, kNovember1);
  EXPECT_EQ(filter.period.to, kNovember1 + days(4));
  const auto summary = reports_.contents(admin, filter).summary;
  EXPECT_EQ(summary.tickets, 4);
  EXPECT_EQ(summary.by_status[static_cast<std::size_t>(TicketStatus::open)], 2);
  EXPECT_EQ(summary.by_status[static_cast<std::size_t>(TicketStatus::resolved)], 1);
  EXPECT_EQ(summary.by_status[static_cast<std::size_t>(TicketStatus::closed)], 1);
  EXPECT_EQ(summary.by_priority[static_cast<std::size_t>(Priority::normal)], 2);
  EXPECT_EQ(summary.by_priority[static_cast<std::size_t>(Priority::high)], 1);
  EXPECT_EQ(summary.by_priority[static_cast<std::size_t>(Priority::critical)], 1);
  ASSERT_EQ(summary.by_category.size(), 3u);
  EXPECT_EQ(summary.by_category[0].name, "Оплата");
  EXPECT_EQ(summary.by_category[0].tickets, 2);
  ASSERT_EQ(summary.by_agent.size(), 1u);
  EXPECT_EQ(summary.by_agent[0].agent.first_name, "Harper");
  EXPECT_EQ(summary.by_agent[0].assigned, 2);
  EXPECT_EQ(summary.by_agent[0].resolved, 1);
  ASSERT_EQ(summary.days.size(), 4u);  // 1 to 4 November, a point each
  EXPECT_EQ(summary.days[0].created, 0);
  EXPECT_EQ(summary.days[1].created, 3);
  EXPECT_EQ(summary.days[2].resolved, 1);  // `first`
  EXPECT_EQ(summary.days[3].created, 1);
  EXPECT_EQ(summary.days[3].resolved, 1);  // `before`, created before the period
}

TEST_F(ReportServiceTest, TicketsComePageByPageInIdOrderAndOnlyOnce) {
  const auto admin = principal(Role::admin, 1, "Admin");
  const auto customer = principal(Role::user, 2, "Ann");
  const auto billing = category("Billing");
  const int count = ReportService::kPageSize * 2 + 37;
  store_->in_one_transaction([&] {
    for (int i = 0; i < count; ++i) {
      ticket_at(kNovember1 + minutes(i), customer.id(),
                i % 3 == 0 ? std::nullopt : std::optional(billing));
    }
  });
  auto contents = reports_.contents(admin, reports_.filter({.from = std::nullopt,
                                                            .to = std::nullopt,
                                                            .category_id = billing,
                                                            .status = std::nullopt}));
  std::vector<std::int64_t> ids;
  int pages = 0;
  for (auto page = contents.next_page(); !page.empty(); page = contents.next_page()) {
    ++pages;
    EXPECT_LE(page.size(), static_cast<std::size_t>(ReportService::kPageSize));
    for (const auto& ticket : page) {
      EXPECT_EQ(ticket.category_id, billing);
      ids.push_back(ticket.id);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(count - (count + 2) / 3));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(contents.summary.tickets, static_cast<std::int64_t>(ids.size()));
}

TEST_F(ReportServiceTest, RefusesABadFilterAndCallersWithoutThePermission) {
  const auto none = std::optional<std::string>{};
  EXPECT_EQ(code_of([&] {
              reports_.filter({.from = "2026-11-31", .to = none, .category_id = {}, .status = {}});
            }),
            ErrorCode::invalid_request);
  EXPECT_EQ(code_of([&] {
              reports_.filter(
                  {.from = "2026-11-05", .to = "2026-11-04", .category_id = {}, .status = {}});
            }),
            ErrorCode::invalid_request);
  EXPECT_EQ(code_of([&] {
              reports_.filter({.from = none, .to = none, .category_id = 404, .status = {}});
            }),
            ErrorCode::not_found);
  const auto defaults =
      reports_.filter({.from = none, .to = none, .category_id = {}, .status = {}});
  EXPECT_EQ(defaults.period.to, kNow + seconds(1));
  EXPECT_EQ(defaults.period.from, kNow + seconds(1) - days(30));
  const auto moderator = principal(Role::moderator, 5, "Morgan");
  EXPECT_EQ(code_of([&] { reports_.contents(moderator, defaults); }), ErrorCode::forbidden);
}

}  // namespace
}  // namespace tb::service
