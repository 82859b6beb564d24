// Who the client is when requests come through a reverse proxy (every Mini App is served
// over HTTPS, so usually they do). Only peers listed in TRUSTED_PROXIES may say: from
// anyone else, Forwarded / X-Forwarded-* headers are ignored, so nobody can pick the
// address the rate limits and the access log see.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace tb::http {

// A parsed IP address, IPv4 held as IPv4-mapped IPv6 so one comparison serves both.
using IpBytes = std::array<std::uint8_t, 16>;
std::optional<IpBytes> parse_ip(std::string_view text);

class TrustedProxies {
 public:
  // Addresses and CIDR blocks: "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". Throws
  // std::invalid_argument naming the first entry that is neither.
  static TrustedProxies parse(const std::vector<std::string>& entries);

  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    IpBytes address{};
    int prefix_bits = 128;
  };
  std::vector<Network> networks_;
};

struct ClientInfo {
  std::string address;  // the client's IP address as text
  std::string scheme;   // "http" or "https"
  bool via_trusted_proxy = false;
};

// The client behind `peer`: the peer itself, unless it is a trusted proxy; then the nearest
// address in `Forwarded: for=` (or else X-Forwarded-For) that is not itself a trusted
// proxy, and the scheme of X-Forwarded-Proto (or `Forwarded: proto=`).
ClientInfo client_of(std::string_view peer, const Fields& headers, const TrustedProxies& proxies);

}  // namespace tb::http
