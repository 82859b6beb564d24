// Tickets and their rules: statuses and the transition table, priorities, categories,
// messages, who may see a ticket, the routing policy, auto-reply matching and SLA. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/user.hpp"

namespace tb {

enum class TicketStatus { open, in_progress, waiting, resolved, closed };
enum class Priority { low, normal, high, critical };
enum class RoutingMode { least_loaded, manual };
enum class MessageSource { miniapp, bot, api, system };
enum class AutoReplyEvent { ticket_created, message };

std::string_view status_name(TicketStatus status);
std::optional<TicketStatus> parse_status(std::string_view name);
std::string_view priority_name(Priority priority);
std::optional<Priority> parse_priority(std::string_view name);
std::string_view routing_name(RoutingMode routing);
std::optional<RoutingMode> parse_routing(std::string_view name);
std::string_view source_name(MessageSource source);
std::optional<MessageSource> parse_source(std::string_view name);
std::string_view auto_reply_event_name(AutoReplyEvent event);
std::optional<AutoReplyEvent> parse_auto_reply_event(std::string_view name);

// --- the status machine

// The statuses that may follow `from` (open → in_progress → waiting → resolved → closed,
// and reopening a resolved or closed ticket puts it back to open).
std::span<const TicketStatus> allowed_transitions(TicketStatus from);
bool is_allowed_transition(TicketStatus from, TicketStatus to);
bool is_reopen(TicketStatus from, TicketStatus to);
// "open, closed" — for the 409 message.
std::string describe_transitions(TicketStatus from);

// What a caller may do to a ticket's status: staff with tickets.update follow the whole
// table; the ticket's creator without it may only close it or reopen it; anyone else nothing.
enum class StatusAuthority { none, creator, staff };
StatusAuthority status_authority(bool may_update_tickets, bool is_creator);
// The statuses a caller with `authority` may move a `from` ticket to, in table order: the
// choices a status control offers (TicketService refuses every other move).
std::vector<TicketStatus> allowed_status_changes(TicketStatus from, StatusAuthority authority);

// --- objects

struct Category {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> description;
  Priority default_priority = Priority::normal;
  std::optional<int> sla_minutes;
  RoutingMode routing = RoutingMode::least_loaded;
  bool active = true;
  int position = 0;
};

// A customer's satisfaction score, kMinScore to kMaxScore.
inline constexpr int kMinScore = 1;
inline constexpr int kMaxScore = 5;

struct Rating {
  int score = 0;
  std::optional<std::string> comment;
};

struct Ticket {
  std::int64_t id = 0;
  std::string subject;
  TicketStatus status = TicketStatus::open;
  Priority priority = Priority::normal;
  std::optional<std::int64_t> category_id;
  UserRef creator;
  std::optional<UserRef> assignee;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> first_response_at;
  std::optional<Timestamp> resolved_at;
  std::optional<Timestamp> closed_at;
  Timestamp last_message_at{};
  // The start of the latest public message (never an internal note), for lists.
  std::optional<std::string> last_message_preview;
  int messages_count = 0;
  std::optional<Timestamp> sla_due_at;
  std::optional<Rating> rating;
  // Where a search list sorted by relevance ranked it (store::SearchTier), for its cursor;
  // 0 in every other read. Not part of the API's object.
  std::int64_t search_tier = 0;
};

struct Message {
  std::int64_t id = 0;
  std::int64_t ticket_id = 0;
  UserRef author;
  std::string body;
  bool internal = false;
  MessageSource source = MessageSource::api;
  Timestamp created_at{};
};

struct AutoReply {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> keywords;
  std::optional<std::int64_t> category_id;
  AutoReplyEvent event = AutoReplyEvent::ticket_created;
  std::string body;
  bool active = true;
};

// --- who sees what

// What a caller may see of tickets, from their permissions (API.md): their own; with
// tickets.view_category also those assigned to them and unassigned ones in their
// categories; with tickets.view_all everything.
struct TicketScope {
  std::int64_t user_id = 0;
  bool view_all = false;
  bool view_category = false;
  std::vector<std::int64_t> category_ids;
};

bool can_view(const TicketScope& scope, const Ticket& ticket);

// --- routing

struct RoutingCandidate {
  std::int64_t user_id = 0;
  int open_tickets = 0;          // tickets assigned and not resolved/closed
  Timestamp last_assigned_at{};  // idle since; the epoch for never
};

// The candidate with the fewest open tickets; ties go to the one idle longest, then the
// lowest id (so the choice is deterministic). Nothing when there are no candidates.
std::optional<std::int64_t> choose_assignee(std::span<const RoutingCandidate> candidates);

// --- auto-replies

// Whether `reply` fires for `event` on a ticket in `category_id` whose new text is `text`:
// active, same event, same category when it names one, and one of its keywords in the
// text (case-insensitive) when it has any.
bool auto_reply_matches(const AutoReply& reply, AutoReplyEvent event,
                        std::optional<std::int64_t> category_id, std::string_view text);

// --- SLA

// When the first response is due: the category's SLA scaled by priority (critical ×¼,
// high ×½, normal ×1, low ×2), or a default by priority when the category sets none.
Timestamp sla_due_at(Timestamp created_at, std::optional<int> category_sla_minutes,
                     Priority priority);

// A category's SLA is at least a minute and at most a year.
inline constexpr int kMaxSlaMinutes = 525600;

// Whether the first response came (or, without one, `now` is) after the due time.
bool sla_breached(const Ticket& ticket, Timestamp now);

// When sla_breached(ticket, ·) will turn true although nothing about the ticket changes:
// its due time while it waits, unanswered and open, for the clock to pass it; nothing when
// only a change to the ticket can change the answer.
std::optional<Timestamp> sla_breach_time(const Ticket& ticket, Timestamp now);

// --- text

// Message bodies and subjects: trimmed; nothing when empty or longer than `max_length`
// characters (UTF-8 code points).
std::optional<std::string> clean_text(std::string_view text, std::size_t max_length);

inline constexpr std::size_t kMaxMessageLength = 4096;
inline constexpr std::size_t kMaxSubjectLength = 200;

// --- idempotent posting

// A client-generated key that makes a message post safe to resend: 1 to 64 ASCII letters,
// digits, '_' or '-' (a UUID fits, and so does anything a client would log or put in a URL).
inline constexpr std::size_t kMaxClientIdLength = 64;
bool is_valid_client_id(std::string_view client_id);

}  // namespace tb
