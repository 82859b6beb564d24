#include "wire/statistics_json.hpp"

#include <boost/json/serialize.hpp>

#include "core/ticket.hpp"

namespace tb::wire {
namespace {

boost::json::value number_or_null(const std::optional<double>& number) {
  return number ? boost::json::value(*number) : boost::json::value(nullptr);
}

boost::json::value seconds_or_null(const std::optional<std::int64_t>& seconds) {
  return seconds ? boost::json::value(*seconds) : boost::json::value(nullptr);
}

// The figures every agent and every category has: times (quantiles of the sketch), rates
// and satisfaction.
void add_performance(boost::json::object& out, const TicketCounts& counts) {
  out["resolved"] = counts.finished;
  out["median_first_response_s"] = seconds_or_null(counts.first_response.quantile(0.5));
  out["p90_first_response_s"] = seconds_or_null(counts.first_response.quantile(0.9));
  out["median_resolution_s"] = seconds_or_null(counts.resolution.quantile(0.5));
  out["reopen_rate"] = number_or_null(ratio(counts.reopened, counts.finished_once));
  out["sla_breach_rate"] = number_or_null(ratio(counts.breached, counts.with_sla));
  out["csat_avg"] = number_or_null(ratio(counts.rating_sum, counts.rated));
  out["csat_count"] = counts.rated;
}

boost::json::object user_ref_object(const UserRef& user) {
  return {{"id", user.id},
          {"first_name", user.first_name},
          {"username", user.username ? boost::json::value(*user.username) : nullptr},
          {"role", role_name(user.role)}};
}

boost::json::object by_status(const TicketCounts& counts) {
  boost::json::object out;
  for (std::size_t i = 0; i < TicketCounts::kStatuses; ++i)
    out[status_name(static_cast<TicketStatus>(i))] = counts.by_status[i];
  return out;
}

boost::json::object by_priority(const TicketCounts& counts) {
  boost::json::object out;
  for (std::size_t i = 0; i < TicketCounts::kPriorities; ++i)
    out[priority_name(static_cast<Priority>(i))] = counts.by_priority[i];
  return out;
}

// One object per agent or category: `head_of` gives its own fields, the performance
// figures follow.
template <class Item, class Head>
boost::json::array figures_of(const std::vector<Item>& items, Head head_of) {
  boost::json::array out;
  for (const auto& item : items) {
    boost::json::object object = head_of(item);
    add_performance(object, item.counts);
    out.push_back(std::move(object));
  }
  return out;
}

boost::json::array categories(const Statistics& statistics) {
  return figures_of(statistics.by_category, [](const CategoryFigures& category) {
    return boost::json::object{
        {"category_id", category.category_id ? boost::json::value(*category.category_id) : nullptr},
        {"name", category.name ? boost::json::value(*category.name) : nullptr},
        {"tickets", category.counts.created},
        {"open", category.counts.unfinished()}};
  });
}

boost::json::array agents(const Statistics& statistics) {
  return figures_of(statistics.agents, [](const AgentFigures& agent) {
    return boost::json::object{{"user", user_ref_object(agent.user)},
                               {"assigned", agent.counts.created},
                               {"open", agent.counts.unfinished()}};
  });
}

boost::json::object timeseries(const Statistics& statistics) {
  boost::json::array points;
  for (const auto& point : statistics.points) {
    points.push_back(boost::json::object{{"t", format_timestamp(point.t)},
                                         {"created", point.created},
                                         {"resolved", point.finished}});
  }
  return {{"interval", statistics.interval == StatisticsInterval::hour ? "hour" : "day"},
          {"points", std::move(points)}};
}

}  // namespace

boost::json::object statistics_json(const Statistics& statistics) {
  const auto& total = statistics.total;
  boost::json::value oldest_age = nullptr;
  if (statistics.oldest_open_created_at) {
    oldest_age =
        std::max<std::int64_t>(0, (statistics.now - *statistics.oldest_open_created_at).count());
  }
  boost::json::object out{{"from", format_timestamp(statistics.from)},
                          {"to", format_timestamp(statistics.to)},
                          {"tz", statistics.time_zone},
                          {"tickets", total.created},
                          {"by_status", by_status(total)},
                          {"by_priority", by_priority(total)},
                          {"unassigned", statistics.unassigned},
                          {"breached", total.breached},
                          {"backlog", boost::json::object{{"open", statistics.backlog_open},
                                                          {"oldest_open_age_s", oldest_age}}},
                          {"quantile_relative_error", DurationHistogram::kRelativeError}};
  add_performance(out, total);
  out["by_category"] = categories(statistics);
  out["agents"] = agents(statistics);
  out["timeseries"] = timeseries(statistics);
  return out;
}

std::string stats_updated_frame(const Statistics& statistics) {
  return boost::json::serialize(
      boost::json::object{{"type", "stats.updated"}, {"statistics", statistics_json(statistics)}});
}

}  // namespace tb::wire
