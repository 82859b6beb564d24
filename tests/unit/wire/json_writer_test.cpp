// The writer must give the JSON that boost::json gives for the same values, escapes and all:
// clients parse both, and the WebSocket frames and REST answers must agree.
#include "wire/json_writer.hpp"

#include <random>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "wire/objects.hpp"

namespace tb::wire {
namespace {

using namespace std::chrono_literals;
using namespace std::string_view_literals;

Ticket full_ticket() {
  Ticket ticket;
  ticket.id = 42;
  ticket.subject = "Quote \" backslash \\ newline \n tab \t bell \x07 DEL \x7f «Ёж» 🎫";
  ticket.status = TicketStatus::in_progress;
  ticket.priority = Priority::critical;
  ticket.category_id = 3;
  ticket.creator = UserRef{7, "Carla", std::string("carla_c"), Role::user};
  ticket.assignee = UserRef{9, "Hector", std::nullopt, Role::helper};
  ticket.created_at = Timestamp(1'764'633'600s);  // 2025-12-02T00:00:00Z
  ticket.updated_at = Timestamp(1'764'633'661s);
  ticket.first_response_at = Timestamp(1'764'633'700s);
  ticket.last_message_at = Timestamp(1'764'633'661s);
  ticket.last_message_preview = "see \"attached\"";
  ticket.messages_count = 3;
  ticket.sla_due_at = Timestamp(1'764'634'500s);
  ticket.rating = Rating{5, std::nullopt};
  return ticket;
}

// Issue 17: a ticket for its caller alone ends with the moves they may make; the rest of the
// document is the plain ticket, byte for byte.
TEST(JsonWriter, WritesATicketForItsCallerWithTheAllowedStatusesLast) {
  const auto now = Timestamp(1'764'633'800s);
  const std::vector<TicketStatus> allowed = {TicketStatus::waiting, TicketStatus::closed};
  const auto text = ticket_document(full_ticket(), now, allowed);
  const auto parsed = boost::json::parse(text).as_object();
  EXPECT_EQ(boost::json::serialize(parsed.at("allowed_statuses")), R"(["waiting","closed"])");
  EXPECT_EQ(text, boost::json::serialize(parsed));
  const auto plain = ticket_document(full_ticket(), now);
  EXPECT_EQ(text.substr(0, plain.size() - 1), plain.substr(0, plain.size() - 1));
  EXPECT_EQ(parsed.size(), boost::json::parse(plain).as_object().size() + 1);
  EXPECT_EQ(
      boost::json::serialize(
          boost::json::parse(ticket_document(full_ticket(), now, std::span<const TicketStatus>{}))
              .at("allowed_statuses")),
      "[]");
}

TEST(JsonWriter, WritesATicketAsItsContractSays) {
  const auto text = ticket_document(full_ticket(), Timestamp(1'764'633'800s));
  const auto parsed = boost::json::parse(text).as_object();
  EXPECT_EQ(parsed.at("subject").as_string(), full_ticket().subject);  // escapes round-trip
  EXPECT_EQ(parsed.at("status").as_string(), "in_progress");
  EXPECT_EQ(parsed.at("assignee").at("username"), nullptr);
  EXPECT_EQ(parsed.at("created_at").as_string(), "2025-12-02T00:00:00Z");
  EXPECT_EQ(parsed.at("resolved_at"), nullptr);
  EXPECT_EQ(parsed.at("breached").as_bool(), false);
  EXPECT_EQ(parsed.at("rating").at("score").as_int64(), 5);
  // Byte for byte what boost::json writes for the parsed document: same order, same escapes.
  EXPECT_EQ(text, boost::json::serialize(parsed));
  const std::vector<std::string> order = {"id",
                                          "subject",
                                          "status",
                                          "priority",
                                          "category_id",
                                          "creator",
                                          "assignee",
                                          "created_at",
                                          "updated_at",
                                          "first_response_at",
                                          "resolved_at",
                                          "closed_at",
                                          "last_message_at",
                                          "last_message_preview",
                                          "messages_count",
                                          "sla_due_at",
                                          "breached",
                                          "rating"};
  std::vector<std::string> keys;
  for (const auto& member : parsed) keys.emplace_back(member.key());
  EXPECT_EQ(keys, order);
}

// GET /auth/me and a login's `user` are written straight into the response: the bytes must
// be those of the boost::json tree they replaced (user_json plus `permissions`).
TEST(JsonWriter, WritesAUserWithTheirPermissionsAsTheTreeDid) {
  User user;
  user.id = 12;
  user.telegram_id = 5'000'000'012;
  user.username = "hé \"quoted\"";
  user.first_name = "Zoë\n";
  user.language_code = "uk";
  user.role = Role::moderator;
  user.category_ids = {3, 1};
  user.available = false;
  user.created_at = Timestamp(1'764'633'600s);
  user.last_seen_at = Timestamp(1'764'633'661s);
  for (const auto role : {Role::user, Role::moderator, Role::developer}) {
    const auto permissions = default_permissions(role);
    auto tree = user_json(user);
    tree["permissions"] = string_array(permissions.names());
    EXPECT_EQ(me_document(user, permissions), boost::json::serialize(tree));
  }
  user.username.reset();
  user.category_ids.clear();
  auto tree = user_json(user);
  tree["permissions"] = boost::json::array{};
  EXPECT_EQ(me_document(user, PermissionSet{}), boost::json::serialize(tree));
}

TEST(JsonWriter, EscapesEveryControlCharacter) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all += static_cast<char>(c);
  Message message;
  message.body = all + "\"\\/";
  const auto text = message_document(message);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const auto parsed = boost::json::parse(text);
  EXPECT_EQ(parsed.at("body").as_string(), message.body);
  EXPECT_EQ(text, boost::json::serialize(parsed));
}

// The scan for bytes to escape looks at 8 bytes at a time: a byte that needs an escape must
// be found wherever it stands in its word, next to bytes that look like it (0x1f/0x20,
// '!'/'#' around '"', '['/']' around '\\') and to UTF-8's high bytes.
TEST(JsonWriter, EscapesLikeBoostJsonWhereverTheByteStands) {
  // Whole UTF-8 characters: boost::json parses only valid UTF-8.
  constexpr std::string_view pieces[] = {
      "\0"sv, "\x01"sv, "\x1f"sv, " "sv,    "!"sv,        "\""sv,           "#"sv,
      "["sv,  "\\"sv,   "]"sv,    "\x7f"sv, "\xc3\xa9"sv, "\xe2\x82\xac"sv, "\xf0\x9f\x8e\xab"sv,
      "a"sv,  "z"sv};
  std::mt19937 random(13);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const auto length = random() % 40;
    for (std::size_t i = 0; i < length; ++i) {
      text += random() % 3 == 0 ? pieces[random() % std::size(pieces)] : "x"sv;
    }
    Message message;
    message.body = text;
    const auto written = message_document(message);
    ASSERT_EQ(boost::json::parse(written).at("body").as_string(), text);
    boost::json::object expected;
    expected["body"] = text;
    const auto quoted = boost::json::serialize(expected);  // {"body":"..."}
    ASSERT_NE(written.find(quoted.substr(1, quoted.size() - 2)), std::string::npos) << written;
  }
}

// Roles, statuses, priorities, sources and permissions are written as Names, unscanned: a
// name that needed an escape would break every document that carries it.
TEST(JsonWriter, OurOwnNamesNeedNoEscape) {
  std::vector<std::string_view> names;
  for (const auto role : kAllRoles) names.push_back(role_name(role));
  for (const auto& info : kAllPermissions) names.push_back(info.name);
  for (int i = 0; i <= static_cast<int>(TicketStatus::closed); ++i) {
    names.push_back(status_name(static_cast<TicketStatus>(i)));
  }
  for (int i = 0; i <= static_cast<int>(Priority::critical); ++i) {
    names.push_back(priority_name(static_cast<Priority>(i)));
  }
  for (int i = 0; i <= static_cast<int>(MessageSource::system); ++i) {
    names.push_back(source_name(static_cast<MessageSource>(i)));
  }
  for (const auto name : names) {
    std::string text;
    JsonWriter(text).value(Name{name});
    EXPECT_EQ(text, boost::json::serialize(boost::json::string(name)));
  }
}

TEST(JsonWriter, PagesCarryTheirCursor) {
  std::vector<Message> messages(2);
  messages[0].id = 1;
  messages[1].id = 2;
  const auto page = boost::json::parse(message_page(messages, std::string("Mg"))).as_object();
  EXPECT_EQ(page.at("items").as_array().size(), 2u);
  EXPECT_EQ(page.at("items").at(1).at("attachments").as_array().size(), 0u);
  EXPECT_EQ(page.at("next_cursor").as_string(), "Mg");
  EXPECT_EQ(boost::json::parse(ticket_page({}, Timestamp{}, std::nullopt)),
            boost::json::parse(R"({"items":[],"next_cursor":null})"));
}

TEST(Timestamps, AreWrittenAsIso8601Utc) {
  EXPECT_EQ(format_timestamp(Timestamp(0s)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(Timestamp(951'782'400s)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_timestamp(Timestamp(1'764'633'599s)), "2025-12-01T23:59:59Z");
  EXPECT_EQ(format_timestamp(Timestamp(-1s)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_timestamp(Timestamp(253'402'300'799s)), "9999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace tb::wire
