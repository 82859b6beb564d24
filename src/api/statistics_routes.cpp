#include "api/statistics_routes.hpp"

#include "api/json.hpp"
#include "wire/statistics_json.hpp"

namespace tb::api {
namespace {

// assignee_id: an id, or "me".
std::optional<std::int64_t> assignee_param(const http::Request& request,
                                           const service::Principal& caller) {
  if (request.query_param("assignee_id") == "me") return caller.id();
  return query_id(request, "assignee_id");
}

}  // namespace

void add_statistics_routes(Endpoints& endpoints, service::StatisticsService& statistics) {
  endpoints.add_protected(
      http::Method::get, "/statistics", Permission::statistics_view,
      [&](http::Request& request, const service::Principal& caller) {
        const service::StatisticsRequest query{.from = request.query_param("from"),
                                               .to = request.query_param("to"),
                                               .category_id = query_id(request, "category_id"),
                                               .assignee_id = assignee_param(request, caller),
                                               .time_zone = request.query_param("tz"),
                                               .interval = request.query_param("interval")};
        return json_response(200, wire::statistics_json(statistics.statistics(caller, query)));
      });
}

}  // namespace tb::api
