// SqliteStore: statistics, read from the rollups of 0012_statistics.sql (which its triggers keep
// in step with the tickets) plus two small exact queries over partial indexes for what changes
// with the clock alone.
#include <charconv>
#include <map>
#include <string_view>
#include <utility>

#include "store/sqlite/columns.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tb::store::sqlite {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

constexpr std::string_view kCellSelect = R"sql(
  SELECT category_id, assignee_id, created, status_open, status_in_progress, status_waiting,
         status_resolved, status_closed, priority_low, priority_normal, priority_high,
         priority_critical, with_sla, breached, finished, finished_once, reopened, rated,
         rating_sum, first_response_hist, resolution_hist
  FROM ticket_stats WHERE span = :span AND period >= :from AND period < :to)sql";

// Tickets unanswered and unfinished whose due time has passed: breached as of now, which no
// trigger can know. The partial index tickets_awaiting_response holds only such tickets; it is
// named, since with an assignee or category filter the planner would rather walk all of that
// agent's or category's tickets on tickets_by_assignee or tickets_by_category.
constexpr std::string_view kOverdueSelect = R"sql(
  SELECT coalesce(category_id, 0), coalesce(assignee_id, 0), count(*)
  FROM tickets INDEXED BY tickets_awaiting_response
  WHERE sla_due_at IS NOT NULL AND first_response_at IS NULL AND resolved_at IS NULL
    AND closed_at IS NULL AND deleted_at IS NULL
    AND created_at >= :from AND created_at < :to AND sla_due_at < :now)sql";

constexpr std::string_view kFlowSelect = R"sql(
  SELECT period, sum(created), sum(finished_here) FROM ticket_stats
  WHERE span = :span AND period >= :from AND period < :to)sql";

// The unfinished tickets on their partial index, named for the same reason.
constexpr std::string_view kBacklogSelect = R"sql(
  SELECT count(*), min(created_at) FROM tickets INDEXED BY tickets_backlog
  WHERE status IN ('open', 'in_progress', 'waiting') AND deleted_at IS NULL)sql";

// " AND category_id = :category" and so on, for the filters that are set.
std::string filter_sql(const StatisticsFilter& filter) {
  std::string sql;
  if (filter.category_id) sql += " AND category_id = :category";
  if (filter.assignee_id) sql += " AND assignee_id = :assignee";
  return sql;
}

void bind_filter(Statement& statement, const StatisticsFilter& filter) {
  if (filter.category_id) statement.bind(statement.parameter(":category"), *filter.category_id);
  if (filter.assignee_id) statement.bind(statement.parameter(":assignee"), *filter.assignee_id);
}

void bind_named(Statement& statement, const char* name, std::int64_t value) {
  if (const int index = statement.parameter(name)) statement.bind(index, value);
}

// {"29":2,"36":1}: tickets per bucket, as the triggers write them (json_patch writes no
// spaces). Read by hand: a period's answer reads thousands of them, and a JSON parser's
// allocations per object were most of its time.
DurationHistogram histogram_of(std::string_view text) {
  const auto malformed = [&] {
    return StoreError("statistics: malformed histogram " + std::string(text));
  };
  const auto expect = [&](std::size_t& at, std::string_view what) {
    if (text.substr(at, what.size()) != what) throw malformed();
    at += what.size();
  };
  const auto number = [&](std::size_t& at) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
    if (error != std::errc()) throw malformed();
    at = static_cast<std::size_t>(end - text.data());
    return value;
  };
  DurationHistogram histogram;
  std::size_t at = 0;
  expect(at, "{");
  while (at < text.size() && text[at] == '"') {
    expect(at, "\"");
    const auto bucket = number(at);
    expect(at, "\":");
    histogram.add(static_cast<int>(bucket), number(at));
    if (at < text.size() && text[at] == ',') ++at;
  }
  expect(at, "}");
  if (at != text.size()) throw malformed();
  return histogram;
}

