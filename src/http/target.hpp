// The request target (RFC 9112 §3.2): split into the path, decoded, and the query, kept
// encoded.
#pragma once

#include <string_view>

#include "http/message.hpp"

namespace tb::http {

// Sets request.path and request.query from request.target. Throws Error(invalid_request) for
// what no route should ever see: targets that are not origin-form, dot segments (path
// traversal), and an encoded '/' or NUL in a segment.
void split_target(Request& request);

// The two ways split_target takes, for tests. Most targets are a plain path and query
// (`/tickets?limit=50`): nothing encoded, every byte one RFC 3986 allows there as it is, no
// empty or dot segment. split_plain_target splits those (false, and `request` untouched, for
// any other), at a fifth of the cost of parse_target, which parses any target with Boost.URL.
bool split_plain_target(std::string_view target, Request& request);
void parse_target(Request& request);

}  // namespace tb::http
