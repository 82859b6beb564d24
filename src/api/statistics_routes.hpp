#pragma once

#include "api/endpoints.hpp"
#include "service/statistics_service.hpp"

namespace tb::api {

// GET /statistics.
void add_statistics_routes(Endpoints& endpoints, service::StatisticsService& statistics);

}  // namespace tb::api
