// Hourly arrival forecasting: expected tickets per hour for the coming days from the hourly
// counts of the past weeks, with daily and weekly seasonality, the method chosen by a rolling
// backtest against seasonal-naive, and prediction intervals for counts. Pure arithmetic.
//
// A series is a run of consecutive hourly counts, oldest first, the last one the latest complete
// hour. Seasonality is read from lags (24 and 168 hours back), so a series needs no calendar:
// position h after the series' end has the same hour of the week as h − 168.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tb::forecast {

inline constexpr int kDay = 24;
inline constexpr int kWeek = 168;

enum class Method {
  seasonal_naive,                // the same hour one week earlier: the baseline
  hour_of_week_mean,             // exponentially weighted mean of that hour in past weeks
  smoothed_hour_of_week_mean,    // the same, each hour averaged 1:2:1 with its neighbours
  holt_winters,                  // additive Holt-Winters: level + weekly season
  double_seasonal_holt_winters,  // Taylor (2003): level + daily + weekly season
};

inline constexpr Method kAllMethods[] = {Method::seasonal_naive, Method::hour_of_week_mean,
                                         Method::smoothed_hour_of_week_mean, Method::holt_winters,
                                         Method::double_seasonal_holt_winters};

std::string_view method_name(Method method);

// The expected counts of the `horizon` hours after `history` under `method` (never negative).
// Needs at least one week of history (all methods are weekly-seasonal); throws
// std::invalid_argument otherwise. The smoothing methods pick their parameters by the least
// one-step-ahead squared error over `history`.
std::vector<double> predict(Method method, std::span<const double> history, int horizon);

// Weighted absolute percentage error, in percent: Σ|actual − predicted| / Σ actual × 100.
// Unlike MAPE it is defined when some hours have no arrivals (it weighs each hour by its
// volume); nullopt when the actuals sum to 0.
std::optional<double> wape(std::span<const double> actual, std::span<const double> predicted);

// E|X − mean| for X Poisson with this mean, 2·e^−μ·μ^(⌊μ⌋+1) / ⌊μ⌋!: how far single counts
// scatter around a rate known exactly (about 0.8·√μ for large means, 2μ·e^−μ under 1).
double poisson_mean_absolute_deviation(double mean);

// The smallest count k with P(X ≤ k) ≥ p for X negative-binomial with this mean and
// Var(X) = mean + dispersion · mean² (Poisson when dispersion is 0).
int count_quantile(double mean, double dispersion, double p);

struct Options {
  int max_backtest_origins = 4;  // weeks held out, one origin each, newest last
  double interval_level = 0.9;   // central prediction interval
};

struct CandidateError {
  Method method = Method::seasonal_naive;
  std::optional<double> wape;  // percent, pooled over every backtest hour
};

struct Backtest {
  int origins = 0;             // 0: the history was too short for one
  int horizon_hours = kWeek;   // each origin forecasts one week ahead
  std::optional<double> wape;  // the chosen method's
  std::optional<double> baseline_wape;
  // What the chosen method would score if its expectations were the true rates and counts
  // Poisson around them: the part of the error no forecast of hourly counts can remove.
  std::optional<double> noise_floor_wape;
  std::vector<CandidateError> candidates;
};

struct HourForecast {
  double expected = 0;
  int low = 0;   // the interval's lower quantile, (1 − level) / 2
  int high = 0;  // its upper quantile, (1 + level) / 2
};

struct ArrivalForecast {
  std::string method;  // a Method's name, or the short-history fallback's with why
  Backtest backtest;
  double dispersion = 0;  // of the count distribution around `expected` (0: Poisson)
  int history_hours = 0;  // hours used, after leading hours without arrivals
  std::vector<HourForecast> hours;
};

// Forecasts the `horizon` hours after `history`. Hours before the first arrival are taken as
// the time before the desk opened and dropped. With two weeks or more, every Method is
// backtested from up to `max_backtest_origins` weekly origins (each fitted on what came
// before it, scored on the week after it) and the least pooled absolute error wins (ties go to
// the simpler method); the intervals are negative-binomial with the dispersion of the winner's
// backtest residuals. Shorter histories fall back (and say so in `method`): one to two weeks →
// hour_of_week_mean, under a week → the mean of each hour of the day (or of all hours, under a
// day), Poisson intervals, no backtest; no arrivals at all → zeros.
ArrivalForecast forecast_arrivals(std::span<const double> history, int horizon,
                                  const Options& options = {});

}  // namespace tb::forecast
