// StatisticsService on a real SQLite file with hand-made tickets whose figures are known:
// medians and p90 within the sketch's stated error, breach and reopen rates, per-agent and
// per-category figures, days counted in the caller's time zone, who sees whose figures, and
// the errors for a bad period, time zone or interval.
#include "service/statistics_service.hpp"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "../../support/store_fixture.hpp"

namespace tb::service {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-11-24T00:00:00Z, a Tuesday.
const Timestamp kMidnight{seconds(1'795'478'400)};

class StatisticsServiceTest : public testing::StoreFixture {
 protected:
  StatisticsServiceTest()
      : moderator_(principal(Role::moderator, 9001, "Mia")),
        ann_(principal(Role::helper, 9002, "Ann")),
        bob_(principal(Role::helper, 9003, "Bob")),
        customer_(principal(Role::user, 9004, "Carl")) {
    Category billing;
    billing.name = "Billing";
    billing_ = store_->save_category(billing).id;
    Category technical;
    technical.name = "Technical";
    technical_ = store_->save_category(technical).id;
  }

  // A ticket created at `created`, in `category`, assigned to `assignee` (if any), with an
  // SLA due `due_after` later (if any).
  std::int64_t ticket(Timestamp created, std::optional<std::int64_t> category,
                      std::optional<std::int64_t> assignee,
                      std::optional<seconds> due_after = std::nullopt) {
    store::NewTicket ticket;
    ticket.subject = "Question";
    ticket.body = "Help";
    ticket.creator_id = customer_.id();
    ticket.category_id = category;
    ticket.now = created;
    if (due_after) ticket.sla_due_at = created + *due_after;
    ticket.route = false;
    const auto id = store_->create_ticket(ticket, [](auto) { return std::nullopt; }).id;
    if (assignee) {
      store::TicketChanges changes;
      changes.assignee_id = assignee;
      changes.now = created;
      store_->update_ticket(id, changes);
    }
    return id;
  }

  void answer(std::int64_t id, std::int64_t staff, Timestamp at) {
    store::NewMessage message;
    message.ticket_id = id;
    message.author_id = staff;
    message.body = "Answer";
    message.counts_as_first_response = true;
    message.now = at;
    store_->add_message(message);
  }

  void move(std::int64_t id, TicketStatus status, Timestamp at) {
    store::TicketChanges changes;
    changes.status = status;
    changes.now = at;
    store_->update_ticket(id, changes);
  }

  StatisticsService service(Timestamp now) {
    return StatisticsService(*store_, [now] { return now; });
  }

  // The whole of 2026-11-24 (UTC).
  static StatisticsRequest that_day() {
    StatisticsRequest request;
    request.from = "2026-11-24";
    request.to = "2026-11-24";
    return request;
  }

  static const AgentFigures* agent(const Statistics& statistics, std::int64_t id) {
    const auto found = std::find_if(statistics.agents.begin(), statistics.agents.end(),
                                    [&](const AgentFigures& a) { return a.user.id == id; });
    return found == statistics.agents.end() ? nullptr : &*found;
  }

  // Within the sketch's stated error of the true value.
  static void expect_close(std::optional<std::int64_t> estimate, std::int64_t truth) {
    ASSERT_TRUE(estimate.has_value());
    EXPECT_LE(std::abs(static_cast<double>(*estimate - truth)),
              DurationHistogram::kRelativeError * static_cast<double>(truth + 1))
        << "estimate " << *estimate << " for " << truth;
  }

  Principal moderator_, ann_, bob_, customer_;
  std::int64_t billing_ = 0, technical_ = 0;
};

TEST_F(StatisticsServiceTest, MediansAndP90ComeWithinTheStatedError) {
  // First responses after 1, 2, … 10 minutes; resolutions after 1 … 10 hours.
  for (int i = 1; i <= 10; ++i) {
    const auto created = kMidnight + hours(i);
    const auto id = ticket(created, billing_, ann_.id());
    answer(id, ann_.id(), created + minutes(i));
    move(id, TicketStatus::resolved, created + hours(i));
  }
  const auto figures = service(kMidnight + days(2)).statistics(moderator_, that_day());
  EXPECT_EQ(figures.total.created, 10);
  expect_close(figures.total.first_response.quantile(0.5), 5 * 60);  // nearest rank 5
  expect_close(figures.total.first_response.quantile(0.9), 9 * 60);  // nearest rank 9
  expect_close(figures.total.resolution.quantile(0.5), 5 * 3600);
  const auto* ann = agent(figures, ann_.id());
  ASSERT_NE(ann, nullptr);
  expect_close(ann->counts.first_response.quantile(0.9), 9 * 60);
  EXPECT_EQ(ann->counts.finished, 10);
}

TEST_F(StatisticsServiceTest, BreachRateCountsLateAnswersAndTicketsStillWaitingPastDue) {
  const auto at = kMidnight + hours(9);
  const auto in_time = ticket(at, billing_, ann_.id(), hours(1));
  answer(in_time, ann_.id(), at + minutes(30));
  const auto late = ticket(at, billing_, ann_.id(), hours(1));
  answer(late, ann_.id(), at + minutes(90));
  ticket(at, billing_, ann_.id(), hours(1));  // never answered: breached once 10:00 passes
  ticket(at, billing_, ann_.id());            // no SLA: not in the rate
  const auto before_due = service(at + minutes(59)).statistics(moderator_, that_day());
  EXPECT_EQ(before_due.total.with_sla, 3);
  EXPECT_EQ(before_due.total.breached, 1) << "the waiting ticket is not late yet";
  const auto after_due = service(at + hours(2)).statistics(moderator_, that_day());
  EXPECT_EQ(after_due.total.breached, 2);
  EXPECT_EQ(ratio(after_due.total.breached, after_due.total.with_sla), 2.0 / 3.0);
}

TEST_F(StatisticsServiceTest, ReopenRateIsReopenedOverEverFinished) {
  const auto at = kMidnight + hours(10);
  for (int i = 0; i < 4; ++i) {
    const auto id = ticket(at, technical_, bob_.id());
    move(id, TicketStatus::resolved, at + hours(1));
    if (i == 0) move(id, TicketStatus::open, at + hours(2));  // reopened, open again now
  }
  const auto figures = service(at + hours(3)).statistics(moderator_, that_day());
  const auto* bob = agent(figures, bob_.id());
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->counts.reopened, 1);
  EXPECT_EQ(bob->counts.finished, 3);
  EXPECT_EQ(bob->counts.finished_once, 4);
  EXPECT_EQ(ratio(bob->counts.reopened, bob->counts.finished_once), 0.25);
}

TEST_F(StatisticsServiceTest, FiguresPerAgentAndPerCategory) {
  const auto at = kMidnight + hours(12);
  const auto a1 = ticket(at, billing_, ann_.id());
  const auto a2 = ticket(at, technical_, ann_.id());
  const auto b1 = ticket(at, technical_, bob_.id());
  ticket(at, technical_, std::nullopt);  // unassigned, open
  for (const auto id : {a1, a2, b1}) move(id, TicketStatus::resolved, at + hours(1));
  store_->rate_ticket(a1, Rating{5, std::nullopt}, at + hours(2));
  store_->rate_ticket(a2, Rating{2, std::nullopt}, at + hours(2));
  store_->rate_ticket(b1, Rating{4, std::nullopt}, at + hours(2));
  const auto figures = service(at + hours(3)).statistics(moderator_, that_day());
  EXPECT_EQ(figures.total.created, 4);
  EXPECT_EQ(figures.unassigned, 1);
  const auto* ann = agent(figures, ann_.id());
  const auto* bob = agent(figures, bob_.id());
  ASSERT_TRUE(ann && bob);
  EXPECT_EQ(ann->user.first_name, "Ann");
  EXPECT_EQ(ann->counts.created, 2);
  EXPECT_EQ(ratio(ann->counts.rating_sum, ann->counts.rated), 3.5);
  EXPECT_EQ(bob->counts.created, 1);
  EXPECT_EQ(ratio(bob->counts.rating_sum, bob->counts.rated), 4.0);
  ASSERT_EQ(figures.by_category.size(), 2u);
  EXPECT_EQ(figures.by_category[0].name, "Billing");
  EXPECT_EQ(figures.by_category[0].counts.created, 1);
  EXPECT_EQ(figures.by_category[1].name, "Technical");
  EXPECT_EQ(figures.by_category[1].counts.created, 3);
  EXPECT_EQ(figures.by_category[1].counts.unfinished(), 1);
  EXPECT_EQ(figures.backlog_open, 1);
}

TEST_F(StatisticsServiceTest, DaysAreCountedInTheCallersTimeZone) {
  // 22:30 UTC on the 24th is 01:30 on the 25th in Moscow (UTC+3).
  ticket(kMidnight + hours(22) + minutes(30), billing_, ann_.id());
  ticket(kMidnight + hours(12), billing_, ann_.id());
  auto request = StatisticsRequest{};
  request.from = "2026-11-24";
  request.to = "2026-11-25";
  request.interval = "day";
  const auto now = kMidnight + days(3);
  const auto utc = service(now).statistics(moderator_, request);
  ASSERT_EQ(utc.points.size(), 2u);
  EXPECT_EQ(utc.points[0].t, kMidnight);
  EXPECT_EQ(utc.points[0].created, 2);
  EXPECT_EQ(utc.points[1].created, 0);
  request.time_zone = "Europe/Moscow";
  const auto moscow = service(now).statistics(moderator_, request);
  EXPECT_EQ(moscow.from, kMidnight - hours(3)) << "Moscow's midnight is 21:00 UTC";
  EXPECT_EQ(moscow.to, kMidnight + days(2) - hours(3));
  ASSERT_EQ(moscow.points.size(), 2u);
  EXPECT_EQ(moscow.points[1].t, kMidnight + hours(21));
  EXPECT_EQ(moscow.points[0].created, 1);
  EXPECT_EQ(moscow.points[1].created, 1);
  EXPECT_EQ(moscow.time_zone, "Europe/Moscow");
}

TEST_F(StatisticsServiceTest, DailyPointsAddUpTheirHoursInAnyTimeZone) {
  // Tickets every 97 minutes over 9 days, each finished 5 hours later.
  for (int i = 0; i < 9 * 24 * 60 / 97; ++i) {
    const auto created = kMidnight + minutes(97 * i);
    const auto id = ticket(created, i % 2 ? billing_ : technical_, ann_.id());
    move(id, TicketStatus::resolved, created + hours(5));
  }
  for (const auto* zone : {"UTC", "Europe/Moscow", "America/New_York", "Asia/Kathmandu"}) {
    StatisticsRequest request;
    request.from = "2026-11-25";
    request.to = "2026-11-30";
    request.time_zone = zone;
    request.interval = "day";
    const auto by_day = service(kMidnight + days(20)).statistics(moderator_, request);
    request.interval = "hour";
    const auto by_hour = service(kMidnight + days(20)).statistics(moderator_, request);
    ASSERT_EQ(by_day.points.size(), 6u) << zone;
    std::size_t hour = 0;
    for (std::size_t day = 0; day < by_day.points.size(); ++day) {
      const auto end = day + 1 < by_day.points.size() ? by_day.points[day + 1].t : by_day.to;
      FlowPoint sum;
      for (; hour < by_hour.points.size() && by_hour.points[hour].t < end; ++hour) {
        sum.created += by_hour.points[hour].created;
        sum.finished += by_hour.points[hour].finished;
      }
      EXPECT_EQ(by_day.points[day].created, sum.created) << zone << " day " << day;
      EXPECT_EQ(by_day.points[day].finished, sum.finished) << zone << " day " << day;
      EXPECT_GT(sum.created, 10) << zone;
    }
  }
}

TEST_F(StatisticsServiceTest, AHelperSeesOnlyTheirOwnFigures) {
  const auto at = kMidnight + hours(8);
  ticket(at, billing_, ann_.id());
  ticket(at, billing_, bob_.id());
  ticket(at, billing_, bob_.id());
  ticket(at, billing_, std::nullopt);
  auto statistics = service(at + hours(1));
  const auto mine = statistics.statistics(ann_, that_day());
  EXPECT_EQ(mine.total.created, 1);
  ASSERT_EQ(mine.agents.size(), 1u);
  EXPECT_EQ(mine.agents[0].user.id, ann_.id());
  EXPECT_EQ(mine.unassigned, 0);
  EXPECT_EQ(mine.backlog_open, 1) << "only her own open tickets";
  auto request = that_day();
  request.assignee_id = bob_.id();
  EXPECT_EQ(code_of([&] { statistics.statistics(ann_, request); }), ErrorCode::forbidden);
  request.assignee_id = ann_.id();
  EXPECT_EQ(statistics.statistics(ann_, request).total.created, 1);
  const auto everyone = statistics.statistics(moderator_, that_day());
  EXPECT_EQ(everyone.total.created, 4);
  request.assignee_id = bob_.id();
  EXPECT_EQ(statistics.statistics(moderator_, request).total.created, 2);
  EXPECT_EQ(code_of([&] { statistics.statistics(customer_, that_day()); }), ErrorCode::forbidden);
}

TEST_F(StatisticsServiceTest, BadPeriodsTimeZonesAndIntervalsAreInvalidRequests) {
  auto statistics = service(kMidnight);
  auto with = [](auto change) {
    StatisticsRequest request;
    change(request);
    return request;
  };
  const std::vector<StatisticsRequest> bad = {
      with([](auto& r) { r.time_zone = "Mars/Olympus"; }),
      with([](auto& r) { r.from = "2026-13-01"; }),
      with([](auto& r) { r.from = "yesterday"; }),
      with([](auto& r) { r.to = "2026-11-24T25:00:00Z"; }),
      with([](auto& r) {
        r.from = "2026-11-25";
        r.to = "2026-11-24";
      }),
      with([](auto& r) {
        r.from = "2024-01-01";
        r.to = "2026-01-01";
      }),
      with([](auto& r) { r.interval = "week"; }),
      with([](auto& r) {
        r.from = "2026-09-01";
        r.to = "2026-11-01";
        r.interval = "hour";
      }),
  };
  for (const auto& request : bad) {
    EXPECT_EQ(code_of([&] { statistics.statistics(moderator_, request); }),
              ErrorCode::invalid_request)
        << request.from.value_or("") << " " << request.to.value_or("") << " "
        << request.time_zone.value_or("") << " " << request.interval.value_or("");
  }
}

TEST_F(StatisticsServiceTest, TheDefaultPeriodIsTheLast30DaysUpToTheEndOfThisHour) {
  const auto now = kMidnight + hours(5) + minutes(17);
  const auto figures = service(now).statistics(moderator_, {});
  EXPECT_EQ(figures.to, kMidnight + hours(6));
  EXPECT_EQ(figures.from, kMidnight - days(29));
  EXPECT_EQ(figures.interval, StatisticsInterval::day);
  EXPECT_EQ(figures.points.size(), 30u);
  EXPECT_EQ(figures.time_zone, "UTC");
  StatisticsRequest in_moscow;
  in_moscow.time_zone = "Europe/Moscow";
  EXPECT_EQ(service(now).statistics(moderator_, in_moscow).from, kMidnight - days(29) - hours(3));
}

TEST_F(StatisticsServiceTest, TheDashboardCoversTheLast24HoursHourByHour) {
  const auto now = kMidnight + hours(30) + minutes(5);
  ticket(now - minutes(1), billing_, ann_.id());
  ticket(now - hours(30), billing_, ann_.id());  // before the window
  const auto everyone = service(now).dashboard(StatisticsView{});
  EXPECT_EQ(everyone.to, kMidnight + hours(31));
  EXPECT_EQ(everyone.points.size(), 24u);
  EXPECT_EQ(everyone.total.created, 1);
  EXPECT_EQ(everyone.points.back().created, 1);
  EXPECT_EQ(service(now).dashboard(StatisticsView{bob_.id()}).total.created, 0);
}

}  // namespace
}  // namespace tb::service
