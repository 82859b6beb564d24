#include "http/target.hpp"

#include <boost/url/parse.hpp>

#include "core/error.hpp"

namespace tb::http {

bool split_plain_target(std::string_view target, Request& request) {
  // RFC 3986 §3.3 and §3.4: pchar and '/' in a path, and '?' too in a query; no '%'.
  static constexpr std::string_view kQueryBytes =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?";
  static constexpr std::string_view kPathBytes = kQueryBytes.substr(0, kQueryBytes.size() - 1);
  const auto query_at = target.find('?');
  const auto path = target.substr(0, query_at);
  const auto query =
      query_at == std::string_view::npos ? std::string_view{} : target.substr(query_at + 1);
  if (!path.starts_with('/') || path.find_first_not_of(kPathBytes) != std::string_view::npos ||
      query.find_first_not_of(kQueryBytes) != std::string_view::npos ||
      path.find("//") != std::string_view::npos) {
    return false;
  }
  for (auto dot = path.find("/."); dot != std::string_view::npos; dot = path.find("/.", dot + 1)) {
    const auto rest = path.substr(dot + 2);
    if (rest.empty() || rest.starts_with('/') || rest == "." || rest.starts_with("./")) {
      return false;  // a dot segment, which split_target refuses
    }
  }
  request.path = path;
  request.query = query;
  return true;
}

void parse_target(Request& request) {
  const auto url = boost::urls::parse_origin_form(request.target);
  if (!url) throw Error(ErrorCode::invalid_request, "malformed request target");
  for (const std::string segment : url->segments()) {
    if (segment == "." || segment == "..") {
      throw Error(ErrorCode::invalid_request, "dot segments are not allowed in paths");
    }
    if (segment.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
      throw Error(ErrorCode::invalid_request, "encoded '/' or NUL is not allowed in paths");
    }
  }
  std::string path = url->path();
  request.path = path.empty() ? std::string(1, '/') : std::move(path);
  request.query = std::string(url->encoded_query());
}

void split_target(Request& request) {
  if (!split_plain_target(request.target, request)) parse_target(request);
}

}  // namespace tb::http
