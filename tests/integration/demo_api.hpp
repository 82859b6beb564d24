// REST calls as the demo people, for integration tests that need a few logged-in users.
#pragma once

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "test_server.hpp"

namespace tb::testing {

// A session token of the demo person of `role` (the server runs in demo mode).
inline std::string token_of(TestServer& server, const std::string& role) {
  const auto response = server.request("POST", "/auth/demo", R"({"role":")" + role + R"("})");
  EXPECT_EQ(response.status, 200) << response.body;
  return std::string(boost::json::parse(response.body).at("token").as_string());
}

// One authenticated request; its status is expected to be `expected`. The body as JSON.
inline boost::json::value call(TestServer& server, const std::string& method,
                               const std::string& path, const std::string& token,
                               const std::string& body = "", int expected = 200) {
  const auto response =
      server.request(method, path, body, "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(response.status, expected) << method << " " << path << ": " << response.body;
  return response.body.empty() ? boost::json::value() : boost::json::parse(response.body);
}

}  // namespace tb::testing
