#include "service/canned_reply_service.hpp"

#include "service/validation.hpp"

namespace tb::service {

CannedReplyService::CannedReplyService(store::Store& store, Clock clock)
    : store_(store), clock_(std::move(clock)) {}

std::vector<CannedReply> CannedReplyService::list(const Principal& caller) {
  caller.require(Permission::canned_replies_use);
  return store_.list_canned_replies();
}

CannedReply CannedReplyService::create(const Principal& caller, const CannedReplyFields& fields) {
  caller.require(Permission::canned_replies_manage);
  if (!fields.name || !fields.body) invalid("name and body are required");
  CannedReply reply;
  reply.name = *fields.name;
  reply.body = *fields.body;
  return save(caller, std::move(reply));
}

CannedReply CannedReplyService::update(const Principal& caller, std::int64_t id,
                                       const CannedReplyFields& fields) {
  caller.require(Permission::canned_replies_manage);
  auto found = store_.find_canned_reply(id);
  if (!found) throw Error(ErrorCode::not_found, "no such canned reply");
  if (fields.name) found->name = *fields.name;
  if (fields.body) found->body = *fields.body;
  return save(caller, std::move(*found));
}

CannedReply CannedReplyService::save(const Principal& caller, CannedReply reply) {
  reply.name = required_text(reply.name, kMaxNameLength, "name");
  reply.body = required_text(reply.body, kMaxMessageLength, "body");
  if (const auto unknown = unknown_placeholders(reply.body); !unknown.empty()) {
    std::string names;
    for (const auto& name : unknown) names += (names.empty() ? "{" : ", {") + name + "}";
    std::string known;
    for (const auto name : kCannedReplyPlaceholders)
      known += (known.empty() ? "{" : ", {") + std::string(name) + "}";
    invalid("body has unknown placeholders " + names + "; known: " + known);
  }
  reply.updated_at = clock_();
  try {
    return store_.save_canned_reply(reply, caller.id());
  } catch (const store::UniqueViolation&) {
    throw Error(ErrorCode::conflict, "a canned reply named \"" + reply.name + "\" exists already");
  }
}

void CannedReplyService::remove(const Principal& caller, std::int64_t id) {
  caller.require(Permission::canned_replies_manage);
  if (!store_.delete_canned_reply(id, caller.id(), clock_()))
    throw Error(ErrorCode::not_found, "no such canned reply");
}

}  // namespace tb::service
