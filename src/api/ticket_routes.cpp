#include "api/ticket_routes.hpp"

#include <charconv>

#include "api/json.hpp"
#include "core/encoding.hpp"
#include "wire/json_writer.hpp"

namespace tb::api {
namespace {

using http::Method;
using http::Request;
using http::Response;
using service::Principal;

[[noreturn]] void invalid(const std::string& why) {
  throw Error(ErrorCode::invalid_request, why);
}

template <class Enum>
std::optional<Enum> enum_param(const Request& request, std::string_view name,
                               std::optional<Enum> (*parse)(std::string_view)) {
  const auto text = request.query_param(name);
  if (!text) return std::nullopt;
  const auto parsed = parse(*text);
  if (!parsed) invalid("unknown " + std::string(name) + " " + *text);
  return parsed;
}

std::optional<store::TicketSort> parse_sort(std::string_view name) {
  if (name == "updated_at") return store::TicketSort::updated_at;
  if (name == "created_at") return store::TicketSort::created_at;
  if (name == "priority") return store::TicketSort::priority;
  return std::nullopt;
}

// Ticket cursors carry the sort value and id of the last ticket: "value.id", opaque.
std::string ticket_cursor(const Ticket& ticket, store::TicketSort sort) {
  return base64url_encode(std::to_string(store::sort_value(ticket, sort)) + "." +
                          std::to_string(ticket.id));
}

std::optional<store::TicketPosition> ticket_position(const Request& request) {
  const auto text = request.query_param("cursor");
  if (!text || text->empty()) return std::nullopt;
  const auto decoded = base64url_decode(*text);
  store::TicketPosition position;
  const auto dot = decoded ? decoded->find('.') : std::string::npos;
  if (dot == std::string::npos) invalid("malformed cursor");
  const auto parse = [&](std::string_view part, std::int64_t& out) {
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), out);
    if (part.empty() || error != std::errc() || end != part.data() + part.size())
      invalid("malformed cursor");
  };
  parse(std::string_view(*decoded).substr(0, dot), position.value);
  parse(std::string_view(*decoded).substr(dot + 1), position.id);
  return position;
}

store::TicketQuery ticket_query(const Request& request, const Principal& caller) {
  store::TicketQuery query;
  query.status = enum_param(request, "status", parse_status);
  query.priority = enum_param(request, "priority", parse_priority);
  query.category_id = query_id(request, "category_id");
  query.creator_id = query_id(request, "creator_id");
  if (const auto assignee = request.query_param("assignee_id")) {
    if (*assignee == "me") {
      query.assignee_id = caller.id();
    } else if (*assignee == "none") {
      query.unassigned = true;
    } else {
      query.assignee_id = query_id(request, "assignee_id");
    }
  }
  query.text = request.query_param("q").value_or("");
  query.sort = enum_param(request, "sort", parse_sort).value_or(store::TicketSort::updated_at);
  query.after = ticket_position(request);
  query.limit = page_limit(request);
  return query;
}

service::TicketUpdate ticket_update(const boost::json::object& body) {
  service::TicketUpdate update;
  update.subject = optional_string(body, "subject");
  update.status = optional_enum(body, "status", parse_status);
  update.priority = optional_enum(body, "priority", parse_priority);
  update.category_id = nullable_id(body, "category_id");
  update.assignee_id = nullable_id(body, "assignee_id");
  return update;
}

// One ticket for its caller alone, with the status moves they may make (allowed_statuses).
std::string ticket_for(const service::TicketService& tickets, const Ticket& ticket,
                       const Principal& caller) {
  return wire::ticket_document(ticket, tickets.now(),
                               service::TicketService::allowed_statuses(caller, ticket),
                               tickets.redaction_for(caller));
}

// The earliest moment the clock alone changes what `tickets` render as (an SLA falls due).
std::optional<Timestamp> first_breach(const std::vector<Ticket>& tickets, Timestamp now) {
  std::optional<Timestamp> first;
  for (const auto& ticket : tickets) {
    const auto breach = sla_breach_time(ticket, now);
    if (breach && (!first || *breach < *first)) first = breach;
  }
  return first;
}

// A rendered page of the list, and until when the clock alone leaves it right.
struct ListPage {
  std::string body;
  std::optional<Timestamp> until;
};

ListPage ticket_list_page(service::TicketService& tickets, const Principal& caller,
                          const store::TicketQuery& query, Timestamp now, TicketRedaction hidden) {
  auto fetch = query;
  fetch.limit = query.limit + 1;
  auto found = tickets.list(caller, fetch);
  std::optional<std::string> next;
  if (static_cast<int>(found.size()) > query.limit) {
    found.resize(static_cast<std::size_t>(query.limit));
    next = ticket_cursor(found.back(), query.sort);
  }
  return ListPage{wire::ticket_page(found, now, next, hidden), first_breach(found, now)};
}

