#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

namespace tb::http {

// The one place where a domain error becomes an HTTP status and the JSON body of API.md:
// {"error": {"code": "...", "message": "..."}}.
int status_for(ErrorCode code);
Response error_response(const Error& error);

}  // namespace tb::http
