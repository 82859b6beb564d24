#include "http/target.hpp"

#include <optional>
#include <random>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace tb::http {
namespace {

// Boost.URL's answer: the path and query, or nothing when the target is refused.
std::optional<std::pair<std::string, std::string>> parsed(const std::string& target) {
  Request request;
  request.target = target;
  try {
    parse_target(request);
  } catch (const Error&) {
    return std::nullopt;
  }
  return std::pair{request.path, request.query};
}

// The plain split must give what Boost.URL gives, for every target it takes.
void expect_plain_split_agrees(const std::string& target) {
  Request request;
  request.target = target;
  if (!split_plain_target(target, request)) return;
  const auto expected = parsed(target);
  ASSERT_TRUE(expected) << "taken, but Boost.URL refuses: " << target;
  EXPECT_EQ(request.path, expected->first) << target;
  EXPECT_EQ(request.query, expected->second) << target;
}

TEST(RequestTarget, PlainTargetsAreSplitWithoutBoostUrl) {
  for (const auto& [target, path, query] :
       std::initializer_list<std::tuple<std::string, std::string, std::string>>{
           {"/", "/", ""},
           {"/tickets?limit=50", "/tickets", "limit=50"},
           {"/tickets/42/messages?limit=50&after_id=7", "/tickets/42/messages",
            "limit=50&after_id=7"},
           {"/app/", "/app/", ""},
           {"/a?", "/a", ""},
           {"/a?b?c=/d", "/a", "b?c=/d"},
           {"/.well-known/x", "/.well-known/x", ""},
           {"/a/..b/.c", "/a/..b/.c", ""},
           {"/a:b@c!$&'()*+,;=-._~", "/a:b@c!$&'()*+,;=-._~", ""},
       }) {
    Request request;
    request.target = target;
    ASSERT_TRUE(split_plain_target(target, request)) << target;
    EXPECT_EQ(request.path, path) << target;
    EXPECT_EQ(request.query, query) << target;
    expect_plain_split_agrees(target);
  }
}

TEST(RequestTarget, WhatIsNotPlainIsLeftToBoostUrl) {
  for (const std::string& target : std::initializer_list<std::string>{
           "",       "*",        "tickets", "http://example.com/",
           "//a",    "/a//b",    "/a/./b",  "/a/../b",
           "/a/.",   "/a/..",    "/.",      "/..",
           "/a%20b", "/a?q=%20", "/a b",    "/a#frag",
           "/a\"b",  "/a?q=<x>", "/a\\b",   std::string("/a\0b", 4)}) {
    Request request;
    request.target = target;
    EXPECT_FALSE(split_plain_target(target, request)) << target;
    EXPECT_TRUE(request.path.empty()) << target;
  }
}

TEST(RequestTarget, SplittingRefusesTraversalAndMalformedTargets) {
  for (const std::string target :
       {"/a/../b", "/a/./b", "/app/%2e%2e/x", "/a%2fb", "/a%00b", "tickets", "/a b", "/a%zz"}) {
    Request request;
    request.target = target;
    EXPECT_THROW(split_target(request), Error) << target;
  }
  Request request;
  request.target = "/tickets%2042?q=a%20b";
  split_target(request);
  EXPECT_EQ(request.path, "/tickets 42");
  EXPECT_EQ(request.query, "q=a%20b");
}

// Random targets from the bytes that matter to either way: the plain split never takes one
// that Boost.URL refuses or reads differently.
TEST(RequestTarget, ThePlainSplitAgreesWithBoostUrlOnRandomTargets) {
  static constexpr std::string_view kBytes = "/./?%2e=&a:@ #\\\"";
  std::mt19937 random(20261203);
  std::uniform_int_distribution<std::size_t> length(1, 12);
  std::uniform_int_distribution<std::size_t> pick(0, kBytes.size() - 1);
  int taken = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string target = "/";
    for (auto n = length(random); n > 0; --n) target += kBytes[pick(random)];
    Request request;
    request.target = target;
    if (split_plain_target(target, request)) ++taken;
    expect_plain_split_agrees(target);
  }
  EXPECT_GT(taken, 1000);  // the comparison covered many taken targets, not only refusals
}

}  // namespace
}  // namespace tb::http
