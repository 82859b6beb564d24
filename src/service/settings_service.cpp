#include "service/settings_service.hpp"

#include <algorithm>
#include <mutex>

#include "service/audit_trail.hpp"
#include "service/validation.hpp"

namespace tb::service {
namespace {

// The caller's ticket scope as far as who counts as a customer goes (no category list: it
// plays no part there, and this runs for every ticket list).
TicketScope audience_of(const Principal& caller) {
  return TicketScope{.user_id = caller.id(),
                     .view_all = caller.can(Permission::tickets_view_all),
                     .view_category = caller.can(Permission::tickets_view_category),
                     .category_ids = {}};
}

}  // namespace

SettingsService::SettingsService(store::Store& store, Clock clock)
    : store_(store), clock_(std::move(clock)) {
  if (const auto stored = store_.get_setting(kCustomerSettingsKey))
    customer_ = decode_customer_settings(*stored);
}

CustomerSettings SettingsService::customer() const {
  std::shared_lock lock(mutex_);
  return customer_;
}

CustomerSettings SettingsService::update(const Principal& caller,
                                         const CustomerSettingsChange& change) {
  caller.require(Permission::settings_manage);
  // One writer at a time: two changes of different fields must not undo each other.
  std::unique_lock lock(mutex_);
  CustomerSettings next = customer_;
  if (change.show_sla) next.show_sla = *change.show_sla;
  if (change.show_assignee) next.show_assignee = *change.show_assignee;
  if (change.priorities) {
    auto priorities = *change.priorities;
    std::sort(priorities.begin(), priorities.end());
    priorities.erase(std::unique(priorities.begin(), priorities.end()), priorities.end());
    if (priorities.empty()) invalid("priorities must name at least one priority");
    next.priorities = std::move(priorities);
  }
  if (next == customer_) return next;
  const auto before = audit::snapshot(customer_);
  const auto after = audit::snapshot(next);
  store_.in_one_transaction([&] {
    store_.set_setting(kCustomerSettingsKey, encode_customer_settings(next));
    store_.append_audit(store::AuditRecord{.actor_id = caller.id(),
                                           .action = std::string(audit::kSettingsChanged),
                                           .old_value = before,
                                           .new_value = after,
                                           .at = clock_()});
  });
  customer_ = next;
  return next;
}

TicketRedaction SettingsService::redaction_for(const Principal& caller) const {
  std::shared_lock lock(mutex_);
  return service::redaction_for(caller, customer_);
}

void SettingsService::check_priority_choice(const Principal& caller, Priority priority) const {
  std::shared_lock lock(mutex_);
  service::check_priority_choice(caller, customer_, priority);
}

TicketRedaction redaction_for(const Principal& caller, const CustomerSettings& settings) {
  return tb::redaction_for(audience_of(caller), settings);
}

void check_priority_choice(const Principal& caller, const CustomerSettings& settings,
                           Priority priority) {
  if (!is_customer_scope(audience_of(caller)) || customer_may_choose(settings, priority)) return;
  throw Error(ErrorCode::forbidden, "customers may choose the priority " +
                                        describe_priorities(settings.priorities) + ", not " +
                                        std::string(priority_name(priority)));
}

}  // namespace tb::service
