// The statistics rollups of 0012_statistics.sql against a recount from scratch: after random
// sequences of ticket writes through the store (create, assign, change status and priority,
// reopen, answer, rate, auto-close, delete), every rollup row equals what the tickets add up
// to, and ticket_statistics / ticket_flow answer what a scan of the tickets answers, for
// random periods and filters. Real SQLite file, fixed seed.
#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../../support/store_fixture.hpp"
#include "core/statistics.hpp"
#include "store/migration.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tb::testing {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
// 2026-11-20T00:00:00Z: tickets are created over the 5 days after it.
const Timestamp kStart{seconds(1'795'132'800)};

// One ticket as the oracle sees it: its row, read with plain SQL.
struct TicketRow {
  std::int64_t created_at = 0;
  std::string status;
  std::string priority;
  std::int64_t category = 0;  // 0: none
  std::int64_t assignee = 0;  // 0: none
  std::optional<std::int64_t> first_response_at, resolved_at, closed_at, sla_due_at, rating;
  std::int64_t reopens = 0;
};

std::optional<std::int64_t> nullable(sqlite3_stmt* statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement, column);
}

std::string text(sqlite3_stmt* statement, int column) {
  const auto* value = sqlite3_column_text(statement, column);
  return value ? reinterpret_cast<const char*>(value) : "";
}

std::int64_t floor_to(std::int64_t seconds, std::int64_t span) {
  return seconds / span * span;  // the test's times are all after 1970
}

// The oracle: what one ticket contributes, written from the documented rules (not from the
// triggers' SQL): its status and priority, SLA and breach as core::sla_breached says once
// settled, finished = resolved or closed, reopened, rating, and the sketch buckets.
TicketCounts contribution(const TicketRow& ticket) {
  TicketCounts counts;
  counts.created = 1;
  const auto status = parse_status(ticket.status);
  const auto priority = parse_priority(ticket.priority);
  counts.by_status[static_cast<std::size_t>(*status)] = 1;
  counts.by_priority[static_cast<std::size_t>(*priority)] = 1;
  const auto finished_at = ticket.resolved_at ? ticket.resolved_at : ticket.closed_at;
  if (ticket.sla_due_at) {
    counts.with_sla = 1;
    const auto answered_or_ended =
        ticket.first_response_at ? ticket.first_response_at : finished_at;
    counts.breached = answered_or_ended && *answered_or_ended > *ticket.sla_due_at ? 1 : 0;
  }
  counts.finished = finished_at ? 1 : 0;
  counts.finished_once = finished_at || ticket.reopens > 0 ? 1 : 0;
  counts.reopened = ticket.reopens > 0 ? 1 : 0;
  if (ticket.rating) {
    counts.rated = 1;
    counts.rating_sum = *ticket.rating;
  }
  if (ticket.first_response_at) {
    counts.first_response.add(
        DurationHistogram::bucket_of(*ticket.first_response_at - ticket.created_at), 1);
  }
  if (finished_at)
    counts.resolution.add(DurationHistogram::bucket_of(*finished_at - ticket.created_at), 1);
  return counts;
}

// {"29": 2, "36": 1}, as the triggers keep a histogram.
DurationHistogram histogram(const std::string& json) {
  DurationHistogram result;
  const auto parsed = boost::json::parse(json);
  for (const auto& [bucket, count] : parsed.as_object()) {
    EXPECT_GT(count.as_int64(), 0) << "empty buckets are removed";
    result.add(std::stoi(std::string(bucket)), count.as_int64());
  }
  return result;
}

class StatisticsRollups : public StoreFixture {
 protected:
  StatisticsRollups() {
    watch((directory_ / "test.db").string());
    add_people_and_categories();
  }
  ~StatisticsRollups() override { sqlite3_close(db_); }

  // Reads the rollups and tickets of the database at `path` from now on.
  void watch(const std::string& path) {
    sqlite3_close(db_);
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }

  void add_people_and_categories() {
    categories_.clear();
    agents_.clear();
    for (int i = 0; i < 3; ++i) {
      Category category;
      category.name = "Category " + std::to_string(i);
      categories_.push_back(store_->save_category(category).id);
    }
    customer_ = principal(Role::user, 7001, "Customer").id();
    for (int i = 0; i < 3; ++i)
      agents_.push_back(principal(Role::helper, 7100 + i, "Agent " + std::to_string(i)).id());
  }

  std::vector<TicketRow> live_tickets() {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db_, R"sql(
      SELECT created_at, status, priority, coalesce(category_id, 0), coalesce(assignee_id, 0),
             first_response_at, resolved_at, closed_at, sla_due_at, rating_score, reopens, id
      FROM tickets WHERE deleted_at IS NULL)sql",
                       -1, &statement, nullptr);
    std::vector<TicketRow> rows;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      TicketRow row;
      row.created_at = sqlite3_column_int64(statement, 0);
      row.status = text(statement, 1);
      row.priority = text(statement, 2);
      row.category = sqlite3_column_int64(statement, 3);
      row.assignee = sqlite3_column_int64(statement, 4);
      row.first_response_at = nullable(statement, 5);
      row.resolved_at = nullable(statement, 6);
      row.closed_at = nullable(statement, 7);
      row.sla_due_at = nullable(statement, 8);
      row.rating = nullable(statement, 9);
      row.reopens = sqlite3_column_int64(statement, 10);
      EXPECT_EQ(row.reopens, reopens_[sqlite3_column_int64(statement, 11)])
          << "reopens counts every resolved/closed → open";
      rows.push_back(row);
    }
    sqlite3_finalize(statement);
    return rows;
  }

  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>;
  struct Rollup {
    TicketCounts counts;
    std::int64_t finished_here = 0;
    bool operator==(const Rollup&) const = default;
  };

  // Every rollup row with anything in it, read with plain SQL.
  std::map<Key, Rollup> stored_rollups() {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db_, R"sql(
      SELECT span, period, category_id, assignee_id, created, status_open, status_in_progress,
             status_waiting, status_resolved, status_closed, priority_low, priority_normal,
             priority_high, priority_critical, with_sla, breached, finished, finished_once,
             reopened, rated, rating_sum, finished_here, first_response_hist, resolution_hist
      FROM ticket_stats)sql",
                       -1, &statement, nullptr);
    std::map<Key, Rollup> rows;
    while (sqlite3_step(statement) == SQLITE_ROW) {
      const Key key{sqlite3_column_int64(statement, 0), sqlite3_column_int64(statement, 1),
                    sqlite3_column_int64(statement, 2), sqlite3_column_int64(statement, 3)};
      auto& row = rows[key];
      auto& c = row.counts;
      c.created = sqlite3_column_int64(statement, 4);
      for (std::size_t i = 0; i < TicketCounts::kStatuses; ++i)
        c.by_status[i] = sqlite3_column_int64(statement, 5 + static_cast<int>(i));
      for (std::size_t i = 0; i < TicketCounts::kPriorities; ++i)
        c.by_priority[i] = sqlite3_column_int64(statement, 10 + static_cast<int>(i));
      c.with_sla = sqlite3_column_int64(statement, 14);
      c.breached = sqlite3_column_int64(statement, 15);
      c.finished = sqlite3_column_int64(statement, 16);
      c.finished_once = sqlite3_column_int64(statement, 17);
      c.reopened = sqlite3_column_int64(statement, 18);
      c.rated = sqlite3_column_int64(statement, 19);
      c.rating_sum = sqlite3_column_int64(statement, 20);
      row.finished_here = sqlite3_column_int64(statement, 21);
      c.first_response = histogram(text(statement, 22));
      c.resolution = histogram(text(statement, 23));
    }
    sqlite3_finalize(statement);
    std::erase_if(rows, [](const auto& entry) { return entry.second == Rollup{}; });
    return rows;
  }

  std::map<Key, Rollup> recounted_rollups() {
    std::map<Key, Rollup> rows;
    for (const auto& ticket : live_tickets()) {
      const auto counts = contribution(ticket);
      const auto finished_at = ticket.resolved_at ? ticket.resolved_at : ticket.closed_at;
      for (const auto span : {kHour, kDay}) {
        rows[{span, floor_to(ticket.created_at, span), ticket.category, ticket.assignee}]
            .counts.add(counts);
        if (finished_at) {
          rows[{span, floor_to(*finished_at, span), ticket.category, ticket.assignee}]
              .finished_here += 1;
        }
      }
    }
    return rows;
  }

  // What ticket_statistics should answer, from a scan of the tickets.
  std::map<std::pair<std::int64_t, std::int64_t>, TicketCounts> scanned(
      std::int64_t from, std::int64_t to, const store::StatisticsFilter& filter, Timestamp now) {
    std::map<std::pair<std::int64_t, std::int64_t>, TicketCounts> cells;
    for (const auto& ticket : live_tickets()) {
      if (ticket.created_at < from || ticket.created_at >= to) continue;
      if (filter.category_id && ticket.category != *filter.category_id) continue;
      if (filter.assignee_id && ticket.assignee != *filter.assignee_id) continue;
      auto counts = contribution(ticket);
      const bool waiting = ticket.sla_due_at && !ticket.first_response_at && !ticket.resolved_at &&
                           !ticket.closed_at;
      if (waiting && *ticket.sla_due_at < seconds_of_now(now)) counts.breached = 1;
      cells[{ticket.category, ticket.assignee}].add(counts);
    }
    return cells;
  }

  static std::int64_t seconds_of_now(Timestamp now) { return now.time_since_epoch().count(); }

  // One random write through the store, at a time after `clock_`.
  void random_write(std::mt19937& random) {
    clock_ += seconds(std::uniform_int_distribution<int>(1, 4 * 3600)(random));
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
    const int action = tickets_.empty() ? 0 : pick(10);
    if (action <= 2) {
      store::NewTicket ticket;
      ticket.subject = "Random";
      ticket.body = "Help";
      ticket.creator_id = customer_;
      if (pick(5) != 0) ticket.category_id = categories_[static_cast<std::size_t>(pick(3))];
      ticket.priority = static_cast<Priority>(pick(4));
      // Some are created in the past, so that writes land in older hours and days too.
      ticket.now = clock_ - seconds(pick(2) == 0 ? pick(3 * 86400) : 0);
      if (pick(4) != 0) ticket.sla_due_at = ticket.now + seconds(600 + pick(6 * 3600));
      ticket.route = false;
      const auto created = store_->create_ticket(ticket, [](auto) { return std::nullopt; });
      tickets_.push_back(created.id);
      status_[created.id] = TicketStatus::open;
      return;
    }
    const auto id = tickets_[static_cast<std::size_t>(pick(static_cast<int>(tickets_.size())))];
    switch (action) {
      case 3:
      case 4: {  // assign, change category or priority, and/or move the status
        store::TicketChanges changes;
        changes.now = clock_;
        if (pick(2) == 0) {
          changes.assignee_id = pick(4) == 0
                                    ? std::nullopt
                                    : std::optional(agents_[static_cast<std::size_t>(pick(3))]);
        }
        if (pick(4) == 0) changes.priority = static_cast<Priority>(pick(4));
        if (pick(5) == 0) {
          changes.category_id = pick(4) == 0
                                    ? std::nullopt
                                    : std::optional(categories_[static_cast<std::size_t>(pick(3))]);
        }
        if (pick(2) == 0) {
          const auto to = static_cast<TicketStatus>(pick(5));
          if (status_[id] != to) {
            if (is_reopen(status_[id], to)) ++reopens_[id];
            changes.status = to;
            status_[id] = to;
          }
        }
        store_->update_ticket(id, changes);
        return;
      }
      case 5:
      case 6: {  // a message: staff's public reply (a first response) or a note
        store::NewMessage message;
        message.ticket_id = id;
        message.author_id = agents_[static_cast<std::size_t>(pick(3))];
        message.body = "Reply";
        message.internal = pick(4) == 0;
        message.counts_as_first_response = !message.internal;
        message.now = clock_;
        store_->add_message(message);
        return;
      }
      case 7: store_->rate_ticket(id, Rating{1 + pick(5), std::nullopt}, clock_); return;
      case 8: {
        for (const auto closed : store_->close_resolved_before(clock_ - hours(12), clock_))
          status_[closed] = TicketStatus::closed;
        return;
      }
      default:
        if (pick(3) == 0) {
          store_->delete_ticket(id, clock_);
          std::erase(tickets_, id);
        }
        return;
    }
  }

  // Every rollup row equals the recount.
  void expect_rollups_recounted(const std::string& when) {
    const auto stored = stored_rollups();
    const auto recounted = recounted_rollups();
    ASSERT_EQ(stored.size(), recounted.size()) << when;
    for (const auto& [key, expected] : recounted) {
      const auto found = stored.find(key);
      ASSERT_NE(found, stored.end()) << when << ": no rollup row for span " << std::get<0>(key)
                                     << " period " << std::get<1>(key);
      EXPECT_TRUE(found->second == expected)
          << when << ": rollup of span " << std::get<0>(key) << " period " << std::get<1>(key)
          << " category " << std::get<2>(key) << " assignee " << std::get<3>(key) << ": created "
          << found->second.counts.created << " vs " << expected.counts.created << ", breached "
          << found->second.counts.breached << " vs " << expected.counts.breached
          << ", finished_here " << found->second.finished_here << " vs " << expected.finished_here;
    }
  }

  sqlite3* db_ = nullptr;
  std::vector<std::int64_t> categories_;
  std::int64_t customer_ = 0;
  std::vector<std::int64_t> agents_;
  Timestamp clock_ = kStart;
  std::vector<std::int64_t> tickets_;
  std::map<std::int64_t, TicketStatus> status_;
  std::map<std::int64_t, std::int64_t> reopens_;
};

