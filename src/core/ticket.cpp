#include "core/ticket.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include "core/text.hpp"

namespace tb {
namespace {

template <class Enum, std::size_t N>
std::optional<Enum> parse_by_name(std::string_view name, const std::array<Enum, N>& values,
                                  std::string_view (*name_of)(Enum)) {
  for (auto value : values) {
    if (name_of(value) == name) return value;
  }
  return std::nullopt;
}

constexpr std::array kStatuses = {TicketStatus::open, TicketStatus::in_progress,
                                  TicketStatus::waiting, TicketStatus::resolved,
                                  TicketStatus::closed};
constexpr std::array kPriorities = {Priority::low, Priority::normal, Priority::high,
                                    Priority::critical};

// The transition table, one row per status.
constexpr std::array kFromOpen = {TicketStatus::in_progress, TicketStatus::waiting,
                                  TicketStatus::resolved, TicketStatus::closed};
constexpr std::array kFromInProgress = {TicketStatus::waiting, TicketStatus::resolved,
                                        TicketStatus::closed};
constexpr std::array kFromWaiting = {TicketStatus::in_progress, TicketStatus::resolved,
                                     TicketStatus::closed};
constexpr std::array kFromResolved = {TicketStatus::closed, TicketStatus::open};
constexpr std::array kFromClosed = {TicketStatus::open};

}  // namespace

std::string_view status_name(TicketStatus status) {
  switch (status) {
    case TicketStatus::open: return "open";
    case TicketStatus::in_progress: return "in_progress";
    case TicketStatus::waiting: return "waiting";
    case TicketStatus::resolved: return "resolved";
    case TicketStatus::closed: return "closed";
  }
  return "open";
}

std::optional<TicketStatus> parse_status(std::string_view name) {
  return parse_by_name(name, kStatuses, status_name);
}

std::string_view priority_name(Priority priority) {
  switch (priority) {
    case Priority::low: return "low";
    case Priority::normal: return "normal";
    case Priority::high: return "high";
    case Priority::critical: return "critical";
  }
  return "normal";
}

std::optional<Priority> parse_priority(std::string_view name) {
  return parse_by_name(name, kPriorities, priority_name);
}

std::string_view routing_name(RoutingMode routing) {
  return routing == RoutingMode::manual ? "manual" : "least_loaded";
}

std::optional<RoutingMode> parse_routing(std::string_view name) {
  return parse_by_name(name, std::array{RoutingMode::least_loaded, RoutingMode::manual},
                       routing_name);
}

std::string_view source_name(MessageSource source) {
  switch (source) {
    case MessageSource::miniapp: return "miniapp";
    case MessageSource::bot: return "bot";
    case MessageSource::api: return "api";
    case MessageSource::system: return "system";
  }
  return "api";
}

std::optional<MessageSource> parse_source(std::string_view name) {
  return parse_by_name(name,
                       std::array{MessageSource::miniapp, MessageSource::bot, MessageSource::api,
                                  MessageSource::system},
                       source_name);
}

std::string_view auto_reply_event_name(AutoReplyEvent event) {
  return event == AutoReplyEvent::message ? "message" : "ticket_created";
}

std::optional<AutoReplyEvent> parse_auto_reply_event(std::string_view name) {
  return parse_by_name(name, std::array{AutoReplyEvent::ticket_created, AutoReplyEvent::message},
                       auto_reply_event_name);
}

std::span<const TicketStatus> allowed_transitions(TicketStatus from) {
  switch (from) {
    case TicketStatus::open: return kFromOpen;
    case TicketStatus::in_progress: return kFromInProgress;
    case TicketStatus::waiting: return kFromWaiting;
    case TicketStatus::resolved: return kFromResolved;
    case TicketStatus::closed: return kFromClosed;
  }
  return {};
}

bool is_allowed_transition(TicketStatus from, TicketStatus to) {
  const auto next = allowed_transitions(from);
  return std::find(next.begin(), next.end(), to) != next.end();
}

bool is_reopen(TicketStatus from, TicketStatus to) {
  return to == TicketStatus::open &&
         (from == TicketStatus::resolved || from == TicketStatus::closed);
}

std::string describe_transitions(TicketStatus from) {
  std::string text;
  for (auto status : allowed_transitions(from)) {
    if (!text.empty()) text += ", ";
    text += status_name(status);
  }
  return text;
}

StatusAuthority status_authority(bool may_update_tickets, bool is_creator) {
  if (may_update_tickets) return StatusAuthority::staff;
  return is_creator ? StatusAuthority::creator : StatusAuthority::none;
}

std::vector<TicketStatus> allowed_status_changes(TicketStatus from, StatusAuthority authority) {
  std::vector<TicketStatus> allowed;
  for (const auto to : allowed_transitions(from)) {
    if (authority == StatusAuthority::staff ||
        (authority == StatusAuthority::creator &&
         (to == TicketStatus::closed || is_reopen(from, to)))) {
      allowed.push_back(to);
    }
  }
  return allowed;
}

bool can_view(const TicketScope& scope, const Ticket& ticket) {
  if (scope.view_all || ticket.creator.id == scope.user_id) return true;
  if (!scope.view_category) return false;
  if (ticket.assignee) return ticket.assignee->id == scope.user_id;
  return ticket.category_id && std::find(scope.category_ids.begin(), scope.category_ids.end(),
                                         *ticket.category_id) != scope.category_ids.end();
}

std::optional<std::int64_t> choose_assignee(std::span<const RoutingCandidate> candidates) {
  const auto best =
      std::min_element(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return std::tie(a.open_tickets, a.last_assigned_at, a.user_id) <
               std::tie(b.open_tickets, b.last_assigned_at, b.user_id);
      });
  if (best == candidates.end()) return std::nullopt;
  return best->user_id;
}

