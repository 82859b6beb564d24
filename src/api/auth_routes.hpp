#pragma once

#include "api/endpoints.hpp"
#include "service/auth_service.hpp"
#include "service/permission_table.hpp"
#include "service/rate_limiter.hpp"

namespace tb::api {

// /auth/telegram, /auth/telegram-login, /auth/demo (rate-limited per client address),
// /auth/me and /auth/logout.
void add_auth_routes(Endpoints& endpoints, service::AuthService& auth,
                     service::RateLimiter& login_limiter);

}  // namespace tb::api
