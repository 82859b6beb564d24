// SqliteStore: categories, tickets, messages and auto-replies.
#include <algorithm>

#include "store/sqlite/columns.hpp"
#include "store/sqlite/event_log.hpp"
#include "store/sqlite/full_text.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/ticket_rows.hpp"

namespace tb::store::sqlite {

Ticket ticket_from_row(const Statement& row) {
  Ticket ticket;
  ticket.id = row.column_int(0);
  ticket.subject = row.column_text(1);
  ticket.status = parse_status(row.column_text(2)).value_or(TicketStatus::open);
  ticket.priority = parse_priority(row.column_text(3)).value_or(Priority::normal);
  ticket.category_id = optional_int(row, 4);
  ticket.created_at = timestamp_of(row.column_int(5));
  ticket.updated_at = timestamp_of(row.column_int(6));
  ticket.first_response_at = optional_time(row, 7);
  ticket.resolved_at = optional_time(row, 8);
  ticket.closed_at = optional_time(row, 9);
  ticket.last_message_at = timestamp_of(row.column_int(10));
  ticket.messages_count = static_cast<int>(row.column_int(11));
  ticket.sla_due_at = optional_time(row, 12);
  if (!row.column_is_null(13)) {
    ticket.rating = Rating{static_cast<int>(row.column_int(13)), row.column_optional_text(14)};
  }
  ticket.creator = user_ref(row, 15);
  if (!row.column_is_null(19)) ticket.assignee = user_ref(row, 19);
  ticket.last_message_preview = row.column_optional_text(23);
  return ticket;
}

Message message_from_row(const Statement& row, int first) {
  Message message;
  message.id = row.column_int(first);
  message.ticket_id = row.column_int(first + 1);
  message.body = row.column_text(first + 2);
  message.internal = row.column_int(first + 3) != 0;
  message.source = parse_source(row.column_text(first + 4)).value_or(MessageSource::api);
  message.created_at = timestamp_of(row.column_int(first + 5));
  message.author = user_ref(row, first + 6);
  return message;
}

namespace {

const std::string kTicketSelect =
    "SELECT " + std::string(kTicketColumns) + " FROM tickets t " + std::string(kTicketJoins);

const std::string kMessageSelect =
    "SELECT " + std::string(kMessageColumns) + " FROM messages m " + std::string(kMessageJoins);

constexpr std::string_view kCategorySelect =
    "SELECT id, name, description, default_priority, sla_minutes, routing, active, position "
    "FROM categories";

constexpr std::string_view kAutoReplySelect =
    "SELECT id, name, keywords, category_id, event, body, active FROM auto_replies";

constexpr std::string_view kRoutingCandidates = R"sql(
  SELECT u.id, u.last_assigned_at, u.open_tickets
  FROM users u JOIN user_categories uc ON uc.user_id = u.id
  WHERE uc.category_id = ?1 AND u.available = 1
    AND u.role IN ('helper', 'moderator', 'admin', 'developer'))sql";

Category category_from_row(const Statement& row) {
  Category category;
  category.id = row.column_int(0);
  category.name = row.column_text(1);
  category.description = row.column_optional_text(2);
  category.default_priority = parse_priority(row.column_text(3)).value_or(Priority::normal);
  if (!row.column_is_null(4)) category.sla_minutes = static_cast<int>(row.column_int(4));
  category.routing = parse_routing(row.column_text(5)).value_or(RoutingMode::least_loaded);
  category.active = row.column_int(6) != 0;
  category.position = static_cast<int>(row.column_int(7));
  return category;
}

AutoReply auto_reply_from_row(const Statement& row) {
  AutoReply reply;
  reply.id = row.column_int(0);
  reply.name = row.column_text(1);
  reply.keywords = split_nonempty(row.column_text(2), '\n');
  reply.category_id = optional_int(row, 3);
  reply.event = parse_auto_reply_event(row.column_text(4)).value_or(AutoReplyEvent::ticket_created);
  reply.body = row.column_text(5);
  reply.active = row.column_int(6) != 0;
  return reply;
}

void bind_if(Statement& statement, const char* name, std::int64_t value) {
  if (const int index = statement.parameter(name)) statement.bind(index, value);
}

void bind_if(Statement& statement, const char* name, std::string_view value) {
  if (const int index = statement.parameter(name)) statement.bind(index, value);
}

std::optional<Ticket> select_ticket(Connection& connection, std::int64_t id) {
  auto statement =
      connection.prepare(std::string(kTicketSelect) + " WHERE t.id = ?1 AND t.deleted_at IS NULL");
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  return ticket_from_row(statement);
}

// The order of TicketSort::sla_due: the first response's due time while one is awaited on an
// unfinished ticket, else after every due time (kNoSlaDue). Word for word the expression of
// the index tickets_by_sla_due (0014_queue.sql), which SQLite uses only for the same text.
constexpr std::string_view kSlaDueOrder =
    "coalesce(CASE WHEN first_response_at IS NULL AND resolved_at IS NULL AND closed_at IS NULL "
    "THEN sla_due_at END, 9223372036854775807)";

std::string sort_column(TicketSort sort) {
  switch (sort) {
    case TicketSort::created_at: return "t.created_at";
    case TicketSort::priority: return "t.priority_rank";
    case TicketSort::last_activity: return "t.last_message_at";
    case TicketSort::sla_due: return std::string(kSlaDueOrder);
    case TicketSort::updated_at:
    case TicketSort::relevance: break;
  }
  return "t.updated_at";
}

// Messages of ticket `ticket` (an SQL expression) that `:viewer` has not read: after their
// read mark (`mark`, an expression, NULL for none) and the history before they came
// (users.unread_after), written by someone else. Internal notes only when they read them.
std::string unread_messages_sql(std::string_view ticket, std::string_view mark,
                                bool include_internal) {
  std::string sql = "FROM messages m WHERE m.ticket_id = " + std::string(ticket) +
                    " AND m.id > max((SELECT unread_after FROM users WHERE id = :viewer), "
                    "coalesce(" +
                    std::string(mark) + ", 0)) AND m.author_id <> :viewer";
  if (!include_internal) sql += " AND m.internal = 0";
  return sql;
}

// A person whose first name, last name or username has a word beginning with the pattern
// :`name` binds ("% word%", case-folded and escaped).
std::string person_matches(const std::string& name) {
  return "casefold(' ' || u.first_name || ' ' || coalesce(u.last_name, '') || ' ' || "
         "coalesce(u.username, '')) LIKE :" +
         name + " ESCAPE '\\'";
}

// The text of LIKE pattern that matches `text` literally.
std::string like_literal(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// The WHERE clause of a ticket list (everything but the keyset), and the search tier
// expression; parameters are named, bound by bind_ticket_filter.
struct TicketFilterSql {
  std::string where;
  std::string tier = "0";
};

TicketFilterSql ticket_filter_sql(const TicketQuery& query, const TicketSearch& search) {
  TicketFilterSql sql;
  auto& where = sql.where;
  where = " WHERE t.deleted_at IS NULL";
  if (!query.scope.view_all) {
    where += " AND (t.creator_id = :viewer";
    if (query.scope.view_category) {
      where += R"sql( OR t.assignee_id = :viewer OR (t.assignee_id IS NULL AND t.category_id IN
               (SELECT category_id FROM user_categories WHERE user_id = :viewer)))sql";
    }
    where += ")";
  }
  if (!query.statuses.empty()) {
    std::string names;
    for (const auto status : {TicketStatus::open, TicketStatus::in_progress, TicketStatus::waiting,
                              TicketStatus::resolved, TicketStatus::closed}) {
      if (!query.statuses.contains(status)) continue;
      if (!names.empty()) names += ", ";
      names += "'" + std::string(status_name(status)) + "'";
    }
    where += " AND t.status IN (" + names + ")";
  }
  if (query.priority) where += " AND t.priority = :priority";
  if (query.category_id) where += " AND t.category_id = :category";
  if (query.assignee_id) where += " AND t.assignee_id = :assignee";
  if (query.unassigned) where += " AND t.assignee_id IS NULL";
  if (query.creator_id) where += " AND t.creator_id = :creator";
  if (search.empty()) return sql;

