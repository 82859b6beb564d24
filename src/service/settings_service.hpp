#pragma once

#include <optional>
#include <shared_mutex>
#include <vector>

#include "core/clock.hpp"
#include "core/customer_view.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// A change to the customer settings: only the fields present are set.
struct CustomerSettingsChange {
  std::optional<bool> show_sla{};
  std::optional<bool> show_assignee{};
  std::optional<std::vector<Priority>> priorities{};
};

// The settings an administrator changes at run time (GET/PUT /settings): what customers see
// of their tickets and which priorities they may choose. Kept in the store's settings table
// (one JSON value) and in memory, since every ticket list and every WebSocket frame to a
// customer asks; a change is written and audited in one transaction, then takes effect at
// once for every request and connection of this instance.
class SettingsService {
 public:
  explicit SettingsService(store::Store& store, Clock clock = system_now);

  CustomerSettings customer() const;
  // Needs settings.manage; an empty priority list is 400. Audited as settings.changed.
  CustomerSettings update(const Principal& caller, const CustomerSettingsChange& change);

  // What `caller` is not shown of a ticket (nothing for staff).
  TicketRedaction redaction_for(const Principal& caller) const;
  // For a new ticket: a customer's explicit choice of a priority the settings do not offer
  // is 403 forbidden, naming the allowed ones. Staff choose any.
  void check_priority_choice(const Principal& caller, Priority priority) const;

 private:
  store::Store& store_;
  Clock clock_;
  mutable std::shared_mutex mutex_;
  CustomerSettings customer_;
};

// The rules of SettingsService with the settings given, for callers that have none to ask
// (tests that build a TicketService alone): the defaults then apply.
TicketRedaction redaction_for(const Principal& caller, const CustomerSettings& settings);
void check_priority_choice(const Principal& caller, const CustomerSettings& settings,
                           Priority priority);

}  // namespace tb::service
