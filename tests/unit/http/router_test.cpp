#include "http/router.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/error.hpp"

namespace tb::http {
namespace {

using Outcome = RouteMatch::Outcome;

Handler answer(std::string text) {
  return [text](Request&) { return Response::text(200, "text/plain", text); };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router.add(Method::get, "/tickets", answer("list"));
    router.add(Method::post, "/tickets", answer("create"));
    router.add(Method::get, "/tickets/{id}", answer("one"));
    router.add(Method::put, "/tickets/{id}", answer("update"));
    router.add(Method::get, "/tickets/{id}/messages", answer("messages"));
    router.add(Method::get, "/app/{file...}", answer("static"));
    router.add(Method::get, "/", answer("root"));
  }
  Response call(Method method, const std::string& path) {
    Request request;
    request.method = method;
    request.path = path;
    return router.respond(router.match(method, path), request);
  }
  Router router;
};

TEST_F(RouterTest, LiteralPathsMatchByMethod) {
  EXPECT_EQ(call(Method::get, "/tickets").body, "list");
  EXPECT_EQ(call(Method::post, "/tickets").body, "create");
  EXPECT_EQ(call(Method::get, "/").body, "root");
}

TEST_F(RouterTest, PathParametersAreCaptured) {
  const auto match = router.match(Method::get, "/tickets/42/messages");
  ASSERT_EQ(match.outcome, Outcome::found);
  EXPECT_EQ(match.route->pattern, "/tickets/{id}/messages");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0], (std::pair<std::string, std::string>{"id", "42"}));

  Request request;
  request.method = Method::get;
  router.add(Method::get, "/echo/{a}/{b}", [](Request& r) {
    return Response::text(200, "text/plain",
                          std::string(r.path_param("a")) + "+" + std::string(r.path_param("b")));
  });
  EXPECT_EQ(router.respond(router.match(Method::get, "/echo/x/y"), request).body, "x+y");
}

TEST_F(RouterTest, ParameterNeverMatchesAnEmptySegmentOrExtraSegments) {
  EXPECT_EQ(router.match(Method::get, "/tickets/").outcome, Outcome::not_found);
  EXPECT_EQ(router.match(Method::get, "/tickets/1/2").outcome, Outcome::not_found);
  EXPECT_EQ(router.match(Method::get, "/ticketsx").outcome, Outcome::not_found);
}

TEST_F(RouterTest, RestParameterTakesTheRemainingPath) {
  auto match = router.match(Method::get, "/app/js/main.js");
  ASSERT_EQ(match.outcome, Outcome::found);
  EXPECT_EQ(match.params[0].second, "js/main.js");
  match = router.match(Method::get, "/app/");
  ASSERT_EQ(match.outcome, Outcome::found);
  EXPECT_EQ(match.params[0].second, "");
  EXPECT_EQ(router.match(Method::get, "/application").outcome, Outcome::not_found);
}

// Routes are indexed by their first segment; one starting with a parameter competes with the
// literal ones in the order routes were added, for a match and for a 405's Allow.
TEST(RouterOrder, TheFirstRouteAddedWinsWhateverItsFirstSegmentIs) {
  Router router;
  router.add(Method::get, "/about", answer("about"));
  router.add(Method::get, "/{page}", answer("page"));
  router.add(Method::get, "/help", answer("help"));
  router.add(Method::post, "/{page}/{part...}", answer("part"));
  router.add(Method::put, "/about/{part...}", answer("about part"));
  EXPECT_EQ(router.match(Method::get, "/about").route->pattern, "/about");
  EXPECT_EQ(router.match(Method::get, "/help").route->pattern, "/{page}");
  EXPECT_EQ(router.match(Method::get, "/other").route->pattern, "/{page}");
  EXPECT_EQ(router.match(Method::put, "/about/x").route->pattern, "/about/{part...}");
  EXPECT_EQ(router.match(Method::post, "/about/x").route->pattern, "/{page}/{part...}");

  const auto refused = router.match(Method::del, "/about/x");
  EXPECT_EQ(refused.outcome, Outcome::method_not_allowed);
  EXPECT_EQ(refused.path_route->pattern, "/{page}/{part...}");
  EXPECT_EQ(refused.allow, "POST, PUT");
  EXPECT_EQ(router.match(Method::get, "/").outcome, Outcome::not_found);
}

TEST_F(RouterTest, KnownPathWithOtherMethodIs405WithAllow) {
  const auto match = router.match(Method::del, "/tickets/7");
  EXPECT_EQ(match.outcome, Outcome::method_not_allowed);
  EXPECT_EQ(match.allow, "GET, HEAD, PUT");

  Request request;
  request.method = Method::del;
  const auto response = router.respond(match, request);
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, HEAD, PUT"}));
}

// Issue 12: a 405 is counted under the route of its path, so it names the first route whose
// path matched (the handler is not run: route stays null).
TEST_F(RouterTest, MethodNotAllowedNamesTheFirstRouteOfItsPath) {
  const auto match = router.match(Method::del, "/tickets/7");
  EXPECT_EQ(match.route, nullptr);
  ASSERT_NE(match.path_route, nullptr);
  EXPECT_EQ(match.path_route->pattern, "/tickets/{id}");
  EXPECT_EQ(match.path_route->method, Method::get);
  EXPECT_EQ(router.match(Method::del, "/nowhere").path_route, nullptr);
  EXPECT_EQ(router.match(Method::get, "/tickets").path_route,
            router.match(Method::get, "/tickets").route);
}

TEST_F(RouterTest, HeadIsAnsweredByTheGetRoute) {
  const auto match = router.match(Method::head, "/tickets");
  ASSERT_EQ(match.outcome, Outcome::found);
  EXPECT_EQ(match.route->method, Method::get);
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  const auto response = call(Method::get, "/nowhere");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(boost::json::parse(response.body).at("error").at("code").as_string(), "not_found");
}

TEST_F(RouterTest, DomainErrorsBecomeTheirJsonError) {
  router.add(Method::get, "/conflict", [](Request&) -> Response {
    throw Error(ErrorCode::conflict, "cannot go from closed to waiting");
  });
  const auto response = call(Method::get, "/conflict");
  EXPECT_EQ(response.status, 409);
  const auto error = boost::json::parse(response.body).at("error");
  EXPECT_EQ(error.at("code").as_string(), "conflict");
  EXPECT_EQ(error.at("message").as_string(), "cannot go from closed to waiting");
}

TEST_F(RouterTest, UnexpectedExceptionIsBare500WithoutInternals) {
  router.add(Method::get, "/boom", [](Request&) -> Response {
    throw std::runtime_error("SQL error near SELECT * FROM secrets");
  });
  const auto response = call(Method::get, "/boom");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secrets"), std::string::npos);
  EXPECT_EQ(boost::json::parse(response.body).at("error").at("code").as_string(), "internal");
}

TEST(RouterRegistration, RestParameterMustBeLast) {
  Router router;
  EXPECT_THROW(router.add(Method::get, "/a/{rest...}/b", answer("x")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "relative", answer("x")), std::invalid_argument);
}

TEST(RouterRegistration, RouteIdsFollowRegistrationOrder) {
  Router router;
  router.add(Method::get, "/a", answer("a"));
  router.add(Method::get, "/b", answer("b"));
  EXPECT_EQ(router.routes()[1].id, 1u);
  EXPECT_EQ(router.match(Method::get, "/b").route->id, 1u);
}

}  // namespace
}  // namespace tb::http
