#include "api/json.hpp"

#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "http/header_values.hpp"

namespace tb::api {
namespace {

[[noreturn]] void bad_request(const std::string& why) {
  throw Error(ErrorCode::invalid_request, why);
}

const boost::json::value& field_of(const boost::json::object& body, std::string_view field) {
  const auto* value = body.if_contains(field);
  if (!value) bad_request(std::string(field) + " is required");
  return *value;
}

std::optional<std::int64_t> parse_positive(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

namespace {

// The media type of a Content-Type value, without parameters, compared without case
// (RFC 9110 §8.3.1): "Application/JSON; charset=utf-8" is JSON.
bool is_json_media_type(std::string_view content_type) {
  return http::iequals_ascii(http::trim_ows(content_type.substr(0, content_type.find(';'))),
                             "application/json");
}

}  // namespace

boost::json::object read_object(const http::Request& request) {
  if (!is_json_media_type(request.header("content-type"))) {
    throw Error(ErrorCode::unsupported_media_type, "Content-Type must be application/json");
  }
  boost::system::error_code error;
  auto value = boost::json::parse(request.body, error);
  if (error) bad_request("malformed JSON: " + error.message());
  if (!value.is_object()) bad_request("the body must be a JSON object");
  return std::move(value.as_object());
}

std::optional<std::string> optional_string(const boost::json::object& body,
                                           std::string_view field) {
  const auto* value = body.if_contains(field);
  if (!value) return std::nullopt;
  if (!value->is_string()) bad_request(std::string(field) + " must be a string");
  return std::string(value->as_string());
}

std::optional<bool> optional_bool(const boost::json::object& body, std::string_view field) {
  const auto* value = body.if_contains(field);
  if (!value) return std::nullopt;
  if (!value->is_bool()) bad_request(std::string(field) + " must be true or false");
  return value->as_bool();
}

std::optional<int> optional_int_in(const boost::json::object& body, std::string_view field, int min,
                                   int max) {
  const auto* value = body.if_contains(field);
  if (!value) return std::nullopt;
  // A number past int64 arrives as uint64 or double, never in range: refused alike.
  if (!value->is_int64() || value->as_int64() < min || value->as_int64() > max) {
    bad_request(std::string(field) + " must be an integer from " + std::to_string(min) + " to " +
                std::to_string(max));
  }
  return static_cast<int>(value->as_int64());
}

std::string_view required_string(const boost::json::object& body, std::string_view field) {
  if (!optional_string(body, field)) bad_request(std::string(field) + " is required");
  return body.at(field).as_string();
}

bool required_bool(const boost::json::object& body, std::string_view field) {
  const auto value = optional_bool(body, field);
  if (!value) bad_request(std::string(field) + " is required");
  return *value;
}

std::vector<std::int64_t> required_id_array(const boost::json::object& body,
                                            std::string_view field) {
  const auto& value = field_of(body, field);
  if (!value.is_array()) bad_request(std::string(field) + " must be an array of ids");
  std::vector<std::int64_t> ids;
  for (const auto& item : value.as_array()) {
    if (!item.is_int64() || item.as_int64() <= 0)
      bad_request(std::string(field) + " must be an array of ids");
    ids.push_back(item.as_int64());
  }
  return ids;
}

std::vector<std::string> required_string_array(const boost::json::object& body,
                                               std::string_view field) {
  const auto& value = field_of(body, field);
  if (!value.is_array()) bad_request(std::string(field) + " must be an array of strings");
  std::vector<std::string> items;
  for (const auto& item : value.as_array()) {
    if (!item.is_string()) bad_request(std::string(field) + " must be an array of strings");
    items.emplace_back(item.as_string());
  }
  return items;
}

std::optional<std::optional<std::int64_t>> nullable_id(const boost::json::object& body,
                                                       std::string_view field) {
  const auto* value = body.if_contains(field);
  if (!value) return std::nullopt;
  if (value->is_null()) return std::optional<std::int64_t>{};
  if (!value->is_int64() || value->as_int64() <= 0)
    bad_request(std::string(field) + " must be an id or null");
  return std::optional<std::int64_t>{value->as_int64()};
}

std::int64_t path_id(const http::Request& request, std::string_view name) {
  const auto id = parse_positive(request.path_param(name));
  if (!id) bad_request(std::string(name) + " must be a positive integer");
  return *id;
}

std::optional<std::int64_t> query_id(const http::Request& request, std::string_view name) {
  const auto text = request.query_param(name);
  if (!text) return std::nullopt;
  const auto id = parse_positive(*text);
  if (!id) bad_request(std::string(name) + " must be a positive integer");
  return id;
}

std::int64_t query_after_id(const http::Request& request) {
  const auto text = request.query_param("after_id");
  if (!text || *text == "0") return 0;
  const auto id = parse_positive(*text);
  if (!id) bad_request("after_id must be 0 or a message id");
  return *id;
}

int page_limit(const http::Request& request) {
  const auto text = request.query_param("limit");
  if (!text) return 50;
  const auto limit = parse_positive(*text);
  if (!limit || *limit > 200) bad_request("limit must be from 1 to 200");
  return static_cast<int>(*limit);
}

// Cursors are opaque to clients (base64url of a position) so their meaning can change.
std::string encode_cursor(std::int64_t position) {
  return base64url_encode(std::to_string(position));
}

std::int64_t cursor_position(const http::Request& request) {
  const auto text = request.query_param("cursor");
  if (!text || text->empty()) return 0;
  const auto decoded = base64url_decode(*text);
  const auto position = decoded ? parse_positive(*decoded) : std::nullopt;
  if (!position) bad_request("malformed cursor");
  return *position;
}

http::Response json_response(int status, const boost::json::value& body) {
  return http::Response::json(status, boost::json::serialize(body));
}

http::Response collection(boost::json::array items, std::optional<std::int64_t> next_position) {
  const boost::json::value next = next_position ? boost::json::value(encode_cursor(*next_position))
                                                : boost::json::value(nullptr);
  return json_response(200,
                       boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace tb::api
