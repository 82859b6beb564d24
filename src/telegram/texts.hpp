// What the bot says, in the person's language (Russian or English), and the HTML rules of
// Telegram's parse_mode: escaping, and cutting long text into messages of at most 4096
// characters. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/ticket.hpp"

namespace tb::telegram {

enum class Language { en, ru };

// Russian for "ru…" (and the languages whose speakers mostly read it: uk, be, kk), English
// otherwise.
Language language_of(const std::optional<std::string>& language_code);

// `text` made safe for parse_mode HTML: &, <, > and " escaped. Invalid UTF-8 is dropped.
std::string escape_html(std::string_view text);

// Telegram's length limit counts UTF-16 code units.
inline constexpr std::size_t kMaxMessageUnits = 4096;
std::size_t utf16_length(std::string_view utf8);

// `header_html` followed by `body` (plain text, escaped here) as messages of at most `limit`
// UTF-16 code units: the header opens the first, the body is cut at a line break or a space
// when one lies in the last quarter of the room, never inside a character or an escape.
std::vector<std::string> compose_messages(std::string_view header_html, std::string_view body,
                                          std::size_t limit = kMaxMessageUnits);

// The fixed phrases.
enum class Phrase {
  welcome,            // "{name}" replaced
  my_tickets_button,  // the web_app button
  open_in_app,        // the button on a ticket
  no_tickets,
  your_tickets,
  choose_category,
  describe_question,
  cancelled,
  nothing_to_cancel,
  offer_new_ticket,
  open_ticket_button,
  cancel_button,
  pick_ticket,
  message_added,
  rate_prompt,
  rating_thanks,
  already_rated,
  take_button,
  resolve_button,
  taken,
  resolved,
  staff_hint,
  not_allowed,
  failed,
  help,
  note_added,
  ticket_created,
  app_unavailable,
};
std::string_view phrase(Language language, Phrase which);

// The commands shown in Telegram's menu, per language: {command, description}.
struct Command {
  std::string_view command;
  std::string_view description;
};
std::vector<Command> commands(Language language);

// How a status reads to a customer, saying what it means for them ("waiting for your reply",
// "we're on it"), and to staff ("waiting for the customer").
std::string_view customer_status(Language language, TicketStatus status);
std::string_view staff_status(Language language, TicketStatus status);
std::string_view priority_label(Language language, Priority priority);

// "<b>#42 · Subject</b>": the head of every message about a ticket.
std::string ticket_heading(const Ticket& ticket);
// The heading and, below it, priority, category and customer: what staff see of a ticket.
std::string ticket_card(Language language, const Ticket& ticket,
                        std::optional<std::string_view> category_name);
// "Status: waiting for your reply" to the customer, "Status: waiting for the customer" to staff.
enum class Audience { customer, staff };
std::string status_line(Language language, TicketStatus status, Audience audience);
// "🚨 Critical ticket" and "Assigned to you", for staff.
std::string_view critical_alert(Language language);
std::string_view assigned_to_you(Language language);

// "Support (Anna)" / "Поддержка (Анна)", "Customer (Olga)", "Internal note (Anna)".
std::string author_label(Language language, const Message& message, bool from_customer);

// A localized message for a refused action (tb::Error's code); never the server's English.
std::string_view error_text(Language language, ErrorCode code);

}  // namespace tb::telegram