  // Every word somewhere in the ticket: its subject, a message the caller may read, or (for
  // staff) its customer's name. The ticket whose number was typed matches whatever the words.
  const std::string in_messages =
      "t.id IN (SELECT m.ticket_id FROM messages_fts f JOIN messages m ON m.id = f.rowid "
      "WHERE messages_fts MATCH :";
  std::string all_words;
  std::string customer_all_words;
  for (std::size_t i = 0; i < search.words.size(); ++i) {
    const std::string word = "w" + std::to_string(i);
    std::string customer;
    if (query.search_people) {
      customer = "t.creator_id IN (SELECT u.id FROM users u WHERE ";
      for (std::size_t k = 0; k < search.words[i].prefixes.size(); ++k) {
        if (k > 0) customer += " OR ";
        customer += person_matches(word + "_" + std::to_string(k));
      }
      customer += ")";
    }
    if (!all_words.empty()) all_words += " AND ";
    all_words += "(t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH :" + word +
                 ") OR " + in_messages + word +
                 (query.search_internal ? ")" : " AND m.internal = 0)") +
                 (customer.empty() ? "" : " OR " + customer) + ")";
    if (!customer.empty()) {
      if (!customer_all_words.empty()) customer_all_words += " AND ";
      customer_all_words += customer;
    }
  }
  for (std::size_t i = 0; i < search.usernames.size(); ++i) {
    if (!all_words.empty()) all_words += " AND ";
    all_words += "t.creator_id IN (SELECT id FROM users WHERE casefold(username) LIKE :u" +
                 std::to_string(i) + " ESCAPE '\\')";
  }
  where += " AND (";
  if (search.ticket_id) where += "t.id = :number OR ";
  where += "(" + all_words + "))";

