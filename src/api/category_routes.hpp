#pragma once

#include "api/endpoints.hpp"
#include "api/page_cache.hpp"
#include "service/category_service.hpp"

namespace tb::api {

// /categories and /categories/{id}. The list, which every Mini App asks for at launch, is
// kept rendered in `pages` (one answer for managers, one for everyone else) until a write.
void add_category_routes(Endpoints& endpoints, service::CategoryService& categories,
                         PageCache& pages);

}  // namespace tb::api
