#include "core/forecast.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace tb::forecast {
namespace {

// The weight of each older week in hour_of_week_mean: about the last five weeks count.
constexpr double kWeekDecay = 0.8;

// Candidate smoothing parameters. Hourly support arrivals move slowly in level and shape, and
// one hour's count is mostly noise, so the grids lean to small values; the least one-step
// error over the history picks among them.
constexpr std::array kLevelRates = {0.002, 0.01, 0.03, 0.1};
constexpr std::array kDailyRates = {0.0, 0.02, 0.05, 0.15};
constexpr std::array kWeeklyRates = {0.05, 0.1, 0.2, 0.35, 0.5};

double mean(std::span<const double> values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::size_t at(int index) {
  return static_cast<std::size_t>(index);
}

std::vector<double> seasonal_naive(std::span<const double> history, int horizon) {
  const int n = static_cast<int>(history.size());
  std::vector<double> out(at(horizon));
  for (int h = 0; h < horizon; ++h) out[at(h)] = history[at(n - kWeek + h % kWeek)];
  return out;
}

// Per hour of the week after the history's end (index 0: the hour after it).
using WeekProfile = std::array<double, kWeek>;

WeekProfile weighted_week_profile(std::span<const double> history) {
  const int n = static_cast<int>(history.size());
  WeekProfile profile{};
  for (int h = 0; h < kWeek; ++h) {
    double sum = 0, weights = 0, weight = 1;
    for (int i = n - kWeek + h; i >= 0; i -= kWeek, weight *= kWeekDecay) {
      sum += weight * history[at(i)];
      weights += weight;
    }
    profile[at(h)] = sum / weights;
  }
  return profile;
}

// Each hour 1:2:1 with its neighbours (around the week's end too): arrival rates change
// smoothly from hour to hour, so this halves the noise of a few weeks' counts for little bias.
WeekProfile smoothed(const WeekProfile& profile) {
  WeekProfile out{};
  for (int h = 0; h < kWeek; ++h) {
    out[at(h)] = 0.25 * profile[at((h + kWeek - 1) % kWeek)] + 0.5 * profile[at(h)] +
                 0.25 * profile[at((h + 1) % kWeek)];
  }
  return out;
}

std::vector<double> repeat_weekly(const WeekProfile& profile, int horizon) {
  std::vector<double> out(at(horizon));
  for (int h = 0; h < horizon; ++h) out[at(h)] = profile[at(h % kWeek)];
  return out;
}

// The state of additive exponential smoothing with a daily and a weekly season (Taylor 2003,
// without trend or the AR(1) error term: the horizon is days, where both fade). With the daily
// rate 0 the daily season stays as initialised, and it is plain Holt-Winters on the week.
struct Smoothing {
  double level = 0;
  std::array<double, kDay> daily{};
  std::array<double, kWeek> weekly{};
  double squared_error = 0;  // of the one-step-ahead forecasts after the first week

  double forecast(int t) const { return level + daily[at(t % kDay)] + weekly[at(t % kWeek)]; }
};

struct Rates {
  double level = 0;
  double daily = 0;
  double weekly = 0;
};

Smoothing smooth(std::span<const double> history, const Rates& rates) {
  Smoothing state;
  const auto first_week = history.first(kWeek);
  state.level = mean(first_week);
  for (int hour = 0; hour < kDay; ++hour) {
    double sum = 0;
    for (int day = 0; day < 7; ++day) sum += first_week[at(day * kDay + hour)] - state.level;
    state.daily[at(hour)] = sum / 7;
  }
  for (int i = 0; i < kWeek; ++i)
    state.weekly[at(i)] = first_week[at(i)] - state.level - state.daily[at(i % kDay)];

  for (int t = kWeek; t < static_cast<int>(history.size()); ++t) {
    const double y = history[at(t)];
    double& daily = state.daily[at(t % kDay)];
    double& weekly = state.weekly[at(t % kWeek)];
    const double error = y - (state.level + daily + weekly);
    state.squared_error += error * error;
    const double level = rates.level * (y - daily - weekly) + (1 - rates.level) * state.level;
    const double new_daily = rates.daily * (y - level - weekly) + (1 - rates.daily) * daily;
    weekly = rates.weekly * (y - level - daily) + (1 - rates.weekly) * weekly;
    daily = new_daily;
    state.level = level;
  }
  return state;
}

std::vector<double> exponentially_smoothed(std::span<const double> history, int horizon,
                                           bool daily_season) {
  std::optional<Smoothing> best;
  for (const double level : kLevelRates) {
    for (const double daily : kDailyRates) {
      if (!daily_season && daily != 0) continue;
      for (const double weekly : kWeeklyRates) {
        auto state = smooth(history, Rates{level, daily, weekly});
        if (!best || state.squared_error < best->squared_error) best = state;
      }
    }
  }
  const int n = static_cast<int>(history.size());
  std::vector<double> out(at(horizon));
  for (int h = 0; h < horizon; ++h) out[at(h)] = best->forecast(n + h);
  return out;
}

// The mean of the same hour of the day over the history (of every hour, under a day).
std::vector<double> hour_of_day_mean(std::span<const double> history, int horizon) {
  const int n = static_cast<int>(history.size());
  std::vector<double> out(at(horizon), mean(history));
  if (n < kDay) return out;
  for (int h = 0; h < horizon; ++h) {
    double sum = 0;
    int count = 0;
    for (int i = n - kDay + h % kDay; i >= 0; i -= kDay, ++count) sum += history[at(i)];
    out[at(h)] = sum / count;
  }
  return out;
}

struct Scored {
  double absolute_error = 0;
  double actual_total = 0;
  std::vector<double> actual;
  std::vector<double> predicted;
};

// Fits on all before each origin and scores the week after it; origins are the starts of the
// last `origins` weeks.
Scored backtest(Method method, std::span<const double> history, int origins) {
  Scored scored;
  const int n = static_cast<int>(history.size());
  for (int k = origins; k >= 1; --k) {
    const int origin = n - k * kWeek;
    const auto predicted = predict(method, history.first(at(origin)), kWeek);
    for (int h = 0; h < kWeek; ++h) {
      const double actual = history[at(origin + h)];
      scored.absolute_error += std::abs(actual - predicted[at(h)]);
      scored.actual_total += actual;
      scored.actual.push_back(actual);
      scored.predicted.push_back(predicted[at(h)]);
    }
  }
  return scored;
}

std::optional<double> pooled_wape(const Scored& scored) {
  if (scored.actual_total <= 0) return std::nullopt;
  return scored.absolute_error / scored.actual_total * 100;
}

std::optional<double> noise_floor(const Scored& scored) {
  if (scored.actual_total <= 0) return std::nullopt;
  double scatter = 0;
  for (const double mean : scored.predicted) scatter += poisson_mean_absolute_deviation(mean);
  return scatter / scored.actual_total * 100;
}

// Method of moments for Var(y) = μ + φμ² over the backtest's (actual, forecast) pairs: the
// spread of actual counts around the forecasts beyond what Poisson noise explains (forecast
// error itself and day-to-day swings).
double dispersion_of(const Scored& scored) {
  double excess = 0, scale = 0;
  for (std::size_t i = 0; i < scored.actual.size(); ++i) {
    const double mu = scored.predicted[i];
    const double residual = scored.actual[i] - mu;
    excess += residual * residual - mu;
    scale += mu * mu;
  }
  return scale > 0 ? std::max(0.0, excess / scale) : 0.0;
}

std::string short_history(std::string_view method, int hours) {
  const std::string length =
      hours >= 2 * kDay ? std::to_string(hours / kDay) + " days" : std::to_string(hours) + " hours";
  return std::string(method) + " (short history: " + length + ", no backtest)";
}

}  // namespace

std::string_view method_name(Method method) {
  switch (method) {
    case Method::seasonal_naive: return "seasonal_naive";
    case Method::hour_of_week_mean: return "hour_of_week_mean";
    case Method::smoothed_hour_of_week_mean: return "smoothed_hour_of_week_mean";
    case Method::holt_winters: return "holt_winters";
    case Method::double_seasonal_holt_winters: return "double_seasonal_holt_winters";
  }
  return "unknown";
}

std::vector<double> predict(Method method, std::span<const double> history, int horizon) {
  if (history.size() < at(kWeek)) throw std::invalid_argument("predict needs a week of history");
  if (horizon < 0) throw std::invalid_argument("negative horizon");
  std::vector<double> out;
  switch (method) {
    case Method::seasonal_naive: out = seasonal_naive(history, horizon); break;
    case Method::hour_of_week_mean:
      out = repeat_weekly(weighted_week_profile(history), horizon);
      break;
    case Method::smoothed_hour_of_week_mean:
      out = repeat_weekly(smoothed(weighted_week_profile(history)), horizon);
      break;
    case Method::holt_winters: out = exponentially_smoothed(history, horizon, false); break;
    case Method::double_seasonal_holt_winters:
      out = exponentially_smoothed(history, horizon, true);
      break;
  }
  for (double& value : out) value = std::max(0.0, value);
  return out;
}

std::optional<double> wape(std::span<const double> actual, std::span<const double> predicted) {
  if (actual.size() != predicted.size()) throw std::invalid_argument("wape: sizes differ");
  double error = 0, total = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    error += std::abs(actual[i] - predicted[i]);
    total += actual[i];
  }
  if (total <= 0) return std::nullopt;
  return error / total * 100;
}

