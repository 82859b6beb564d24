#include "core/canned_reply.hpp"

#include <algorithm>

namespace tb {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_known(std::string_view name) {
  return std::find(kCannedReplyPlaceholders.begin(), kCannedReplyPlaceholders.end(), name) !=
         kCannedReplyPlaceholders.end();
}

// Calls on_text(piece) for plain text and on_name(name, whole) for each {name} in `body`.
template <class OnText, class OnName>
void scan(std::string_view body, OnText on_text, OnName on_name) {
  std::size_t at = 0;
  while (at < body.size()) {
    const auto open = body.find('{', at);
    if (open == std::string_view::npos) break;
    auto end = open + 1;
    while (end < body.size() && is_name_char(body[end])) ++end;
    if (end < body.size() && body[end] == '}' && end > open + 1) {
      on_text(body.substr(at, open - at));
      on_name(body.substr(open + 1, end - open - 1), body.substr(open, end - open + 1));
      at = end + 1;
    } else {
      on_text(body.substr(at, open + 1 - at));
      at = open + 1;
    }
  }
  on_text(body.substr(std::min(at, body.size())));
}

}  // namespace

std::vector<std::string> unknown_placeholders(std::string_view body) {
  std::vector<std::string> unknown;
  scan(
      body, [](std::string_view) {},
      [&](std::string_view name, std::string_view) {
        if (!is_known(name) && std::find(unknown.begin(), unknown.end(), name) == unknown.end()) {
          unknown.emplace_back(name);
        }
      });
  return unknown;
}

std::string fill_placeholders(std::string_view body,
                              const std::map<std::string, std::string, std::less<>>& values) {
  std::string filled;
  filled.reserve(body.size());
  scan(
      body, [&](std::string_view text) { filled += text; },
      [&](std::string_view name, std::string_view whole) {
        const auto value = values.find(name);
        if (is_known(name) && value != values.end()) {
          filled += value->second;
        } else {
          filled += whole;
        }
      });
  return filled;
}

}  // namespace tb
