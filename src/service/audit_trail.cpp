#include "service/audit_trail.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tb::service::audit {
namespace {

boost::json::value optional_value(const auto& maybe) {
  return maybe ? boost::json::value(*maybe) : boost::json::value(nullptr);
}

}  // namespace

std::string snapshot(const Category& category) {
  return boost::json::serialize(
      boost::json::object{{"id", category.id},
                          {"name", category.name},
                          {"description", optional_value(category.description)},
                          {"default_priority", priority_name(category.default_priority)},
                          {"sla_minutes", optional_value(category.sla_minutes)},
                          {"routing", routing_name(category.routing)},
                          {"active", category.active},
                          {"position", category.position}});
}

std::string snapshot(const AutoReply& reply) {
  boost::json::array keywords;
  for (const auto& keyword : reply.keywords) keywords.emplace_back(keyword);
  return boost::json::serialize(
      boost::json::object{{"id", reply.id},
                          {"name", reply.name},
                          {"keywords", std::move(keywords)},
                          {"category_id", optional_value(reply.category_id)},
                          {"event", auto_reply_event_name(reply.event)},
                          {"body", reply.body},
                          {"active", reply.active}});
}

std::string snapshot(const CustomerSettings& settings) {
  return encode_customer_settings(settings);
}

std::string id_list(const std::vector<std::int64_t>& ids) {
  std::string text;
  for (const auto id : ids) {
    if (!text.empty()) text += ',';
    text += std::to_string(id);
  }
  return text;
}

}  // namespace tb::service::audit
