#pragma once

#include "api/endpoints.hpp"
#include "service/settings_service.hpp"

namespace tb::api {

// /settings: what customers see and may choose (read: anyone signed in; write: settings.manage).
void add_settings_routes(Endpoints& endpoints, service::SettingsService& settings);

}  // namespace tb::api
