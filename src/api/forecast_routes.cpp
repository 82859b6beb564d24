#include "api/forecast_routes.hpp"

#include <algorithm>
#include <cmath>

#include "api/json.hpp"

namespace tb::api {
namespace {

constexpr int kDefaultDays = 7;

boost::json::value optional_number(const std::optional<double>& value) {
  if (!value) return nullptr;
  return std::round(*value * 10) / 10;  // one decimal: the error is no more precise than that
}

// Two decimals; an hour that expects any ticket at all shows at least 0.01, so that it never
// reads 0 beside the agent it needs (staff_needed is 0 only when nothing is expected).
double expected_for_display(double expected) {
  const double rounded = std::round(expected * 100) / 100;
  return expected > 0 ? std::max(rounded, 0.01) : rounded;
}

boost::json::object backtest_json(const forecast::Backtest& backtest) {
  boost::json::array candidates;
  for (const auto& candidate : backtest.candidates) {
    candidates.push_back(boost::json::object{{"method", forecast::method_name(candidate.method)},
                                             {"error_wape", optional_number(candidate.wape)}});
  }
  return boost::json::object{{"error_mape", optional_number(backtest.wape)},
                             {"baseline_mape", optional_number(backtest.baseline_wape)},
                             {"noise_floor_mape", optional_number(backtest.noise_floor_wape)},
                             {"measure", "wape"},
                             {"baseline", "seasonal_naive"},
                             {"origins", backtest.origins},
                             {"horizon_hours", backtest.horizon_hours},
                             {"candidates", std::move(candidates)}};
}

boost::json::object forecast_json(const service::StaffingForecast& forecast) {
  boost::json::array points;
  for (const auto& point : forecast.points) {
    points.push_back(boost::json::object{{"t", format_timestamp(point.t)},
                                         {"expected", expected_for_display(point.expected)},
                                         {"low", point.low},
                                         {"high", point.high},
                                         {"staff_needed", point.staff_needed}});
  }
  return boost::json::object{
      {"generated_at", format_timestamp(forecast.generated_at)},
      {"method", forecast.arrivals.method},
      {"interval", "hour"},
      {"level", forecast.interval_level},
      {"history_hours", forecast.arrivals.history_hours},
      {"dispersion", std::round(forecast.arrivals.dispersion * 1000) / 1000},
      {"backtest", backtest_json(forecast.arrivals.backtest)},
      {"target", boost::json::object{{"first_response_s", forecast.first_response.count()},
                                     {"first_response_source", forecast.first_response_source},
                                     {"service_level", forecast.service_level}}},
      {"aht_s", forecast.handling_time.count()},
      {"points", std::move(points)}};
}

}  // namespace

void add_forecast_routes(Endpoints& endpoints, service::ForecastService& forecasts) {
  endpoints.add_protected(
      http::Method::get, "/statistics/forecast", Permission::forecast_view,
      [&](http::Request& request, const service::Principal& caller) {
        const auto days = query_id(request, "days").value_or(kDefaultDays);
        const int bounded =
            static_cast<int>(std::min<std::int64_t>(days, service::kMaxForecastDays + 1));
        return json_response(200, forecast_json(forecasts.forecast(caller, bounded)));
      });
}

}  // namespace tb::api
