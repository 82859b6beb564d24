// SqliteStore: what the Telegram bot keeps — received updates, chats, the outbox of
// deliveries, and the staff forum topics of tickets.
#include "store/sqlite/columns.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tb::store::sqlite {
namespace {

constexpr std::string_view kDeliverySelect = R"sql(
  SELECT id, chat_id, thread_id, text, reply_markup, ticket_id, topic_ticket_id,
         reply_to_message_id, status, attempts, next_attempt_at, last_error, created_at, sent_at,
         telegram_message_id
  FROM telegram_deliveries)sql";

DeliveryStatus delivery_status(std::string_view name) {
  if (name == "sent") return DeliveryStatus::sent;
  if (name == "dead") return DeliveryStatus::dead;
  return DeliveryStatus::pending;
}

Delivery delivery_from_row(const Statement& row) {
  Delivery delivery;
  delivery.id = row.column_int(0);
  delivery.chat_id = row.column_int(1);
  delivery.thread_id = optional_int(row, 2);
  delivery.text = row.column_text(3);
  delivery.reply_markup = row.column_text(4);
  delivery.ticket_id = optional_int(row, 5);
  delivery.topic_ticket_id = optional_int(row, 6);
  delivery.reply_to_message_id = optional_int(row, 7);
  delivery.status = delivery_status(row.column_text(8));
  delivery.attempts = static_cast<int>(row.column_int(9));
  delivery.next_attempt_at = timestamp_of(row.column_int(10));
  delivery.last_error = row.column_text(11);
  delivery.created_at = timestamp_of(row.column_int(12));
  delivery.sent_at = optional_time(row, 13);
  delivery.telegram_message_id = optional_int(row, 14);
  return delivery;
}

std::vector<Delivery> deliveries_of(Statement& statement) {
  std::vector<Delivery> deliveries;
  while (statement.step()) deliveries.push_back(delivery_from_row(statement));
  return deliveries;
}

std::optional<std::int64_t> optional_scalar(Statement& statement) {
  if (!statement.step()) return std::nullopt;
  return optional_int(statement, 0);
}

}  // namespace

// --- updates

int SqliteStore::store_telegram_updates(std::span<const TelegramUpdate> updates, Timestamp now) {
  return write([&](Connection& connection) {
    auto insert = connection.prepare(
        "INSERT OR IGNORE INTO telegram_updates (update_id, payload, received_at) "
        "VALUES (?1, ?2, ?3)");
    int stored = 0;
    for (const auto& update : updates) {
      insert.bind(1, update.update_id)
          .bind(2, std::string_view(update.payload))
          .bind(3, seconds_of(now))
          .step();
      insert.reset();
      stored += connection.changes();
    }
    return stored;
  });
}

std::vector<TelegramUpdate> SqliteStore::pending_telegram_updates(int limit) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(
        "SELECT update_id, payload FROM telegram_updates WHERE processed_at IS NULL "
        "ORDER BY update_id LIMIT ?1");
    statement.bind(1, static_cast<std::int64_t>(limit));
    std::vector<TelegramUpdate> updates;
    while (statement.step())
      updates.push_back(TelegramUpdate{statement.column_int(0), statement.column_text(1)});
    return updates;
  });
}

void SqliteStore::mark_telegram_update_processed(std::int64_t update_id, Timestamp now) {
  write([&](Connection& connection) {
    connection
        .prepare(
            "UPDATE telegram_updates SET processed_at = ?1 "
            "WHERE update_id = ?2 AND processed_at IS NULL")
        .bind(1, seconds_of(now))
        .bind(2, update_id)
        .step();
  });
}

std::int64_t SqliteStore::last_telegram_update_id() {
  return read([&](Connection& connection) {
    auto statement = connection.prepare("SELECT max(update_id) FROM telegram_updates");
    return optional_scalar(statement).value_or(0);
  });
}

int SqliteStore::prune_telegram_updates(Timestamp before) {
  return write([&](Connection& connection) {
    // The highest row stays whatever its age: the poller's next offset is computed from it,
    // and without it a restart would ask Telegram for updates already handled.
    connection
        .prepare(
            "DELETE FROM telegram_updates WHERE processed_at IS NOT NULL AND received_at < ?1 "
            "AND update_id < (SELECT max(update_id) FROM telegram_updates)")
        .bind(1, seconds_of(before))
        .step();
    return connection.changes();
  });
}

int SqliteStore::prune_deliveries(Timestamp sent_before, Timestamp dead_before) {
  return write([&](Connection& connection) {
    connection.prepare("DELETE FROM telegram_deliveries WHERE status = 'sent' AND sent_at < ?1")
        .bind(1, seconds_of(sent_before))
        .step();
    int removed = connection.changes();
    connection.prepare("DELETE FROM telegram_deliveries WHERE status = 'dead' AND created_at < ?1")
        .bind(1, seconds_of(dead_before))
        .step();
    return removed + connection.changes();
  });
}

