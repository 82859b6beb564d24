#include "api/operations_routes.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/openapi_document.hpp"
#include "core/error.hpp"
#include "http/content_coding.hpp"

namespace tb::api {

using http::Execution;
using http::Method;
using http::Request;
using http::Response;

std::string_view openapi_document() {
  return kOpenApiDocument;
}

namespace {

// PUBLIC_URL's origin with ws: for http: and wss: for https:, or "" when it has none worth
// naming (empty, or characters that have no business in a policy).
std::string websocket_origin(std::string_view public_url) {
  std::string_view scheme;
  if (public_url.starts_with("https://")) {
    scheme = "wss://";
  } else if (public_url.starts_with("http://")) {
    scheme = "ws://";
  } else {
    return {};
  }
  std::string_view authority = public_url.substr(public_url.find("://") + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  static constexpr std::string_view kAllowed =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]";
  if (authority.empty() || authority.find_first_not_of(kAllowed) != std::string_view::npos) {
    return {};
  }
  std::string origin(scheme);
  origin += authority;
  return origin;
}

}  // namespace

std::string mini_app_content_security_policy(std::string_view public_url,
                                             std::string_view inline_scripts) {
  std::string connect = "'self'";
  if (const auto origin = websocket_origin(public_url); !origin.empty()) {
    connect += ' ';
    connect += origin;
  }
  // Scripts: ours, and Telegram's Login Widget (Telegram is the identity provider; our own
  // code, telegram-web-app.js included, comes from this origin). Styles allow 'unsafe-inline'
  // because telegram-web-app.js injects <style> elements (Telegram Web's custom styles) and
  // views set a few style attributes; scripts never do: an inline script of our page (the
  // import map) is named by its hash. No frame-ancestors: Telegram Web shows the Mini App in
  // an iframe.
  std::string policy =
      "default-src 'self'; "
      "script-src 'self' https://telegram.org";
  if (!inline_scripts.empty()) {
    policy += ' ';
    policy += inline_scripts;
  }
  policy +=
      "; "
      "style-src 'self' 'unsafe-inline'; "
      "img-src 'self' data: https://t.me https://*.telegram.org; "
      "connect-src ";
  policy += connect;
  policy +=
      "; "
      "frame-src https://oauth.telegram.org; "
      "object-src 'none'; "
      "base-uri 'self'; "
      "form-action 'self'";
  return policy;
}

void add_operations_routes(http::Router& router, service::HealthService& health,
                           const http::Metrics& metrics, const WebAssets& assets,
                           std::string_view public_url) {
  router.add(Method::get, "/healthz", [&health](Request&) {
    const auto report = health.check();
    const boost::json::value body = {{"status", report.healthy() ? "ok" : "error"},
                                     {"database", report.database_status()},
                                     {"redis", !report.redis_enabled ? "disabled"
                                               : report.redis_ok     ? "ok"
                                                                     : "error"}};
    Response response = Response::json(report.healthy() ? 200 : 503, boost::json::serialize(body));
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  });

  router.add(
      Method::get, "/metrics",
      [&metrics](Request&) {
        return Response::text(200, "text/plain; version=0.0.4; charset=utf-8",
                              metrics.render_prometheus());
      },
      Execution::io_thread);

  // The server upgrades WebSocket requests on /ws before routing; this answers the rest.
  router.add(
      Method::get, "/ws",
      [](Request&) -> Response {
        throw tb::Error(
            tb::ErrorCode::invalid_request,
            "/ws speaks WebSocket: connect with a WebSocket client (Upgrade: websocket)");
      },
      Execution::io_thread);

  router.add(
      Method::get, "/openapi.json",
      [](Request& request) {
        // Over 100 KB that never change: compressed once, not on every request.
        static const std::string compressed = http::gzip(kOpenApiDocument, 9);
        Response response = Response::json(200, "");
        response.headers.emplace_back("Vary", "Accept-Encoding");
        if (!compressed.empty() && http::accepts_gzip(request.header("accept-encoding"))) {
          response.body = compressed;
          response.headers.emplace_back("Content-Encoding", "gzip");
        } else {
          response.body = std::string(kOpenApiDocument);
        }
        return response;
      },
      Execution::io_thread);

  router.add(
      Method::get, "/docs", [&assets](Request& request) { return assets.docs.serve("", request); },
      Execution::io_thread);
  router.add(
      Method::get, "/docs/{file...}",
      [&assets](Request& request) {
        return assets.docs.serve(request.path_param("file"), request);
      },
      Execution::io_thread);

  router.add(
      Method::get, "/app/{file...}",
      [&assets, policy = mini_app_content_security_policy(public_url, assets.app_inline_scripts)](
          Request& request) {
        Response response = assets.app.serve(request.path_param("file"), request);
        response.headers.emplace_back("Content-Security-Policy", policy);
        return response;
      },
      Execution::io_thread);
  router.add(
      Method::get, "/app", [](Request&) { return Response::redirect("/app/"); },
      Execution::io_thread);
  router.add(
      Method::get, "/", [](Request&) { return Response::redirect("/app/"); }, Execution::io_thread);
}

}  // namespace tb::api
