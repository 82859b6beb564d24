// The API.md objects that are not on the hot path, as boost::json values: people, audit
// entries, categories, auto-replies, roles and the small helpers their shapes need. Tickets and
// messages: json_writer.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/canned_reply.hpp"
#include "core/role.hpp"
#include "core/ticket.hpp"
#include "core/user.hpp"

namespace tb::wire {

boost::json::value optional_id(const std::optional<std::int64_t>& id);  // the id or null
boost::json::object user_json(const User& user);
boost::json::object audit_json(const AuditEntry& entry);
boost::json::array string_array(const std::vector<std::string>& items);
boost::json::object category_json(const Category& category);
boost::json::object auto_reply_json(const AutoReply& reply);
boost::json::object canned_reply_json(const CannedReply& reply);
// A role with its permission set, as GET /roles lists it.
boost::json::object role_json(Role role, const PermissionSet& permissions);

}  // namespace tb::wire
