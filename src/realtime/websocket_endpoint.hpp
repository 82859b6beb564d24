#pragma once

#include <string>
#include <vector>

#include "http/websocket.hpp"
#include "realtime/client_session.hpp"

namespace tb::realtime {

struct EndpointOptions {
  std::string public_url;                    // its origin may open WebSockets
  std::vector<std::string> allowed_origins;  // and these
  bool allow_loopback_origins = false;       // demo mode: http(s)://localhost, 127.x, [::1]
};

// Whether a browser page from `origin` may open a WebSocket here: PUBLIC_URL's origin, one
// of ALLOWED_ORIGINS, or a loopback page in demo mode, each compared whole. No Origin
// header (a non-browser client) is allowed: the check is against cross-site pages riding
// on a user's credentials, which only browsers send.
bool origin_allowed(std::string_view origin, const EndpointOptions& options);

// The /ws upgrade: checks the Origin, then the credentials when the request carries them
// (`?token=` or an Authorization header; a bad one is refused with 401 before the
// upgrade), and starts a ClientSession.
http::WebSocketAcceptor make_websocket_acceptor(ClientServices services, EndpointOptions options);

}  // namespace tb::realtime
