#include "core/forecast.hpp"

#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>

namespace tb::forecast {
namespace {

// A help desk's hourly arrival rate, starting on a Monday at 00:00: quiet nights, busy
// weekday afternoons, a quieter weekend with a later start, and a level that grows 2% a week.
double true_rate(int hour_index) {
  const int day = (hour_index / kDay) % 7;
  const int hour = hour_index % kDay;
  const bool weekend = day >= 5;
  const double daytime = std::exp(-std::pow((hour - (weekend ? 15.0 : 14.0)) / 4.0, 2));
  const double shape = 0.15 + (weekend ? 1.2 : 3.0) * daytime;
  const double day_factor = std::array{1.15, 1.05, 1.0, 1.0, 0.9, 0.6, 0.5}[day];
  const double level = 3.0 * std::pow(1.02, hour_index / static_cast<double>(kWeek));
  return level * shape * day_factor;
}

// Poisson counts around true_rate, with a fixed seed: the same series on every run.
std::vector<double> synthetic_series(int hours, unsigned seed = 7) {
  std::mt19937 random(seed);
  std::vector<double> counts;
  for (int t = 0; t < hours; ++t) {
    std::poisson_distribution<int> arrivals(true_rate(t));
    counts.push_back(arrivals(random));
  }
  return counts;
}

std::vector<double> expected_of(const ArrivalForecast& forecast) {
  std::vector<double> expected;
  for (const auto& hour : forecast.hours) expected.push_back(hour.expected);
  return expected;
}

TEST(Forecast, BeatsSeasonalNaiveOnANoisySeasonalSeries) {
  const auto series = synthetic_series(10 * kWeek);
  const std::span<const double> history(series.data(), 9 * kWeek);
  const std::span<const double> held_out(series.data() + 9 * kWeek, kWeek);

  const auto forecast = forecast_arrivals(history, kWeek);
  EXPECT_NE(forecast.method, "seasonal_naive");
  EXPECT_EQ(forecast.backtest.origins, 4);
  ASSERT_TRUE(forecast.backtest.wape && forecast.backtest.baseline_wape);
  EXPECT_LT(*forecast.backtest.wape, *forecast.backtest.baseline_wape);
  EXPECT_EQ(forecast.backtest.candidates.size(), std::size(kAllMethods));
  // Poisson scatter alone accounts for most of what is left.
  ASSERT_TRUE(forecast.backtest.noise_floor_wape);
  EXPECT_LT(*forecast.backtest.noise_floor_wape, *forecast.backtest.wape);
  EXPECT_GT(*forecast.backtest.noise_floor_wape, 0.75 * *forecast.backtest.wape);

  // On the week it never saw, too.
  const auto naive = predict(Method::seasonal_naive, history, kWeek);
  const double chosen_error = *wape(held_out, expected_of(forecast));
  EXPECT_LT(chosen_error, 0.8 * *wape(held_out, naive));
}

// Counts are discrete, so a central 90% interval [5% quantile, 95% quantile] holds at least 90%
// of the probability, and more where the means are small; over four held-out weeks the share
// of counts inside lands a little above 90%, never far below.
TEST(Forecast, NinetyPercentIntervalsHoldRoughlyNinetyPercentOfNewCounts) {
  const auto series = synthetic_series(13 * kWeek, 5);
  int covered = 0, total = 0;
  for (int week = 9; week < 13; ++week) {
    const std::span<const double> history(series.data(), static_cast<std::size_t>(week * kWeek));
    const auto forecast = forecast_arrivals(history, kWeek);
    for (int h = 0; h < kWeek; ++h) {
      const double actual = series[static_cast<std::size_t>(week * kWeek + h)];
      const auto& hour = forecast.hours[static_cast<std::size_t>(h)];
      covered += actual >= hour.low && actual <= hour.high;
      ++total;
    }
  }
  const double coverage = covered / static_cast<double>(total);
  EXPECT_GE(coverage, 0.85);
  EXPECT_LE(coverage, 0.99);
  std::cout << "coverage of the 90% intervals: " << coverage << "\n";
}

TEST(Forecast, ExpectationsFollowTheTrueRate) {
  const auto series = synthetic_series(9 * kWeek, 11);
  const auto forecast = forecast_arrivals(series, 2 * kWeek);
  double deviation = 0, rate_total = 0;
  for (int h = 0; h < 2 * kWeek; ++h) {
    const double rate = true_rate(9 * kWeek + h);
    deviation += std::abs(forecast.hours[static_cast<std::size_t>(h)].expected - rate);
    rate_total += rate;
  }
  EXPECT_LT(deviation / rate_total, 0.2) << forecast.method;
}

TEST(Forecast, EveryIntervalHoldsItsExpectation) {
  const auto forecast = forecast_arrivals(synthetic_series(6 * kWeek), 3 * kWeek);
  ASSERT_EQ(forecast.hours.size(), static_cast<std::size_t>(3 * kWeek));
  for (const auto& hour : forecast.hours) {
    EXPECT_GE(hour.expected, 0);
    EXPECT_LE(hour.low, hour.expected + 1e-9);
    EXPECT_GT(hour.high, hour.expected - 1) << "at least the median";
    EXPECT_LE(hour.low, hour.high);
  }
}

TEST(Forecast, NoArrivalsForecastsNone) {
  const std::vector<double> empty;
  const auto none = forecast_arrivals(empty, 48);
  EXPECT_EQ(none.method, "none (no arrivals in the history)");
  ASSERT_EQ(none.hours.size(), 48u);
  for (const auto& hour : none.hours) EXPECT_EQ(hour.expected, 0);

  const std::vector<double> zeros(5 * kWeek, 0.0);
  EXPECT_EQ(forecast_arrivals(zeros, 24).method, "none (no arrivals in the history)");
}

TEST(Forecast, UnderAWeekUsesTheMeanOfEachHourOfTheDay) {
  auto series = synthetic_series(3 * kDay);
  series[0] = 1;  // the desk's first ticket: the history starts there
  const auto forecast = forecast_arrivals(series, 30);
  EXPECT_EQ(forecast.method, "hour_of_day_mean (short history: 3 days, no backtest)");
  EXPECT_EQ(forecast.backtest.origins, 0);
  EXPECT_FALSE(forecast.backtest.wape);
  for (int h = 0; h < 30; ++h) {
    const int hour = h % kDay;  // the series starts at midnight and spans whole days
    const double mean =
        (series[static_cast<std::size_t>(hour)] + series[static_cast<std::size_t>(kDay + hour)] +
         series[static_cast<std::size_t>(2 * kDay + hour)]) /
        3;
    EXPECT_DOUBLE_EQ(forecast.hours[static_cast<std::size_t>(h)].expected, mean) << h;
  }
}

TEST(Forecast, UnderADayUsesTheOverallMean) {
  const std::vector<double> series = {2, 0, 1, 3};
  const auto forecast = forecast_arrivals(series, 5);
  EXPECT_EQ(forecast.method, "hour_of_day_mean (short history: 4 hours, no backtest)");
  for (const auto& hour : forecast.hours) EXPECT_DOUBLE_EQ(hour.expected, 1.5);
}

TEST(Forecast, OneToTwoWeeksUsesTheHourOfWeekMeanWithoutBacktest) {
  auto series = synthetic_series(10 * kDay);
  series[0] = 1;
  const auto forecast = forecast_arrivals(series, kDay);
  EXPECT_EQ(forecast.method, "hour_of_week_mean (short history: 10 days, no backtest)");
  EXPECT_EQ(forecast.backtest.origins, 0);
}

TEST(Forecast, HoursBeforeTheFirstArrivalAreNotHistory) {
  auto series = std::vector<double>(6 * kWeek, 0.0);
  auto recent = synthetic_series(10 * kDay);
  recent[0] = 1;  // the desk's first ticket
  series.insert(series.end(), recent.begin(), recent.end());
  const auto forecast = forecast_arrivals(series, kDay);
  EXPECT_EQ(forecast.history_hours, 10 * kDay);
  EXPECT_EQ(forecast.method, "hour_of_week_mean (short history: 10 days, no backtest)");
}

TEST(Forecast, AnOutageInTheHistoryKeepsTheForecastSane) {
  auto series = synthetic_series(8 * kWeek);
  std::fill(series.begin() + 5 * kWeek, series.begin() + 5 * kWeek + 3 * kDay, 0.0);
  const auto forecast = forecast_arrivals(series, kWeek);
  double total = 0;
  for (const auto& hour : forecast.hours) {
    EXPECT_TRUE(std::isfinite(hour.expected));
    EXPECT_GE(hour.expected, 0);
    total += hour.expected;
  }
  double last_week = std::accumulate(series.end() - kWeek, series.end(), 0.0);
  EXPECT_NEAR(total, last_week, 0.3 * last_week);
}

TEST(Forecast, SeasonalNaiveRepeatsLastWeek) {
  const auto series = synthetic_series(2 * kWeek);
  const auto predicted = predict(Method::seasonal_naive, series, 2 * kWeek);
  for (int h = 0; h < 2 * kWeek; ++h) {
    EXPECT_EQ(predicted[static_cast<std::size_t>(h)],
              series[static_cast<std::size_t>(kWeek + h % kWeek)]);
  }
  EXPECT_THROW(predict(Method::holt_winters, std::span(series).first(kWeek - 1), 1),
               std::invalid_argument);
}

TEST(Forecast, WapeIsDefinedWithZeroHoursAndWeighsByVolume) {
  EXPECT_EQ(wape(std::vector<double>{0, 0}, std::vector<double>{1, 2}), std::nullopt);
  EXPECT_DOUBLE_EQ(*wape(std::vector<double>{0, 2}, std::vector<double>{1, 1}), 100.0);
  EXPECT_DOUBLE_EQ(*wape(std::vector<double>{10, 30}, std::vector<double>{12, 27}), 12.5);
}

TEST(Forecast, CountQuantilesArePoissonWithoutDispersion) {
  // Poisson(10): P(X ≤ 4) = 0.029, P(X ≤ 5) = 0.067, P(X ≤ 14) = 0.917, P(X ≤ 15) = 0.951.
  EXPECT_EQ(count_quantile(10, 0, 0.05), 5);
  EXPECT_EQ(count_quantile(10, 0, 0.95), 15);
  // Poisson(0.5): P(0) = 0.607, P(X ≤ 1) = 0.910, P(X ≤ 2) = 0.986.
  EXPECT_EQ(count_quantile(0.5, 0, 0.05), 0);
  EXPECT_EQ(count_quantile(0.5, 0, 0.95), 2);
  EXPECT_EQ(count_quantile(0, 0, 0.95), 0);
  // Large means, where e^−μ underflows: near μ ± 1.645·√μ.
  EXPECT_NEAR(count_quantile(2000, 0, 0.95), 2000 + 1.645 * std::sqrt(2000.0), 2);
  EXPECT_NEAR(count_quantile(2000, 0, 0.05), 2000 - 1.645 * std::sqrt(2000.0), 2);
}

TEST(Forecast, PoissonScatterHasItsClosedForm) {
  EXPECT_NEAR(poisson_mean_absolute_deviation(1), 2 * std::exp(-1.0), 1e-12);
  EXPECT_NEAR(poisson_mean_absolute_deviation(0.5), std::exp(-0.5), 1e-12);
  // Poisson(3): E|X − 3| = Σ |k − 3|·P(k), summed directly.
  double direct = 0, probability = std::exp(-3.0);
  for (int k = 0; k < 60; ++k, probability *= 3.0 / k) direct += std::abs(k - 3) * probability;
  EXPECT_NEAR(poisson_mean_absolute_deviation(3), direct, 1e-9);
  // Large means: the normal's √(2μ/π).
  EXPECT_NEAR(poisson_mean_absolute_deviation(900), std::sqrt(2 * 900 / M_PI), 0.05);
  EXPECT_EQ(poisson_mean_absolute_deviation(0), 0);
}

TEST(Forecast, DispersionWidensTheInterval) {
  EXPECT_GT(count_quantile(10, 0.2, 0.95), count_quantile(10, 0, 0.95));
  EXPECT_LT(count_quantile(10, 0.2, 0.05), count_quantile(10, 0, 0.05));
  // NB(mean 4, dispersion 1) is geometric with p = 1/5: P(X ≤ k) = 1 − 0.8^(k+1), so the 90%
  // quantile is the least k with 0.8^(k+1) ≤ 0.1: k = 10.
  EXPECT_EQ(count_quantile(4, 1, 0.9), 10);
}

}  // namespace
}  // namespace tb::forecast
