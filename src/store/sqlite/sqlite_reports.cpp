// SqliteStore: reports. The tickets of a period by keyset pages, and the exact counts of a
// report's summary, each one GROUP BY over the period's tickets.
#include "store/sqlite/columns.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/ticket_rows.hpp"

namespace tb::store::sqlite {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

// The WHERE clause of the tickets `filter` selects; `time_column` is the one the period bounds.
std::string report_conditions(const ReportFilter& filter, std::string_view time_column) {
  std::string sql = " WHERE t.deleted_at IS NULL AND t." + std::string(time_column) +
                    " >= :from AND t." + std::string(time_column) + " < :to";
  if (filter.category_id) sql += " AND t.category_id = :category";
  if (filter.status) sql += " AND t.status = :status";
  return sql;
}

void bind_filter(Statement& statement, const ReportFilter& filter) {
  statement.bind(statement.parameter(":from"), seconds_of(filter.period.from));
  statement.bind(statement.parameter(":to"), seconds_of(filter.period.to));
  if (filter.category_id) statement.bind(statement.parameter(":category"), *filter.category_id);
  if (filter.status) statement.bind(statement.parameter(":status"), status_name(*filter.status));
}

// Runs `sql` (a SELECT over `tickets t` whose WHERE the filter gives) and hands each row on.
template <class OnRow>
void for_each_row(Connection& connection, const std::string& sql, const ReportFilter& filter,
                  OnRow&& on_row) {
  auto statement = connection.prepare(sql);
  bind_filter(statement, filter);
  while (statement.step()) on_row(statement);
}

ReportSummary::Day& day_of(std::map<std::int64_t, ReportSummary::Day>& days, std::int64_t day) {
  auto& entry = days[day];
  entry.day = timestamp_of(day * kSecondsPerDay);
  return entry;
}

}  // namespace

std::vector<Ticket> SqliteStore::list_report_tickets(const ReportPage& page) {
  return read([&](Connection& connection) {
    const std::string sql = "SELECT " + std::string(kTicketColumns) + " FROM tickets t " +
                            std::string(kTicketJoins) +
                            report_conditions(page.filter, "created_at") +
                            " AND t.id > :after ORDER BY t.id LIMIT :limit";
    auto statement = connection.prepare(sql);
    bind_filter(statement, page.filter);
    statement.bind(statement.parameter(":after"), page.after_id);
    statement.bind(statement.parameter(":limit"), static_cast<std::int64_t>(page.limit));
    std::vector<Ticket> tickets;
    tickets.reserve(static_cast<std::size_t>(page.limit));
    while (statement.step()) tickets.push_back(ticket_from_row(statement));
    return tickets;
  });
}

ReportSummary SqliteStore::summarize_report(const ReportFilter& filter) {
  return read([&](Connection& connection) {
    ReportSummary summary;
    const std::string created = report_conditions(filter, "created_at");
    for_each_row(connection, "SELECT t.status, count(*) FROM tickets t" + created + " GROUP BY 1",
                 filter, [&](const Statement& row) {
                   const auto status = parse_status(row.column_text(0));
                   if (status)
                     summary.by_status[static_cast<std::size_t>(*status)] = row.column_int(1);
                   summary.tickets += row.column_int(1);
                 });
    for_each_row(connection, "SELECT t.priority, count(*) FROM tickets t" + created + " GROUP BY 1",
                 filter, [&](const Statement& row) {
                   const auto priority = parse_priority(row.column_text(0));
                   if (priority)
                     summary.by_priority[static_cast<std::size_t>(*priority)] = row.column_int(1);
                 });
    for_each_row(connection,
                 "SELECT t.category_id, c.name, count(*) FROM tickets t LEFT JOIN categories c ON "
                 "c.id = t.category_id" +
                     created + " GROUP BY t.category_id ORDER BY 3 DESC, 1",
                 filter, [&](const Statement& row) {
                   const auto id = optional_int(row, 0);
                   std::string name = row.column_text(1);
                   if (id && name.empty()) name = missing_category_name(*id);  // deleted since
                   summary.by_category.push_back(
                       {.category_id = id, .name = std::move(name), .tickets = row.column_int(2)});
                 });
    for_each_row(connection,
                 "SELECT a.id, a.first_name, a.username, a.role, count(*), "
                 "count(t.resolved_at) FROM tickets t JOIN users a ON a.id = t.assignee_id" +
                     created + " GROUP BY a.id ORDER BY 5 DESC, 1",
                 filter, [&](const Statement& row) {
                   summary.by_agent.push_back({.agent = user_ref(row, 0),
                                               .assigned = row.column_int(4),
                                               .resolved = row.column_int(5)});
                 });
    std::map<std::int64_t, ReportSummary::Day> days;
    for_each_row(
        connection,
        "SELECT t.created_at / 86400, count(*) FROM tickets t" + created + " GROUP BY 1", filter,
        [&](const Statement& row) { day_of(days, row.column_int(0)).created = row.column_int(1); });
    for_each_row(connection,
                 "SELECT t.resolved_at / 86400, count(*) FROM tickets t" +
                     report_conditions(filter, "resolved_at") + " GROUP BY 1",
                 filter, [&](const Statement& row) {
                   day_of(days, row.column_int(0)).resolved = row.column_int(1);
                 });
    for (auto& [day, entry] : days) summary.days.push_back(entry);
    return summary;
  });
}

}  // namespace tb::store::sqlite
