#pragma once

#include "api/endpoints.hpp"
#include "service/category_service.hpp"

namespace tb::api {

// /categories and /categories/{id}.
void add_category_routes(Endpoints& endpoints, service::CategoryService& categories);

}  // namespace tb::api
