#include "service/statistics_service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <date/tz.h>
#include <map>

namespace tb::service {
namespace {

using std::chrono::days;
using std::chrono::hours;

constexpr auto kDefaultDays = date::days(30);
constexpr auto kLongestPeriod = days(366);
constexpr auto kLongestHourly = days(31);  // 744 points
constexpr auto kHourlyUpTo = days(2);      // the interval when the caller names none
constexpr auto kDashboardPeriod = hours(24);

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::invalid_request, message);
}

Timestamp floor_hour(Timestamp time) {
  return std::chrono::floor<hours>(time);
}

Timestamp ceil_hour(Timestamp time) {
  return std::chrono::ceil<hours>(time);
}

const date::time_zone* zone_named(const std::optional<std::string>& name) {
  try {
    return date::locate_zone(name && !name->empty() ? *name : "UTC");
  } catch (const std::exception&) {
    invalid("tz: unknown time zone; use an IANA name such as Europe/Moscow");
  }
}

// Local midnight of `day` in `zone` (the earliest, where a clock change skips or repeats it).
Timestamp start_of(const date::local_days& day, const date::time_zone* zone) {
  return std::chrono::time_point_cast<std::chrono::seconds>(
      zone->to_sys(day, date::choose::earliest));
}

// The number in text[at, at + width), all digits; -1 when it is not.
int digits_at(std::string_view text, std::size_t at, std::size_t width) {
  int number = -1;
  const auto part = text.substr(at, width);
  const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), number);
  return error == std::errc() && end == part.data() + part.size() && part.size() == width &&
                 std::isdigit(static_cast<unsigned char>(part.front()))
             ? number
             : -1;
}

// "2026-11-25" (a day) or "2026-11-25T14:50:00Z" (a UTC time), parsed by hand: date's
// parser trips g++ 12's -Wmaybe-uninitialized at -O3.
struct Bound {
  date::year_month_day day{};
  std::optional<std::chrono::seconds> time_of_day{};  // set for a UTC time
};

