#pragma once

#include "api/endpoints.hpp"
#include "service/forecast_service.hpp"

namespace tb::api {

// GET /statistics/forecast: the load forecast and staffing advice.
void add_forecast_routes(Endpoints& endpoints, service::ForecastService& forecasts);

}  // namespace tb::api