// --- chats

std::optional<BotChat> SqliteStore::find_bot_chat(std::int64_t chat_id) {
  return read([&](Connection& connection) -> std::optional<BotChat> {
    auto statement = connection.prepare(
        "SELECT chat_id, user_id, blocked_at, dialog, dialog_text, selected_ticket_id "
        "FROM telegram_chats WHERE chat_id = ?1");
    statement.bind(1, chat_id);
    if (!statement.step()) return std::nullopt;
    BotChat chat;
    chat.chat_id = statement.column_int(0);
    chat.user_id = optional_int(statement, 1);
    chat.blocked_at = optional_time(statement, 2);
    chat.dialog = statement.column_text(3);
    chat.dialog_text = statement.column_text(4);
    chat.selected_ticket_id = optional_int(statement, 5);
    return chat;
  });
}

void SqliteStore::save_bot_chat(const BotChat& chat, Timestamp now) {
  write([&](Connection& connection) {
    connection
        .prepare(R"sql(
          INSERT INTO telegram_chats (chat_id, user_id, dialog, dialog_text, selected_ticket_id,
                                      updated_at)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6)
          ON CONFLICT (chat_id) DO UPDATE SET user_id = excluded.user_id,
            dialog = excluded.dialog, dialog_text = excluded.dialog_text,
            selected_ticket_id = excluded.selected_ticket_id, updated_at = excluded.updated_at)sql")
        .bind(1, chat.chat_id)
        .bind(2, chat.user_id)
        .bind(3, std::string_view(chat.dialog))
        .bind(4, std::string_view(chat.dialog_text))
        .bind(5, chat.selected_ticket_id)
        .bind(6, seconds_of(now))
        .step();
  });
}

void SqliteStore::block_bot_chat(std::int64_t chat_id, std::string_view reason, Timestamp now) {
  write([&](Connection& connection) {
    // A chat blocked again keeps the time it was first blocked.
    connection
        .prepare(
            "INSERT INTO telegram_chats (chat_id, blocked_at, updated_at) VALUES (?1, ?2, ?2) "
            "ON CONFLICT (chat_id) DO UPDATE SET blocked_at = coalesce(blocked_at, "
            "excluded.blocked_at), updated_at = excluded.updated_at")
        .bind(1, chat_id)
        .bind(2, seconds_of(now))
        .step();
    // Everything still queued for the chat would fail the same way: park it at once rather
    // than spend the send rate on it.
    connection
        .prepare(
            "UPDATE telegram_deliveries SET status = 'dead', last_error = ?2 "
            "WHERE chat_id = ?1 AND status = 'pending'")
        .bind(1, chat_id)
        .bind(2, reason)
        .step();
  });
}

void SqliteStore::unblock_bot_chat(std::int64_t chat_id, Timestamp now) {
  write([&](Connection& connection) {
    connection
        .prepare("UPDATE telegram_chats SET blocked_at = NULL, updated_at = ?2 WHERE chat_id = ?1")
        .bind(1, chat_id)
        .bind(2, seconds_of(now))
        .step();
  });
}

// --- deliveries

void SqliteStore::enqueue_deliveries(std::span<const NewDelivery> deliveries, Timestamp now) {
  write([&](Connection& connection) {
    auto insert = connection.prepare(R"sql(
      INSERT INTO telegram_deliveries (chat_id, thread_id, text, reply_markup, ticket_id,
                                       topic_ticket_id, reply_to_message_id, next_attempt_at,
                                       created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8))sql");
    for (const auto& delivery : deliveries) {
      insert.bind(1, delivery.chat_id)
          .bind(2, delivery.thread_id)
          .bind(3, std::string_view(delivery.text))
          .bind(4, std::string_view(delivery.reply_markup))
          .bind(5, delivery.ticket_id)
          .bind(6, delivery.topic_ticket_id)
          .bind(7, delivery.reply_to_message_id)
          .bind(8, seconds_of(now))
          .step();
      insert.reset();
    }
  });
}

std::vector<Delivery> SqliteStore::due_deliveries(Timestamp now, int limit) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(
        std::string(kDeliverySelect) +
        " AS d WHERE status = 'pending' AND next_attempt_at <= ?1 AND NOT EXISTS ("
        "SELECT 1 FROM telegram_deliveries AS earlier WHERE earlier.chat_id = d.chat_id AND "
        "earlier.status = 'pending' AND earlier.id < d.id) ORDER BY next_attempt_at, id LIMIT ?2");
    statement.bind(1, seconds_of(now)).bind(2, static_cast<std::int64_t>(limit));
    return deliveries_of(statement);
  });
}

