// tb::api — the REST adapter: one file per resource, each registering its routes on the
// http::Router and translating between JSON and service calls. No rules live here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "api/web_assets.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "service/health_service.hpp"

namespace tb::api {

// The Content-Security-Policy sent with every /app/ response (docs/MINIAPP.md): our own
// scripts plus Telegram's Login Widget script, its iframe, Telegram's avatars, and the API and
// WebSocket on this origin. `public_url` (PUBLIC_URL, may be empty) adds its ws:/wss: origin
// to connect-src for browsers whose 'self' does not cover WebSockets. `inline_scripts`
// (WebAssets::app_inline_scripts) adds the hashes of the page's own inline scripts.
std::string mini_app_content_security_policy(std::string_view public_url,
                                             std::string_view inline_scripts = {});

// What the server offers besides the REST API, none of it behind a login: health and metrics
// for operators (/healthz, /metrics), the hint for plain requests to /ws, and the static
// files — the OpenAPI document (/openapi.json), the API docs (/docs) and the Mini App (/app/,
// with mini_app_content_security_policy(public_url), and the redirects to it).
void add_operations_routes(http::Router& router, service::HealthService& health,
                           const http::Metrics& metrics, const WebAssets& assets,
                           std::string_view public_url);

// The embedded OpenAPI document (src/api/openapi.json).
std::string_view openapi_document();

}  // namespace tb::api
