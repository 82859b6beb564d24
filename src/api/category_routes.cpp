#include "api/category_routes.hpp"

#include <limits>

#include "api/json.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using service::Principal;

service::CategoryFields category_fields(const boost::json::object& body) {
  service::CategoryFields fields;
  fields.name = optional_string(body, "name");
  if (body.contains("description")) {
    fields.description = body.at("description").is_null() ? std::optional<std::string>{}
                                                          : optional_string(body, "description");
  }
  fields.default_priority = optional_enum(body, "default_priority", parse_priority);
  if (const auto* sla = body.if_contains("sla_minutes"); sla && sla->is_null()) {
    fields.sla_minutes = std::optional<int>{};
  } else if (const auto minutes = optional_int_in(body, "sla_minutes", 1, kMaxSlaMinutes)) {
    fields.sla_minutes = std::optional<int>{*minutes};
  }
  fields.routing = optional_enum(body, "routing", parse_routing);
  fields.active = optional_bool(body, "active");
  fields.position = optional_int_in(body, "position", std::numeric_limits<int>::min(),
                                    std::numeric_limits<int>::max());
  return fields;
}

}  // namespace

void add_category_routes(Endpoints& endpoints, service::CategoryService& categories,
                         PageCache& pages) {
  endpoints.add_protected(
      Method::get, "/categories", std::nullopt,
      [&](Request&, const Principal& caller) {
        // The two lists differ only in the inactive categories, which managers also see.
        const std::string key =
            caller.can(Permission::categories_manage) ? "categories:all" : "categories:active";
        const auto writes = categories.committed_writes();  // before the read, never after
        if (const auto kept = pages.find(key, writes, Timestamp{})) {
          return Response::json(200, kept->body);
        }
        boost::json::array items;
        for (const auto& category : categories.list(caller))
          items.emplace_back(category_json(category));
        auto response = collection(std::move(items), std::nullopt);
        pages.put(key, writes, CachedPage{response.body, {}, std::nullopt});
        return response;
      },
      Credentials::header, http::always(http::Execution::quick_read));
  endpoints.add_protected(Method::post, "/categories", Permission::categories_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto fields = category_fields(read_object(request));
                            return json_response(201,
                                                 category_json(categories.create(caller, fields)));
                          });
  endpoints.add_protected(Method::put, "/categories/{id}", Permission::categories_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto fields = category_fields(read_object(request));
                            return json_response(200, category_json(categories.update(
                                                          caller, path_id(request), fields)));
                          });
  endpoints.add_protected(Method::del, "/categories/{id}", Permission::categories_manage,
                          [&](Request& request, const Principal& caller) {
                            categories.remove(caller, path_id(request));
                            return Response::no_content();
                          });
}

}  // namespace tb::api
