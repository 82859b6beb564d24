#include "telegram/texts.hpp"

#include <array>

#include "core/text.hpp"

namespace tb::telegram {
namespace {

std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  return 2;
}

// Code points past the Basic Multilingual Plane take two UTF-16 units.
std::size_t units_of(std::string_view character) {
  return character.size() == 4 ? 2 : 1;
}

std::string_view escape_of(char c) {
  switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    default: return {};
  }
}

std::size_t escaped_units(std::string_view character) {
  const auto escape = escape_of(character[0]);
  return escape.empty() ? units_of(character) : escape.size();
}

// The end of the longest prefix of `body` from `begin` whose escaped form fits `room` units,
// moved back to just after a line break or space when one lies in the last quarter.
std::size_t cut_point(std::string_view body, std::size_t begin, std::size_t room) {
  std::size_t end = begin;
  std::size_t cost = 0;
  std::size_t last_break = std::string_view::npos;
  while (end < body.size()) {
    const auto length =
        std::min(sequence_length(static_cast<unsigned char>(body[end])), body.size() - end);
    const auto units = escaped_units(body.substr(end, length));
    if (cost + units > room) break;
    cost += units;
    end += length;
    if (body[end - 1] == '\n' || body[end - 1] == ' ') last_break = end;
  }
  const bool whole_rest = end == body.size();
  if (!whole_rest && last_break != std::string_view::npos &&
      (last_break - begin) * 4 >= (end - begin) * 3) {
    return last_break;
  }
  return end;
}

struct Translation {
  std::string_view en;
  std::string_view ru;
};

constexpr std::array kPhrases = {
    Translation{"Hello, {name}! This is the support desk. Write your question right here, or open "
                "“My tickets” to create a ticket and follow your requests.",
                "Здравствуйте, {name}! Это служба поддержки. Напишите вопрос прямо сюда или "
                "откройте «Мои обращения», чтобы создать обращение и следить за ответами."},
    Translation{"My tickets", "Мои обращения"},
    Translation{"Open in app", "Открыть в приложении"},
    Translation{"You have no tickets yet. Send /new or just write your question.",
                "У вас пока нет обращений. Отправьте /new или просто напишите вопрос."},
    Translation{"Your tickets:", "Ваши обращения:"},
    Translation{"Choose a category:", "Выберите категорию:"},
    Translation{"Describe your question in one message. /cancel to stop.",
                "Опишите вопрос одним сообщением. /cancel — отменить."},
    Translation{"Cancelled.", "Отменено."},
    Translation{"Nothing to cancel.", "Нечего отменять."},
    Translation{"You have no open tickets. Open a new one with this message?",
                "У вас нет открытых обращений. Создать новое с этим сообщением?"},
    Translation{"Open a ticket", "Создать обращение"},
    Translation{"Cancel", "Отмена"},
    Translation{"Which ticket is this message about?", "К какому обращению относится сообщение?"},
    Translation{"Added to the ticket.", "Добавлено в обращение."},
    Translation{"How would you rate the help you got?", "Оцените, пожалуйста, помощь:"},
    Translation{"Thank you for your rating!", "Спасибо за оценку!"},
    Translation{"This ticket is already rated.", "Это обращение уже оценено."},
    Translation{"Take", "Взять"},
    Translation{"Resolve", "Решено"},
    Translation{"The ticket is yours.", "Обращение ваше."},
    Translation{"The ticket is resolved.", "Обращение решено."},
    Translation{"Reply to a notification to answer in its ticket, or open the app.",
                "Ответьте на уведомление, чтобы написать в обращение, или откройте приложение."},
    Translation{"You may not do that.", "У вас нет прав на это действие."},
    Translation{"That did not work. Please try again.", "Не получилось. Попробуйте ещё раз."},
    Translation{"/new — open a ticket\n/tickets — your tickets\n/cancel — stop the current step",
                "/new — новое обращение\n/tickets — ваши обращения\n/cancel — отменить текущий "
                "шаг"},
    Translation{"Note added.", "Заметка добавлена."},
    Translation{"Your ticket is open. We will answer right here.",
                "Обращение создано. Мы ответим прямо здесь."},
    Translation{"The app is not configured on this server.",
                "Приложение на этом сервере не настроено."},
};
static_assert(kPhrases.size() == static_cast<std::size_t>(Phrase::app_unavailable) + 1);

std::string_view pick(Language language, const Translation& translation) {
  return language == Language::ru ? translation.ru : translation.en;
}

}  // namespace

Language language_of(const std::optional<std::string>& language_code) {
  if (!language_code) return Language::en;
  const std::string_view code = *language_code;
  for (std::string_view russian_reading : {"ru", "uk", "be", "kk"}) {
    if (code.starts_with(russian_reading)) return Language::ru;
  }
  return Language::en;
}

std::string escape_html(std::string_view text) {
  const std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    const auto escape = escape_of(c);
    if (escape.empty()) {
      out += c;
    } else {
      out += escape;
    }
  }
  return out;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto length = sequence_length(static_cast<unsigned char>(utf8[i]));
    units += length == 4 ? 2 : 1;
    i += length;
  }
  return units;
}

