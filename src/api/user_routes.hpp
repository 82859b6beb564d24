#pragma once

#include "api/endpoints.hpp"
#include "service/user_service.hpp"

namespace tb::api {

// /users, /users/{id}, /users/{id}/role|categories|availability, /roles, /audit.
void add_user_routes(Endpoints& endpoints, service::UserService& users);

}  // namespace tb::api
