#include "service/forecast_service.hpp"

#include "../../support/store_fixture.hpp"

namespace tb::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class ForecastServiceTest : public testing::StoreFixture {
 protected:
  ForecastServiceTest()
      : moderator_(principal(Role::moderator, 2, "Mod")),
        customer_(principal(Role::user, 1, "Customer")) {}

  // A ticket created at `at`, straight into the store.
  void ticket_at(Timestamp at, std::optional<std::int64_t> category = std::nullopt) {
    store::NewTicket ticket;
    ticket.subject = "Help";
    ticket.body = "Please";
    ticket.category_id = category;
    ticket.creator_id = customer_.id();
    ticket.now = at;
    ticket.route = false;
    store_->create_ticket(ticket, [](auto) { return std::nullopt; });
  }

  ForecastService service(StaffingTargets targets = {}) {
    return ForecastService(*store_, targets, [this] { return now_; });
  }

  Timestamp now_{std::chrono::sys_days(std::chrono::year(2026) / 11 / 30) + hours(10) +
                 minutes(20)};
  Principal moderator_;
  Principal customer_;
};

TEST_F(ForecastServiceTest, NoHistoryForecastsNothingAndNeedsNobody) {
  auto forecasts = service();
  const auto forecast = forecasts.forecast(moderator_, 2);
  EXPECT_EQ(forecast.arrivals.method, "none (no arrivals in the history)");
  ASSERT_EQ(forecast.points.size(), 48u);
  EXPECT_EQ(forecast.points[0].t, std::chrono::floor<hours>(now_)) << "from the current hour";
  EXPECT_EQ(forecast.points[47].t, std::chrono::floor<hours>(now_) + hours(47));
  for (const auto& point : forecast.points) {
    EXPECT_EQ(point.expected, 0);
    EXPECT_EQ(point.staff_needed, 0);
  }
  EXPECT_EQ(forecast.first_response, kDefaultFirstResponse);
  EXPECT_EQ(forecast.first_response_source, "default");
}

TEST_F(ForecastServiceTest, LearnsFromTheHoursBeforeTheCurrentOne) {
  // Three days with four tickets at 10:xx and none otherwise; it is 10:20 now.
  for (int day = 1; day <= 3; ++day) {
    for (int i = 0; i < 4; ++i)
      ticket_at(std::chrono::floor<hours>(now_) - hours(24 * day) + minutes(10 * i));
  }
  ticket_at(now_ - minutes(5));  // in the current hour: not history yet
  auto forecasts = service(StaffingTargets{.handling_time = std::chrono::seconds(1800),
                                           .service_level = 0.8,
                                           .first_response = std::chrono::seconds(300)});
  const auto forecast = forecasts.forecast(moderator_, 1);
  EXPECT_EQ(forecast.arrivals.method, "hour_of_day_mean (short history: 3 days, no backtest)");
  EXPECT_EQ(forecast.first_response_source, "setting");
  for (const auto& point : forecast.points) {
    const bool ten = point.t == std::chrono::floor<hours>(now_);
    EXPECT_DOUBLE_EQ(point.expected, ten ? 4 : 0) << format_timestamp(point.t);
    // 4 an hour × 30 min = 2 Erlangs; 80% within 5 minutes takes 4 agents (3 reach 62%).
    EXPECT_EQ(point.staff_needed, ten ? 4 : 0);
  }
}

TEST_F(ForecastServiceTest, TheTargetIsTheTightestActiveCategorySla) {
  for (const auto& [name, minutes, active] :
       {std::tuple{"Billing", 240, true}, {"Account", 60, true}, {"Old", 5, false}}) {
    Category category;
    category.name = name;
    category.sla_minutes = minutes;
    category.active = active;
    store_->save_category(category);
  }
  const auto forecast = service().forecast(moderator_, 1);
  EXPECT_EQ(forecast.first_response, std::chrono::seconds(3600));
  EXPECT_EQ(forecast.first_response_source, "category_sla");
}

TEST_F(ForecastServiceTest, KeepsItsAnswerForTenMinutesWithinTheHour) {
  auto forecasts = service();
  const auto first = forecasts.forecast(moderator_, 1);
  ticket_at(now_ - hours(2));
  now_ += minutes(9);
  EXPECT_EQ(forecasts.forecast(moderator_, 1).generated_at, first.generated_at);
  now_ += minutes(1);
  const auto later = forecasts.forecast(moderator_, 1);
  EXPECT_EQ(later.generated_at, now_);
  EXPECT_NE(later.arrivals.method, first.arrivals.method) << "the new ticket is history now";
}

TEST_F(ForecastServiceTest, RecomputesWhenTheHourTurns) {
  auto forecasts = service();
  now_ = std::chrono::floor<hours>(now_) + minutes(55);
  const auto first = forecasts.forecast(moderator_, 1);
  now_ += minutes(6);
  const auto next = forecasts.forecast(moderator_, 1);
  EXPECT_EQ(next.generated_at, now_);
  EXPECT_EQ(next.points[0].t, first.points[1].t);
}

TEST_F(ForecastServiceTest, RefusesBadDaysAndCallersWithoutThePermission) {
  auto forecasts = service();
  EXPECT_EQ(code_of([&] { forecasts.forecast(moderator_, 0); }), ErrorCode::invalid_request);
  EXPECT_EQ(code_of([&] { forecasts.forecast(moderator_, kMaxForecastDays + 1); }),
            ErrorCode::invalid_request);
  EXPECT_EQ(forecasts.forecast(moderator_, kMaxForecastDays).points.size(),
            static_cast<std::size_t>(kMaxForecastDays * 24));
  EXPECT_EQ(code_of([&] { forecasts.forecast(customer_, 7); }), ErrorCode::forbidden);
  const auto helper = principal(Role::helper, 3, "Helper");
  EXPECT_EQ(code_of([&] { forecasts.forecast(helper, 7); }), ErrorCode::forbidden);
}

}  // namespace
}  // namespace tb::service
