// What customers see of their tickets and what they may choose, as an administrator sets it
// at run time (GET/PUT /settings): whether the SLA due time and the assignee are shown to
// them, and which priorities they may give a new ticket. Pure rules and their stored form.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ticket.hpp"

namespace tb {

struct CustomerSettings {
  bool show_sla = false;       // sla_due_at and breached: an internal promise, off by default
  bool show_assignee = false;  // who works the ticket
  // What a customer may choose for a new ticket; never empty. Critical is for staff to set.
  std::vector<Priority> priorities{Priority::low, Priority::normal, Priority::high};

  bool operator==(const CustomerSettings&) const = default;
};

// The fields of a Ticket left out for one viewer.
struct TicketRedaction {
  bool hide_sla = false;
  bool hide_assignee = false;

  bool any() const { return hide_sla || hide_assignee; }
  bool operator==(const TicketRedaction&) const = default;
};

// A customer is whoever sees only the tickets they opened (neither tickets.view_all nor
// tickets.view_category): staff see every field, whatever the settings say.
bool is_customer_scope(const TicketScope& scope);

// What `scope`'s holder is not shown under `settings`: nothing for staff.
TicketRedaction redaction_for(const TicketScope& scope, const CustomerSettings& settings);

// Whether a customer may choose `priority` for a new ticket.
bool customer_may_choose(const CustomerSettings& settings, Priority priority);

// "low, normal, high": for error messages.
std::string describe_priorities(const std::vector<Priority>& priorities);

// The settings table's key and the stored text (a JSON object). Decoding takes what it
// understands and keeps the default for anything missing or malformed, so a value written by
// an older or newer binary never stops the server.
inline constexpr std::string_view kCustomerSettingsKey = "customer_visibility";
std::string encode_customer_settings(const CustomerSettings& settings);
CustomerSettings decode_customer_settings(std::string_view text);

}  // namespace tb
