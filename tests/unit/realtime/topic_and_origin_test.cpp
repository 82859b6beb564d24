#include <gtest/gtest.h>

#include "realtime/hub.hpp"
#include "realtime/websocket_endpoint.hpp"

namespace tb::realtime {
namespace {

TEST(Topic, ParsesTheThreeKindsAndRefusesTheRest) {
  EXPECT_EQ(Topic::parse("ticket:42"), (Topic{Topic::Kind::ticket, 42}));
  EXPECT_EQ(Topic::parse("tickets"), (Topic{Topic::Kind::tickets, 0}));
  EXPECT_EQ(Topic::parse("dashboard"), (Topic{Topic::Kind::dashboard, 0}));
  for (const char* bad : {"", "ticket:", "ticket:0", "ticket:-1", "ticket:4x", "ticket: 4",
                          "ticket:99999999999999999999", "Tickets", "ticket", "dashboards"}) {
    EXPECT_FALSE(Topic::parse(bad).has_value()) << bad;
  }
  EXPECT_EQ((Topic{Topic::Kind::ticket, 7}.name()), "ticket:7");
}

TEST(OriginCheck, AllowsThePublicUrlTheListedOriginsAndNoOrigin) {
  const EndpointOptions options{.public_url = "https://support.example.com/",
                                .allowed_origins = {"https://web.telegram.org"},
                                .allow_loopback_origins = false};
  EXPECT_TRUE(origin_allowed("", options));  // not a browser
  EXPECT_TRUE(origin_allowed("https://support.example.com", options));
  EXPECT_TRUE(origin_allowed("https://SUPPORT.example.com", options));
  EXPECT_TRUE(origin_allowed("https://web.telegram.org", options));
  EXPECT_FALSE(origin_allowed("http://support.example.com", options));  // another scheme
  EXPECT_FALSE(origin_allowed("https://support.example.com:8443", options));
  EXPECT_FALSE(origin_allowed("https://support.example.com.evil.io", options));
  EXPECT_FALSE(origin_allowed("http://localhost:3000", options));
  EXPECT_FALSE(origin_allowed("null", options));
  EXPECT_FALSE(origin_allowed("https://support.example.com.evil.io:443", options));
  EXPECT_FALSE(origin_allowed("https://user@support.example.com", options));
  EXPECT_FALSE(origin_allowed("https://support.example.com:", options));
}

// Boost.URL 1.81 reads "http://10.0.0.5.evil.com" as host 10.0.0.5: an origin must not be
// normalised into the one configured.
TEST(OriginCheck, AnAddressFollowedByANameIsNotThatAddress) {
  EndpointOptions options;
  options.public_url = "https://10.0.0.5";
  EXPECT_TRUE(origin_allowed("https://10.0.0.5", options));
  EXPECT_FALSE(origin_allowed("https://10.0.0.5.evil.com", options));
}

// A page's own host is not enough: the Host header follows DNS, and a rebinding name
// (evil.example resolving to this server) would otherwise pass.
TEST(OriginCheck, ASameHostOriginNeedsToBeConfigured) {
  const EndpointOptions options;  // no public URL, no listed origins, no loopback
  EXPECT_FALSE(origin_allowed("http://10.0.0.5:8000", options));
  EXPECT_FALSE(origin_allowed("https://support.example.com", options));
  EndpointOptions published;
  published.public_url = "https://support.example.com";
  EXPECT_TRUE(origin_allowed("https://support.example.com", published));
  EXPECT_FALSE(origin_allowed("http://10.0.0.5:8000", published));
}

TEST(OriginCheck, LoopbackOriginsOnlyWhenAllowed) {
  EndpointOptions options;
  options.allow_loopback_origins = true;
  for (const char* origin : {"http://localhost:5173", "http://127.0.0.1:8000", "https://[::1]"}) {
    EXPECT_TRUE(origin_allowed(origin, options)) << origin;
  }
  EXPECT_FALSE(origin_allowed("http://localhost.evil.io", options));
  for (const char* origin : {"http://127.evil.com", "http://127.0.0.1.evil.com", "http://127.com",
                             "http://[::2]", "http://0x7f.evil.io"}) {
    EXPECT_FALSE(origin_allowed(origin, options)) << origin;
  }
  EXPECT_TRUE(origin_allowed("http://127.1.2.3:9000", options));
  EXPECT_FALSE(origin_allowed("ftp://127.0.0.1", options));
  options.allow_loopback_origins = false;
  EXPECT_FALSE(origin_allowed("http://127.0.0.1:8000", options));
}

}  // namespace
}  // namespace tb::realtime
