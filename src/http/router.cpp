#include "http/router.hpp"

#include <stdexcept>

#include <boost/container/small_vector.hpp>
#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "http/error_mapping.hpp"

namespace tb::http {
namespace {

// A path's segments, on the stack for any path a route could match: matching runs on every
// request, and growing a vector for them was two allocations of each.
using Segments = boost::container::small_vector<std::string_view, 8>;

// "/a/b/" → {"a", "b", ""}; "/" → {""}.
Segments split_path(std::string_view path) {
  Segments segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool is_rest_parameter(std::string_view segment) {
  return is_parameter(segment) && segment.ends_with("...}");
}

std::string_view parameter_name(std::string_view segment) {
  segment = segment.substr(1, segment.size() - 2);
  if (segment.ends_with("...")) segment.remove_suffix(3);
  return segment;
}

// Matches `path` (already split) against a route's segments, filling `params`.
bool matches(const Route& route, std::string_view path, const Segments& parts, Fields& params) {
  params.clear();
  size_t consumed = 0;  // characters of path (after the leading '/') before parts[i]
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& expected = route.segments[i];
    if (is_rest_parameter(expected)) {
      if (i >= parts.size()) return false;  // "/app" is not under "/app/{file...}"
      const std::string_view rest = path.substr(std::min(path.size(), consumed + 1));
      params.emplace_back(parameter_name(expected), rest);
      return true;
    }
    if (i >= parts.size()) return false;
    if (is_parameter(expected)) {
      if (parts[i].empty()) return false;
      params.emplace_back(parameter_name(expected), parts[i]);
    } else if (expected != parts[i]) {
      return false;
    }
    consumed += parts[i].size() + 1;
  }
  return route.segments.size() == parts.size();
}

void append_allowed(std::string& allow, Method method) {
  const std::string_view name = method_name(method);
  if (allow.find(name) != std::string::npos) return;
  if (!allow.empty()) allow += ", ";
  allow += name;
}

// Tries one route for a request's method and path; true once the search is over (the route
// was found), else notes a route of another method for the 405.
bool try_route(const Route& route, Method method, std::string_view path, const Segments& parts,
               Fields& params, RouteMatch& result) {
  if (!matches(route, path, parts, params)) return false;
  if (!result.path_route) result.path_route = &route;
  const bool method_fits =
      route.method == method || (method == Method::head && route.method == Method::get);
  if (method_fits) {
    result.outcome = RouteMatch::Outcome::found;
    result.route = &route;
    result.path_route = &route;
    result.params = params;
    return true;
  }
  result.outcome = RouteMatch::Outcome::method_not_allowed;
  append_allowed(result.allow, route.method);
  if (route.method == Method::get) append_allowed(result.allow, Method::head);
  return false;
}

}  // namespace

void Router::add(Method method, std::string_view pattern, Handler handler, Execution execution) {
  add(method, pattern, std::move(handler), always(execution));
}

void Router::add(Method method, std::string_view pattern, Handler handler,
                 ExecutionChoice execution) {
  if (!pattern.starts_with('/')) throw std::invalid_argument("route must start with '/'");
  if (!execution) execution = always(Execution::worker_pool);
  Route route{routes_.size(),       method, std::string(pattern), std::move(handler),
              std::move(execution), {}};
  const auto parts = split_path(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (is_rest_parameter(parts[i]) && i + 1 != parts.size()) {
      throw std::invalid_argument("a {name...} parameter must be last: " + route.pattern);
    }
    route.segments.emplace_back(parts[i]);
  }
  if (is_parameter(parts.front())) {
    starting_with_parameter_.push_back(route.id);
  } else {
    by_first_segment_[std::string(parts.front())].push_back(route.id);
  }
  routes_.push_back(std::move(route));
}

RouteMatch Router::match(Method method, std::string_view path) const {
  RouteMatch result;
  const auto parts = split_path(path);
  static const std::vector<std::size_t> kNone;
  const auto literal = by_first_segment_.find(parts.front());
  const auto& named = literal == by_first_segment_.end() ? kNone : literal->second;
  const auto& open = starting_with_parameter_;
  Fields params;
  // The two lists merged, so that routes are still tried in the order they were added.
  for (std::size_t i = 0, j = 0; i < named.size() || j < open.size();) {
    const bool from_named = j == open.size() || (i < named.size() && named[i] < open[j]);
    const std::size_t index = from_named ? named[i++] : open[j++];
    if (try_route(routes_[index], method, path, parts, params, result)) break;
  }
  return result;
}

Response Router::respond(const RouteMatch& match, Request& request) const {
  try {
    switch (match.outcome) {
      case RouteMatch::Outcome::not_found: throw Error(ErrorCode::not_found, "no such resource");
      case RouteMatch::Outcome::method_not_allowed: {
        Response response = error_response(Error(
            ErrorCode::method_not_allowed,
            std::string(method_name(request.method)) + " is not allowed here; use " + match.allow));
        response.headers.emplace_back("Allow", match.allow);
        return response;
      }
      case RouteMatch::Outcome::found:
        request.path_params = match.params;
        return match.route->handler(request);
    }
    throw std::logic_error("unknown route outcome");
  } catch (const Error& error) {
    return error_response(error);
  } catch (const std::exception& error) {
    spdlog::error("{} {}: unhandled {}", method_name(request.method), request.path, error.what());
    return error_response(Error(ErrorCode::internal, "internal error"));
  }
}

}  // namespace tb::http
