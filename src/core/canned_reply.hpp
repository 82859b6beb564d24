// Canned replies: texts staff save once and insert into a reply, with placeholders the
// Mini App fills in for the ticket at hand ({customer_name}, {ticket_id}, {agent_name}).
// The rules of their text are here; who manages them is CannedReplyService's business.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace tb {

struct CannedReply {
  std::int64_t id = 0;
  std::string name;  // what the picker lists and filters by, unique
  std::string body;  // the text inserted, up to kMaxMessageLength, with placeholders
  Timestamp updated_at{};
};

// The placeholders a canned reply may hold, each written as {name}.
inline constexpr std::array<std::string_view, 4> kCannedReplyPlaceholders = {
    "customer_name", "ticket_id", "ticket_subject", "agent_name"};

// The names between braces in `body` that look like placeholders ({word}: ASCII letters,
// digits and '_') but are not among kCannedReplyPlaceholders, in order, each once. Braces
// around anything else ("{ }", "{a b}") are plain text.
std::vector<std::string> unknown_placeholders(std::string_view body);

// `body` with every known placeholder replaced by its value in `values` (a missing value
// leaves the placeholder as it is). Values are inserted as they are and never expanded again.
std::string fill_placeholders(std::string_view body,
                              const std::map<std::string, std::string, std::less<>>& values);

}  // namespace tb