  std::string tier;
  if (search.ticket_id) tier += " WHEN t.id = :number THEN 3";
  if (!search.words.empty()) {
    tier += " WHEN t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH :all) THEN 2";
  }
  if (!customer_all_words.empty()) tier += " WHEN " + customer_all_words + " THEN 1";
  if (!tier.empty()) sql.tier = "(CASE" + tier + " ELSE 0 END)";
  return sql;
}

void bind_ticket_filter(Statement& statement, const TicketQuery& query,
                        const TicketSearch& search) {
  bind_if(statement, ":viewer", query.scope.user_id);
  if (query.priority) bind_if(statement, ":priority", priority_name(*query.priority));
  if (query.category_id) bind_if(statement, ":category", *query.category_id);
  if (query.assignee_id) bind_if(statement, ":assignee", *query.assignee_id);
  if (query.creator_id) bind_if(statement, ":creator", *query.creator_id);
  if (search.ticket_id) bind_if(statement, ":number", *search.ticket_id);
  for (std::size_t i = 0; i < search.words.size(); ++i) {
    const std::string word = ":w" + std::to_string(i);
    bind_if(statement, word.c_str(), std::string_view(fts_word_query(search.words[i])));
    for (std::size_t k = 0; k < search.words[i].prefixes.size(); ++k) {
      const std::string name = word + "_" + std::to_string(k);
      bind_if(statement, name.c_str(),
              std::string_view("% " + like_literal(search.words[i].prefixes[k]) + "%"));
    }
  }
  for (std::size_t i = 0; i < search.usernames.size(); ++i) {
    const std::string name = ":u" + std::to_string(i);
    bind_if(statement, name.c_str(), std::string_view(like_literal(search.usernames[i]) + "%"));
  }
  if (!search.words.empty()) {
    bind_if(statement, ":all", std::string_view(fts_all_words_query(search.words)));
  }
}

// The list's statement; `with_tier`: whether column kTicketColumnCount holds the search tier.
std::string ticket_list_sql(const TicketQuery& query, const TicketSearch& search, bool& with_tier) {
  const auto filter = ticket_filter_sql(query, search);
  // Without words there is no tier to order by (and SQLite would read "ORDER BY 0" as a
  // column number).
  const bool relevance = query.sort == TicketSort::relevance && filter.tier != "0";
  with_tier = relevance;
  std::string sql = "SELECT " + std::string(kTicketColumns) +
                    (relevance ? ", " + filter.tier : std::string()) + " FROM tickets t " +
                    std::string(kTicketJoins) + filter.where;
  const std::string column = sort_column(query.sort);
  // sla_due runs from the earliest due time up; every other order from the highest value down.
  const bool ascending = query.sort == TicketSort::sla_due;
  const char* beyond = ascending ? " > " : " < ";
  if (query.after) {
    std::string after = "(" + column + beyond + ":after_value OR (" + column +
                        " = :after_value AND t.id" + beyond + ":after_id))";
    if (relevance) {
      after = "(" + filter.tier + " < :after_tier OR (" + filter.tier + " = :after_tier AND " +
              after + "))";
    }
    sql += " AND " + after;
  }
  const char* direction = ascending ? " ASC" : " DESC";
  sql += " ORDER BY ";
  if (relevance) sql += filter.tier + " DESC, ";
  sql += column + direction + ", t.id" + direction + " LIMIT :limit";
  return sql;
}

