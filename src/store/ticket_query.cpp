// TicketQuery helpers that every backend shares.
#include <string>

#include "store/store.hpp"

namespace tb::store {

std::int64_t sort_value(const Ticket& ticket, TicketSort sort) {
  switch (sort) {
    case TicketSort::created_at: return ticket.created_at.time_since_epoch().count();
    case TicketSort::priority: return static_cast<std::int64_t>(ticket.priority);
    case TicketSort::last_activity: return ticket.last_message_at.time_since_epoch().count();
    case TicketSort::sla_due:
      // Due while the first response is awaited on an unfinished ticket (sla_breach_time's
      // condition, whether or not the time has passed); the SQL has the same expression.
      if (ticket.sla_due_at && !ticket.first_response_at && !ticket.resolved_at &&
          !ticket.closed_at)
        return ticket.sla_due_at->time_since_epoch().count();
      return kNoSlaDue;
    case TicketSort::updated_at:
    case TicketSort::relevance: break;
  }
  return ticket.updated_at.time_since_epoch().count();
}

// A field added to TicketQuery or TicketScope changes these sizes: it must join the key.
static_assert(sizeof(TicketQuery) == 192 && sizeof(TicketScope) == 40,
              "a new query field must be part of cache_key()");

std::string cache_key(const TicketQuery& query) {
  std::string key;
  const auto add = [&key](std::int64_t value) {
    key += std::to_string(value);
    key += ',';
  };
  const auto add_optional = [&](const auto& value) {
    if (value) {
      add(static_cast<std::int64_t>(*value));
    } else {
      key += "-,";
    }
  };
  add(query.scope.view_all);
  if (!query.scope.view_all) {  // only then does the viewer matter
    add(query.scope.user_id);
    add(query.scope.view_category);
    for (const auto id : query.scope.category_ids) add(id);
    key += ';';
  }
  add(query.statuses.bits());
  add_optional(query.priority);
  add_optional(query.category_id);
  add_optional(query.assignee_id);
  add(query.unassigned);
  add_optional(query.creator_id);
  add(query.search_internal);
  add(query.search_people);
  add(static_cast<std::int64_t>(query.sort));
  if (query.after) {
    add(query.after->value);
    add(query.after->id);
    add(query.after->tier);
  } else {
    key += "-,";
  }
  add(query.limit);
  key += query.text;  // last, so whatever it holds cannot run into another field
  return key;
}

}  // namespace tb::store