// The part of a page's cache key that says which fields it shows: a customer's page without
// the hidden fields is never served to staff, nor one rendered under settings since changed
// (a settings change is also a write, which empties the cache; the key alone keeps it right
// while the settings held in memory catch up with the store).
std::string_view shown_fields_key(TicketRedaction hidden) {
  if (hidden.hide_sla) return hidden.hide_assignee ? "-sla-assignee|" : "-sla|";
  return hidden.hide_assignee ? "-assignee|" : "all|";
}

}  // namespace

void add_ticket_routes(Endpoints& endpoints, service::TicketService& tickets, PageCache& pages) {
  endpoints.add_protected(
      Method::get, "/tickets", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const auto query =
            service::TicketService::visible_query(caller, ticket_query(request, caller));
        const auto hidden = tickets.redaction_for(caller);
        const auto key = std::string(shown_fields_key(hidden)) + store::cache_key(query);
        const auto now = tickets.now();
        const auto writes = tickets.committed_writes();  // before the read, never after
        if (const auto kept = pages.find(key, writes, now)) return Response::json(200, *kept);
        auto page = ticket_list_page(tickets, caller, query, now, hidden);
        pages.put(key, writes, page.until, page.body);
        return Response::json(200, std::move(page.body));
      },
      Credentials::header,
      [](const Request& request) {
        // A page is an index range; a full-text search may scan far more.
        return request.query_param("q") ? http::Execution::worker_pool
                                        : http::Execution::quick_read;
      });
  endpoints.add_protected(Method::post, "/tickets", Permission::tickets_create,
                          [&](Request& request, const Principal& caller) {
                            const auto body = read_object(request);
                            service::TicketRequest ticket;
                            ticket.subject = std::string(required_string(body, "subject"));
                            ticket.body = std::string(required_string(body, "body"));
                            if (auto category = nullable_id(body, "category_id"))
                              ticket.category_id = *category;
                            ticket.priority = optional_enum(body, "priority", parse_priority);
                            if (const auto source = optional_enum(body, "source", parse_source);
                                source && *source != MessageSource::system) {
                              ticket.source = *source;
                            }
                            ticket.client_id = optional_string(body, "client_id");
                            // 200, not 201, for a resend: an earlier request created it.
                            const auto submitted = tickets.submit(caller, ticket);
                            return Response::json(
                                submitted.created ? 201 : 200,
                                ticket_for(tickets, submitted.ticket, caller));
                          });
  endpoints.add_protected(
      Method::get, "/tickets/{id}", std::nullopt,
      [&](Request& request, const Principal& caller) {
        return Response::json(
            200, ticket_for(tickets, tickets.get(caller, path_id(request)), caller));
      },
      Credentials::header, http::always(http::Execution::quick_read));
  endpoints.add_protected(
      Method::put, "/tickets/{id}", std::nullopt, [&](Request& request, const Principal& caller) {
        const auto update = ticket_update(read_object(request));
        return Response::json(200, ticket_for(tickets, tickets.update(caller, path_id(request), update), caller));
      });
  endpoints.add_protected(Method::del, "/tickets/{id}", Permission::tickets_delete,
                          [&](Request& request, const Principal& caller) {
                            tickets.remove(caller, path_id(request));
                            return Response::no_content();
                          });
  endpoints.add_protected(
      Method::get, "/tickets/{id}/messages", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const std::int64_t after_id = query_after_id(request);
        const int limit = page_limit(request);
        auto found = tickets.messages(caller, path_id(request), after_id, limit + 1);
        std::optional<std::string> next;
        if (static_cast<int>(found.size()) > limit) {
          found.resize(static_cast<std::size_t>(limit));
          next = encode_cursor(found.back().id);
        }
        return Response::json(200, wire::message_page(found, next));
      },
      Credentials::header, http::always(http::Execution::quick_read));
  endpoints.add_protected(
      Method::post, "/tickets/{id}/messages", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const auto body = read_object(request);
        service::MessageRequest message;
        message.body = std::string(required_string(body, "body"));
        message.internal = optional_bool(body, "internal").value_or(false);
        message.source = optional_enum(body, "source", parse_source).value_or(MessageSource::api);
        if (message.source == MessageSource::system) message.source = MessageSource::api;
        message.client_id = optional_string(body, "client_id");
        const auto posted = tickets.post_message(caller, path_id(request), message);
        // 200, not 201, for a resend: the message was created by an earlier request.
        return Response::json(posted.created ? 201 : 200, wire::message_document(posted.message));
      });
  endpoints.add_protected(
      Method::post, "/tickets/{id}/rating", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const auto body = read_object(request);
        const auto score = optional_int_in(body, "score", kMinScore, kMaxScore);
        if (!score) invalid("score is required");
        const Rating rating{*score, optional_string(body, "comment")};
        return Response::json(
            201, ticket_for(tickets, tickets.rate(caller, path_id(request), rating), caller));
      });
}

}  // namespace tb::api
