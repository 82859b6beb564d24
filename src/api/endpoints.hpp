#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/role.hpp"
#include "http/router.hpp"
#include "service/auth_service.hpp"

namespace tb::api {

// What an authenticated endpoint demands before its handler runs.
struct EndpointSpec {
  http::Method method;
  std::string pattern;
  std::optional<Permission> permission;  // none: any authenticated caller (rules in the service)
};

// Where a protected endpoint finds the caller's credentials: the Authorization header (every
// endpoint), or also a `token` query parameter holding a session token, for a file a browser
// or Telegram's WebApp.downloadFile fetches from a plain link, which cannot carry headers.
enum class Credentials { header, header_or_query_token };

using ProtectedHandler = std::function<http::Response(http::Request&, const service::Principal&)>;

// Registers REST endpoints on the router. Protected ones authenticate the caller and check
// the required permission before the handler runs — the same order everywhere, so a caller
// without the permission learns nothing from validation errors — and are listed in
// protected_endpoints(), from which the role × endpoint test is generated.
class Endpoints {
 public:
  Endpoints(http::Router& router, service::AuthService& auth) : router_(router), auth_(auth) {}

  void add_public(http::Method method, std::string_view pattern, http::Handler handler,
                  http::Execution execution = http::Execution::worker_pool);
  void add_protected(http::Method method, std::string_view pattern,
                     std::optional<Permission> permission, ProtectedHandler handler,
                     Credentials credentials = Credentials::header,
                     http::ExecutionChoice execution = {});

  const std::vector<EndpointSpec>& protected_endpoints() const { return specs_; }

 private:
  http::Router& router_;
  service::AuthService& auth_;
  std::vector<EndpointSpec> specs_;
};

}  // namespace tb::api
