#include "http/message.hpp"

#include <gtest/gtest.h>

namespace tb::http {
namespace {

TEST(Request, QueryParametersArePercentDecoded) {
  Request request;
  request.query = "q=hello%20world&limit=50&empty=&flag";
  EXPECT_EQ(request.query_param("q"), "hello world");
  EXPECT_EQ(request.query_param("limit"), "50");
  EXPECT_EQ(request.query_param("empty"), "");
  EXPECT_EQ(request.query_param("flag"), "");
  EXPECT_EQ(request.query_param("missing"), std::nullopt);
}

TEST(Request, MalformedQueryIsTreatedAsAbsentNotAnError) {
  Request request;
  request.query = "q=%zz";
  EXPECT_EQ(request.query_param("q"), std::nullopt);
}

TEST(Request, HeadersAndPathParametersAreFoundByName) {
  Request request;
  request.headers = {{"content-type", "application/json"}};
  request.path_params = {{"id", "42"}};
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("accept"), "");
  EXPECT_EQ(request.path_param("id"), "42");
}

TEST(Response, RedirectSetsLocation) {
  const auto response = Response::redirect("/app/");
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.headers.at(0).second, "/app/");
}

}  // namespace
}  // namespace tb::http
