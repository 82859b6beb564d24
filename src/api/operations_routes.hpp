// tb::api — the REST adapter: one file per resource, each registering its routes on the
// http::Router and translating between JSON and service calls. No rules live here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "service/health_service.hpp"

namespace tb::api {

struct WebAssets {
  http::StaticFiles app;   // the Mini App, served at /app/
  http::StaticFiles docs;  // the API docs page and swagger-ui, served at /docs
};

// Loads <web_root>/app and <web_root>/docs into memory.
WebAssets load_web_assets(const std::filesystem::path& web_root);

// The Content-Security-Policy sent with every /app/ response (docs/MINIAPP.md): our own
// scripts plus Telegram's Login Widget script, its iframe, Telegram's avatars, and the API and
// WebSocket on this origin. `public_url` (PUBLIC_URL, may be empty) adds its ws:/wss: origin
// to connect-src for browsers whose 'self' does not cover WebSockets.
std::string mini_app_content_security_policy(std::string_view public_url);

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
