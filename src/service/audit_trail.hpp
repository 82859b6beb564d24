// The audit log's vocabulary for changes to records (categories, auto-replies, settings, a
// person's categories and availability): the action names the Mini App translates, and the
// snapshots kept as their old and new values. A service records an entry with
// store::Store::append_audit inside the transaction of the change, so neither lands alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/customer_view.hpp"
#include "core/ticket.hpp"

namespace tb::service::audit {

inline constexpr std::string_view kCategoryCreated = "category.created";
inline constexpr std::string_view kCategoryUpdated = "category.updated";
inline constexpr std::string_view kCategoryDeleted = "category.deleted";
inline constexpr std::string_view kAutoReplyCreated = "auto_reply.created";
inline constexpr std::string_view kAutoReplyUpdated = "auto_reply.updated";
inline constexpr std::string_view kAutoReplyDeleted = "auto_reply.deleted";
inline constexpr std::string_view kSettingsChanged = "settings.changed";
inline constexpr std::string_view kUserCategoriesChanged = "user.categories_changed";
inline constexpr std::string_view kUserAvailabilityChanged = "user.availability_changed";

// A record as a JSON object (the fields of its API shape), compact: what the audit keeps
// before and after a change. Equal snapshots mean nothing changed.
std::string snapshot(const Category& category);
std::string snapshot(const AutoReply& reply);
std::string snapshot(const CustomerSettings& settings);
// "1,4,7": the categories a person handles, ascending.
std::string id_list(const std::vector<std::int64_t>& ids);

}  // namespace tb::service::audit
