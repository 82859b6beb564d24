#include "http/error_mapping.hpp"

#include <set>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tb::http {
namespace {

// Walks every code, so a code added to core without a mapping fails here.
TEST(ErrorMapping, EveryCodeHasItsOwnStatusAndWireName) {
  std::set<int> statuses;
  std::set<std::string> names;
  for (const ErrorCode code : kAllErrorCodes) {
    const int status = status_for(code);
    EXPECT_GE(status, 400);
    EXPECT_LE(status, 599);
    statuses.insert(status);
    const std::string name(error_code_name(code));
    names.insert(name);
    const auto response = error_response(Error(code, "message for " + name));
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(response.content_type, "application/json");
    const auto body = boost::json::parse(response.body);
    EXPECT_EQ(body.at("error").at("code").as_string(), name);
    EXPECT_EQ(body.at("error").at("message").as_string(), "message for " + name);
  }
  EXPECT_EQ(statuses.size(), kAllErrorCodes.size());
  EXPECT_EQ(names.size(), kAllErrorCodes.size());
}

TEST(ErrorMapping, ApiContractStatuses) {
  EXPECT_EQ(status_for(ErrorCode::invalid_request), 400);
  EXPECT_EQ(status_for(ErrorCode::unauthorized), 401);
  EXPECT_EQ(status_for(ErrorCode::forbidden), 403);
  EXPECT_EQ(status_for(ErrorCode::not_found), 404);
  EXPECT_EQ(status_for(ErrorCode::method_not_allowed), 405);
  EXPECT_EQ(status_for(ErrorCode::conflict), 409);
  EXPECT_EQ(status_for(ErrorCode::payload_too_large), 413);
  EXPECT_EQ(status_for(ErrorCode::insufficient_storage), 507);
  EXPECT_EQ(status_for(ErrorCode::unsupported_media_type), 415);
  EXPECT_EQ(status_for(ErrorCode::rate_limited), 429);
  EXPECT_EQ(status_for(ErrorCode::internal), 500);
}

TEST(ErrorMapping, RateLimitedCarriesRetryAfter) {
  const auto response =
      error_response(Error(ErrorCode::rate_limited, "slow down").with_retry_after(7));
  EXPECT_EQ(response.status, 429);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>{"Retry-After", "7"}));
}

TEST(ErrorMapping, MessagesAreJsonEscaped) {
  const auto response = error_response(Error(ErrorCode::invalid_request, "bad \"quote\"\n<tag>"));
  EXPECT_EQ(boost::json::parse(response.body).at("error").at("message").as_string(),
            "bad \"quote\"\n<tag>");
}

}  // namespace
}  // namespace tb::http
