// SqliteStore: canned replies, each change with its audit entry in one write transaction.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "store/sqlite/audit_log.hpp"
#include "store/sqlite/columns.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tb::store::sqlite {
namespace {

constexpr std::string_view kSelect = "SELECT id, name, body, updated_at FROM canned_replies";

// How a reply reads in the audit log's old and new columns: its name, then its text.
// The audit log keeps records as JSON objects (as service/audit_trail does for categories
// and auto-replies), which GET /audit shows as objects.
std::string audit_text(const CannedReply& reply) {
  return boost::json::serialize(boost::json::object{{"name", reply.name}, {"body", reply.body}});
}

CannedReply reply_from_row(const Statement& row) {
  return CannedReply{.id = row.column_int(0),
                     .name = row.column_text(1),
                     .body = row.column_text(2),
                     .updated_at = timestamp_of(row.column_int(3))};
}

std::optional<CannedReply> select_reply(Connection& connection, std::int64_t id) {
  auto statement = connection.prepare(std::string(kSelect) + " WHERE id = ?1");
  statement.bind(1, id);
  if (!statement.step()) return std::nullopt;
  return reply_from_row(statement);
}

}  // namespace

std::vector<CannedReply> SqliteStore::list_canned_replies() {
  return read([&](Connection& connection) {
    auto statement = connection.prepare(std::string(kSelect) + " ORDER BY name, id");
    std::vector<CannedReply> replies;
    while (statement.step()) replies.push_back(reply_from_row(statement));
    return replies;
  });
}

std::optional<CannedReply> SqliteStore::find_canned_reply(std::int64_t id) {
  return read([&](Connection& connection) { return select_reply(connection, id); });
}

CannedReply SqliteStore::save_canned_reply(const CannedReply& reply, std::int64_t actor_id) {
  return write([&](Connection& connection) {
    CannedReply saved = reply;
    if (reply.id == 0) {
      connection.prepare("INSERT INTO canned_replies (name, body, updated_at) VALUES (?1, ?2, ?3)")
          .bind(1, reply.name)
          .bind(2, reply.body)
          .bind(3, seconds_of(reply.updated_at))
          .step();
      saved.id = connection.last_insert_id();
      insert_audit(connection, actor_id, "canned_reply.created", std::nullopt, "",
                   audit_text(saved), reply.updated_at);
    } else {
      const auto before = select_reply(connection, reply.id);
      connection
          .prepare("UPDATE canned_replies SET name = ?1, body = ?2, updated_at = ?3 WHERE id = ?4")
          .bind(1, reply.name)
          .bind(2, reply.body)
          .bind(3, seconds_of(reply.updated_at))
          .bind(4, reply.id)
          .step();
      insert_audit(connection, actor_id, "canned_reply.updated", std::nullopt,
                   before ? audit_text(*before) : "", audit_text(saved), reply.updated_at);
    }
    return saved;
  });
}

bool SqliteStore::delete_canned_reply(std::int64_t id, std::int64_t actor_id, Timestamp at) {
  return write([&](Connection& connection) {
    const auto before = select_reply(connection, id);
    if (!before) return false;
    connection.prepare("DELETE FROM canned_replies WHERE id = ?1").bind(1, id).step();
    insert_audit(connection, actor_id, "canned_reply.deleted", std::nullopt, audit_text(*before),
                 "", at);
    return true;
  });
}

}  // namespace tb::store::sqlite