// The routed assignee goes into the ticket's INSERT, so the ticket is written once.
std::optional<std::int64_t> route(Connection& connection, std::int64_t category_id,
                                  const AssigneeChooser& choose, Timestamp now) {
  std::vector<RoutingCandidate> candidates;
  auto statement = connection.prepare(kRoutingCandidates);
  statement.bind(1, category_id);
  while (statement.step()) {
    candidates.push_back(RoutingCandidate{statement.column_int(0),
                                          static_cast<int>(statement.column_int(2)),
                                          timestamp_of(statement.column_int(1))});
  }
  const auto assignee = choose(candidates);
  if (assignee) {
    connection.prepare("UPDATE users SET last_assigned_at = ?1 WHERE id = ?2")
        .bind(1, seconds_of(now))
        .bind(2, *assignee)
        .step();
  }
  return assignee;
}

}  // namespace

std::vector<Category> SqliteStore::list_categories() {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(std::string(kCategorySelect) + " ORDER BY position, id");
    std::vector<Category> categories;
    while (statement.step()) categories.push_back(category_from_row(statement));
    return categories;
  });
}

std::optional<Category> SqliteStore::find_category(std::int64_t id) {
  return read([&](Connection& connection) -> std::optional<Category> {
    auto statement = connection.prepare(std::string(kCategorySelect) + " WHERE id = ?1");
    statement.bind(1, id);
    if (!statement.step()) return std::nullopt;
    return category_from_row(statement);
  });
}

Category SqliteStore::save_category(const Category& category) {
  return write([&](Connection& connection) {
    auto statement = connection.prepare(
        category.id == 0
            ? "INSERT INTO categories (name, description, default_priority, sla_minutes, routing, "
              "active, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            : "UPDATE categories SET name = ?1, description = ?2, default_priority = ?3, "
              "sla_minutes = ?4, routing = ?5, active = ?6, position = ?7 WHERE id = ?8");
    statement.bind(1, std::string_view(category.name))
        .bind(2, category.description)
        .bind(3, priority_name(category.default_priority));
    if (category.sla_minutes) {
      statement.bind(4, static_cast<std::int64_t>(*category.sla_minutes));
    } else {
      statement.bind_null(4);
    }
    statement.bind(5, routing_name(category.routing))
        .bind(6, static_cast<std::int64_t>(category.active))
        .bind(7, static_cast<std::int64_t>(category.position));
    if (category.id != 0) statement.bind(8, category.id);
    statement.step();
    Category saved = category;
    if (saved.id == 0) saved.id = connection.last_insert_id();
    return saved;
  });
}

bool SqliteStore::category_in_use(std::int64_t id) {
  return read([&](Connection& connection) {
    auto statement =
        connection.prepare("SELECT EXISTS (SELECT 1 FROM tickets WHERE category_id = ?1)");
    statement.bind(1, id);
    statement.step();
    return statement.column_int(0) != 0;
  });
}

void SqliteStore::delete_category(std::int64_t id) {
  write([&](Connection& connection) {
    connection.prepare("DELETE FROM categories WHERE id = ?1").bind(1, id).step();
  });
}

