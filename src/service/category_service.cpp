#include "service/category_service.hpp"

#include "service/audit_trail.hpp"
#include "service/validation.hpp"

namespace tb::service {

std::vector<Category> CategoryService::list(const Principal& caller) {
  auto all = store_.list_categories();
  if (!caller.can(Permission::categories_manage)) {
    std::erase_if(all, [](const Category& category) { return !category.active; });
  }
  return all;
}

Category CategoryService::create(const Principal& caller, const CategoryFields& fields) {
  caller.require(Permission::categories_manage);
  if (!fields.name) invalid("name is required");
  return update(caller, 0, fields);
}

Category CategoryService::update(const Principal& caller, std::int64_t id,
                                 const CategoryFields& fields) {
  caller.require(Permission::categories_manage);
  Category category;
  std::string before;  // "" for a new one
  if (id != 0) {
    auto found = store_.find_category(id);
    if (!found) throw Error(ErrorCode::not_found, "no such category");
    category = *found;
    before = audit::snapshot(category);
  }
  if (fields.name) category.name = required_text(*fields.name, kMaxNameLength, "name");
  if (fields.description) category.description = *fields.description;
  if (fields.default_priority) category.default_priority = *fields.default_priority;
  if (fields.sla_minutes) {
    if (*fields.sla_minutes &&
        (**fields.sla_minutes < 1 || **fields.sla_minutes > kMaxSlaMinutes)) {
      invalid("sla_minutes must be from 1 to " + std::to_string(kMaxSlaMinutes));
    }
    category.sla_minutes = *fields.sla_minutes;
  }
  if (fields.routing) category.routing = *fields.routing;
  if (fields.active) category.active = *fields.active;
  if (fields.position) category.position = *fields.position;
  if (id != 0 && audit::snapshot(category) == before) return category;  // nothing to record
  try {
    return save_audited(caller, category,
                        id == 0 ? audit::kCategoryCreated : audit::kCategoryUpdated, before);
  } catch (const store::UniqueViolation&) {
    throw Error(ErrorCode::conflict, "a category named \"" + category.name + "\" exists already");
  }
}

Category CategoryService::save_audited(const Principal& caller, const Category& category,
                                       std::string_view action, const std::string& before) {
  Category saved;
  store_.in_one_transaction([&] {
    saved = store_.save_category(category);
    store_.append_audit(store::AuditRecord{.actor_id = caller.id(),
                                           .action = std::string(action),
                                           .old_value = before,
                                           .new_value = audit::snapshot(saved),
                                           .at = clock_()});
  });
  return saved;
}

void CategoryService::remove(const Principal& caller, std::int64_t id) {
  caller.require(Permission::categories_manage);
  auto category = store_.find_category(id);
  if (!category) throw Error(ErrorCode::not_found, "no such category");
  const auto before = audit::snapshot(*category);
  if (store_.category_in_use(id)) {
    // Recorded as what happened: the category was switched off, not removed.
    if (!category->active) return;
    category->active = false;
    save_audited(caller, *category, audit::kCategoryUpdated, before);
    return;
  }
  store_.in_one_transaction([&] {
    store_.delete_category(id);
    store_.append_audit(store::AuditRecord{.actor_id = caller.id(),
                                           .action = std::string(audit::kCategoryDeleted),
                                           .old_value = before,
                                           .at = clock_()});
  });
}

}  // namespace tb::service
