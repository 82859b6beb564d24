// tb::core — domain types and pure rules. No I/O, no dependency on any other module.
//
// error.hpp: the one error type that services throw. Adapters (the HTTP router, the bot)
// turn it into what their caller sees; the mapping to HTTP lives in http/error_mapping.
#pragma once

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tb {

// The codes of API.md's error table. A new code must also be added to kAllErrorCodes
// (the error-mapping test walks that list, so a forgotten mapping fails a test).
enum class ErrorCode {
  invalid_request,
  unauthorized,
  forbidden,
  not_found,
  method_not_allowed,
  conflict,
  payload_too_large,
  unsupported_media_type,
  rate_limited,
  insufficient_storage,  // the disk is full: nothing was written (507)
  internal,
  not_implemented,  // a request method the server does not implement (501)
};

inline constexpr std::array kAllErrorCodes = {
    ErrorCode::invalid_request,    ErrorCode::unauthorized,
    ErrorCode::forbidden,          ErrorCode::not_found,
    ErrorCode::method_not_allowed, ErrorCode::conflict,
    ErrorCode::payload_too_large,  ErrorCode::unsupported_media_type,
    ErrorCode::rate_limited,       ErrorCode::insufficient_storage,
    ErrorCode::internal,           ErrorCode::not_implemented,
};

// The wire name of a code, e.g. "not_found".
std::string_view error_code_name(ErrorCode code);

// A failure the caller is meant to see. `what()` is the client-facing message, so it must
// never carry internals (SQL, paths, stack details): log those where they happen.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  ErrorCode code() const { return code_; }

  // For rate_limited: how long the caller should wait, sent as `Retry-After`.
  std::optional<int> retry_after_seconds() const { return retry_after_seconds_; }
  Error& with_retry_after(int seconds) {
    retry_after_seconds_ = seconds;
    return *this;
  }

 private:
  ErrorCode code_;
  std::optional<int> retry_after_seconds_;
};

}  // namespace tb