std::vector<std::string> compose_messages(std::string_view header_html, std::string_view body,
                                          std::size_t limit) {
  const std::string text = valid_utf8(body);
  std::vector<std::string> messages;
  std::string current(header_html);
  std::size_t used = utf16_length(current);
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t end = cut_point(text, begin, limit > used ? limit - used : 0);
    if (end == begin) {  // the header left no room: the body starts the next message
      messages.push_back(std::move(current));
      current.clear();
      used = 0;
      continue;
    }
    current += escape_html(std::string_view(text).substr(begin, end - begin));
    messages.push_back(std::move(current));
    current.clear();
    used = 0;
    begin = end;
  }
  if (!current.empty()) messages.push_back(std::move(current));
  return messages;
}

std::string_view phrase(Language language, Phrase which) {
  return pick(language, kPhrases[static_cast<std::size_t>(which)]);
}

std::vector<Command> commands(Language language) {
  if (language == Language::ru) {
    return {{"start", "Начать"},
            {"new", "Новое обращение"},
            {"tickets", "Мои обращения"},
            {"cancel", "Отменить текущий шаг"}};
  }
  return {{"start", "Start"},
          {"new", "Open a ticket"},
          {"tickets", "My tickets"},
          {"cancel", "Stop the current step"}};
}

// The same words as the Mini App's customer views (strings "customerStatus.*").
std::string_view customer_status(Language language, TicketStatus status) {
  static constexpr std::array kStatuses = {
      Translation{"received, in the queue", "принято, в очереди"},
      Translation{"we're on it", "мы занимаемся"},
      Translation{"waiting for your reply", "ждём вашего ответа"},
      Translation{"solved — reply if it isn't", "решено — напишите, если нет"},
      Translation{"closed", "закрыто"},
  };
  return pick(language, kStatuses[static_cast<std::size_t>(status)]);
}

std::string_view staff_status(Language language, TicketStatus status) {
  static constexpr std::array kStatuses = {
      Translation{"open", "открыто"},
      Translation{"in progress", "в работе"},
      Translation{"waiting for the customer", "ждём клиента"},
      Translation{"resolved", "решено"},
      Translation{"closed", "закрыто"},
  };
  return pick(language, kStatuses[static_cast<std::size_t>(status)]);
}

std::string_view priority_label(Language language, Priority priority) {
  static constexpr std::array kPriorities = {
      Translation{"low", "низкий"},
      Translation{"normal", "обычный"},
      Translation{"high", "высокий"},
      Translation{"critical", "критический"},
  };
  return pick(language, kPriorities[static_cast<std::size_t>(priority)]);
}

std::string ticket_heading(const Ticket& ticket) {
  return "<b>#" + std::to_string(ticket.id) + " · " + escape_html(ticket.subject) + "</b>";
}

std::string ticket_card(Language language, const Ticket& ticket,
                        std::optional<std::string_view> category_name) {
  static constexpr Translation kPriority{"Priority", "Приоритет"};
  static constexpr Translation kCategory{"Category", "Категория"};
  static constexpr Translation kFrom{"From", "От"};
  std::string card = ticket_heading(ticket) + "\n" + std::string(pick(language, kPriority)) + ": " +
                     std::string(priority_label(language, ticket.priority));
  if (category_name) {
    card += " · " + std::string(pick(language, kCategory)) + ": " + escape_html(*category_name);
  }
  card += "\n" + std::string(pick(language, kFrom)) + ": " + escape_html(ticket.creator.first_name);
  if (ticket.creator.username) card += " (@" + escape_html(*ticket.creator.username) + ")";
  return card;
}

std::string status_line(Language language, TicketStatus status, Audience audience) {
  static constexpr Translation kStatus{"Status", "Статус"};
  return std::string(pick(language, kStatus)) + ": " +
         std::string(audience == Audience::customer ? customer_status(language, status)
                                                    : staff_status(language, status));
}

std::string_view critical_alert(Language language) {
  return pick(language, Translation{"🚨 Critical ticket", "🚨 Критическое обращение"});
}

std::string_view assigned_to_you(Language language) {
  return pick(language, Translation{"Assigned to you", "Назначено вам"});
}

std::string author_label(Language language, const Message& message, bool from_customer) {
  static constexpr Translation kNote{"Internal note", "Внутренняя заметка"};
  static constexpr Translation kSupport{"Support", "Поддержка"};
  static constexpr Translation kCustomer{"Customer", "Клиент"};
  const auto& role = message.internal ? kNote : from_customer ? kCustomer : kSupport;
  return std::string(pick(language, role)) + " (" + escape_html(message.author.first_name) + ")";
}

std::string_view error_text(Language language, ErrorCode code) {
  static constexpr Translation kNotFound{"That ticket is not available.",
                                         "Это обращение недоступно."};
  static constexpr Translation kConflict{"That is no longer possible: the ticket has changed.",
                                         "Это уже невозможно: обращение изменилось."};
  static constexpr Translation kRateLimited{"Too many messages. Please wait a minute.",
                                            "Слишком много сообщений. Подождите минуту."};
  static constexpr Translation kInvalid{"That message cannot be accepted (too long or empty).",
                                        "Такое сообщение принять нельзя (слишком длинное или "
                                        "пустое)."};
  switch (code) {
    case ErrorCode::forbidden: return phrase(language, Phrase::not_allowed);
    case ErrorCode::not_found: return pick(language, kNotFound);
    case ErrorCode::conflict: return pick(language, kConflict);
    case ErrorCode::rate_limited: return pick(language, kRateLimited);
    case ErrorCode::invalid_request: return pick(language, kInvalid);
    default: return phrase(language, Phrase::failed);
  }
}

}  // namespace tb::telegram
