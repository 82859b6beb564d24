#include "realtime/websocket_endpoint.hpp"

#include <algorithm>

#include <boost/url/parse.hpp>

#include "core/error.hpp"

namespace tb::realtime {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// "scheme://host[:port]" of a URL, lower-case, without path or trailing slash.
std::string origin_of(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return {};
  std::string origin(parsed->scheme());
  origin.append("://").append(parsed->encoded_host());
  if (parsed->has_port()) origin.append(":").append(parsed->port());
  return lower(origin);
}

bool is_loopback_origin(std::string_view origin) {
  const auto parsed = boost::urls::parse_absolute_uri(origin);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https")) return false;
  const auto host = parsed->encoded_host();
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

}  // namespace

bool origin_allowed(std::string_view origin, std::string_view host,
                    const EndpointOptions& options) {
  if (origin.empty()) return true;
  const std::string normalized = origin_of(origin);
  if (normalized.empty()) return false;
  // A page of the very host the request came to: the Mini App we served ourselves, reached
  // by whatever name (no PUBLIC_URL needed for that).
  if (!host.empty() && normalized.substr(normalized.find("://") + 3) == lower(host)) return true;
  if (!options.public_url.empty() && normalized == origin_of(options.public_url)) return true;
  for (const auto& allowed : options.allowed_origins) {
    if (normalized == origin_of(allowed)) return true;
  }
  return options.allow_loopback_origins && is_loopback_origin(normalized);
}

http::WebSocketAcceptor make_websocket_acceptor(ClientServices services, EndpointOptions options) {
  return
      [services, options](const http::Request& request, std::shared_ptr<http::WebSocketPeer> peer)
          -> std::variant<http::Response, std::shared_ptr<http::WebSocketSession>> {
        if (!origin_allowed(request.header("origin"), request.header("host"), options)) {
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