Ticket SqliteStore::create_ticket(const NewTicket& ticket, const AssigneeChooser& choose) {
  return write([&](Connection& connection) {
    const auto assignee = ticket.route && ticket.category_id
                              ? route(connection, *ticket.category_id, choose, ticket.now)
                              : std::nullopt;
    // A client_id already taken throws here; write() rolls the ticket back.
    auto insert = connection.prepare(R"sql(
      INSERT INTO tickets (subject, priority, priority_rank, category_id, creator_id, created_at,
                           updated_at, last_message_at, messages_count, sla_due_at, assignee_id,
                           last_message_preview, client_id)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6, 1, ?7, ?8, substr(?9, 1, 160), ?10))sql");
    std::optional<std::int64_t> sla_due_at;
    if (ticket.sla_due_at) sla_due_at = seconds_of(*ticket.sla_due_at);
    insert.bind(1, std::string_view(ticket.subject))
        .bind(2, priority_name(ticket.priority))
        .bind(3, static_cast<std::int64_t>(ticket.priority))
        .bind(4, ticket.category_id)
        .bind(5, ticket.creator_id)
        .bind(6, seconds_of(ticket.now))
        .bind(7, sla_due_at)
        .bind(8, assignee)
        .bind(9, std::string_view(ticket.body))
        .bind(10, ticket.client_id)
        .step();
    const std::int64_t id = connection.last_insert_id();
    connection
        .prepare(
            "INSERT INTO messages (ticket_id, author_id, body, internal, source, created_at) "
            "VALUES (?1, ?2, ?3, 0, ?4, ?5)")
        .bind(1, id)
        .bind(2, ticket.creator_id)
        .bind(3, std::string_view(ticket.body))
        .bind(4, source_name(ticket.source))
        .bind(5, seconds_of(ticket.now))
        .step();
    append_event(connection, EventKind::ticket_created, id, std::nullopt, ticket.now);
    return *select_ticket(connection, id);
  });
}

std::optional<Ticket> SqliteStore::find_ticket(std::int64_t id) {
  const auto select = [&] {
    return read([&](Connection& connection) { return select_ticket(connection, id); });
  };
  if (in_own_transaction()) return select();  // perhaps never committed: not to be kept
  const auto writes = committed_writes();     // before the read, never after
  if (auto kept = kept_tickets_.find(id, writes)) return kept;
  auto ticket = select();
  if (ticket) kept_tickets_.put(writes, *ticket);
  return ticket;
}

std::vector<Ticket> SqliteStore::list_tickets(const TicketQuery& query) {
  const auto search = parse_ticket_search(query.text, query.search_people);
  bool with_tier = false;
  const std::string sql = ticket_list_sql(query, search, with_tier);
  return read([&](Connection& connection) {
    auto statement = connection.prepare(sql);
    bind_ticket_filter(statement, query, search);
    if (query.after) {
      bind_if(statement, ":after_value", query.after->value);
      bind_if(statement, ":after_id", query.after->id);
      bind_if(statement, ":after_tier", query.after->tier);
    }
    bind_if(statement, ":limit", static_cast<std::int64_t>(query.limit));
    std::vector<Ticket> tickets;
    while (statement.step()) {
      tickets.push_back(ticket_from_row(statement));
      if (with_tier) tickets.back().search_tier = statement.column_int(kTicketColumnCount);
    }
    return tickets;
  });
}

bool SqliteStore::mark_read(std::int64_t user_id, std::int64_t ticket_id,
                            std::optional<std::int64_t> through_message_id) {
  // Looked at first on a reader, so that opening a ticket already read (most opens) costs no
  // write: every write ends the kept ticket list pages (api/page_cache.hpp).
  const auto target = read([&](Connection& connection) -> std::optional<std::int64_t> {
    auto statement = connection.prepare(R"sql(
      SELECT (SELECT coalesce(max(id), 0) FROM messages WHERE ticket_id = ?2),
             max((SELECT unread_after FROM users WHERE id = ?1),
                 coalesce((SELECT message_id FROM ticket_reads
                           WHERE user_id = ?1 AND ticket_id = ?2), 0)))sql");
    statement.bind(1, user_id).bind(2, ticket_id);
    statement.step();
    const auto latest = statement.column_int(0);
    const auto read_through = statement.column_int(1);
    const auto wanted = through_message_id ? std::min(*through_message_id, latest) : latest;
    if (wanted <= read_through) return std::nullopt;
    return wanted;
  });
  if (!target) return false;
  write([&](Connection& connection) {
    connection
        .prepare(R"sql(
          INSERT INTO ticket_reads (user_id, ticket_id, message_id) VALUES (?1, ?2, ?3)
          ON CONFLICT (user_id, ticket_id) DO UPDATE
            SET message_id = max(message_id, excluded.message_id))sql")
        .bind(1, user_id)
        .bind(2, ticket_id)
        .bind(3, *target)
        .step();
  });
  return true;
}

