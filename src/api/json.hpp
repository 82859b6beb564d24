// JSON codecs and request-reading helpers shared by the REST handlers: the shapes of
// API.md's objects, body parsing with the right errors (415, 400), ids, paging.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "core/ticket.hpp"
#include "core/user.hpp"
#include "http/message.hpp"
#include "wire/objects.hpp"

namespace tb::api {

// The wire formats of API.md's objects (src/wire), as the handlers use them.
using wire::audit_json;
using wire::auto_reply_json;
using wire::canned_reply_json;
using wire::category_json;
using wire::optional_id;
using wire::role_json;
using wire::user_json;

// The request body as a JSON object: 415 unless Content-Type is application/json, 400 when
// it is not a well-formed JSON object.
boost::json::object read_object(const http::Request& request);

// Field readers: 400 naming the field when it is of the wrong type (or, for the required
// ones, missing). The optional ones answer nothing when the field is absent.
std::optional<std::string> optional_string(const boost::json::object& body, std::string_view field);
std::optional<bool> optional_bool(const boost::json::object& body, std::string_view field);
std::string_view required_string(const boost::json::object& body, std::string_view field);
bool required_bool(const boost::json::object& body, std::string_view field);
// An integer from `min` to `max`, range-checked before it is narrowed to int (so 4294967297
// is refused, not read as 1); 400 naming the field when it is anything else.
std::optional<int> optional_int_in(const boost::json::object& body, std::string_view field, int min,
                                   int max);
std::vector<std::int64_t> required_id_array(const boost::json::object& body,
                                            std::string_view field);
std::vector<std::string> required_string_array(const boost::json::object& body,
                                               std::string_view field);
// An enum field read with `parse` (parse_priority, parse_status, ...): nothing when absent,
// 400 naming the field when it is not one of the enum's names.
template <class Enum>
std::optional<Enum> optional_enum(const boost::json::object& body, std::string_view field,
                                  std::optional<Enum> (*parse)(std::string_view)) {
  const auto* value = body.if_contains(field);
  if (!value) return std::nullopt;
  const auto parsed = value->is_string() ? parse(value->as_string()) : std::nullopt;
  if (!parsed) throw Error(ErrorCode::invalid_request, "unknown " + std::string(field));
  return parsed;
}
// A field that holds an id or null: nothing when absent, an empty optional for null (set to
// none), the id otherwise; 400 naming the field for anything else.
std::optional<std::optional<std::int64_t>> nullable_id(const boost::json::object& body,
                                                       std::string_view field);

// A positive integer path parameter (400 otherwise).
std::int64_t path_id(const http::Request& request, std::string_view name = "id");
// A positive integer query parameter; nothing when absent, 400 when malformed.
std::optional<std::int64_t> query_id(const http::Request& request, std::string_view name);

// `after_id`: a message id to start after; 0 (also when absent) is the start.
std::int64_t query_after_id(const http::Request& request);

// Paging: `limit` (default 50, 1..200) and the opaque `cursor` (400 when malformed).
int page_limit(const http::Request& request);
std::int64_t cursor_position(const http::Request& request);  // 0 when absent
std::string encode_cursor(std::int64_t position);

// {"items": [...], "next_cursor": "..." | null}
http::Response collection(boost::json::array items, std::optional<std::int64_t> next_position);

// One page of `found`, which was fetched with limit + 1 rows: the extra row only says that
// another page exists, whose cursor is the position of the page's last item.
template <class Item, class ToJson, class PositionOf>
http::Response page(std::vector<Item> found, int limit, ToJson to_json, PositionOf position_of) {
  std::optional<std::int64_t> next;
  if (static_cast<int>(found.size()) > limit) {
    found.resize(static_cast<std::size_t>(limit));
    next = position_of(found.back());
  }
  boost::json::array items;
  for (const auto& item : found) items.emplace_back(to_json(item));
  return collection(std::move(items), next);
}
http::Response json_response(int status, const boost::json::value& body);

}  // namespace tb::api
