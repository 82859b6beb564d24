#include "api/endpoints.hpp"

namespace tb::api {

void Endpoints::add_public(http::Method method, std::string_view pattern, http::Handler handler,
                           http::Execution execution) {
  router_.add(method, pattern, std::move(handler), execution);
}

void Endpoints::add_protected(http::Method method, std::string_view pattern,
                              std::optional<Permission> permission, ProtectedHandler handler,
                              Credentials credentials, http::ExecutionChoice execution) {
  specs_.push_back(EndpointSpec{method, std::string(pattern), permission});
  router_.add(
      method, pattern,
      [&auth = auth_, permission, handler = std::move(handler),
       credentials](http::Request& request) {
        std::string_view authorization = request.header("authorization");
        std::string from_query;  // "Bearer <token>", for a client that cannot set a header
        if (authorization.empty() && credentials == Credentials::header_or_query_token) {
          const auto token = request.query_param("token");
          if (token && !token->empty()) authorization = from_query = "Bearer " + *token;
        }
        const auto principal = auth.authenticate(authorization);
        if (permission) principal.require(*permission);
        return handler(request, principal);
      },
      std::move(execution));
}

}  // namespace tb::api
