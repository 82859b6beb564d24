#include "http/forwarded.hpp"

#include <gtest/gtest.h>

#include "http/content_coding.hpp"

namespace tb::http {
namespace {

TEST(TrustedProxies, MatchAddressesAndBlocksOfBothFamilies) {
  const auto proxies = TrustedProxies::parse({"10.0.0.0/8", "192.0.2.1", "fd00::/8", "::1"});
  for (const char* inside : {"10.1.2.3", "192.0.2.1", "fd12::1", "::1", "::ffff:10.9.9.9"}) {
    EXPECT_TRUE(proxies.contains(inside)) << inside;
  }
  for (const char* outside : {"11.0.0.1", "192.0.2.2", "fe80::1", "::2", "", "garbage"}) {
    EXPECT_FALSE(proxies.contains(outside)) << outside;
  }
  EXPECT_TRUE(TrustedProxies::parse({"0.0.0.0/0"}).contains("203.0.113.9"));
  EXPECT_TRUE(TrustedProxies::parse({"10.0.0.0/31"}).contains("10.0.0.1"));
  EXPECT_FALSE(TrustedProxies::parse({"10.0.0.0/31"}).contains("10.0.0.2"));
  EXPECT_FALSE(TrustedProxies::parse({}).contains("127.0.0.1"));
}

TEST(TrustedProxies, RefuseWhatIsNotAnAddressOrABlock) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "proxy.local", "1/8"}) {
    EXPECT_THROW(TrustedProxies::parse({bad}), std::invalid_argument) << bad;
  }
}

TEST(ClientOf, BelievesForwardedHeadersOnlyFromTrustedPeers) {
  const auto proxies = TrustedProxies::parse({"127.0.0.1", "10.0.0.0/8"});
  const Fields headers = {{"x-forwarded-for", "203.0.113.5, 10.0.0.7"},
                          {"x-forwarded-proto", "https"}};
  const auto trusted = client_of("127.0.0.1", headers, proxies);
  EXPECT_EQ(trusted.address, "203.0.113.5");  // the nearest hop that is not a proxy of ours
  EXPECT_EQ(trusted.scheme, "https");
  EXPECT_TRUE(trusted.via_trusted_proxy);
  const auto stranger = client_of("198.51.100.1", headers, proxies);
  EXPECT_EQ(stranger.address, "198.51.100.1");
  EXPECT_EQ(stranger.scheme, "http");
  EXPECT_FALSE(stranger.via_trusted_proxy);
}

TEST(ClientOf, ASpoofedLeftmostAddressDoesNotWin) {
  // The client wrote the first entry itself; our proxy appended the address it saw.
  const auto proxies = TrustedProxies::parse({"127.0.0.1"});
  const auto client =
      client_of("127.0.0.1", {{"x-forwarded-for", "1.1.1.1, 203.0.113.5"}}, proxies);
  EXPECT_EQ(client.address, "203.0.113.5");
}

TEST(ClientOf, ReadsRfc7239Forwarded) {
  const auto proxies = TrustedProxies::parse({"127.0.0.1"});
  auto client = client_of(
      "127.0.0.1",
      {{"forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\";proto=https"}},
      proxies);
  EXPECT_EQ(client.address, "2001:db8::1");
  EXPECT_EQ(client.scheme, "https");
  client = client_of("127.0.0.1", {{"forwarded", "For=\"192.0.2.43:47011\""}}, proxies);
  EXPECT_EQ(client.address, "192.0.2.43");
  client = client_of("127.0.0.1", {{"forwarded", "for=unknown"}}, proxies);
  EXPECT_EQ(client.address, "127.0.0.1");  // nothing usable: the peer itself
}

TEST(AcceptsGzip, HonoursQValuesAndWildcards) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("br, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("deflate, *;q=0.1"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("br, identity"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
  EXPECT_FALSE(accepts_gzip("gzip;q=abc"));
}

}  // namespace
}  // namespace tb::http
