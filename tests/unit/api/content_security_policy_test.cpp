#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "api/operations_routes.hpp"

namespace tb::api {
namespace {

// "a x y; b z" → {a: "x y", b: "z"}
std::map<std::string, std::string> directives(const std::string& policy) {
  std::map<std::string, std::string> result;
  std::istringstream input(policy);
  std::string part;
  while (std::getline(input, part, ';')) {
    const auto start = part.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    part = part.substr(start);
    const auto space = part.find(' ');
    result[part.substr(0, space)] = space == std::string::npos ? "" : part.substr(space + 1);
  }
  return result;
}

TEST(ContentSecurityPolicy, ScriptsOnlyFromThisOriginAndTelegramsLoginWidget) {
  const auto policy = directives(mini_app_content_security_policy(""));
  EXPECT_EQ(policy.at("default-src"), "'self'");
  EXPECT_EQ(policy.at("script-src"), "'self' https://telegram.org");
  EXPECT_EQ(policy.at("frame-src"), "https://oauth.telegram.org");
  EXPECT_EQ(policy.at("connect-src"), "'self'");
  EXPECT_EQ(policy.at("img-src"), "'self' data: https://t.me https://*.telegram.org");
  EXPECT_EQ(policy.at("object-src"), "'none'");
  EXPECT_EQ(policy.at("base-uri"), "'self'");
  EXPECT_FALSE(policy.contains("frame-ancestors")) << "Telegram Web frames the Mini App";
  for (const auto& [name, value] : policy) {
    if (name == "style-src") continue;
    EXPECT_EQ(value.find("unsafe"), std::string::npos) << name;
  }
}

TEST(ContentSecurityPolicy, PublicUrlAddsItsWebSocketOrigin) {
  EXPECT_EQ(directives(mini_app_content_security_policy("https://support.example.com/"))
                .at("connect-src"),
            "'self' wss://support.example.com");
  EXPECT_EQ(directives(mini_app_content_security_policy("http://127.0.0.1:8080/app?x#y"))
                .at("connect-src"),
            "'self' ws://127.0.0.1:8080");
  EXPECT_EQ(directives(mini_app_content_security_policy("https://[::1]:8443")).at("connect-src"),
            "'self' wss://[::1]:8443");
}

TEST(ContentSecurityPolicy, AStrangePublicUrlAddsNothing) {
  for (const std::string url : {"https://", "https://a b.example", "https://x.example;script-src *",
                                "ftp://x.example", "https://x.example,*"}) {
    EXPECT_EQ(directives(mini_app_content_security_policy(url)).at("connect-src"), "'self'") << url;
    EXPECT_EQ(directives(mini_app_content_security_policy(url)).at("script-src"),
              "'self' https://telegram.org")
        << url;
  }
}

}  // namespace
}  // namespace tb::api
