#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "api/operations_routes.hpp"
#include "core/error.hpp"

namespace tb::api {
namespace {

boost::json::object document() {
  return boost::json::parse(openapi_document()).as_object();
}

TEST(OpenApi, IsVersion31) {
  EXPECT_TRUE(document().at("openapi").as_string().starts_with("3.1"));
}

// Every endpoint of API.md's table that the server answers today, so the document loses
// none. Attachments come back to the document with the issue that builds them
// (ContractRoutes checks the document only promises what is served).
TEST(OpenApi, CoversTheWholeApiContract) {
  const std::vector<std::pair<std::string, std::string>> contract = {
      {"post", "/auth/telegram"},
      {"post", "/auth/telegram-login"},
      {"post", "/auth/demo"},
      {"get", "/auth/me"},
      {"post", "/auth/logout"},
      {"get", "/tickets"},
      {"post", "/tickets"},
      {"get", "/tickets/{id}"},
      {"put", "/tickets/{id}"},
      {"delete", "/tickets/{id}"},
      {"get", "/tickets/{id}/messages"},
      {"post", "/tickets/{id}/messages"},
      {"post", "/tickets/{id}/rating"},
      {"get", "/users"},
      {"get", "/users/{id}"},
      {"put", "/users/{id}/role"},
      {"put", "/users/{id}/categories"},
      {"put", "/users/{id}/availability"},
      {"get", "/roles"},
      {"put", "/roles/{role}/permissions"},
      {"get", "/categories"},
      {"post", "/categories"},
      {"put", "/categories/{id}"},
      {"delete", "/categories/{id}"},
      {"get", "/auto-replies"},
      {"post", "/auto-replies"},
      {"put", "/auto-replies/{id}"},
      {"delete", "/auto-replies/{id}"},
      {"get", "/canned-replies"},
      {"post", "/canned-replies"},
      {"put", "/canned-replies/{id}"},
      {"delete", "/canned-replies/{id}"},
      {"get", "/audit"},
      {"get", "/statistics"},
      {"get", "/statistics/forecast"},
      {"get", "/reports/tickets"},
      {"post", "/telegram/webhook"},
      {"get", "/ws"},
      {"get", "/healthz"},
      {"get", "/metrics"},
      {"get", "/openapi.json"},
      {"get", "/docs"},
      {"get", "/app/"},
      {"get", "/"},
  };
  const auto paths = document().at("paths").as_object();
  for (const auto& [method, path] : contract) {
    ASSERT_TRUE(paths.contains(path)) << path;
    EXPECT_TRUE(paths.at(path).as_object().contains(method)) << method << " " << path;
  }
}

TEST(OpenApi, ErrorSchemaListsEveryErrorCode) {
  const auto doc = document();
  const auto& schemas = doc.at("components").at("schemas");
  EXPECT_EQ(schemas.at("Error")
                .at("properties")
                .at("error")
                .at("properties")
                .at("code")
                .at("$ref")
                .as_string(),
            "#/components/schemas/ErrorCode");
  const std::string text = boost::json::serialize(schemas.at("ErrorCode").at("enum"));
  for (const ErrorCode code : kAllErrorCodes) {
    const std::string quoted = fmt::format("\"{}\"", error_code_name(code));
    EXPECT_NE(text.find(quoted), std::string::npos) << quoted;
  }
}

TEST(OpenApi, OperationIdsAreUnique) {
  std::set<std::string> seen;
  const auto doc = document();
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (!operation.is_object() || !operation.as_object().contains("operationId")) continue;
      const std::string id(operation.at("operationId").as_string());
      EXPECT_TRUE(seen.insert(id).second) << id;
    }
  }
  EXPECT_GE(seen.size(), 36u);
}

}  // namespace
}  // namespace tb::api
