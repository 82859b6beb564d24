#include "api/ticket_routes.hpp"

#include <charconv>

#include "api/json.hpp"
#include "core/encoding.hpp"
#include "core/search.hpp"
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
  if (name == "last_activity") return store::TicketSort::last_activity;
  if (name == "sla_due") return store::TicketSort::sla_due;
  if (name == "relevance") return store::TicketSort::relevance;
  return std::nullopt;
}

// `status=open,in_progress,waiting`: any of these (one name alone as before).
store::StatusSet status_param(const Request& request) {
  store::StatusSet statuses;
  const auto text = request.query_param("status");
  if (!text) return statuses;
  std::string_view rest = *text;
  while (true) {
    const auto comma = rest.find(',');
    const auto name = rest.substr(0, comma);
    const auto status = parse_status(name);
    if (!status) invalid("unknown status " + std::string(name));
    statuses.add(*status);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return statuses;
}

// Ticket cursors carry the sort value and id of the last ticket, "value.id" (and its search
// tier first for relevance, "tier.value.id"): opaque to clients.
std::string ticket_cursor(const Ticket& ticket, store::TicketSort sort) {
  std::string position;
  if (sort == store::TicketSort::relevance) position = std::to_string(ticket.search_tier) + ".";
  position += std::to_string(store::sort_value(ticket, sort)) + "." + std::to_string(ticket.id);
  return base64url_encode(position);
}

std::optional<store::TicketPosition> ticket_position(const Request& request,
                                                     store::TicketSort sort) {
  const auto text = request.query_param("cursor");
  if (!text || text->empty()) return std::nullopt;
  const auto decoded = base64url_decode(*text);
  if (!decoded) invalid("malformed cursor");
  std::vector<std::int64_t> parts;
  std::string_view rest = *decoded;
  while (true) {
    const auto dot = rest.find('.');
    const auto part = rest.substr(0, dot);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size())
      invalid("malformed cursor");
    parts.push_back(value);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  const std::size_t expected = sort == store::TicketSort::relevance ? 3 : 2;
  if (parts.size() != expected) invalid("malformed cursor");
  store::TicketPosition position;
  position.id = parts.back();
  position.value = parts[parts.size() - 2];
  if (expected == 3) position.tier = parts.front();
  return position;
}

store::TicketQuery ticket_query(const Request& request, const Principal& caller) {
  store::TicketQuery query;
  query.statuses = status_param(request);
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
  // A search is ranked unless another order is asked for.
  const auto default_sort = parse_ticket_search(query.text, false).empty()
                                ? store::TicketSort::updated_at
                                : store::TicketSort::relevance;
  query.sort = enum_param(request, "sort", parse_sort).value_or(default_sort);
  query.after = ticket_position(request, query.sort);
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

// A rendered page of the list, the ids it shows, and until when the clock alone leaves it right.
CachedPage ticket_list_page(service::TicketService& tickets, const Principal& caller,
                            const store::TicketQuery& query, Timestamp now,
                            TicketRedaction hidden) {
  auto fetch = query;
  fetch.limit = query.limit + 1;
  auto found = tickets.list(caller, fetch);
  std::optional<std::string> next;
  if (static_cast<int>(found.size()) > query.limit) {
    found.resize(static_cast<std::size_t>(query.limit));
    next = ticket_cursor(found.back(), query.sort);
  }
  std::vector<std::int64_t> ids;
  ids.reserve(found.size());
  for (const auto& ticket : found) ids.push_back(ticket.id);
  return CachedPage{wire::ticket_page(found, now, next, hidden), std::move(ids),
                    first_breach(found, now)};
}

// The part of a page's cache key that says which fields it shows: a customer's page without
// the hidden fields is never served to staff, nor one rendered under settings since changed
// (a settings change is also a write, which empties the cache; the key alone keeps it right
// while the settings held in memory catch up with the store).
std::string_view shown_fields_key(TicketRedaction hidden) {
  if (hidden.hide_sla) return hidden.hide_assignee ? "-sla-assignee|" : "-sla|";
  return hidden.hide_assignee ? "-assignee|" : "all|";
}

// `unread_total=true`: the caller wants "unread_tickets" on a first page.
bool unread_total_wanted(const Request& request) {
  const auto text = request.query_param("unread_total");
  if (!text || *text == "false" || *text == "0") return false;
  if (*text == "true" || *text == "1") return true;
  invalid("unread_total must be true or false");
}

// `page` (a shared, kept answer) with what is the caller's own added at its end: "unread",
// their unread counts of its tickets ({"<id>": n}, only those above zero), and when asked for on a
// first page "unread_tickets", how many tickets of the whole list have unread messages for them.
std::string with_unread(std::string_view page, const std::vector<store::UnreadCount>& unread,
                        std::optional<std::int64_t> unread_tickets) {
  std::string body(page.substr(0, page.size() - 1));  // without the closing brace
  body.reserve(page.size() + 24 + unread.size() * 16);
  body += ",\"unread\":{";
  bool first = true;
  for (const auto& count : unread) {
    if (!first) body += ',';
    first = false;
    body += '"' + std::to_string(count.ticket_id) + "\":" + std::to_string(count.messages);
  }
  body += '}';
  if (unread_tickets) body += ",\"unread_tickets\":" + std::to_string(*unread_tickets);
  body += '}';
  return body;
}

}  // namespace

void add_ticket_routes(Endpoints& endpoints, service::TicketService& tickets, PageCache& pages) {
  endpoints.add_protected(
      Method::get, "/tickets", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const auto query =
            service::TicketService::visible_query(caller, ticket_query(request, caller));
        const auto hidden = tickets.redaction_for(caller);
        // The total is a scan of the whole filtered list, so it is counted only when asked for
        // (a queue's first page), never for every page or every API client.
        const bool with_total = !query.after && unread_total_wanted(request);
        const auto key = std::string(shown_fields_key(hidden)) + store::cache_key(query);
        // The caller's own answer: the page with their unread counts added, kept like it.
        const auto own_key =
            "viewer " + std::to_string(caller.id()) + (with_total ? " with total|" : "|") + key;
        const auto now = tickets.now();
        const auto writes = tickets.committed_writes();  // before the read, never after
        if (const auto own = pages.find(own_key, writes, now))
          return Response::json(200, own->body);
        // The page is the same for every viewer of the same scope and kept for them all.
        auto page = pages.find(key, writes, now);
        if (!page)
          page = pages.put(key, writes, ticket_list_page(tickets, caller, query, now, hidden));
        const auto unread = tickets.unread_counts(caller, page->ids);
        std::optional<std::int64_t> unread_tickets;
        if (with_total) unread_tickets = tickets.count_unread_tickets(query);
        const auto own =
            pages.put(own_key, writes,
                      CachedPage{with_unread(page->body, unread, unread_tickets), {}, page->until});
        return Response::json(200, own->body);
      },
      Credentials::header,
      [](const Request& request) {
        // A page is an index range; a full-text search, or the count of unread tickets in the
        // whole list, may scan far more.
        return request.query_param("q") || request.query_param("unread_total")
                   ? http::Execution::worker_pool
                   : http::Execution::quick_read;
      });
  endpoints.add_protected(Method::post, "/tickets/{id}/read", std::nullopt,
                          [&](Request& request, const Principal& caller) {
                            std::optional<std::int64_t> through;
                            if (!request.body.empty()) {
                              const auto body = read_object(request);
                              if (const auto id = nullable_id(body, "message_id")) through = *id;
                            }
                            tickets.mark_read(caller, path_id(request), through);
                            return Response::no_content();
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
                            return Response::json(submitted.created ? 201 : 200,
                                                  ticket_for(tickets, submitted.ticket, caller));
                          });
  endpoints.add_protected(
      Method::get, "/tickets/{id}", std::nullopt,
      [&](Request& request, const Principal& caller) {
        return Response::json(200,
                              ticket_for(tickets, tickets.get(caller, path_id(request)), caller));
      },
      Credentials::header, http::always(http::Execution::quick_read));
  endpoints.add_protected(
      Method::put, "/tickets/{id}", std::nullopt, [&](Request& request, const Principal& caller) {
        const auto update = ticket_update(read_object(request));
        return Response::json(
            200, ticket_for(tickets, tickets.update(caller, path_id(request), update), caller));
      });
  endpoints.add_protected(Method::del, "/tickets/{id}", Permission::tickets_delete,
                          [&](Request& request, const Principal& caller) {
                            tickets.remove(caller, path_id(request));
                            return Response::no_content();
                          });
  endpoints.add_protected(
      Method::get, "/tickets/{id}/messages", std::nullopt,
      [&](Request& request, const Principal& caller) {
        const auto id = path_id(request);
        const std::int64_t after_id = query_after_id(request);
        const int limit = page_limit(request);
        // A page of messages is the same for everyone who may see the ticket and reads the
        // same kind (with internal notes or without), so it is kept until the next write;
        // whether this caller may see the ticket is still asked every time.
        const auto key = "messages " + std::to_string(id) +
                         (caller.can(Permission::messages_internal) ? " with notes " : " ") +
                         std::to_string(after_id) + " " + std::to_string(limit);
        const auto writes = tickets.committed_writes();  // before the read, never after
        if (const auto kept = pages.find(key, writes, Timestamp{})) {
          tickets.get(caller, id);  // 404 for a ticket this caller may not see
          return Response::json(200, kept->body);
        }
        auto found = tickets.messages(caller, id, after_id, limit + 1);
        std::optional<std::string> next;
        if (static_cast<int>(found.size()) > limit) {
          found.resize(static_cast<std::size_t>(limit));
          next = encode_cursor(found.back().id);
        }
        const auto page =
            pages.put(key, writes, CachedPage{wire::message_page(found, next), {}, std::nullopt});
        return Response::json(200, page->body);
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