double poisson_mean_absolute_deviation(double mean) {
  if (!(mean > 0)) return 0;
  const double mode = std::floor(mean);
  return 2 * std::exp(-mean + (mode + 1) * std::log(mean) - std::lgamma(mode + 1));
}

int count_quantile(double mean, double dispersion, double p) {
  if (!(mean > 0)) return 0;
  const double variance = mean + dispersion * mean * mean;
  const double deviation = std::sqrt(variance);
  // Below ten deviations under the mean lies a negligible share of either distribution, so
  // the sum starts there: no underflow of e^−μ for means in the hundreds.
  const int first = std::max(0, static_cast<int>(std::floor(mean - 10 * deviation)));
  const int last = static_cast<int>(std::ceil(mean + 50 * deviation)) + 10;
  const bool poisson = dispersion <= 1e-9;
  const double size = poisson ? 0 : 1 / dispersion;  // r of the negative binomial
  const auto log_pmf = [&](int k) {
    const double kk = k;
    if (poisson) return kk * std::log(mean) - mean - std::lgamma(kk + 1);
    return std::lgamma(kk + size) - std::lgamma(size) - std::lgamma(kk + 1) +
           size * std::log(size / (size + mean)) + kk * std::log(mean / (size + mean));
  };
  double cumulative = 0;
  for (int k = first; k <= last; ++k) {
    cumulative += std::exp(log_pmf(k));
    if (cumulative >= p) return k;
  }
  return last;
}

