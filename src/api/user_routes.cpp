#include "api/user_routes.hpp"

#include "api/json.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using service::Principal;

store::UserQuery user_query(const Request& request) {
  store::UserQuery query;
  if (const auto role = request.query_param("role")) {
    query.role = parse_role(*role);
    if (!query.role) throw Error(ErrorCode::invalid_request, "unknown role " + *role);
  }
  query.text = request.query_param("q").value_or("");
  query.after_id = cursor_position(request);
  query.limit = page_limit(request);
  return query;
}

}  // namespace

void add_user_routes(Endpoints& endpoints, service::UserService& users) {
  endpoints.add_protected(Method::get, "/users", Permission::users_view,
                          [&](Request& request, const Principal& caller) {
                            auto query = user_query(request);
                            const int limit = query.limit;
                            query.limit += 1;
                            return page(users.list(caller, query), limit, user_json,
                                        [](const User& user) { return user.id; });
                          });
  endpoints.add_protected(
      Method::get, "/users/{id}", std::nullopt, [&](Request& request, const Principal& caller) {
        return json_response(200, user_json(users.get(caller, path_id(request))));
      });
  endpoints.add_protected(Method::put, "/users/{id}/role", Permission::users_manage_roles,
                          [&](Request& request, const Principal& caller) {
                            const auto body = read_object(request);
                            return json_response(
                                200, user_json(users.change_role(caller, path_id(request),
                                                                 required_string(body, "role"))));
                          });
  endpoints.add_protected(
      Method::put, "/users/{id}/categories", Permission::users_manage_categories,
      [&](Request& request, const Principal& caller) {
        const auto body = read_object(request);
        return json_response(
            200, user_json(users.set_categories(caller, path_id(request),
                                                required_id_array(body, "category_ids"))));
      });
  endpoints.add_protected(
      Method::put, "/users/{id}/availability", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const auto body = read_object(request);
        return json_response(200, user_json(users.set_availability(
                                      caller, path_id(request), required_bool(body, "available"))));
      });

  endpoints.add_protected(Method::get, "/roles", std::nullopt, [&](Request&, const Principal&) {
    boost::json::array items;
    for (const auto& info : users.roles())
      items.emplace_back(role_json(info.role, info.permissions));
    return collection(std::move(items), std::nullopt);
  });
  endpoints.add_protected(Method::put, "/roles/{role}/permissions", Permission::permissions_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto body = read_object(request);
                            const auto changed = users.set_role_permissions(
                                caller, request.path_param("role"),
                                required_string_array(body, "permissions"));
                            return json_response(200, role_json(changed.role, changed.permissions));
                          });

  endpoints.add_protected(Method::get, "/audit", Permission::audit_view,
                          [&](Request& request, const Principal& caller) {
                            const int limit = page_limit(request);
                            return page(users.audit(caller, cursor_position(request), limit + 1),
                                        limit, audit_json,
                                        [](const AuditEntry& entry) { return entry.id; });
                          });
}

}  // namespace tb::api
