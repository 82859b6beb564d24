// tb::http — the HTTP transport: listener, sessions, routing, static files, metrics.
// Beast appears only in server.cpp (and asio_impl.cpp); handlers see these plain structs, so
// api/ and the tests never instantiate Beast templates.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb::http {

enum class Method { get, head, post, put, patch, del, options, other };

std::string_view method_name(Method method);

using Fields = std::vector<std::pair<std::string, std::string>>;

// The value of the first field named `name` (names compared as given), or empty.
std::string_view field_value(const Fields& fields, std::string_view name);

struct Request {
  Method method = Method::get;
  std::string target;  // as sent: path and query, percent-encoded
  std::string path;    // percent-decoded, dot segments refused before routing
  std::string query;   // raw, without '?'
  Fields headers;      // names lower-case
  std::string body;
  std::string remote_address;   // the client's: behind a trusted proxy, the one it reports
  std::string scheme = "http";  // "https" when a trusted proxy says the client used it
  Fields path_params;           // filled by the router from the route pattern

  // The first header with this (lower-case) name, or empty.
  std::string_view header(std::string_view lower_case_name) const;
  // The percent-decoded value of a query parameter; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // A path parameter of the matched route ("id" in /tickets/{id}); empty when absent.
  std::string_view path_param(std::string_view name) const;
};

// Makes a response body piece by piece, for bodies too large to hold in memory (report
// exports). The server sends what it makes with chunked transfer coding, calls it on the
// worker pool one call at a time, and asks for the next piece only once the previous one has
// been sent, so a slow client slows the producer down instead of filling memory. Each call
// replaces `piece` with the next bytes (possibly none, when the call only did work) and returns
// false once the body is complete. A producer whose client goes away is destroyed unfinished.
using BodyProducer = std::function<bool(std::string& piece)>;

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  Fields headers;  // besides Content-Type and Content-Length, which the server sets
  // When set, the body comes from here (streamed) and `body` is not sent.
  BodyProducer producer{};

  static Response json(int status, std::string body);
  static Response text(int status, std::string content_type, std::string body);
  static Response redirect(std::string location);
  static Response no_content();
};

}  // namespace tb::http
