#include "core/event.hpp"

#include <array>
#include <utility>

namespace tb {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, 7> kNames = {{
    {EventKind::ticket_created, "ticket.created"},
    {EventKind::ticket_updated, "ticket.updated"},
    {EventKind::ticket_deleted, "ticket.deleted"},
    {EventKind::message_created, "message.created"},
    {EventKind::identity_changed, "identity.changed"},
    {EventKind::session_ended, "session.ended"},
    {EventKind::permissions_changed, "permissions.changed"},
}};

}  // namespace

std::string_view event_kind_name(EventKind kind) {
  for (const auto& [each, name] : kNames) {
    if (each == kind) return name;
  }
  return "ticket.updated";
}

std::optional<EventKind> parse_event_kind(std::string_view name) {
  for (const auto& [kind, each] : kNames) {
    if (each == name) return kind;
  }
  return std::nullopt;
}

bool is_ticket_event(EventKind kind) {
  switch (kind) {
    case EventKind::ticket_created:
    case EventKind::ticket_updated:
    case EventKind::ticket_deleted:
    case EventKind::message_created: return true;
    case EventKind::identity_changed:
    case EventKind::session_ended:
    case EventKind::permissions_changed: return false;
  }
  return false;
}

bool raises_critical_alert(const Event& event) {
  return event.kind == EventKind::ticket_created && event.ticket.priority == Priority::critical;
}

}  // namespace tb