std::vector<UnreadCount> SqliteStore::unread_counts(std::int64_t user_id,
                                                    std::span<const std::int64_t> ticket_ids,
                                                    bool include_internal) {
  if (ticket_ids.empty()) return {};
  std::string ids = "[";
  for (const auto id : ticket_ids) {
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(id);
  }
  ids += ']';
  const std::string sql =
      "SELECT id, unread FROM (SELECT j.value AS id, (SELECT count(*) " +
      unread_messages_sql("j.value",
                          "(SELECT message_id FROM ticket_reads r WHERE r.user_id = :viewer "
                          "AND r.ticket_id = j.value)",
                          include_internal) +
      ") AS unread FROM json_each(:ids) j) WHERE unread > 0";
  return read([&](Connection& connection) {
    auto statement = connection.prepare(sql);
    bind_if(statement, ":viewer", user_id);
    bind_if(statement, ":ids", std::string_view(ids));
    std::vector<UnreadCount> counts;
    while (statement.step()) {
      counts.push_back(
          UnreadCount{statement.column_int(0), static_cast<int>(statement.column_int(1))});
    }
    return counts;
  });
}

std::int64_t SqliteStore::count_unread_tickets(const TicketQuery& query) {
  const auto search = parse_ticket_search(query.text, query.search_people);
  const auto filter = ticket_filter_sql(query, search);
  const std::string sql =
      "SELECT count(*) FROM tickets t LEFT JOIN ticket_reads r ON r.user_id = :viewer AND "
      "r.ticket_id = t.id" +
      filter.where + " AND EXISTS (SELECT 1 " +
      unread_messages_sql("t.id", "r.message_id", query.search_internal) + ")";
  return read([&](Connection& connection) {
    auto statement = connection.prepare(sql);
    bind_ticket_filter(statement, query, search);
    statement.step();
    return statement.column_int(0);
  });
}

bool SqliteStore::update_ticket(std::int64_t id, const TicketChanges& changes) {
  return write([&](Connection& connection) {
    // The status and assignee before the update, to log only what it actually changed (the
    // UPDATE itself cannot say: RETURNING gives the new values only).
    std::optional<TicketStatus> status_before;
    std::optional<std::int64_t> assignee_before;
    if (changes.status || changes.assignee_id) {
      auto before = connection.prepare("SELECT status, assignee_id FROM tickets WHERE id = ?1");
      before.bind(1, id);
      if (before.step()) {
        status_before = parse_status(before.column_text(0));
        assignee_before = optional_int(before, 1);
      }
    }
    std::string sql = "UPDATE tickets SET updated_at = :now";
    if (changes.subject) sql += ", subject = :subject";
    if (changes.priority) sql += ", priority = :priority, priority_rank = :rank";
    if (changes.category_id) sql += ", category_id = :category";
    if (changes.assignee_id) sql += ", assignee_id = :assignee";
    if (changes.status) {
      sql += ", status = :status";
      if (*changes.status == TicketStatus::resolved) sql += ", resolved_at = :now";
      if (*changes.status == TicketStatus::closed) sql += ", closed_at = :now";
      if (*changes.status == TicketStatus::open) sql += ", resolved_at = NULL, closed_at = NULL";
    }
    sql += " WHERE id = :id AND deleted_at IS NULL";
    if (changes.only_if_unassigned) sql += " AND assignee_id IS NULL";
    auto statement = connection.prepare(sql);
    bind_if(statement, ":now", seconds_of(changes.now));
    bind_if(statement, ":id", id);
    if (changes.subject) bind_if(statement, ":subject", std::string_view(*changes.subject));
    if (changes.priority) {
      bind_if(statement, ":priority", priority_name(*changes.priority));
      bind_if(statement, ":rank", static_cast<std::int64_t>(*changes.priority));
    }
    if (changes.status) bind_if(statement, ":status", status_name(*changes.status));
    for (const auto& [name, value] : {std::pair{":category", changes.category_id},
                                      std::pair{":assignee", changes.assignee_id}}) {
      if (!value) continue;
      if (*value) {
        bind_if(statement, name, **value);
      } else {
        statement.bind_null(statement.parameter(name));
      }
    }
    statement.step();
    if (connection.changes() == 0) return false;
    if (changes.assignee_id && *changes.assignee_id) {
      connection.prepare("UPDATE users SET last_assigned_at = ?1 WHERE id = ?2")
          .bind(1, seconds_of(changes.now))
          .bind(2, **changes.assignee_id)
          .step();
    }
    TicketUpdateFacts facts{.actor_id = changes.actor_id};
    if (changes.status && changes.status != status_before) facts.status_to = changes.status;
    if (changes.assignee_id && *changes.assignee_id != assignee_before)
      facts.assignee_to = changes.assignee_id;
    append_event(connection, EventKind::ticket_updated, id, std::nullopt, changes.now, facts);
    return true;
  });
}