std::optional<Bound> parse_bound_text(std::string_view text) {
  if (text.size() != 10 && text.size() != 20) return std::nullopt;
  if (text[4] != '-' || text[7] != '-') return std::nullopt;
  const int year = digits_at(text, 0, 4), month = digits_at(text, 5, 2),
            day = digits_at(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  Bound bound{date::year(year) / date::month(static_cast<unsigned>(month)) /
                  date::day(static_cast<unsigned>(day)),
              std::nullopt};
  if (!bound.day.ok()) return std::nullopt;
  if (text.size() == 10) return bound;
  if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') return std::nullopt;
  const int hour = digits_at(text, 11, 2), minute = digits_at(text, 14, 2),
            second = digits_at(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return std::nullopt;
  bound.time_of_day = hours(hour) + std::chrono::minutes(minute) + std::chrono::seconds(second);
  return bound;
}

// A bound of the period; `field` names it in the error. A day given as the end means through
// that day.
Timestamp parse_bound(const std::string& text, const char* field, const date::time_zone* zone,
                      bool is_end) {
  const auto bound = parse_bound_text(text);
  if (!bound) {
    invalid(std::string(field) +
            ": expected a day (2026-11-25) or a UTC time (2026-11-25T14:50:00Z)");
  }
  if (bound->time_of_day) return Timestamp{date::sys_days(bound->day)} + *bound->time_of_day;
  // Rounded down, as the time series' day starts are (whole hours: see point_starts).
  const date::local_days day{bound->day};
  return floor_hour(start_of(is_end ? day + date::days(1) : day, zone));
}

StatisticsInterval interval_of(const std::optional<std::string>& name, Timestamp from,
                               Timestamp to) {
  if (!name) return to - from <= kHourlyUpTo ? StatisticsInterval::hour : StatisticsInterval::day;
  if (*name == "day") return StatisticsInterval::day;
  if (*name != "hour") invalid("interval: expected hour or day");
  if (to - from > kLongestHourly) invalid("interval: hour covers at most 31 days; use day");
  return StatisticsInterval::hour;
}

// Where each point of the time series starts: every hour, or every local midnight (rounded
// down to the hour: the rollups count whole hours), after `from`.
std::vector<Timestamp> point_starts(Timestamp from, Timestamp to, StatisticsInterval interval,
                                    const date::time_zone* zone) {
  std::vector<Timestamp> starts{from};
  if (interval == StatisticsInterval::hour) {
    for (auto t = from + hours(1); t < to; t += hours(1)) starts.push_back(t);
    return starts;
  }
  auto day = date::floor<date::days>(zone->to_local(from));
  for (;;) {
    day += date::days(1);
    const auto start = floor_hour(start_of(day, zone));
    if (start >= to) break;
    if (start > starts.back()) starts.push_back(start);
  }
  return starts;
}

// The default period starts at local midnight 29 days before today: 30 local days with today.
Timestamp default_start(Timestamp now, const date::time_zone* zone) {
  const auto today = date::floor<date::days>(zone->to_local(now));
  return floor_hour(start_of(today - (kDefaultDays - date::days(1)), zone));
}

struct FlowTotals {
  std::int64_t created = 0;
  std::int64_t finished = 0;
};

FlowTotals sum_of(const std::vector<store::TicketFlow>& flow) {
  FlowTotals totals;
  for (const auto& period : flow) {
    totals.created += period.created;
    totals.finished += period.finished;
  }
  return totals;
}

// The flow from a fixed origin (a UTC midnight) up to any hour, from the day rollups and at
// most 12 hour rollups per call: up to the hour's UTC midnight plus the hours after it, or up
// to the next UTC midnight less the hours before it. A local day in Moscow (21:00 to 21:00
// UTC) then costs the day rows and 3 hours, not 24 hours.
class CumulativeFlow {
 public:
  CumulativeFlow(store::Store& store, Timestamp from, Timestamp to,
                 const store::StatisticsFilter& filter)
      : store_(store), filter_(filter), origin_(std::chrono::floor<days>(from)) {
    const auto end = std::chrono::ceil<days>(to);
    auto day_flow = store.ticket_flow(origin_, end, store::FlowSpan::day, filter);
    auto next = day_flow.begin();
    FlowTotals running;
    for (auto day = origin_; day <= end; day += days(1)) {
      up_to_day_.push_back(running);
      for (; next != day_flow.end() && next->period == day; ++next) {
        running.created += next->created;
        running.finished += next->finished;
      }
    }
  }

  // The flow in [origin, t), t a whole hour within the range.
  FlowTotals before(Timestamp t) const {
    const auto day = std::chrono::floor<days>(t);
    if (t - day <= hours(12)) {
      const auto hours_after = t == day ? FlowTotals{} : hours_in(day, t);
      const auto& whole = up_to(day);
      return {whole.created + hours_after.created, whole.finished + hours_after.finished};
    }
    const auto next_day = day + days(1);
    const auto hours_before = hours_in(t, next_day);
    const auto& whole = up_to(next_day);
    return {whole.created - hours_before.created, whole.finished - hours_before.finished};
  }

 private:
  FlowTotals hours_in(Timestamp from, Timestamp to) const {
    return sum_of(store_.ticket_flow(from, to, store::FlowSpan::hour, filter_));
  }
  const FlowTotals& up_to(Timestamp day) const {
    return up_to_day_.at(static_cast<std::size_t>((day - origin_) / days(1)));
  }

  store::Store& store_;
  const store::StatisticsFilter& filter_;
  Timestamp origin_;
  std::vector<FlowTotals> up_to_day_;  // the flow before each UTC day from origin_
};

// The time series from the rollups: per hour from the hour rows; per local day as the
// difference of the cumulative flow at its two ends.
std::vector<FlowPoint> flow_points(store::Store& store, const std::vector<Timestamp>& starts,
                                   Timestamp to, StatisticsInterval interval,
                                   const store::StatisticsFilter& filter) {
  std::vector<FlowPoint> points;
  points.reserve(starts.size());
  if (interval == StatisticsInterval::hour) {
    for (const auto start : starts) points.push_back({start, 0, 0});
    for (const auto& hour : store.ticket_flow(starts.front(), to, store::FlowSpan::hour, filter)) {
      auto& point = points[static_cast<std::size_t>((hour.period - starts.front()) / hours(1))];
      point.created = hour.created;
      point.finished = hour.finished;
    }
    return points;
  }
  const CumulativeFlow flow(store, starts.front(), to, filter);
  auto previous = flow.before(starts.front());
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto next = flow.before(i + 1 < starts.size() ? starts[i + 1] : to);
    points.push_back(
        {starts[i], next.created - previous.created, next.finished - previous.finished});
    previous = next;
  }
  return points;
}

}  // namespace

