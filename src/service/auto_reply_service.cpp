#include "service/auto_reply_service.hpp"

#include "service/audit_trail.hpp"
#include "service/validation.hpp"

namespace tb::service {

AutoReplyService::AutoReplyService(store::Store& store, Clock clock)
    : store_(store), clock_(std::move(clock)) {
  if (const auto system = store_.find_user_by_telegram_id(0)) system_user_id_ = system->id;
}

std::vector<AutoReply> AutoReplyService::list(const Principal& caller) {
  caller.require(Permission::auto_replies_manage);
  return store_.list_auto_replies();
}

AutoReply AutoReplyService::create(const Principal& caller, const AutoReplyFields& fields) {
  caller.require(Permission::auto_replies_manage);
  if (!fields.name || !fields.body || !fields.event) invalid("name, event and body are required");
  return update(caller, 0, fields);
}

AutoReply AutoReplyService::update(const Principal& caller, std::int64_t id,
                                   const AutoReplyFields& fields) {
  caller.require(Permission::auto_replies_manage);
  AutoReply reply;
  std::string before;  // "" for a new one
  if (id != 0) {
    auto found = store_.find_auto_reply(id);
    if (!found) throw Error(ErrorCode::not_found, "no such auto-reply");
    reply = *found;
    before = audit::snapshot(reply);
  }
  if (fields.name) reply.name = required_text(*fields.name, kMaxNameLength, "name");
  if (fields.body) reply.body = required_text(*fields.body, kMaxMessageLength, "body");
  if (fields.event) reply.event = *fields.event;
  if (fields.active) reply.active = *fields.active;
  if (fields.keywords) {
    reply.keywords.clear();
    for (const auto& keyword : *fields.keywords) {
      if (auto cleaned = clean_text(keyword, kMaxNameLength)) reply.keywords.push_back(*cleaned);
    }
  }
  if (fields.category_id) {
    if (*fields.category_id && !store_.find_category(**fields.category_id)) {
      invalid("no category with id " + std::to_string(**fields.category_id));
    }
    reply.category_id = *fields.category_id;
  }
  if (reply.keywords.empty() && !reply.category_id)
    invalid("an auto-reply needs keywords or a category");
  if (id != 0 && audit::snapshot(reply) == before) return reply;  // nothing to record
  AutoReply saved;
  store_.in_one_transaction([&] {
    saved = store_.save_auto_reply(reply);
    store_.append_audit(store::AuditRecord{
        .actor_id = caller.id(),
        .action = std::string(id == 0 ? audit::kAutoReplyCreated : audit::kAutoReplyUpdated),
        .old_value = before,
        .new_value = audit::snapshot(saved),
        .at = clock_()});
  });
  return saved;
}

void AutoReplyService::remove(const Principal& caller, std::int64_t id) {
  caller.require(Permission::auto_replies_manage);
  const auto reply = store_.find_auto_reply(id);
  if (!reply) throw Error(ErrorCode::not_found, "no such auto-reply");
  store_.in_one_transaction([&] {
    store_.delete_auto_reply(id);
    store_.append_audit(store::AuditRecord{.actor_id = caller.id(),
                                           .action = std::string(audit::kAutoReplyDeleted),
                                           .old_value = audit::snapshot(*reply),
                                           .at = clock_()});
  });
}

Ticket AutoReplyService::run(Ticket ticket, AutoReplyEvent event, const std::string& text) {
  if (system_user_id_ == 0) return ticket;
  for (const auto& reply : store_.list_auto_replies()) {
    if (!auto_reply_matches(reply, event, ticket.category_id, text)) continue;
    if (!store_.mark_auto_reply_fired(reply.id, ticket.id)) continue;
    store::NewMessage message;
    message.ticket_id = ticket.id;
    message.author_id = system_user_id_;
    message.body = reply.body;
    message.source = MessageSource::system;
    message.now = clock_();
    store_.add_message(message);  // its message.created goes to the event log with it
    auto reloaded = store_.find_ticket(ticket.id);
    if (!reloaded) throw Error(ErrorCode::not_found, "no such ticket");
    ticket = std::move(*reloaded);
  }
  return ticket;
}

}  // namespace tb::service
