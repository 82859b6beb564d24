// SqliteStore: the event log and its consumers' cursors.
#include <algorithm>
#include <limits>

#include "store/sqlite/columns.hpp"
#include "store/sqlite/event_log.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/ticket_rows.hpp"

namespace tb::store::sqlite {

void append_event(Connection& connection, EventKind kind, std::int64_t ticket_id,
                  std::optional<std::int64_t> message_id, Timestamp now,
                  const TicketUpdateFacts& facts) {
  auto insert = connection.prepare(
      "INSERT INTO events (kind, ticket_id, message_id, created_at, status_to, assignee_to, "
      "actor_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, event_kind_name(kind)).bind(2, ticket_id).bind(3, message_id);
  insert.bind(4, seconds_of(now));
  if (facts.status_to) {
    insert.bind(5, status_name(*facts.status_to));
  } else {
    insert.bind_null(5);
  }
  // The column holds 0 for "unassigned" (ids start at 1), NULL for "not changed".
  if (facts.assignee_to) {
    insert.bind(6, facts.assignee_to->value_or(0));
  } else {
    insert.bind_null(6);
  }
  insert.bind(7, facts.actor_id);
  insert.step();
}

void append_identity_event(Connection& connection, EventKind kind,
                           std::optional<std::int64_t> user_id,
                           std::optional<std::string_view> session_hash) {
  // The writes these come from carry no time of their own; the log's age is coarse anyway.
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto insert = connection.prepare(
      "INSERT INTO events (kind, user_id, session_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, event_kind_name(kind)).bind(2, user_id).bind(4, seconds_of(now));
  if (session_hash) {
    insert.bind(3, *session_hash);
  } else {
    insert.bind_null(3);
  }
  insert.step();
}

namespace {

// The ticket first (columns 0 … 23, as ticket_from_row reads them), then the event, then the
// message when there is one.
// (Identity events have no ticket: LEFT JOINs, and their ticket columns are NULL.)
const std::string kEventSelect =
    "SELECT " + std::string(kTicketColumns) +
    ", e.position, e.kind, e.user_id, e.session_hash, e.status_to, e.assignee_to, e.actor_id, " +
    std::string(kMessageColumns) + " FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id " +
    "LEFT " + std::string(kTicketJoins) +
    " LEFT JOIN messages m ON m.id = e.message_id LEFT JOIN users u ON u.id = m.author_id"
    " WHERE e.position > ?1 ORDER BY e.position";

constexpr int kPositionColumn = kTicketColumnCount;
constexpr int kKindColumn = kTicketColumnCount + 1;
constexpr int kUserColumn = kTicketColumnCount + 2;
constexpr int kSessionColumn = kTicketColumnCount + 3;
constexpr int kStatusToColumn = kTicketColumnCount + 4;
constexpr int kAssigneeToColumn = kTicketColumnCount + 5;
constexpr int kActorColumn = kTicketColumnCount + 6;
constexpr int kMessageColumn = kTicketColumnCount + 7;

std::int64_t scalar(Connection& connection, std::string_view sql) {
  auto statement = connection.prepare(sql);
  return statement.step() && !statement.column_is_null(0) ? statement.column_int(0) : 0;
}

}  // namespace

std::vector<Event> SqliteStore::read_events(std::int64_t after, int limit) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(kEventSelect);
    statement.bind(1, after);
    std::vector<Event> events;
    // No LIMIT in the SQL: rows skipped below must not count, or a run of them longer than
    // `limit` would hide every event after it (the rows stream from the primary key).
    while (static_cast<int>(events.size()) < limit && statement.step()) {
      Event event;
      event.position = statement.column_int(kPositionColumn);
      const auto kind = parse_event_kind(statement.column_text(kKindColumn));
      if (!kind) continue;  // written by a newer binary: not ours to interpret
      event.kind = *kind;
      if (is_ticket_event(event.kind)) {
        if (statement.column_is_null(0)) continue;  // its ticket is gone for good
        event.ticket = ticket_from_row(statement);
      }
      if (!statement.column_is_null(kMessageColumn))
        event.message = message_from_row(statement, kMessageColumn);
      if (!statement.column_is_null(kUserColumn)) event.user_id = statement.column_int(kUserColumn);
      if (!statement.column_is_null(kSessionColumn))
        event.session_hash = statement.column_text(kSessionColumn);
      if (!statement.column_is_null(kStatusToColumn))
        event.status_to = parse_status(statement.column_text(kStatusToColumn));
      if (!statement.column_is_null(kAssigneeToColumn)) {
        const auto assignee = statement.column_int(kAssigneeToColumn);
        event.assignee_to.emplace();  // engaged: the assignee changed; empty inside: to nobody
        if (assignee != 0) *event.assignee_to = assignee;
      }
      if (!statement.column_is_null(kActorColumn))
        event.actor_id = statement.column_int(kActorColumn);
      events.push_back(std::move(event));
    }
    return events;
  });
}

EventLogBounds SqliteStore::event_log_bounds() {
  return read([&](Connection& connection) {
    // One statement, one snapshot; pruning keeps the newest event, so max is the last given.
    auto statement = connection.prepare("SELECT min(position), max(position) FROM events");
    EventLogBounds bounds;
    if (statement.step() && !statement.column_is_null(0)) {
      bounds.pruned_up_to = statement.column_int(0) - 1;
      bounds.last = statement.column_int(1);
    }
    return bounds;
  });
}

std::uint64_t SqliteStore::wait_for_writes(std::uint64_t seen, std::chrono::milliseconds timeout,
                                           std::stop_token stop) {
  std::unique_lock lock(writes_mutex_);
  writes_moved_.wait_for(lock, stop, timeout, [&] { return committed_writes() != seen; });
  return committed_writes();
}

std::int64_t SqliteStore::load_cursor(std::string_view consumer) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare("SELECT position FROM event_cursors WHERE consumer = ?1");
    statement.bind(1, consumer);
    return statement.step() ? statement.column_int(0) : std::int64_t{0};
  });
}

void SqliteStore::save_cursor(std::string_view consumer, std::int64_t position, Timestamp now) {
  write([&](Connection& connection) {
    connection
        .prepare(
            "INSERT INTO event_cursors (consumer, position, updated_at) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, "
            "updated_at = excluded.updated_at")
        .bind(1, consumer)
        .bind(2, position)
        .bind(3, seconds_of(now))
        .step();
  });
}

int SqliteStore::prune_events(const EventRetention& retention, Timestamp now) {
  return write([&](Connection& connection) {
    const auto last = scalar(connection, "SELECT max(position) FROM events");
    // Old or many: past either limit an event may go, but never one a durable consumer
    // still has to read, and never the newest, so that the next position is higher than
    // every one given before.
    auto statement = connection.prepare(
        "DELETE FROM events WHERE (created_at < ?1 OR position <= ?2) AND position < ?4 AND "
        "position <= coalesce((SELECT min(position) FROM event_cursors), ?3)");
    statement.bind(1, seconds_of(now - retention.max_age))
        .bind(2, last - retention.max_count)
        .bind(3, std::numeric_limits<std::int64_t>::max())
        .bind(4, last)
        .step();
    return connection.changes();
  });
}

}  // namespace tb::store::sqlite