void SqliteStore::delete_ticket(std::int64_t id, Timestamp now) {
  write([&](Connection& connection) {
    connection.prepare("UPDATE tickets SET deleted_at = ?1 WHERE id = ?2 AND deleted_at IS NULL")
        .bind(1, seconds_of(now))
        .bind(2, id)
        .step();
    if (connection.changes() > 0)
      append_event(connection, EventKind::ticket_deleted, id, std::nullopt, now);
  });
}

bool SqliteStore::rate_ticket(std::int64_t id, const Rating& rating, Timestamp now) {
  return write([&](Connection& connection) {
    connection
        .prepare(
            "UPDATE tickets SET rating_score = ?1, rating_comment = ?2, updated_at = ?3 "
            "WHERE id = ?4 AND rating_score IS NULL")
        .bind(1, static_cast<std::int64_t>(rating.score))
        .bind(2, rating.comment)
        .bind(3, seconds_of(now))
        .bind(4, id)
        .step();
    if (connection.changes() == 0) return false;
    append_event(connection, EventKind::ticket_updated, id, std::nullopt, now);
    return true;
  });
}

std::vector<std::int64_t> SqliteStore::close_resolved_before(Timestamp cutoff, Timestamp now) {
  return write([&](Connection& connection) {
    std::vector<std::int64_t> ids;
    auto select = connection.prepare(
        "SELECT id FROM tickets WHERE status = 'resolved' AND resolved_at < ?1 AND deleted_at IS "
        "NULL");
    select.bind(1, seconds_of(cutoff));
    while (select.step()) ids.push_back(select.column_int(0));
    auto close = connection.prepare(
        "UPDATE tickets SET status = 'closed', closed_at = ?1, updated_at = ?1 WHERE id = ?2");
    for (const auto id : ids) {
      close.bind(1, seconds_of(now)).bind(2, id).step();
      close.reset();
      append_event(connection, EventKind::ticket_updated, id, std::nullopt, now,
                   {.status_to = TicketStatus::closed});
    }
    return ids;
  });
}

std::vector<std::int64_t> SqliteStore::hourly_arrivals(Timestamp from, Timestamp to) {
  const std::int64_t first = seconds_of(from);
  const std::int64_t hours = std::max<std::int64_t>(0, (seconds_of(to) - first) / 3600);
  return read([&](Connection& connection) {
    // From the hourly rollups (migration 0012): a range of their primary key, a few rows per
    // hour, rather than a scan of the window's tickets. `created` there counts each live
    // ticket in the hour it was created in.
    auto statement = connection.prepare(R"sql(
      SELECT (period - ?1) / 3600, sum(created) FROM ticket_stats
      WHERE span = 3600 AND period >= ?1 AND period < ?1 + ?2 * 3600
      GROUP BY period)sql");
    statement.bind(1, first).bind(2, hours);
    std::vector<std::int64_t> counts(static_cast<std::size_t>(hours), 0);
    while (statement.step())
      counts[static_cast<std::size_t>(statement.column_int(0))] = statement.column_int(1);
    return counts;
  });
}

