#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ticket.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// A change to a category: only the fields present are set (an inner nullopt clears one).
struct CategoryFields {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<Priority> default_priority;
  std::optional<std::optional<int>> sla_minutes;
  std::optional<RoutingMode> routing;
  std::optional<bool> active;
  std::optional<int> position;
};

// The categories tickets are filed under: the list people choose from (inactive ones only
// for those who manage categories) and their management — unique names, SLA bounds, and
// deletion that keeps the history of tickets filed under them. What a category means for a
// ticket (its SLA, default priority, routing) is TicketService's, which reads it from the
// store. Every change is in the audit log (category.created/updated/deleted, before and after).
class CategoryService {
 public:
  explicit CategoryService(store::Store& store, Clock clock = system_now)
      : store_(store), clock_(std::move(clock)) {}

  // A list read while this was N is current while it is still N (Store::committed_writes).
  std::uint64_t committed_writes() const { return store_.committed_writes(); }

  std::vector<Category> list(const Principal& caller);
  Category create(const Principal& caller, const CategoryFields& fields);
  Category update(const Principal& caller, std::int64_t id, const CategoryFields& fields);
  // A category in use is deactivated instead, so its tickets keep their history.
  void remove(const Principal& caller, std::int64_t id);

 private:
  // Saves `category` and its audit entry (`action`, from `before`) in one transaction.
  Category save_audited(const Principal& caller, const Category& category, std::string_view action,
                        const std::string& before);

  store::Store& store_;
  Clock clock_;
};

}  // namespace tb::service