bool auto_reply_matches(const AutoReply& reply, AutoReplyEvent event,
                        std::optional<std::int64_t> category_id, std::string_view text) {
  if (!reply.active || reply.event != event) return false;
  if (reply.category_id && reply.category_id != category_id) return false;
  if (reply.keywords.empty()) return true;
  const std::string haystack = fold_case(text);
  return std::any_of(reply.keywords.begin(), reply.keywords.end(), [&](const std::string& keyword) {
    // A keyword that folds to nothing (empty, or bytes that are not UTF-8) would match any text.
    const std::string needle = fold_case(keyword);
    return !needle.empty() && haystack.find(needle) != std::string::npos;
  });
}

Timestamp sla_due_at(Timestamp created_at, std::optional<int> category_sla_minutes,
                     Priority priority) {
  using std::chrono::minutes;
  if (!category_sla_minutes) {
    static constexpr int kDefaultMinutes[] = {24 * 60, 8 * 60, 4 * 60, 60};  // low … critical
    return created_at + minutes(kDefaultMinutes[static_cast<int>(priority)]);
  }
  static constexpr int kPercent[] = {200, 100, 50, 25};  // low … critical
  const auto scaled = *category_sla_minutes * kPercent[static_cast<int>(priority)] / 100;
  return created_at + minutes(std::max(1, scaled));
}

bool sla_breached(const Ticket& ticket, Timestamp now) {
  if (!ticket.sla_due_at) return false;
  if (ticket.first_response_at) return *ticket.first_response_at > *ticket.sla_due_at;
  const Timestamp ended = ticket.resolved_at.value_or(ticket.closed_at.value_or(now));
  return ended > *ticket.sla_due_at;
}

std::optional<Timestamp> sla_breach_time(const Ticket& ticket, Timestamp now) {
  if (!ticket.sla_due_at || ticket.first_response_at || ticket.resolved_at || ticket.closed_at)
    return std::nullopt;
  if (now > *ticket.sla_due_at) return std::nullopt;  // breached already, and stays so
  return ticket.sla_due_at;
}

std::optional<std::string> clean_text(std::string_view text, std::size_t max_length) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  const auto last = text.find_last_not_of(" \t\r\n");
  const std::string_view trimmed = text.substr(first, last - first + 1);
  // Count code points: every byte that is not a UTF-8 continuation byte starts one.
  const auto code_points = std::count_if(trimmed.begin(), trimmed.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (static_cast<std::size_t>(code_points) > max_length) return std::nullopt;
  return std::string(trimmed);
}

bool is_valid_client_id(std::string_view client_id) {
  if (client_id.empty() || client_id.size() > kMaxClientIdLength) return false;
  return std::all_of(client_id.begin(), client_id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace tb