struct StatisticsService::Period {
  Timestamp from{};
  Timestamp to{};
  std::string time_zone{};
  const date::time_zone* zone = nullptr;
  StatisticsInterval interval = StatisticsInterval::day;
};

std::optional<StatisticsView> StatisticsService::view_of(const Principal& caller) {
  if (caller.can(Permission::statistics_view_all)) return StatisticsView{};
  if (caller.can(Permission::statistics_view)) return StatisticsView{caller.id()};
  return std::nullopt;
}

Statistics StatisticsService::statistics(const Principal& caller,
                                         const StatisticsRequest& request) {
  const auto view = view_of(caller);
  if (!view) throw Error(ErrorCode::forbidden, "requires the statistics.view permission");
  store::StatisticsFilter filter{request.category_id, request.assignee_id};
  if (view->own_only) {
    if (request.assignee_id && *request.assignee_id != *view->own_only) {
      throw Error(ErrorCode::forbidden,
                  "assignee_id: only your own figures (statistics.view_all sees everyone's)");
    }
    filter.assignee_id = view->own_only;
  }
  Period period;
  period.zone = zone_named(request.time_zone);
  period.time_zone = std::string(period.zone->name());
  const auto now = clock_();
  period.to = request.to ? ceil_hour(parse_bound(*request.to, "to", period.zone, true))
                         : floor_hour(now) + hours(1);
  period.from = request.from ? floor_hour(parse_bound(*request.from, "from", period.zone, false))
                             : default_start(now, period.zone);
  if (period.from >= period.to) invalid("from: must be before to");
  if (period.to - period.from > kLongestPeriod) invalid("from: the period is at most 366 days");
  period.interval = interval_of(request.interval, period.from, period.to);
  return compute(period, filter);
}

Statistics StatisticsService::dashboard(const StatisticsView& view) {
  Period period;
  period.zone = date::locate_zone("UTC");
  period.time_zone = "UTC";
  period.to = floor_hour(clock_()) + hours(1);
  period.from = period.to - kDashboardPeriod;
  period.interval = StatisticsInterval::hour;
  return compute(period, store::StatisticsFilter{std::nullopt, view.own_only});
}

Statistics StatisticsService::compute(const Period& period, const store::StatisticsFilter& filter) {
  Statistics result;
  result.from = period.from;
  result.to = period.to;
  result.time_zone = period.time_zone;
  result.now = clock_();
  result.interval = period.interval;

  std::map<std::int64_t, TicketCounts> by_category;  // 0: none
  std::map<std::int64_t, TicketCounts> by_agent;
  for (const auto& cell : store_.ticket_statistics(period.from, period.to, filter, result.now)) {
    result.total.add(cell.counts);
    by_category[cell.category_id].add(cell.counts);
    if (cell.assignee_id == 0) {
      result.unassigned += cell.counts.unfinished();
    } else {
      by_agent[cell.assignee_id].add(cell.counts);
    }
  }
  // Categories in their list order, tickets without one last.
  for (const auto& category : store_.list_categories()) {
    const auto found = by_category.find(category.id);
    if (found == by_category.end()) continue;
    result.by_category.push_back({category.id, category.name, std::move(found->second)});
    by_category.erase(found);
  }
  for (auto& [id, counts] : by_category) {
    result.by_category.push_back(
        {id == 0 ? std::nullopt : std::optional(id), std::nullopt, std::move(counts)});
  }
  for (auto& [id, counts] : by_agent) {
    const auto user = store_.find_user(id);
    result.agents.push_back(
        {user ? ref_of(*user) : UserRef{id, "", std::nullopt, Role::user}, std::move(counts)});
  }
  std::stable_sort(result.agents.begin(), result.agents.end(), [](const auto& a, const auto& b) {
    return a.counts.created > b.counts.created;
  });

  const auto backlog = store_.ticket_backlog(filter);
  result.backlog_open = backlog.open;
  result.oldest_open_created_at = backlog.oldest_created_at;
  result.points =
      flow_points(store_, point_starts(period.from, period.to, period.interval, period.zone),
                  period.to, period.interval, filter);
  return result;
}

}  // namespace tb::service
