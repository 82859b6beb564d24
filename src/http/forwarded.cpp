#include "http/forwarded.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "http/header_values.hpp"

namespace tb::http {
namespace {

// The items of a comma-separated header, nearest hop (the last) first.
std::vector<std::string_view> hops_nearest_first(std::string_view value) {
  std::vector<std::string_view> hops;
  while (!value.empty()) {
    const auto comma = value.rfind(',');
    const auto item = comma == std::string_view::npos ? value : value.substr(comma + 1);
    hops.push_back(trim_ows(item));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(0, comma);
  }
  return hops;
}

// One parameter of a Forwarded element (RFC 7239): `for="[2001:db8::1]:4711"` → the
// address without brackets, quotes or port.
std::string_view forwarded_parameter(std::string_view element, std::string_view name) {
  while (!element.empty()) {
    const auto semicolon = element.find(';');
    const auto pair = trim_ows(element.substr(0, semicolon));
    element = semicolon == std::string_view::npos ? "" : element.substr(semicolon + 1);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    if (!iequals_ascii(pair.substr(0, equals), name)) continue;
    auto value = pair.substr(equals + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

// "[::1]:80" → "::1"; "192.0.2.1:80" → "192.0.2.1"; "::1" stays.
std::string_view without_port(std::string_view node) {
  if (node.starts_with('[')) {
    const auto close = node.find(']');
    return close == std::string_view::npos ? std::string_view() : node.substr(1, close - 1);
  }
  if (node.find(':') == node.rfind(':') && node.find(':') != std::string_view::npos) {
    return node.substr(0, node.find(':'));  // IPv4 with a port: one colon only
  }
  return node;
}

// The addresses a proxy chain reports, nearest first: Forwarded's for= or X-Forwarded-For.
std::vector<std::string_view> reported_addresses(const Fields& headers) {
  std::vector<std::string_view> addresses;
  if (const auto forwarded = field_value(headers, "forwarded"); !forwarded.empty()) {
    for (const auto element : hops_nearest_first(forwarded)) {
      addresses.push_back(without_port(forwarded_parameter(element, "for")));
    }
    return addresses;
  }
  for (const auto hop : hops_nearest_first(field_value(headers, "x-forwarded-for"))) {
    addresses.push_back(without_port(hop));
  }
  return addresses;
}

std::string reported_scheme(const Fields& headers) {
  std::string_view scheme = field_value(headers, "x-forwarded-proto");
  if (scheme.empty()) {
    const auto forwarded = field_value(headers, "forwarded");
    const auto elements = hops_nearest_first(forwarded);
    if (!elements.empty()) scheme = forwarded_parameter(elements.front(), "proto");
  } else {
    scheme = hops_nearest_first(scheme).front();
  }
  return scheme == "https" || scheme == "HTTPS" ? "https" : "http";
}

}  // namespace

std::optional<IpBytes> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text);
  IpBytes bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xFF;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return bytes;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    return bytes;
  }
  return std::nullopt;
}

TrustedProxies TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies proxies;
  for (const auto& entry : entries) {
    const auto slash = entry.find('/');
    const auto address = parse_ip(std::string_view(entry).substr(0, slash));
    const bool v4 = entry.find(':') == std::string::npos;
    Network network;
    bool valid = address.has_value();
    if (valid) network.address = *address;
    if (valid && slash != std::string::npos) {
      const std::string_view bits = std::string_view(entry).substr(slash + 1);
      int prefix = -1;
      const auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      valid = error == std::errc() && end == bits.data() + bits.size() && !bits.empty() &&
              prefix >= 0 && prefix <= (v4 ? 32 : 128);
      network.prefix_bits = v4 ? prefix + 96 : prefix;
    }
    if (!valid) {
      throw std::invalid_argument("expected IP addresses or CIDR blocks, got '" + entry + "'");
    }
    proxies.networks_.push_back(network);
  }
  return proxies;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (networks_.empty()) return false;
  const auto parsed = parse_ip(address);
  if (!parsed) return false;
  for (const auto& network : networks_) {
    int bits = network.prefix_bits;
    std::size_t i = 0;
    for (; bits >= 8; bits -= 8, ++i) {
      if ((*parsed)[i] != network.address[i]) break;
    }
    if (bits >= 8) continue;  // a whole byte differed
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
    if (bits == 0 || ((*parsed)[i] & mask) == (network.address[i] & mask)) return true;
  }
  return false;
}

ClientInfo client_of(std::string_view peer, const Fields& headers, const TrustedProxies& proxies) {
  ClientInfo client{std::string(peer), "http", false};
  if (!proxies.contains(peer)) return client;
  client.via_trusted_proxy = true;
  client.scheme = reported_scheme(headers);
  for (const auto address : reported_addresses(headers)) {
    if (!parse_ip(address)) break;  // "unknown", an obfuscated node, garbage: stop trusting
    client.address = std::string(address);
    if (!proxies.contains(address)) break;
  }
  return client;
}

}  // namespace tb::http