TicketCounts counts_of(const Statement& row) {
  TicketCounts counts;
  counts.created = row.column_int(2);
  for (std::size_t i = 0; i < TicketCounts::kStatuses; ++i)
    counts.by_status[i] = row.column_int(3 + static_cast<int>(i));
  for (std::size_t i = 0; i < TicketCounts::kPriorities; ++i)
    counts.by_priority[i] = row.column_int(8 + static_cast<int>(i));
  counts.with_sla = row.column_int(12);
  counts.breached = row.column_int(13);
  counts.finished = row.column_int(14);
  counts.finished_once = row.column_int(15);
  counts.reopened = row.column_int(16);
  counts.rated = row.column_int(17);
  counts.rating_sum = row.column_int(18);
  counts.first_response = histogram_of(row.column_text(19));
  counts.resolution = histogram_of(row.column_text(20));
  return counts;
}

using CellKey = std::pair<std::int64_t, std::int64_t>;  // category, assignee

// Adds the rollup rows of `span` with periods in [from, to) to `cells`.
void add_rollups(Connection& connection, std::int64_t span, std::int64_t from, std::int64_t to,
                 const StatisticsFilter& filter, std::map<CellKey, TicketCounts>& cells) {
  if (from >= to) return;
  auto statement = connection.prepare(std::string(kCellSelect) + filter_sql(filter));
  bind_named(statement, ":span", span);
  bind_named(statement, ":from", from);
  bind_named(statement, ":to", to);
  bind_filter(statement, filter);
  while (statement.step()) {
    cells[{statement.column_int(0), statement.column_int(1)}].add(counts_of(statement));
  }
}

std::int64_t floor_to(std::int64_t seconds, std::int64_t span) {
  const auto quotient = seconds / span;
  return (seconds % span < 0 ? quotient - 1 : quotient) * span;
}

}  // namespace

std::vector<StatisticsCell> SqliteStore::ticket_statistics(Timestamp from, Timestamp to,
                                                           const StatisticsFilter& filter,
                                                           Timestamp now) {
  return read([&](Connection& connection) {
    // Whole UTC days from the day rows, the hours before and after them from the hour rows.
    const std::int64_t start = seconds_of(from);
    const std::int64_t end = seconds_of(to);
    const std::int64_t first_day = floor_to(start + kDay - 1, kDay);
    const std::int64_t last_day = floor_to(end, kDay);
    std::map<CellKey, TicketCounts> cells;
    if (first_day < last_day) {
      add_rollups(connection, kHour, start, first_day, filter, cells);
      add_rollups(connection, kDay, first_day, last_day, filter, cells);
      add_rollups(connection, kHour, last_day, end, filter, cells);
    } else {
      add_rollups(connection, kHour, start, end, filter, cells);
    }
    auto overdue =
        connection.prepare(std::string(kOverdueSelect) + filter_sql(filter) + " GROUP BY 1, 2");
    bind_named(overdue, ":from", start);
    bind_named(overdue, ":to", end);
    bind_named(overdue, ":now", seconds_of(now));
    bind_filter(overdue, filter);
    while (overdue.step()) {
      // Present in the rollups already: the ticket is counted there, not yet as breached.
      cells[{overdue.column_int(0), overdue.column_int(1)}].breached += overdue.column_int(2);
    }
    std::vector<StatisticsCell> result;
    result.reserve(cells.size());
    for (auto& [key, counts] : cells) {
      if (counts.created != 0) result.push_back({key.first, key.second, std::move(counts)});
    }
    return result;
  });
}

std::vector<TicketFlow> SqliteStore::ticket_flow(Timestamp from, Timestamp to, FlowSpan span,
                                                 const StatisticsFilter& filter) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(std::string(kFlowSelect) + filter_sql(filter) +
                                        " GROUP BY period ORDER BY period");
    bind_named(statement, ":span", span == FlowSpan::hour ? kHour : kDay);
    bind_named(statement, ":from", seconds_of(from));
    bind_named(statement, ":to", seconds_of(to));
    bind_filter(statement, filter);
    std::vector<TicketFlow> flow;
    while (statement.step()) {
      flow.push_back({timestamp_of(statement.column_int(0)), statement.column_int(1),
                      statement.column_int(2)});
    }
    return flow;
  });
}

Backlog SqliteStore::ticket_backlog(const StatisticsFilter& filter) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(std::string(kBacklogSelect) + filter_sql(filter));
    bind_filter(statement, filter);
    statement.step();
    return Backlog{statement.column_int(0), optional_time(statement, 1)};
  });
}

}  // namespace tb::store::sqlite