ArrivalForecast forecast_arrivals(std::span<const double> history, int horizon,
                                  const Options& options) {
  ArrivalForecast result;
  result.hours.resize(at(std::max(0, horizon)));
  const auto first_arrival =
      std::find_if(history.begin(), history.end(), [](double count) { return count > 0; });
  if (first_arrival == history.end()) {
    result.method = "none (no arrivals in the history)";
    return result;
  }
  const auto series = history.subspan(at(static_cast<int>(first_arrival - history.begin())));
  const int n = static_cast<int>(series.size());
  result.history_hours = n;

  std::vector<double> expected;
  if (n < kWeek) {
    result.method = short_history("hour_of_day_mean", n);
    expected = hour_of_day_mean(series, horizon);
  } else if (n < 2 * kWeek) {
    result.method = short_history(method_name(Method::hour_of_week_mean), n);
    expected = predict(Method::hour_of_week_mean, series, horizon);
  } else {
    const int origins = std::min(options.max_backtest_origins, n / kWeek - 1);
    result.backtest.origins = origins;
    std::optional<Scored> winner;
    Method chosen = Method::seasonal_naive;
    for (const Method method : kAllMethods) {
      auto scored = backtest(method, series, origins);
      result.backtest.candidates.push_back(CandidateError{method, pooled_wape(scored)});
      if (method == Method::seasonal_naive) result.backtest.baseline_wape = pooled_wape(scored);
      if (!winner || scored.absolute_error < winner->absolute_error) {
        winner = std::move(scored);
        chosen = method;
      }
    }
    result.method = std::string(method_name(chosen));
    result.backtest.wape = pooled_wape(*winner);
    result.backtest.noise_floor_wape = noise_floor(*winner);
    result.dispersion = dispersion_of(*winner);
    expected = predict(chosen, series, horizon);
  }

  const double tail = (1 - options.interval_level) / 2;
  for (int h = 0; h < horizon; ++h) {
    auto& hour = result.hours[at(h)];
    hour.expected = expected[at(h)];
    hour.low = count_quantile(hour.expected, result.dispersion, tail);
    hour.high = count_quantile(hour.expected, result.dispersion, 1 - tail);
  }
  return result;
}

}  // namespace tb::forecast
