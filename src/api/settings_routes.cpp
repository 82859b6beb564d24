#include "api/settings_routes.hpp"

#include "api/json.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using service::Principal;

boost::json::object settings_json(const CustomerSettings& customers) {
  boost::json::array priorities;
  for (const auto priority : customers.priorities) priorities.emplace_back(priority_name(priority));
  return {{"customers",
           {{"show_sla", customers.show_sla},
            {"show_assignee", customers.show_assignee},
            {"priorities", std::move(priorities)}}}};
}

service::CustomerSettingsChange settings_change(const boost::json::object& body) {
  service::CustomerSettingsChange change;
  const auto* customers = body.if_contains("customers");
  if (!customers) return change;
  if (!customers->is_object())
    throw Error(ErrorCode::invalid_request, "customers must be an object");
  const auto& fields = customers->get_object();
  change.show_sla = optional_bool(fields, "show_sla");
  change.show_assignee = optional_bool(fields, "show_assignee");
  if (fields.contains("priorities")) {
    std::vector<Priority> priorities;
    for (const auto& name : required_string_array(fields, "priorities")) {
      const auto priority = parse_priority(name);
      if (!priority) throw Error(ErrorCode::invalid_request, "unknown priority " + name);
      priorities.push_back(*priority);
    }
    change.priorities = std::move(priorities);
  }
  return change;
}

}  // namespace

void add_settings_routes(Endpoints& endpoints, service::SettingsService& settings) {
  endpoints.add_protected(Method::get, "/settings", std::nullopt, [&](Request&, const Principal&) {
    return json_response(200, settings_json(settings.customer()));
  });
  endpoints.add_protected(Method::put, "/settings", Permission::settings_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto change = settings_change(read_object(request));
                            return json_response(200,
                                                 settings_json(settings.update(caller, change)));
                          });
}

}  // namespace tb::api
