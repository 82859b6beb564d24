#include "api/auth_routes.hpp"

#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "api/json.hpp"
#include "wire/json_writer.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;

void limit_logins(service::RateLimiter& limiter, const Request& request) {
  if (const auto wait = limiter.acquire(request.remote_address)) {
    throw Error(ErrorCode::rate_limited, "too many login attempts; try again later")
        .with_retry_after(*wait);
  }
}

// A bearer token must not be kept by any cache on the way (RFC 9111 §5.2.2.5).
// The user comes with their permissions, as GET /auth/me answers, so that a client starts
// without asking again (a round trip less on a phone's network).
Response login_response(const service::LoginResult& login) {
  std::string body;
  wire::JsonWriter out(body);
  out.begin_object();
  out.member("token", login.token);
  out.member("expires_at", login.expires_at);
  out.key("user");
  out.raw(wire::me_document(*login.user, login.permissions));
  out.end_object();
  auto response = Response::json(200, std::move(body));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// The Login Widget posts numbers and strings; its signature covers their text forms.
Fields widget_fields(const boost::json::object& body) {
  Fields fields;
  for (const auto& [key, value] : body) {
    if (value.is_string()) {
      fields.emplace_back(key, value.as_string());
    } else if (value.is_int64()) {
      fields.emplace_back(key, std::to_string(value.as_int64()));
    } else if (!value.is_null()) {
      throw Error(ErrorCode::invalid_request, std::string(key) + " must be a string or a number");
    }
  }
  return fields;
}

// GET /auth/me's answer per person, kept while the cached user and the role's permissions it
// was made from stay the same. A Mini App asks for it on every start, and making it was a
// twentieth of the request's CPU. A user is immutable and replaced when it changes, so the
// pointer says whether the answer is still true; holding it keeps the pointer from being reused.
class MeDocuments {
 public:
  std::string of(const service::Principal& caller) {
    {
      std::shared_lock lock(mutex_);
      const auto kept = documents_.find(caller.id());
      if (kept != documents_.end() && kept->second.user == caller.user &&
          kept->second.permissions == caller.permissions) {
        return kept->second.document;
      }
    }
    std::string document = wire::me_document(*caller.user, caller.permissions);
    std::unique_lock lock(mutex_);
    if (documents_.size() >= kMostKept) documents_.clear();  // refilled as people come back
    documents_.insert_or_assign(caller.id(), Kept{caller.user, caller.permissions, document});
    return document;
  }

 private:
  static constexpr std::size_t kMostKept = 10000;
  struct Kept {
    std::shared_ptr<const User> user;
    PermissionSet permissions;
    std::string document;
  };
  std::shared_mutex mutex_;
  std::unordered_map<std::int64_t, Kept> documents_;
};

}  // namespace

void add_auth_routes(Endpoints& endpoints, service::AuthService& auth,
                     service::RateLimiter& login_limiter) {
  endpoints.add_public(Method::post, "/auth/telegram", [&](Request& request) {
    limit_logins(login_limiter, request);
    const auto body = read_object(request);
    return login_response(auth.login_with_init_data(required_string(body, "init_data")));
  });
  endpoints.add_public(Method::post, "/auth/telegram-login", [&](Request& request) {
    limit_logins(login_limiter, request);
    return login_response(auth.login_with_widget(widget_fields(read_object(request))));
  });
  // How one may sign in here, so that a client offers only what works (the Mini App shows
  // the demo picker or "open in Telegram" without probing for errors).
  endpoints.add_public(Method::get, "/auth/methods", [&](Request&) {
    const auto bot = auth.bot_username();
    return json_response(
        200, boost::json::object{{"telegram", auth.telegram_logins()},
                                 {"demo", auth.demo()},
                                 {"bot_username", bot.empty() ? boost::json::value(nullptr)
                                                              : boost::json::value(bot)}});
  });
  endpoints.add_public(Method::post, "/auth/demo", [&](Request& request) {
    if (!auth.demo()) throw Error(ErrorCode::not_found, "no such resource");
    limit_logins(login_limiter, request);
    return login_response(auth.login_demo(required_string(read_object(request), "role")));
  });

  endpoints.add_protected(
      Method::get, "/auth/me", std::nullopt,
      [documents = std::make_shared<MeDocuments>()](Request&, const service::Principal& caller) {
        return Response::json(200, documents->of(caller));
      },
      Credentials::header, http::always(http::Execution::quick_read));
  endpoints.add_protected(Method::post, "/auth/logout", std::nullopt,
                          [&](Request&, const service::Principal& caller) {
                            auth.logout(caller);
                            return Response::no_content();
                          });
}

}  // namespace tb::api