TEST_F(StatisticsRollups, EqualARecountAfterRandomChanges) {
  std::mt19937 random(20261202);
  for (int round = 0; round < 25; ++round) {
    for (int write = 0; write < 80; ++write) random_write(random);
    expect_rollups_recounted("after round " + std::to_string(round));
  }
  EXPECT_GT(tickets_.size(), 100u) << "the sequence made enough tickets to mean something";
}

TEST_F(StatisticsRollups, TheMigrationBackfillsTheTicketsAlreadyThere) {
  // A database at the schema before 0012, with tickets written by that version's store.
  const auto path = (directory_ / "old.db").string();
  const auto all = store::sqlite_migrations();
  const auto statistics = std::find_if(all.begin(), all.end(), [](const store::Migration& m) {
    return m.name == "0012_statistics";
  });
  ASSERT_NE(statistics, all.end());
  const auto before = all.first(static_cast<std::size_t>(statistics - all.begin()));
  store_ = std::make_unique<store::sqlite::SqliteStore>(path, store::StoreOptions{}, before);
  store_->migrate();
  add_people_and_categories();
  std::mt19937 random(4242);
  for (int write = 0; write < 400; ++write) random_write(random);
  store_.reset();

  store_ = store::open_store("sqlite:" + path, {});
  const auto applied = store_->migrate().applied;
  EXPECT_NE(std::find(applied.begin(), applied.end(), "0012_statistics"), applied.end());
  watch(path);
  reopens_.clear();  // reopens before 0012 are not known: its backfill counts none
  expect_rollups_recounted("after the migration");
  for (int write = 0; write < 200; ++write) random_write(random);
  expect_rollups_recounted("after writes on the migrated database");
}

