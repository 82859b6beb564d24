// The OpenAPI document lists only what the server does: every documented operation has a
// route in the real routing table, and every route is documented (static file trees and
// redirects aside). A documented route that answers 404 is a broken promise.
#include <set>

#include "../../support/app_fixture.hpp"
#include "api/operations_routes.hpp"

namespace tb::testing {
namespace {

std::optional<Method> method_named(const std::string& name) {
  if (name == "get") return Method::get;
  if (name == "post") return Method::post;
  if (name == "put") return Method::put;
  if (name == "delete") return Method::del;
  if (name == "patch") return Method::patch;
  return std::nullopt;
}

// "/tickets/{id}/messages" → "/tickets/1/messages": any value routes; handlers decide.
std::string concrete(std::string path) {
  for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, "1");
  }
  return path;
}

// In webhook mode, so that POST /telegram/webhook (served only then) is among the routes.
class ContractRoutes : public AppFixture {
 protected:
  void start() {
    AppFixture::start({{"TELEGRAM_MODE", "webhook"},
                       {"TELEGRAM_WEBHOOK_URL", "https://support.example.org/telegram/webhook"},
                       {"TELEGRAM_WEBHOOK_SECRET", "0123456789abcdef"}});
  }
};

TEST_F(ContractRoutes, EveryDocumentedOperationHasARoute) {
  start();
  const auto document = boost::json::parse(api::openapi_document()).as_object();
  int operations = 0;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [name, operation] : item.as_object()) {
      const auto method = method_named(std::string(name));
      if (!method) continue;
      ++operations;
      const auto match = app_->router().match(*method, concrete(std::string(path)));
      EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::found)
          << std::string(name) << " " << std::string(path) << " is documented but not served";
    }
  }
  EXPECT_GE(operations, 36);
}

TEST_F(ContractRoutes, EveryRouteIsDocumented) {
  start();
  const auto document = boost::json::parse(api::openapi_document()).as_object();
  const auto& paths = document.at("paths").as_object();
  // File trees and a redirect: /app/ and /docs stand for them in the document.
  const std::set<std::string> undocumented = {"/app/{file...}", "/docs/{file...}", "/app"};
  for (const auto& route : app_->router().routes()) {
    if (undocumented.contains(route.pattern)) continue;
    std::string method(http::method_name(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto* item = paths.if_contains(route.pattern);
    EXPECT_TRUE(item && item->as_object().contains(method))
        << method << " " << route.pattern << " is served but not documented";
  }
}

}  // namespace
}  // namespace tb::testing
