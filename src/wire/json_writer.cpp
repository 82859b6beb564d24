#include "wire/json_writer.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace tb::wire {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Which bytes need an escape: what boost::json::serialize escapes, i.e. quote, backslash
// and control characters; other bytes, UTF-8 included, go as they are.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = table['\\'] = true;
  return table;
}();

// Whether any of the 8 bytes of `word` needs an escape: the bit tricks of "Bit Twiddling
// Hacks" (haszero, hasless), exact for "any", which is all the scan below asks. Text mostly
// needs none, and a byte at a time was most of the time spent writing a document.
constexpr bool any_needs_escape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighBits; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighBits;
  return (below_space | has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\'))) != 0;
}

// The first byte from `at` on that needs an escape, or `end`.
const char* skip_plain(const char* at, const char* const end) {
  for (std::uint64_t word; end - at >= 8; at += 8) {
    std::memcpy(&word, at, sizeof(word));
    if (any_needs_escape(word)) break;
  }
  while (at != end && !kNeedsEscape[static_cast<unsigned char>(*at)]) ++at;
  return at;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default: {
      const char unicode[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(unicode, sizeof(unicode));
    }
  }
}

void append_escaped(std::string& out, std::string_view text) {
  const char* run = text.data();  // start of the bytes that need no escape
  const char* const end = text.data() + text.size();
  for (;;) {
    const char* const at = skip_plain(run, end);
    out.append(run, at);
    if (at == end) return;
    append_escape(out, static_cast<unsigned char>(*at));
    run = at + 1;
  }
}

}  // namespace

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

void JsonWriter::begin_object() {
  separate();
  out_ += '{';
  outer_.push_back(first_);
  first_ = true;
}

void JsonWriter::end_object() {
  out_ += '}';
  first_ = outer_.back();
  outer_.pop_back();
}

void JsonWriter::begin_array() {
  separate();
  out_ += '[';
  outer_.push_back(first_);
  first_ = true;
}

void JsonWriter::end_array() {
  out_ += ']';
  first_ = outer_.back();
  outer_.pop_back();
}

void JsonWriter::key(std::string_view name) {
  // Member names are this program's own literals, never caller text: no escaping needed.
  separate();
  out_ += '"';
  out_ += name;
  out_ += "\":";
  after_key_ = true;
}

void JsonWriter::value(std::string_view text) {
  separate();
  out_ += '"';
  append_escaped(out_, text);
  out_ += '"';
}

void JsonWriter::value(std::int64_t number) {
  separate();
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), number).ptr;
  out_.append(digits, end);
}

void JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
}

void JsonWriter::value(Timestamp time) {
  separate();
  out_ += '"';
  append_timestamp(out_, time);
  out_ += '"';
}

void JsonWriter::value(Name name) {
  separate();
  out_ += '"';
  out_ += name.text;
  out_ += '"';
}

void JsonWriter::null() {
  separate();
  out_ += "null";
}

void JsonWriter::raw(std::string_view json) {
  separate();
  out_ += json;
}

void write_user_ref(JsonWriter& out, const UserRef& user) {
  out.begin_object();
  out.member("id", user.id);
  out.member("first_name", user.first_name);
  out.member("username", user.username);
  out.member("role", Name{role_name(user.role)});
  out.end_object();
}

namespace {

// The members of API.md's Ticket, inside an object the caller opened; without those `hidden`
// names (a customer's view, by the settings).
void write_ticket_members(JsonWriter& out, const Ticket& ticket, Timestamp now,
                          TicketRedaction hidden) {
  out.member("id", ticket.id);
  out.member("subject", ticket.subject);
  out.member("status", Name{status_name(ticket.status)});
  out.member("priority", Name{priority_name(ticket.priority)});
  out.member("category_id", ticket.category_id);
  out.key("creator");
  write_user_ref(out, ticket.creator);
  if (!hidden.hide_assignee) {
    out.key("assignee");
    if (ticket.assignee) {
      write_user_ref(out, *ticket.assignee);
    } else {
      out.null();
    }
  }
  out.member("created_at", ticket.created_at);
  out.member("updated_at", ticket.updated_at);
  out.member("first_response_at", ticket.first_response_at);
  out.member("resolved_at", ticket.resolved_at);
  out.member("closed_at", ticket.closed_at);
  out.member("last_message_at", ticket.last_message_at);
  out.member("last_message_preview", ticket.last_message_preview);
  out.member("messages_count", ticket.messages_count);
  if (!hidden.hide_sla) {
    out.member("sla_due_at", ticket.sla_due_at);
    out.member("breached", sla_breached(ticket, now));
  }
  out.key("rating");
  if (ticket.rating) {
    out.begin_object();
    out.member("score", ticket.rating->score);
    out.member("comment", ticket.rating->comment);
    out.end_object();
  } else {
    out.null();
  }
}

}  // namespace

