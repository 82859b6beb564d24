#include "service/forecast_service.hpp"

#include <algorithm>
#include <cmath>

#include "core/erlang_c.hpp"
#include "service/validation.hpp"

namespace tb::service {
namespace {

using std::chrono::hours;

constexpr auto kRecomputeAfter = std::chrono::minutes(10);

Timestamp hour_of(Timestamp time) {
  return std::chrono::floor<hours>(time);
}

// The tightest first-response promise among the active categories: the shared queue answers
// in arrival order, so meeting it meets the looser ones too.
std::optional<std::chrono::seconds> tightest_category_sla(store::Store& store) {
  std::optional<std::chrono::seconds> tightest;
  for (const auto& category : store.list_categories()) {
    if (!category.active || !category.sla_minutes) continue;
    const std::chrono::seconds sla = std::chrono::minutes(*category.sla_minutes);
    if (!tightest || sla < *tightest) tightest = sla;
  }
  return tightest;
}

}  // namespace

StaffingForecast ForecastService::forecast(const Principal& caller, int days) {
  caller.require(Permission::forecast_view);
  if (days < 1 || days > kMaxForecastDays)
    invalid("days must be 1 to " + std::to_string(kMaxForecastDays));
  const auto full = current(clock_());
  StaffingForecast answer = *full;  // a few hundred points: copying is cheaper than a view
  answer.points.resize(static_cast<std::size_t>(days * 24));
  return answer;
}

std::shared_ptr<const StaffingForecast> ForecastService::current(Timestamp now) {
  std::lock_guard lock(mutex_);
  if (!cached_ || hour_of(cached_->generated_at) != hour_of(now) ||
      now - cached_->generated_at >= kRecomputeAfter) {
    cached_ = std::make_shared<const StaffingForecast>(compute(now));
  }
  return cached_;
}

StaffingForecast ForecastService::compute(Timestamp now) {
  const Timestamp this_hour = hour_of(now);
  const auto counts =
      store_.hourly_arrivals(this_hour - hours(kForecastHistoryWeeks * forecast::kWeek), this_hour);
  const std::vector<double> history(counts.begin(), counts.end());
  const forecast::Options options;

  StaffingForecast result;
  result.generated_at = now;
  result.arrivals = forecast::forecast_arrivals(history, kMaxForecastDays * 24, options);
  result.interval_level = options.interval_level;
  result.service_level = targets_.service_level;
  result.handling_time = targets_.handling_time;
  if (targets_.first_response) {
    result.first_response = *targets_.first_response;
    result.first_response_source = "setting";
  } else if (const auto sla = tightest_category_sla(store_)) {
    result.first_response = *sla;
    result.first_response_source = "category_sla";
  } else {
    result.first_response = kDefaultFirstResponse;
    result.first_response_source = "default";
  }

  const auto& expected_hours = result.arrivals.hours;
  result.points.reserve(expected_hours.size());
  for (std::size_t h = 0; h < expected_hours.size(); ++h) {
    const auto& hour = expected_hours[h];
    // Offered load in Erlangs: arrivals per second × seconds of work each.
    const double load =
        hour.expected / 3600.0 * static_cast<double>(targets_.handling_time.count());
    result.points.push_back(ForecastPoint{
        .t = this_hour + hours(h),
        .expected = hour.expected,
        .low = hour.low,
        .high = hour.high,
        .staff_needed = erlang::agents_needed(load, targets_.service_level, result.first_response,
                                              targets_.handling_time)});
  }
  result.arrivals.hours.clear();
  return result;
}

}  // namespace tb::service
