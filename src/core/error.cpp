#include "core/error.hpp"

namespace tb {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_request: return "invalid_request";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::method_not_allowed: return "method_not_allowed";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::unsupported_media_type: return "unsupported_media_type";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::insufficient_storage: return "insufficient_storage";
    case ErrorCode::internal: return "internal";
    case ErrorCode::not_implemented: return "not_implemented";
  }
  return "internal";
}

}  // namespace tb