std::optional<Timestamp> SqliteStore::next_delivery_due() {
  return read([&](Connection& connection) -> std::optional<Timestamp> {
    auto statement = connection.prepare(
        "SELECT min(next_attempt_at) FROM telegram_deliveries AS d WHERE status = 'pending' AND "
        "NOT EXISTS (SELECT 1 FROM telegram_deliveries AS earlier WHERE earlier.chat_id = "
        "d.chat_id AND earlier.status = 'pending' AND earlier.id < d.id)");
    const auto due = optional_scalar(statement);
    if (!due) return std::nullopt;
    return timestamp_of(*due);
  });
}

void SqliteStore::mark_delivery_sent(std::int64_t id, std::int64_t telegram_message_id,
                                     Timestamp now) {
  write([&](Connection& connection) {
    connection
        .prepare(
            "UPDATE telegram_deliveries SET status = 'sent', sent_at = ?2, "
            "telegram_message_id = ?3 WHERE id = ?1")
        .bind(1, id)
        .bind(2, seconds_of(now))
        .bind(3, telegram_message_id)
        .step();
  });
}

void SqliteStore::retry_delivery(std::int64_t id, Timestamp next, std::string_view error) {
  write([&](Connection& connection) {
    // Only a pending delivery: one parked meanwhile (its chat blocked the bot) stays parked.
    connection
        .prepare(
            "UPDATE telegram_deliveries SET attempts = attempts + 1, next_attempt_at = ?2, "
            "last_error = ?3 WHERE id = ?1 AND status = 'pending'")
        .bind(1, id)
        .bind(2, seconds_of(next))
        .bind(3, error)
        .step();
  });
}

void SqliteStore::park_delivery(std::int64_t id, std::string_view error, Timestamp /*now*/) {
  write([&](Connection& connection) {
    // A delivery already sent stays sent. (The table keeps no time of parking: dead rows are
    // listed by id, which is their age.)
    connection
        .prepare(
            "UPDATE telegram_deliveries SET status = 'dead', last_error = ?2 "
            "WHERE id = ?1 AND status = 'pending'")
        .bind(1, id)
        .bind(2, error)
        .step();
  });
}

DeliveryCounts SqliteStore::delivery_counts() {
  return read([&](Connection& connection) {
    // One count per status, each over its own partial index: /metrics asks at every scrape,
    // and a GROUP BY would read the whole table.
    auto statement = connection.prepare(
        "SELECT (SELECT count(*) FROM telegram_deliveries WHERE status = 'pending'), "
        "(SELECT count(*) FROM telegram_deliveries WHERE status = 'sent'), "
        "(SELECT count(*) FROM telegram_deliveries WHERE status = 'dead')");
    statement.step();
    return DeliveryCounts{.pending = statement.column_int(0),
                          .sent = statement.column_int(1),
                          .dead = statement.column_int(2)};
  });
}

std::vector<Delivery> SqliteStore::list_dead_deliveries(std::int64_t before_id, int limit) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(
        std::string(kDeliverySelect) +
        " WHERE status = 'dead' AND (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2");
    statement.bind(1, before_id).bind(2, static_cast<std::int64_t>(limit));
    return deliveries_of(statement);
  });
}

std::optional<std::int64_t> SqliteStore::ticket_of_bot_message(std::int64_t chat_id,
                                                               std::int64_t message_id) {
  return read([&](Connection& connection) {
    // A notification in a staff topic is about the topic's ticket even when it names none.
    auto statement = connection.prepare(
        "SELECT coalesce(ticket_id, topic_ticket_id) FROM telegram_deliveries "
        "WHERE chat_id = ?1 AND telegram_message_id = ?2 LIMIT 1");
    statement.bind(1, chat_id).bind(2, message_id);
    return optional_scalar(statement);
  });
}

// --- staff forum topics

std::optional<std::int64_t> SqliteStore::topic_of_ticket(std::int64_t ticket_id,
                                                         std::int64_t chat_id) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(
        "SELECT thread_id FROM telegram_topics WHERE ticket_id = ?1 AND chat_id = ?2");
    statement.bind(1, ticket_id).bind(2, chat_id);
    return optional_scalar(statement);
  });
}

std::optional<std::int64_t> SqliteStore::ticket_of_topic(std::int64_t chat_id,
                                                         std::int64_t thread_id) {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(
        "SELECT ticket_id FROM telegram_topics WHERE chat_id = ?1 AND thread_id = ?2");
    statement.bind(1, chat_id).bind(2, thread_id);
    return optional_scalar(statement);
  });
}

void SqliteStore::save_topic(std::int64_t ticket_id, std::int64_t chat_id, std::int64_t thread_id) {
  write([&](Connection& connection) {
    // A thread already another ticket's breaks telegram_topics_by_thread: UniqueViolation.
    connection
        .prepare(
            "INSERT INTO telegram_topics (ticket_id, chat_id, thread_id) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (ticket_id, chat_id) DO UPDATE SET thread_id = excluded.thread_id")
        .bind(1, ticket_id)
        .bind(2, chat_id)
        .bind(3, thread_id)
        .step();
  });
}

}  // namespace tb::store::sqlite
