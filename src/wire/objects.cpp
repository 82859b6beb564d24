#include "wire/objects.hpp"

#include <boost/json/parse.hpp>

namespace tb::wire {
namespace {

boost::json::value optional_text(const std::optional<std::string>& text) {
  return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

// As wire::write_user_ref writes it; here for the audit entries, built as boost::json.
boost::json::object user_ref_json(const UserRef& user) {
  return {{"id", user.id},
          {"first_name", user.first_name},
          {"username", optional_text(user.username)},
          {"role", role_name(user.role)}};
}

// An audit value as the API shows it: null for nothing (before a creation, after a deletion),
// the object itself for a record's snapshot (stored as JSON text), else the text.
boost::json::value audit_value(const std::string& text) {
  if (text.empty()) return nullptr;
  if (text.front() == '{') {
    boost::system::error_code error;
    auto parsed = boost::json::parse(text, error);
    if (!error && parsed.is_object()) return parsed;
  }
  return boost::json::value(text);
}

}  // namespace

boost::json::value optional_id(const std::optional<std::int64_t>& id) {
  return id ? boost::json::value(*id) : boost::json::value(nullptr);
}

boost::json::object user_json(const User& user) {
  boost::json::array categories;
  for (const auto id : user.category_ids) categories.emplace_back(id);
  return {{"id", user.id},
          {"telegram_id", user.telegram_id},
          {"username", optional_text(user.username)},
          {"first_name", user.first_name},
          {"last_name", optional_text(user.last_name)},
          {"language_code", optional_text(user.language_code)},
          {"role", role_name(user.role)},
          {"category_ids", std::move(categories)},
          {"available", user.available},
          {"created_at", format_timestamp(user.created_at)},
          {"last_seen_at", format_timestamp(user.last_seen_at)}};
}

boost::json::object audit_json(const AuditEntry& entry) {
  return {{"id", entry.id},
          {"actor", user_ref_json(entry.actor)},
          {"action", entry.action},
          {"target", entry.target ? boost::json::value(user_ref_json(*entry.target))
                                  : boost::json::value(nullptr)},
          {"old", audit_value(entry.old_value)},
          {"new", audit_value(entry.new_value)},
          {"created_at", format_timestamp(entry.created_at)}};
}

boost::json::array string_array(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return array;
}

boost::json::object category_json(const Category& category) {
  return {{"id", category.id},
          {"name", category.name},
          {"description", category.description ? boost::json::value(*category.description)
                                               : boost::json::value(nullptr)},
          {"default_priority", priority_name(category.default_priority)},
          {"sla_minutes", category.sla_minutes ? boost::json::value(*category.sla_minutes)
                                               : boost::json::value(nullptr)},
          {"routing", routing_name(category.routing)},
          {"active", category.active},
          {"position", category.position}};
}

boost::json::object auto_reply_json(const AutoReply& reply) {
  return {{"id", reply.id},
          {"name", reply.name},
          {"keywords", string_array(reply.keywords)},
          {"category_id", optional_id(reply.category_id)},
          {"event", auto_reply_event_name(reply.event)},
          {"body", reply.body},
          {"active", reply.active}};
}

boost::json::object canned_reply_json(const CannedReply& reply) {
  return {{"id", reply.id},
          {"name", reply.name},
          {"body", reply.body},
          {"updated_at", format_timestamp(reply.updated_at)}};
}

boost::json::object role_json(Role role, const PermissionSet& permissions) {
  return {{"role", role_name(role)},
          {"level", role_level(role)},
          {"permissions", string_array(permissions.names())}};
}

}  // namespace tb::wire
