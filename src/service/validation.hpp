// What every service checks in what callers send, worded the same everywhere: the error for
// a malformed request, and the trimmed, bounded text of names, subjects and bodies.
#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"
#include "core/ticket.hpp"

namespace tb::service {

// Names of categories and auto-replies, and each auto-reply keyword.
inline constexpr std::size_t kMaxNameLength = 100;

[[noreturn]] inline void invalid(const std::string& why) {
  throw Error(ErrorCode::invalid_request, why);
}

// `text` cleaned (clean_text); invalid_request naming `what` when nothing is left of it or
// it is longer than `max_length`.
inline std::string required_text(const std::string& text, std::size_t max_length,
                                 const char* what) {
  auto cleaned = clean_text(text, max_length);
  if (!cleaned) {
    invalid(std::string(what) + " must be 1 to " + std::to_string(max_length) +
            " characters after trimming");
  }
  return *cleaned;
}

}  // namespace tb::service
