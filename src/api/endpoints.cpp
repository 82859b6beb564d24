#include "api/endpoints.hpp"

namespace tb::api {

void Endpoints::add_public(http::Method method, std::string_view pattern, http::Handler handler,
                           http::Execution execution) {
  router_.add(method, pattern, std::move(handler), execution);
}

void Endpoints::add_protected(http::Method method, std::string_view pattern,
                              std::optional<Permission> permission, ProtectedHandler handler) {
  specs_.push_back(EndpointSpec{method, std::string(pattern), permission});
  router_.add(method, pattern,
              [&auth = auth_, permission, handler = std::move(handler)](http::Request& request) {
                const auto principal = auth.authenticate(request.header("authorization"));
                if (permission) principal.require(*permission);
                return handler(request, principal);
              });
}

}  // namespace tb::api