void write_ticket(JsonWriter& out, const Ticket& ticket, Timestamp now, TicketRedaction hidden) {
  out.begin_object();
  write_ticket_members(out, ticket, now, hidden);
  out.end_object();
}

void write_message(JsonWriter& out, const Message& message) {
  out.begin_object();
  out.member("id", message.id);
  out.member("ticket_id", message.ticket_id);
  out.key("author");
  write_user_ref(out, message.author);
  out.member("body", message.body);
  out.member("internal", message.internal);
  out.key("attachments");
  out.begin_array();
  out.end_array();
  out.member("source", Name{source_name(message.source)});
  out.member("created_at", message.created_at);
  out.end_object();
}

namespace {

template <class Item, class Write>
std::string page_of(const std::vector<Item>& items, const std::optional<std::string>& next_cursor,
                    std::size_t bytes_per_item, Write write) {
  std::string text;
  text.reserve(64 + items.size() * bytes_per_item);
  JsonWriter out(text);
  out.begin_object();
  out.key("items");
  out.begin_array();
  for (const auto& item : items) write(out, item);
  out.end_array();
  out.member("next_cursor", next_cursor);
  out.end_object();
  return text;
}

}  // namespace

std::string ticket_document(const Ticket& ticket, Timestamp now, TicketRedaction hidden) {
  std::string text;
  JsonWriter out(text);
  write_ticket(out, ticket, now, hidden);
  return text;
}

std::string ticket_document(const Ticket& ticket, Timestamp now,
                            std::span<const TicketStatus> allowed_statuses,
                            TicketRedaction hidden) {
  std::string text;
  JsonWriter out(text);
  out.begin_object();
  write_ticket_members(out, ticket, now, hidden);
  out.key("allowed_statuses");
  out.begin_array();
  for (const auto status : allowed_statuses) out.value(Name{status_name(status)});
  out.end_array();
  out.end_object();
  return text;
}

std::string me_document(const User& user, const PermissionSet& permissions) {
  std::string text;
  text.reserve(640);
  JsonWriter out(text);
  out.begin_object();
  out.member("id", user.id);
  out.member("telegram_id", user.telegram_id);
  out.member("username", user.username);
  out.member("first_name", user.first_name);
  out.member("last_name", user.last_name);
  out.member("language_code", user.language_code);
  out.member("role", Name{role_name(user.role)});
  out.key("category_ids");
  out.begin_array();
  for (const auto id : user.category_ids) out.value(id);
  out.end_array();
  out.member("available", user.available);
  out.member("created_at", user.created_at);
  out.member("last_seen_at", user.last_seen_at);
  out.key("permissions");
  out.begin_array();
  for (const auto& info : kAllPermissions) {
    if (permissions.contains(info.permission)) out.value(Name{info.name});
  }
  out.end_array();
  out.end_object();
  return text;
}

std::string message_document(const Message& message) {
  std::string text;
  JsonWriter out(text);
  write_message(out, message);
  return text;
}

std::string ticket_page(const std::vector<Ticket>& tickets, Timestamp now,
                        const std::optional<std::string>& next_cursor, TicketRedaction hidden) {
  return page_of(tickets, next_cursor, 640, [now, hidden](JsonWriter& out, const Ticket& ticket) {
    write_ticket(out, ticket, now, hidden);
  });
}

std::string message_page(const std::vector<Message>& messages,
                         const std::optional<std::string>& next_cursor) {
  return page_of(messages, next_cursor, 320, write_message);
}

}  // namespace tb::wire
