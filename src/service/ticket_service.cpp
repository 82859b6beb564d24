#include "service/ticket_service.hpp"

#include <algorithm>

#include "service/validation.hpp"

namespace tb::service {
namespace {

[[noreturn]] void forbidden(const std::string& why) {
  throw Error(ErrorCode::forbidden, why);
}

bool is_staff(const User& user) {
  return role_level(user.role) >= role_level(Role::helper);
}

}  // namespace

TicketScope scope_of(const Principal& caller) {
  return TicketScope{.user_id = caller.id(),
                     .view_all = caller.can(Permission::tickets_view_all),
                     .view_category = caller.can(Permission::tickets_view_category),
                     .category_ids = caller.user->category_ids};
}

TicketService::TicketService(store::Store& store, AutoReplyService& auto_replies, Clock clock,
                             int messages_per_minute, const SettingsService* settings)
    : store_(store),
      auto_replies_(auto_replies),
      clock_(std::move(clock)),
      message_limiter_(messages_per_minute, std::chrono::minutes(1)),
      settings_(settings) {}

TicketRedaction TicketService::redaction_for(const Principal& caller) const {
  return settings_ ? settings_->redaction_for(caller)
                   : service::redaction_for(caller, CustomerSettings{});
}

// --- tickets

// A ticket is filed only under an active category, whose SLA, default priority and routing
// it takes (CategoryService manages categories; this only reads one).
Category TicketService::active_category(std::int64_t id) {
  const auto category = store_.find_category(id);
  if (!category || !category->active) invalid("no active category with id " + std::to_string(id));
  return *category;
}

Ticket TicketService::create(const Principal& caller, const TicketRequest& request) {
  return submit(caller, request).ticket;
}

SubmittedTicket TicketService::submit(const Principal& caller, const TicketRequest& request) {
  caller.require(Permission::tickets_create);
  if (request.client_id) {
    if (!is_valid_client_id(*request.client_id)) {
      invalid("client_id must be 1 to " + std::to_string(kMaxClientIdLength) +
              " characters among A-Z, a-z, 0-9, '_' and '-'");
    }
    if (auto original = store_.find_ticket_by_client_id(caller.id(), *request.client_id)) {
      return SubmittedTicket{std::move(*original), false};
    }
  }
  store::NewTicket ticket;
  ticket.client_id = request.client_id;
  ticket.subject = required_text(request.subject, kMaxSubjectLength, "subject");
  ticket.body = required_text(request.body, kMaxMessageLength, "body");
  if (request.priority) {
    if (settings_) {
      settings_->check_priority_choice(caller, *request.priority);
    } else {
      check_priority_choice(caller, CustomerSettings{}, *request.priority);
    }
  }
  std::optional<Category> category;
  if (request.category_id) category = active_category(*request.category_id);
  ticket.category_id = request.category_id;
  ticket.priority =
      request.priority.value_or(category ? category->default_priority : Priority::normal);
  ticket.creator_id = caller.id();
  ticket.source = request.source;
  ticket.now = clock_();
  ticket.sla_due_at =
      sla_due_at(ticket.now, category ? category->sla_minutes : std::nullopt, ticket.priority);
  ticket.route = category && category->routing == RoutingMode::least_loaded;
  std::optional<Ticket> made;
  try {
    made = store_.create_ticket(ticket, [](std::span<const RoutingCandidate> candidates) {
      return choose_assignee(candidates);
    });
  } catch (const store::UniqueViolation&) {
    // A send with the same key committed between our look-up and our insert.
    auto original = ticket.client_id
                        ? store_.find_ticket_by_client_id(caller.id(), *ticket.client_id)
                        : std::nullopt;
    if (original) return SubmittedTicket{std::move(*original), false};
    if (ticket.client_id) throw Error(ErrorCode::conflict, "client_id was already used");
    throw;
  }
  const Ticket created = std::move(*made);
  // Re-read only when an auto-reply changed the ticket (its message count, timestamps).
  return SubmittedTicket{auto_replies_.run(created, AutoReplyEvent::ticket_created,
                                           ticket.subject + "\n" + ticket.body),
                         true};
}

store::TicketQuery TicketService::visible_query(const Principal& caller, store::TicketQuery query) {
  query.scope = scope_of(caller);
  query.search_internal = caller.can(Permission::messages_internal);
  // Staff find a customer's tickets by name or @username; a customer sees only their own.
  query.search_people =
      caller.can(Permission::tickets_view_category) || caller.can(Permission::tickets_view_all);
  return query;
}

void TicketService::mark_read(const Principal& caller, std::int64_t id,
                              std::optional<std::int64_t> through_message_id) {
  visible_ticket(caller, id);
  store_.mark_read(caller.id(), id, through_message_id);
}

std::vector<store::UnreadCount> TicketService::unread_counts(
    const Principal& caller, std::span<const std::int64_t> ticket_ids) {
  return store_.unread_counts(caller.id(), ticket_ids, caller.can(Permission::messages_internal));
}

std::vector<Ticket> TicketService::list(const Principal& caller, store::TicketQuery query) {
  return store_.list_tickets(visible_query(caller, std::move(query)));
}

Ticket TicketService::visible_ticket(const Principal& caller, std::int64_t id) {
  auto ticket = store_.find_ticket(id);
  if (!ticket || !can_view(scope_of(caller), *ticket))
    throw Error(ErrorCode::not_found, "no such ticket");
  return *ticket;
}

Ticket TicketService::reload(std::int64_t id) {
  auto ticket = store_.find_ticket(id);
  if (!ticket) throw Error(ErrorCode::not_found, "no such ticket");
  return *ticket;
}

Ticket TicketService::get(const Principal& caller, std::int64_t id) {
  return visible_ticket(caller, id);
}

StatusAuthority TicketService::authority_over(const Principal& caller, const Ticket& ticket) {
  return status_authority(caller.can(Permission::tickets_update), ticket.creator.id == caller.id());
}

std::vector<TicketStatus> TicketService::allowed_statuses(const Principal& caller,
                                                          const Ticket& ticket) {
  return allowed_status_changes(ticket.status, authority_over(caller, ticket));
}

void TicketService::check_status_change(const Principal& caller, const Ticket& ticket,
                                        TicketStatus to) {
  const auto authority = authority_over(caller, ticket);
  if (authority == StatusAuthority::none) forbidden("you may not change this ticket's status");
  if (authority == StatusAuthority::creator && to != TicketStatus::closed &&
      !is_reopen(ticket.status, to)) {
    forbidden("you may only close or reopen your own ticket");
  }
  if (!is_allowed_transition(ticket.status, to)) {
    const auto allowed = describe_transitions(ticket.status);
    throw Error(ErrorCode::conflict, "a " + std::string(status_name(ticket.status)) +
                                         " ticket can move to " +
                                         (allowed.empty() ? "nothing" : allowed) + ", not " +
                                         std::string(status_name(to)));
  }
}

void TicketService::apply_assignee(const Principal& caller, const Ticket& ticket,
                                   std::optional<std::int64_t> assignee,
                                   store::TicketChanges& changes) {
  const bool assigned_to_caller = ticket.assignee && ticket.assignee->id == caller.id();
  if (!assignee) {
    if (!caller.can(Permission::tickets_assign) && !assigned_to_caller) {
      forbidden("only moderators may unassign others");
    }
  } else if (*assignee == caller.id() && !caller.can(Permission::tickets_assign)) {
    caller.require(Permission::tickets_take);
    if (ticket.assignee && !assigned_to_caller)
      throw Error(ErrorCode::conflict, "the ticket is taken already");
    changes.only_if_unassigned = !assigned_to_caller;
  } else {
    caller.require(Permission::tickets_assign);
    const auto target = store_.find_user(*assignee);
    if (!target || !is_staff(*target)) invalid("assignee_id must name a staff member");
  }
  changes.assignee_id = assignee;
}

Ticket TicketService::update(const Principal& caller, std::int64_t id, const TicketUpdate& update) {
  const Ticket ticket = visible_ticket(caller, id);
  const bool is_creator = ticket.creator.id == caller.id();
  store::TicketChanges changes;
  changes.now = clock_();
  changes.actor_id = caller.id();
  if (update.subject) {
    if (!is_creator && !caller.can(Permission::tickets_update))
      forbidden("you may not change the subject");
    changes.subject = required_text(*update.subject, kMaxSubjectLength, "subject");
  }
  if (update.priority) {
    caller.require(Permission::tickets_update);
    changes.priority = update.priority;
  }
  if (update.category_id) {
    caller.require(Permission::tickets_update);
    if (*update.category_id) active_category(**update.category_id);
    changes.category_id = update.category_id;
  }
  if (update.assignee_id) apply_assignee(caller, ticket, *update.assignee_id, changes);
  if (update.status && *update.status != ticket.status) {
    check_status_change(caller, ticket, *update.status);
    changes.status = update.status;
  }
  if (!store_.update_ticket(id, changes)) {
    throw Error(ErrorCode::conflict, "the ticket was taken by someone else first");
  }
  return reload(id);
}

void TicketService::remove(const Principal& caller, std::int64_t id) {
  caller.require(Permission::tickets_delete);
  const Ticket ticket = visible_ticket(caller, id);
  store_.delete_ticket(ticket.id, clock_());
}

Ticket TicketService::rate(const Principal& caller, std::int64_t id, const Rating& rating) {
  const Ticket ticket = visible_ticket(caller, id);
  if (ticket.creator.id != caller.id()) forbidden("only the ticket's creator rates it");
  if (rating.score < kMinScore || rating.score > kMaxScore) {
    invalid("score must be from " + std::to_string(kMinScore) + " to " + std::to_string(kMaxScore));
  }
  if (ticket.status != TicketStatus::resolved && ticket.status != TicketStatus::closed) {
    throw Error(ErrorCode::conflict, "only a resolved ticket can be rated");
  }
  Rating cleaned{rating.score, std::nullopt};
  if (rating.comment) cleaned.comment = clean_text(*rating.comment, kMaxMessageLength);
  if (!store_.rate_ticket(id, cleaned, clock_()))
    throw Error(ErrorCode::conflict, "the ticket is rated already");
  return reload(id);
}

int TicketService::close_resolved(std::chrono::seconds after) {
  const auto now = clock_();
  return static_cast<int>(store_.close_resolved_before(now - after, now).size());
}

std::vector<Event> TicketService::ticket_events(const Principal& caller, std::int64_t ticket_id,
                                                std::int64_t after, std::int64_t up_to) {
  visible_ticket(caller, ticket_id);
  constexpr int kPage = 500;
  std::vector<Event> found;
  while (after < up_to) {
    auto page = store_.read_events(after, kPage);
    if (page.empty()) break;
    after = page.back().position;
    for (auto& event : page) {
      if (event.position > up_to) return found;
      if (is_ticket_event(event.kind) && event.ticket.id == ticket_id)
        found.push_back(std::move(event));
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  return found;
}

// --- messages

std::vector<Message> TicketService::messages(const Principal& caller, std::int64_t ticket_id,
                                             std::int64_t after_id, int limit) {
  const Ticket ticket = visible_ticket(caller, ticket_id);
  return store_.list_messages(ticket.id, after_id, limit,
                              caller.can(Permission::messages_internal));
}

PostedMessage TicketService::post_message(const Principal& caller, std::int64_t ticket_id,
                                          const MessageRequest& request) {
  const Ticket ticket = visible_ticket(caller, ticket_id);
  if (request.internal) caller.require(Permission::messages_internal);
  store::NewMessage message;
  message.ticket_id = ticket.id;
  message.author_id = caller.id();
  message.body = required_text(request.body, kMaxMessageLength, "body");
  if (request.client_id) {
    if (!is_valid_client_id(*request.client_id)) {
      invalid("client_id must be 1 to " + std::to_string(kMaxClientIdLength) +
              " characters among A-Z, a-z, 0-9, '_' and '-'");
    }
    // A resend: answered before the rate limit, since it costs nothing.
    if (auto original =
            store_.find_message_by_client_id(ticket.id, caller.id(), *request.client_id)) {
      return PostedMessage{std::move(*original), false};
    }
    message.client_id = request.client_id;
  }
  const std::string limiter_key = "user:" + std::to_string(caller.id());
  if (const auto wait = message_limiter_.acquire(limiter_key)) {
    throw Error(ErrorCode::rate_limited, "too many messages; slow down").with_retry_after(*wait);
  }
  message.internal = request.internal;
  message.source = request.source;
  message.now = clock_();
  const bool by_creator = ticket.creator.id == caller.id();
  message.counts_as_first_response = !request.internal && !by_creator && is_staff(*caller.user);
  if (by_creator && ticket.status == TicketStatus::waiting)
    message.move_to = TicketStatus::in_progress;
  std::optional<Message> posted;
  try {
    posted = store_.add_message(message);
  } catch (const store::UniqueViolation&) {
    // A send with the same key committed between our look-up and our insert: the store
    // refused ours and changed nothing, so the answer is theirs.
    auto original = message.client_id ? store_.find_message_by_client_id(ticket.id, caller.id(),
                                                                         *message.client_id)
                                      : std::nullopt;
    if (!original) throw;
    message_limiter_.release(limiter_key);
    return PostedMessage{std::move(*original), false};
  }
  if (by_creator && !request.internal)
    auto_replies_.run(reload(ticket.id), AutoReplyEvent::message, message.body);
  return PostedMessage{std::move(*posted), true};
}

}  // namespace tb::service
