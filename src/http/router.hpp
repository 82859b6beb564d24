#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace tb::http {

// Where a handler runs. Handlers that may block for long (a slow query, a network call, a
// wait for a commit) run on a worker pool, so the connection threads keep serving other
// connections; handlers that only read memory run on the connection's thread and skip the
// hop. A quick read blocks, but briefly and boundedly (an indexed read of a local SQLite
// file, mostly from its page cache): it runs on the connection's thread when the server is
// told such reads are quick (ServerOptions::quick_reads_inline), else on the read pool. The
// hop costs two thread wake-ups per request, more than such a read itself.
enum class Execution { worker_pool, io_thread, quick_read };

using Handler = std::function<Response(Request&)>;
// For a route whose requests differ in cost (a page of a list against a full-text search).
using ExecutionChoice = std::function<Execution(const Request&)>;
inline ExecutionChoice always(Execution execution) {
  return [execution](const Request&) { return execution; };
}

struct Route {
  std::size_t id;  // index in Router::routes(); also the metrics label slot
  Method method;
  std::string pattern;  // "/tickets/{id}", "/app/{path...}"
  Handler handler;
  ExecutionChoice execution;  // where this request's handler runs (always set)
  std::vector<std::string> segments;
};

struct RouteMatch {
  enum class Outcome { found, not_found, method_not_allowed };
  Outcome outcome = Outcome::not_found;
  const Route* route = nullptr;
  // The first route whose path matched, whatever its method: for method_not_allowed, the
  // route a 405 is counted under in the metrics.
  const Route* path_route = nullptr;
  Fields params;
  std::string allow;  // for method_not_allowed: "GET, HEAD, POST"
};

// A routing table of method + path pattern → handler. `{name}` matches one non-empty path
// segment; a final `{name...}` matches the rest of the path, slashes included. Routes are
// tried in the order they were added; the first match wins. GET routes also answer HEAD.
class Router {
 public:
  void add(Method method, std::string_view pattern, Handler handler,
           Execution execution = Execution::worker_pool);
  void add(Method method, std::string_view pattern, Handler handler, ExecutionChoice execution);

  RouteMatch match(Method method, std::string_view path) const;

  // Runs the matched handler, or produces the 404/405 answer. This is the single catch
  // boundary of request handling: every exception becomes the JSON error of API.md, and
  // unexpected ones are logged in full but answered with a bare 500.
  Response respond(const RouteMatch& match, Request& request) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  // Indexes of the routes whose pattern starts with each literal segment ("tickets" for
  // /tickets/{id}), and of those that start with a parameter, each in the order added: a path
  // is tried against these, not against every route.
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_first_segment_;
  std::vector<std::size_t> starting_with_parameter_;
};

}  // namespace tb::http
