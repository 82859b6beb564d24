#include "service/category_service.hpp"

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
  if (id != 0) {
    auto found = store_.find_category(id);
    if (!found) throw Error(ErrorCode::not_found, "no such category");
    category = *found;
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
  try {
    return store_.save_category(category);
  } catch (const store::UniqueViolation&) {
    throw Error(ErrorCode::conflict, "a category named \"" + category.name + "\" exists already");
  }
}

void CategoryService::remove(const Principal& caller, std::int64_t id) {
  caller.require(Permission::categories_manage);
  auto category = store_.find_category(id);
  if (!category) throw Error(ErrorCode::not_found, "no such category");
  if (store_.category_in_use(id)) {
    category->active = false;
    store_.save_category(*category);
  } else {
    store_.delete_category(id);
  }
}

}  // namespace tb::service
