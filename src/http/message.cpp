#include "http/message.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace tb::http {
std::string_view field_value(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return {};
}

std::string_view method_name(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: return "OTHER";
  }
  return "OTHER";
}

std::string_view Request::header(std::string_view lower_case_name) const {
  return field_value(headers, lower_case_name);
}

std::string_view Request::path_param(std::string_view name) const {
  return field_value(path_params, name);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  // Query strings arrive from anyone: an unparsable one answers "absent" rather than
  // throwing (the server already refuses targets that are not valid origin-form URIs).
  if (!boost::urls::parse_query(query)) return std::nullopt;
  boost::urls::params_view params(query);
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

Response Response::json(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}, {}};
}

Response Response::text(int status, std::string content_type, std::string body) {
  return Response{status, std::move(content_type), std::move(body), {}, {}};
}

Response Response::redirect(std::string location) {
  Response response{302, "text/plain; charset=utf-8", "Found", {}, {}};
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

Response Response::no_content() {
  return Response{204, "", "", {}, {}};
}

}  // namespace tb::http
