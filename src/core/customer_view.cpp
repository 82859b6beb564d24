#include "core/customer_view.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tb {

bool is_customer_scope(const TicketScope& scope) {
  return !scope.view_all && !scope.view_category;
}

TicketRedaction redaction_for(const TicketScope& scope, const CustomerSettings& settings) {
  if (!is_customer_scope(scope)) return {};
  return TicketRedaction{.hide_sla = !settings.show_sla, .hide_assignee = !settings.show_assignee};
}

bool customer_may_choose(const CustomerSettings& settings, Priority priority) {
  return std::find(settings.priorities.begin(), settings.priorities.end(), priority) !=
         settings.priorities.end();
}

std::string describe_priorities(const std::vector<Priority>& priorities) {
  std::string text;
  for (const auto priority : priorities) {
    if (!text.empty()) text += ", ";
    text += priority_name(priority);
  }
  return text;
}

std::string encode_customer_settings(const CustomerSettings& settings) {
  boost::json::array priorities;
  for (const auto priority : settings.priorities) priorities.emplace_back(priority_name(priority));
  return boost::json::serialize(boost::json::object{{"show_sla", settings.show_sla},
                                                    {"show_assignee", settings.show_assignee},
                                                    {"priorities", std::move(priorities)}});
}

CustomerSettings decode_customer_settings(std::string_view text) {
  CustomerSettings settings;
  boost::system::error_code error;
  const auto parsed = boost::json::parse(text, error);
  if (error || !parsed.is_object()) return settings;
  const auto& object = parsed.get_object();
  if (const auto* value = object.if_contains("show_sla"); value && value->is_bool())
    settings.show_sla = value->get_bool();
  if (const auto* value = object.if_contains("show_assignee"); value && value->is_bool())
    settings.show_assignee = value->get_bool();
  if (const auto* value = object.if_contains("priorities"); value && value->is_array()) {
    std::vector<Priority> priorities;
    for (const auto& item : value->get_array()) {
      if (!item.is_string()) continue;
      const auto priority = parse_priority(item.get_string());
      if (priority && !customer_may_choose(CustomerSettings{.priorities = priorities}, *priority))
        priorities.push_back(*priority);
    }
    std::sort(priorities.begin(), priorities.end());
    if (!priorities.empty()) settings.priorities = std::move(priorities);
  }
  return settings;
}

}  // namespace tb
