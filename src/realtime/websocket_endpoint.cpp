#include "realtime/websocket_endpoint.hpp"

#include <algorithm>
#include <optional>

#include "core/error.hpp"
#include "http/forwarded.hpp"

namespace tb::realtime {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// An origin's parts, lower-case. Parsed here rather than with Boost.URL, whose 1.81 reads
// the host of "http://127.0.0.1.evil.com" as 127.0.0.1 and drops the rest.
struct Origin {
  std::string scheme;
  std::string host;  // a name, an IPv4 address, or an IPv6 address in brackets
  std::string port;  // empty when not given

  std::string text() const { return scheme + "://" + host + (port.empty() ? "" : ":" + port); }
};

// "scheme://host[:port]" of a URL (its path, query and fragment ignored); nothing for
// anything else, userinfo included.
std::optional<Origin> parse_origin(std::string_view url) {
  const auto separator = url.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  Origin origin{lower(url.substr(0, separator)), {}, {}};
  if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
  std::string_view authority = url.substr(separator + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  std::string_view host = authority;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    authority.remove_prefix(close + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
    authority.remove_prefix(host.size());
  }
  if (!authority.empty()) {
    if (authority.front() != ':' || authority.size() == 1 ||
        authority.find_first_not_of("0123456789", 1) != std::string_view::npos) {
      return std::nullopt;
    }
    origin.port = std::string(authority.substr(1));
  }
  const bool bracketed = host.starts_with('[');
  const std::string_view allowed = bracketed
                                       ? "[]0123456789abcdefABCDEF:."
                                       : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789.-";
  if (host.empty() || host.find_first_not_of(allowed) != std::string_view::npos) {
    return std::nullopt;
  }
  origin.host = lower(host);
  return origin;
}

// The host compared whole: localhost, an address in 127.0.0.0/8, or [::1]. Never a prefix
// test ("http://127.evil.com" is somebody else's site).
bool is_loopback(const Origin& origin) {
  if (origin.host == "localhost") return true;
  std::string_view host = origin.host;
  if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
  const auto address = http::parse_ip(host);  // the whole host must be an address
  if (!address) return false;
  static constexpr http::IpBytes kIpv6Loopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const bool ipv4_mapped =
      std::all_of(address->begin(), address->begin() + 10, [](auto byte) { return byte == 0; }) &&
      (*address)[10] == 0xFF && (*address)[11] == 0xFF;
  return *address == kIpv6Loopback || (ipv4_mapped && (*address)[12] == 127);
}

}  // namespace

bool origin_allowed(std::string_view origin, const EndpointOptions& options) {
  if (origin.empty()) return true;
  const auto parsed = parse_origin(origin);
  if (!parsed) return false;
  const std::string normalized = parsed->text();
  const auto same = [&](const std::string& configured) {
    const auto other = parse_origin(configured);
    return other && other->text() == normalized;
  };
  // No "same host as the request" rule: the Host header is whatever the page's name
  // resolved to, so a rebinding name (evil.example → 127.0.0.1) would pass it.
  if (!options.public_url.empty() && same(options.public_url)) return true;
  if (std::any_of(options.allowed_origins.begin(), options.allowed_origins.end(), same)) {
    return true;
  }
  return options.allow_loopback_origins && is_loopback(*parsed);
}

http::WebSocketAcceptor make_websocket_acceptor(ClientServices services, EndpointOptions options) {
  return
      [services, options](const http::Request& request, std::shared_ptr<http::WebSocketPeer> peer)
          -> std::variant<http::Response, std::shared_ptr<http::WebSocketSession>> {
        if (!origin_allowed(request.header("origin"), options)) {
          throw Error(ErrorCode::forbidden, "this origin may not open a WebSocket here");
        }
        std::optional<std::string> authorization;
        if (auto token = request.query_param("token"); token && !token->empty()) {
          authorization = "Bearer " + *token;
        } else if (const auto header = request.header("authorization"); !header.empty()) {
          authorization = std::string(header);
        }
        auto session = std::make_shared<ClientSession>(services, std::move(peer));
        session->start(std::move(authorization));  // bad credentials: 401 before the upgrade
        return session;
      };
}

}  // namespace tb::realtime
