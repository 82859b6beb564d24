#include "api/canned_reply_routes.hpp"

#include "api/json.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using service::Principal;

service::CannedReplyFields canned_reply_fields(const boost::json::object& body) {
  return service::CannedReplyFields{.name = optional_string(body, "name"),
                                    .body = optional_string(body, "body")};
}

}  // namespace

void add_canned_reply_routes(Endpoints& endpoints, service::CannedReplyService& canned_replies) {
  endpoints.add_protected(Method::get, "/canned-replies", Permission::canned_replies_use,
                          [&](Request&, const Principal& caller) {
                            boost::json::array items;
                            for (const auto& reply : canned_replies.list(caller))
                              items.emplace_back(canned_reply_json(reply));
                            return collection(std::move(items), std::nullopt);
                          });
  endpoints.add_protected(Method::post, "/canned-replies", Permission::canned_replies_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto fields = canned_reply_fields(read_object(request));
                            return json_response(
                                201, canned_reply_json(canned_replies.create(caller, fields)));
                          });
  endpoints.add_protected(Method::put, "/canned-replies/{id}", Permission::canned_replies_manage,
                          [&](Request& request, const Principal& caller) {
                            const auto id = path_id(request);
                            const auto fields = canned_reply_fields(read_object(request));
                            return json_response(
                                200, canned_reply_json(canned_replies.update(caller, id, fields)));
                          });
  endpoints.add_protected(Method::del, "/canned-replies/{id}", Permission::canned_replies_manage,
                          [&](Request& request, const Principal& caller) {
                            canned_replies.remove(caller, path_id(request));
                            return Response::no_content();
                          });
}

}  // namespace tb::api
