// Small helpers for header values (RFC 9110 §5.6): optional whitespace and tokens that
// compare without case. Shared by content_coding.cpp and forwarded.cpp.
#pragma once

#include <cctype>
#include <string_view>

namespace tb::http {

// Without leading and trailing spaces and tabs (OWS).
inline std::string_view trim_ows(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// ASCII case-insensitive equality, as for tokens and media types.
inline bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace tb::http