TEST_F(StatisticsRollups, StatisticsOfAnyPeriodEqualAScanOfItsTickets) {
  std::mt19937 random(7);
  for (int write = 0; write < 500; ++write) random_write(random);
  const auto first_hour = seconds_of_now(kStart) - 4 * kDay;
  const auto last_hour = seconds_of_now(clock_) + kDay;
  auto pick_hour = [&] {
    return floor_to(std::uniform_int_distribution<std::int64_t>(first_hour, last_hour)(random),
                    kHour);
  };
  for (int trial = 0; trial < 40; ++trial) {
    auto from = pick_hour(), to = pick_hour();
    if (from > to) std::swap(from, to);
    to += kHour;
    store::StatisticsFilter filter;
    if (trial % 3 == 1) filter.category_id = categories_[static_cast<std::size_t>(trial % 3)];
    if (trial % 4 == 2) filter.assignee_id = agents_[static_cast<std::size_t>(trial % 3)];
    const Timestamp now = clock_ - seconds(std::uniform_int_distribution<int>(0, 86400)(random));
    const auto cells =
        store_->ticket_statistics(Timestamp{seconds(from)}, Timestamp{seconds(to)}, filter, now);
    const auto expected = scanned(from, to, filter, now);
    ASSERT_EQ(cells.size(), expected.size()) << "trial " << trial;
    for (const auto& cell : cells) {
      const auto found = expected.find({cell.category_id, cell.assignee_id});
      ASSERT_NE(found, expected.end());
      EXPECT_TRUE(cell.counts == found->second)
          << "trial " << trial << " from " << from << " to " << to << ": created "
          << cell.counts.created << " vs " << found->second.created << ", breached "
          << cell.counts.breached << " vs " << found->second.breached;
    }
    // The flow per hour: tickets created in each hour, and finished in each hour.
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> flow;
    for (const auto& ticket : live_tickets()) {
      if (filter.category_id && ticket.category != *filter.category_id) continue;
      if (filter.assignee_id && ticket.assignee != *filter.assignee_id) continue;
      if (ticket.created_at >= from && ticket.created_at < to)
        ++flow[floor_to(ticket.created_at, kHour)].first;
      const auto finished = ticket.resolved_at ? ticket.resolved_at : ticket.closed_at;
      if (finished && *finished >= from && *finished < to)
        ++flow[floor_to(*finished, kHour)].second;
    }
    for (const auto& period : store_->ticket_flow(Timestamp{seconds(from)}, Timestamp{seconds(to)},
                                                  store::FlowSpan::hour, filter)) {
      const auto t = seconds_of_now(period.period);
      EXPECT_EQ(period.created, flow[t].first) << "hour " << t;
      EXPECT_EQ(period.finished, flow[t].second) << "hour " << t;
      flow.erase(t);
    }
    for (const auto& [t, counts] : flow) {
      EXPECT_EQ(counts, std::make_pair(std::int64_t{0}, std::int64_t{0}))
          << "hour " << t << " missing";
    }
  }
}

TEST_F(StatisticsRollups, BacklogCountsUnfinishedTicketsWheneverCreated) {
  std::mt19937 random(99);
  for (int write = 0; write < 300; ++write) random_write(random);
  std::int64_t open = 0;
  std::optional<std::int64_t> oldest;
  for (const auto& ticket : live_tickets()) {
    if (ticket.status != "open" && ticket.status != "in_progress" && ticket.status != "waiting")
      continue;
    ++open;
    if (!oldest || ticket.created_at < *oldest) oldest = ticket.created_at;
  }
  const auto backlog = store_->ticket_backlog({});
  EXPECT_EQ(backlog.open, open);
  ASSERT_TRUE(backlog.oldest_created_at.has_value());
  EXPECT_EQ(seconds_of_now(*backlog.oldest_created_at), *oldest);
}

}  // namespace
}  // namespace tb::testing