Message SqliteStore::add_message(const NewMessage& message) {
  return write([&](Connection& connection) {
    connection
        .prepare(
            "INSERT INTO messages (ticket_id, author_id, body, internal, source, created_at, "
            "client_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, message.ticket_id)
        .bind(2, message.author_id)
        .bind(3, std::string_view(message.body))
        .bind(4, static_cast<std::int64_t>(message.internal))
        .bind(5, source_name(message.source))
        .bind(6, seconds_of(message.now))
        .bind(7, message.client_id)  // a taken key throws here, before the ticket changes
        .step();
    const std::int64_t id = connection.last_insert_id();
    // Internal notes leave no trace a customer could see: no count, no timestamps.
    if (!message.internal) {
      auto update = connection.prepare(R"sql(
        UPDATE tickets SET messages_count = messages_count + 1, last_message_at = :now,
          updated_at = :now, last_message_preview = substr(:body, 1, 160),
          first_response_at = CASE WHEN :first = 1 AND first_response_at IS NULL THEN :now
                                   ELSE first_response_at END,
          status = COALESCE(:status, status)
        WHERE id = :id)sql");
      bind_if(update, ":now", seconds_of(message.now));
      bind_if(update, ":body", std::string_view(message.body));
      bind_if(update, ":first", static_cast<std::int64_t>(message.counts_as_first_response));
      if (message.move_to) {
        bind_if(update, ":status", status_name(*message.move_to));
      } else {
        update.bind_null(update.parameter(":status"));
      }
      bind_if(update, ":id", message.ticket_id);
      update.step();
    }
    append_event(connection, EventKind::message_created, message.ticket_id, id, message.now);
    auto select = connection.prepare(std::string(kMessageSelect) + " WHERE m.id = ?1");
    select.bind(1, id);
    select.step();
    return message_from_row(select);
  });
}

std::optional<Message> SqliteStore::find_message_by_client_id(std::int64_t ticket_id,
                                                              std::int64_t author_id,
                                                              std::string_view client_id) {
  return read([&](Connection& connection) -> std::optional<Message> {
    auto statement =
        connection.prepare(std::string(kMessageSelect) +
                           " WHERE m.ticket_id = ?1 AND m.author_id = ?2 AND m.client_id = ?3");
    statement.bind(1, ticket_id).bind(2, author_id).bind(3, client_id);
    if (!statement.step()) return std::nullopt;
    return message_from_row(statement);
  });
}

std::vector<Message> SqliteStore::list_messages(std::int64_t ticket_id, std::int64_t after_id,
                                                int limit, bool include_internal) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(
        std::string(kMessageSelect) + " WHERE m.ticket_id = ?1 AND m.id > ?2" +
        (include_internal ? "" : " AND m.internal = 0") + " ORDER BY m.id LIMIT ?3");
    statement.bind(1, ticket_id).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
    std::vector<Message> messages;
    while (statement.step()) messages.push_back(message_from_row(statement));
    return messages;
  });
}

std::vector<AutoReply> SqliteStore::list_auto_replies() {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(std::string(kAutoReplySelect) + " ORDER BY id");
    std::vector<AutoReply> replies;
    while (statement.step()) replies.push_back(auto_reply_from_row(statement));
    return replies;
  });
}

std::optional<AutoReply> SqliteStore::find_auto_reply(std::int64_t id) {
  return read([&](Connection& connection) -> std::optional<AutoReply> {
    auto statement = connection.prepare(std::string(kAutoReplySelect) + " WHERE id = ?1");
    statement.bind(1, id);
    if (!statement.step()) return std::nullopt;
    return auto_reply_from_row(statement);
  });
}

AutoReply SqliteStore::save_auto_reply(const AutoReply& reply) {
  return write([&](Connection& connection) {
    std::string keywords;
    for (const auto& keyword : reply.keywords) keywords += keyword + "\n";
    auto statement = connection.prepare(
        reply.id == 0
            ? "INSERT INTO auto_replies (name, keywords, category_id, event, body, active) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            : "UPDATE auto_replies SET name = ?1, keywords = ?2, category_id = ?3, "
              "event = ?4, body = ?5, active = ?6 WHERE id = ?7");
    statement.bind(1, std::string_view(reply.name)).bind(2, std::string_view(keywords));
    if (reply.category_id) {
      statement.bind(3, *reply.category_id);
    } else {
      statement.bind_null(3);
    }
    statement.bind(4, auto_reply_event_name(reply.event))
        .bind(5, std::string_view(reply.body))
        .bind(6, static_cast<std::int64_t>(reply.active));
    if (reply.id != 0) statement.bind(7, reply.id);
    statement.step();
    AutoReply saved = reply;
    if (saved.id == 0) saved.id = connection.last_insert_id();
    return saved;
  });
}

void SqliteStore::delete_auto_reply(std::int64_t id) {
  write([&](Connection& connection) {
    connection.prepare("DELETE FROM auto_replies WHERE id = ?1").bind(1, id).step();
  });
}

bool SqliteStore::mark_auto_reply_fired(std::int64_t reply_id, std::int64_t ticket_id) {
  return write([&](Connection& connection) {
    connection
        .prepare(
            "INSERT OR IGNORE INTO auto_reply_fired (auto_reply_id, ticket_id) VALUES (?1, ?2)")
        .bind(1, reply_id)
        .bind(2, ticket_id)
        .step();
    return connection.changes() > 0;
  });
}

}  // namespace tb::store::sqlite
