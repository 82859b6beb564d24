#include "http/error_mapping.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tb::http {

int status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_request: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::method_not_allowed: return 405;
    case ErrorCode::conflict: return 409;
    case ErrorCode::payload_too_large: return 413;
    case ErrorCode::unsupported_media_type: return 415;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::internal: return 500;
    case ErrorCode::insufficient_storage: return 507;
    case ErrorCode::not_implemented: return 501;
  }
  return 500;
}

Response error_response(const Error& error) {
  const boost::json::value body = {
      {"error", {{"code", error_code_name(error.code())}, {"message", error.what()}}}};
  Response response = Response::json(status_for(error.code()), boost::json::serialize(body));
  if (error.code() == ErrorCode::unauthorized) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  if (auto seconds = error.retry_after_seconds()) {
    response.headers.emplace_back("Retry-After", std::to_string(*seconds));
  }
  return response;
}

}  // namespace tb::http
