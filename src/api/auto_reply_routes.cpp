#include "api/auto_reply_routes.hpp"

#include "api/json.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using service::Principal;

service::AutoReplyFields auto_reply_fields(const boost::json::object& body) {
  service::AutoReplyFields fields;
  fields.name = optional_string(body, "name");
  fields.body = optional_string(body, "body");
  fields.event = optional_enum(body, "event", parse_auto_reply_event);
  fields.active = optional_bool(body, "active");
  fields.category_id = nullable_id(body, "category_id");
  if (body.contains("keywords")) fields.keywords = required_string_array(body, "keywords");
  return fields;
}

}  // namespace

void add_auto_reply_routes(Endpoints& endpoints, service::AutoReplyService& auto_replies) {
  endpoints.add_protected(Method::get, "/auto-replies", Permission::auto_replies_manage,
                          [&](Request&, const Principal& caller) {
                            boost::json::array items;
                            for (const auto& reply : auto_replies.list(caller))
                              items.emplace_back(auto_reply_json(reply));
                            return collection(std::move(items), std::nullopt);
                          });
  endpoints.add_protected(Method::post, "/auto-replies", Permission::auto_replies_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto fields = auto_reply_fields(read_object(request));
                            return json_response(
                                201, auto_reply_json(auto_replies.create(caller, fields)));
                          });
  endpoints.add_protected(Method::put, "/auto-replies/{id}", Permission::auto_replies_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto fields = auto_reply_fields(read_object(request));
                            return json_response(200, auto_reply_json(auto_replies.update(
                                                          caller, path_id(request), fields)));
                          });
  endpoints.add_protected(Method::del, "/auto-replies/{id}", Permission::auto_replies_manage,
                          [&](Request& request, const Principal& caller) {
                            auto_replies.remove(caller, path_id(request));
                            return Response::no_content();
                          });
}

}  // namespace tb::api
