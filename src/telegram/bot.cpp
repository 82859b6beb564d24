#include "telegram/bot.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include "core/text.hpp"
#include "telegram/texts.hpp"

namespace tb::telegram {
namespace {

namespace json = boost::json;

std::optional<std::int64_t> int_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value || !value->is_int64()) return std::nullopt;
  return value->as_int64();
}

std::string_view string_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

const json::object* object_at(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_object() ? &value->as_object() : nullptr;
}

std::optional<std::string> optional_string(const json::object& object, std::string_view key) {
  const auto text = string_at(object, key);
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

std::optional<TelegramUser> sender_of(const json::object& update_part) {
  const auto* from = object_at(update_part, "from");
  if (!from) return std::nullopt;
  const auto id = int_at(*from, "id");
  if (!id || *id <= 0) return std::nullopt;
  if (const auto* is_bot = from->if_contains("is_bot");
      is_bot && is_bot->is_bool() && is_bot->as_bool()) {
    return std::nullopt;
  }
  return TelegramUser{.id = *id,
                      .first_name = std::string(string_at(*from, "first_name")),
                      .last_name = optional_string(*from, "last_name"),
                      .username = optional_string(*from, "username"),
                      .language_code = optional_string(*from, "language_code")};
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// Splits "/cmd@bot arg" into "cmd" and "arg".
std::pair<std::string_view, std::string_view> split_command(std::string_view text) {
  const auto space = text.find_first_of(" \n");
  auto command = text.substr(1, space == std::string_view::npos ? text.npos : space - 1);
  const auto argument =
      space == std::string_view::npos ? std::string_view() : trim(text.substr(space));
  if (const auto at = command.find('@'); at != std::string_view::npos)
    command = command.substr(0, at);
  return {command, argument};
}

// The first line, cut to fit a subject (at a character boundary, with an ellipsis).
std::string subject_from(std::string_view text) {
  constexpr std::size_t kMaxBytes = 100;
  auto line = trim(text.substr(0, text.find('\n')));
  if (line.size() <= kMaxBytes) return std::string(line);
  return std::string(utf8_prefix(line, kMaxBytes)) + "…";
}

bool is_active(TicketStatus status) {
  return status == TicketStatus::open || status == TicketStatus::in_progress ||
         status == TicketStatus::waiting;
}

std::string start_param(std::int64_t ticket_id) {
  return "ticket_" + std::to_string(ticket_id);
}

std::string short_title(const Ticket& ticket) {
  std::string title = "#";
  title += std::to_string(ticket.id);
  title += ' ';
  title += subject_from(std::string_view(ticket.subject).substr(0, 40));
  return title;
}

}  // namespace

struct Bot::Turn {
  std::int64_t update_id = 0;
  std::int64_t chat_id = 0;
  std::optional<std::int64_t> thread_id;
  std::optional<service::Principal> who;
  Language language = Language::en;
  store::BotChat chat;
  bool chat_changed = false;
  bool unblock = false;
  std::optional<std::string> callback_id;
  std::vector<store::NewDelivery> replies;
  std::optional<CallbackAnswer> answer;

  std::string client_id() const { return "tg-" + std::to_string(update_id); }
  const service::Principal& caller() const { return *who; }
  bool is_staff() const { return who && role_level(who->role()) >= role_level(Role::helper); }

  void say(std::string html, std::string keyboard = {},
           std::optional<std::int64_t> ticket_id = std::nullopt) {
    replies.push_back(store::NewDelivery{.chat_id = chat_id,
                                         .thread_id = thread_id,
                                         .text = std::move(html),
                                         .reply_markup = std::move(keyboard),
                                         .ticket_id = ticket_id,
                                         .topic_ticket_id = std::nullopt,
                                         .reply_to_message_id = std::nullopt});
  }
  void say(Phrase which) { say(std::string(phrase(language, which))); }
  // A button press is answered in its little pop-up; anything else in the chat.
  void tell(std::string_view text) {
    if (callback_id) {
      answer = CallbackAnswer{*callback_id, std::string(text)};
    } else {
      say(escape_html(text));
    }
  }
  void set_dialog(std::string dialog, std::string text = {}) {
    chat.dialog = std::move(dialog);
    chat.dialog_text = std::move(text);
    chat_changed = true;
  }
  void select(std::int64_t ticket_id) {
    chat.selected_ticket_id = ticket_id;
    chat_changed = true;
  }
};

// What a run of updates leaves to write in its one commit. Each chat it touches is read once
// and then kept here, so a later update of the chat sees the dialog state an earlier one left.
struct Bot::Run {
  std::unordered_map<std::int64_t, std::optional<store::BotChat>> chats;
  std::vector<std::int64_t> changed;  // chats to save, each once
  std::vector<std::int64_t> unblocked;
  std::vector<store::NewDelivery> replies;
  std::vector<std::int64_t> processed;
  std::vector<CallbackAnswer> answers;

  const std::optional<store::BotChat>& chat(store::Store& store, std::int64_t chat_id) {
    auto found = chats.find(chat_id);
    if (found == chats.end()) found = chats.emplace(chat_id, store.find_bot_chat(chat_id)).first;
    return found->second;
  }

  void add(Turn turn) {
    if (turn.unblock) {
      unblocked.push_back(turn.chat_id);
      turn.chat.blocked_at.reset();
    }
    if (turn.chat_changed) {
      if (std::find(changed.begin(), changed.end(), turn.chat_id) == changed.end())
        changed.push_back(turn.chat_id);
      chats[turn.chat_id] = turn.chat;
    } else if (turn.unblock) {
      chats[turn.chat_id] = turn.chat;
    }
    std::move(turn.replies.begin(), turn.replies.end(), std::back_inserter(replies));
    processed.push_back(turn.update_id);
    if (turn.answer) answers.push_back(std::move(*turn.answer));
  }
};

Bot::Bot(BotServices services, const AppLinks& links, std::optional<std::int64_t> staff_chat_id)
    : services_(services), links_(links), staff_chat_id_(staff_chat_id) {}

void Bot::handle(const store::TelegramUpdate& update, Run& run) {
  Turn turn;
  turn.update_id = update.update_id;
  try {
    boost::system::error_code error;
    const auto value = json::parse(update.payload, error);
    const auto* root = !error && value.is_object() ? &value.as_object() : nullptr;
    const auto* message = root ? object_at(*root, "message") : nullptr;
    const auto* callback = root ? object_at(*root, "callback_query") : nullptr;
    const auto* part = message ? message : callback;
    const auto* chat = message ? object_at(*message, "chat")
                       : callback && object_at(*callback, "message")
                           ? object_at(*object_at(*callback, "message"), "chat")
                           : nullptr;
    const auto profile = part ? sender_of(*part) : std::nullopt;
    const auto chat_id = chat ? int_at(*chat, "id") : std::nullopt;
    if (profile && chat_id) {
      turn.chat_id = *chat_id;
      turn.who = services_.auth.principal_for_bot_user(*profile);
      turn.language = language_of(profile->language_code ? profile->language_code
                                                         : turn.who->user->language_code);
      const auto stored = run.chat(services_.store, turn.chat_id);
      if (stored) {
        turn.chat = *stored;
      } else {
        turn.chat.chat_id = turn.chat_id;
      }
      turn.chat_changed = !stored;
      if (turn.chat_id > 0 && turn.chat.user_id != turn.who->id()) {
        turn.chat.user_id = turn.who->id();
        turn.chat_changed = true;
      }
      const auto text = message ? string_at(*message, "text").empty()
                                      ? string_at(*message, "caption")
                                      : string_at(*message, "text")
                                : std::string_view();
      if (callback) {
        turn.callback_id = std::string(string_at(*callback, "id"));
        turn.answer = CallbackAnswer{*turn.callback_id, {}};
        on_callback(turn, string_at(*callback, "data"));
      } else if (turn.chat_id > 0) {
        const auto* replied = object_at(*message, "reply_to_message");
        on_private_message(turn, text, replied ? int_at(*replied, "message_id") : std::nullopt);
      } else if (staff_chat_id_ && turn.chat_id == *staff_chat_id_) {
        if (const auto thread = int_at(*message, "message_thread_id")) {
          turn.thread_id = thread;
          on_staff_topic_message(turn, *thread, text);
        }
      }
    }
  } catch (const store::StoreError&) {
    throw;
  } catch (const Error& error) {
    if (turn.chat_id != 0) turn.tell(error_text(turn.language, error.code()));
  } catch (const std::exception& error) {
    spdlog::error("bot: update {} failed: {}", update.update_id, error.what());
    if (turn.chat_id != 0) turn.tell(phrase(turn.language, Phrase::failed));
  }
  run.add(std::move(turn));
}

std::vector<CallbackAnswer> Bot::process(std::span<const store::TelegramUpdate* const> updates) {
  Run run;
  try {
    for (const auto* update : updates) handle(*update, run);
  } catch (const store::StoreError&) {
    commit(run);  // what the updates before the failing one did stays done
    throw;
  }
  commit(run);
  return std::move(run.answers);
}

std::optional<CallbackAnswer> Bot::process(const store::TelegramUpdate& update) {
  const store::TelegramUpdate* one[] = {&update};
  auto answers = process(one);
  if (answers.empty()) return std::nullopt;
  return std::move(answers.front());
}

void Bot::commit(const Run& run) {
  if (run.processed.empty()) return;
  auto& store = services_.store;
  const auto now = system_now();
  store.in_one_transaction([&] {
    for (const auto chat_id : run.unblocked) store.unblock_bot_chat(chat_id, now);
    for (const auto chat_id : run.changed) store.save_bot_chat(*run.chats.at(chat_id), now);
    if (!run.replies.empty()) store.enqueue_deliveries(run.replies, now);
    for (const auto update_id : run.processed) store.mark_telegram_update_processed(update_id, now);
  });
}

void Bot::on_private_message(Turn& turn, std::string_view text,
                             std::optional<std::int64_t> reply_to) {
  text = trim(text);
  if (text.empty()) return turn.say(Phrase::help);
  if (text.starts_with('/')) {
    const auto [command, argument] = split_command(text);
    return on_command(turn, command, argument);
  }
  if (turn.chat.dialog.starts_with("new:")) {
    const auto category = parse_id(std::string_view(turn.chat.dialog).substr(4));
    return open_ticket(turn, text, category);
  }
  if (reply_to) {
    if (const auto ticket = services_.store.ticket_of_bot_message(turn.chat_id, *reply_to)) {
      post(turn, *ticket, text, false);
      turn.select(*ticket);
      if (turn.is_staff()) turn.say(Phrase::message_added);
      return;
    }
  }
  if (turn.is_staff()) return turn.say(Phrase::staff_hint);
  route_plain_message(turn, text);
}

void Bot::on_command(Turn& turn, std::string_view command, std::string_view argument) {
  if (command == "start") {
    turn.unblock = turn.chat.blocked_at.has_value();
    if (argument == "new") return start_new_ticket(turn);
    std::string welcome(phrase(turn.language, Phrase::welcome));
    welcome.replace(welcome.find("{name}"), 6, escape_html(turn.caller().user->first_name));
    const auto param = argument.starts_with("ticket_") ? argument : std::string_view();
    auto button = links_.app_button(phrase(turn.language, Phrase::my_tickets_button), param, true);
    return turn.say(std::move(welcome), button ? inline_keyboard({{std::move(*button)}}) : "");
  }
  if (command == "new") return start_new_ticket(turn);
  if (command == "tickets") return list_tickets(turn);
  if (command == "cancel") {
    if (turn.chat.dialog.empty()) return turn.say(Phrase::nothing_to_cancel);
    turn.set_dialog({});
    return turn.say(Phrase::cancelled);
  }
  if (command == "note") return turn.say(Phrase::staff_hint);
  turn.say(Phrase::help);
}

void Bot::start_new_ticket(Turn& turn) {
  ButtonRows rows;
  for (const auto& category : services_.categories.list(turn.caller())) {
    if (!category.active) continue;
    rows.push_back(
        {callback_button(category.name.substr(0, 60), "cat:" + std::to_string(category.id))});
  }
  if (rows.empty()) {
    turn.set_dialog("new:");
    return turn.say(Phrase::describe_question);
  }
  turn.set_dialog("new:category");
  turn.say(std::string(phrase(turn.language, Phrase::choose_category)), inline_keyboard(rows));
}

void Bot::list_tickets(Turn& turn) {
  store::TicketQuery query;
  if (turn.is_staff()) {
    query.assignee_id = turn.caller().id();
  } else {
    query.creator_id = turn.caller().id();
  }
  query.limit = 10;
  const auto tickets = services_.tickets.list(turn.caller(), query);
  if (tickets.empty()) return turn.say(Phrase::no_tickets);
  std::string text = std::string(phrase(turn.language, Phrase::your_tickets)) + "\n";
  ButtonRows rows;
  for (const auto& ticket : tickets) {
    text += "\n" + ticket_heading(ticket) + " — " +
            std::string(customer_status(turn.language, ticket.status));
    if (auto button = links_.app_button(short_title(ticket), start_param(ticket.id), true)) {
      if (rows.empty() || rows.back().size() == 2) rows.emplace_back();
      rows.back().push_back(std::move(*button));
    }
  }
  turn.say(std::move(text), inline_keyboard(rows));
}

void Bot::open_ticket(Turn& turn, std::string_view text, std::optional<std::int64_t> category_id) {
  const auto submitted = services_.tickets.submit(
      turn.caller(), service::TicketRequest{.subject = subject_from(text),
                                            .body = std::string(text),
                                            .category_id = category_id,
                                            .priority = std::nullopt,
                                            .source = MessageSource::bot,
                                            .client_id = turn.client_id()});
  turn.set_dialog({});
  turn.select(submitted.ticket.id);
  auto button = links_.app_button(phrase(turn.language, Phrase::open_in_app),
                                  start_param(submitted.ticket.id), true);
  turn.say(ticket_heading(submitted.ticket) + "\n" +
               std::string(phrase(turn.language, Phrase::ticket_created)),
           button ? inline_keyboard({{std::move(*button)}}) : "", submitted.ticket.id);
}

void Bot::post(Turn& turn, std::int64_t ticket_id, std::string_view text, bool internal) {
  services_.tickets.post_message(turn.caller(), ticket_id,
                                 service::MessageRequest{.body = std::string(text),
                                                         .internal = internal,
                                                         .source = MessageSource::bot,
                                                         .client_id = turn.client_id()});
}

void Bot::route_plain_message(Turn& turn, std::string_view text) {
  // The ticket this chat wrote to last, while it is open: the usual case, without a list.
  if (const auto selected = turn.chat.selected_ticket_id) {
    const auto ticket = services_.store.find_ticket(*selected);
    if (ticket && ticket->creator.id == turn.caller().id() && is_active(ticket->status)) {
      return post(turn, ticket->id, text, false);
    }
  }
  store::TicketQuery query;
  query.creator_id = turn.caller().id();
  std::vector<Ticket> open;
  for (auto& ticket : services_.tickets.list(turn.caller(), query)) {
    if (is_active(ticket.status)) open.push_back(std::move(ticket));
  }
  if (open.empty()) {
    turn.set_dialog("offer", std::string(text));
    return turn.say(
        std::string(phrase(turn.language, Phrase::offer_new_ticket)),
        inline_keyboard(
            {{callback_button(phrase(turn.language, Phrase::open_ticket_button), "offer:yes"),
              callback_button(phrase(turn.language, Phrase::cancel_button), "offer:no")}}));
  }
  const auto selected = std::find_if(open.begin(), open.end(), [&](const Ticket& ticket) {
    return turn.chat.selected_ticket_id == ticket.id;
  });
  if (open.size() == 1 || selected != open.end()) {
    const auto ticket_id = open.size() == 1 ? open.front().id : selected->id;
    post(turn, ticket_id, text, false);
    return turn.select(ticket_id);
  }
  ButtonRows rows;
  for (const auto& ticket : open) {
    rows.push_back({callback_button(short_title(ticket), "pick:" + std::to_string(ticket.id))});
  }
  turn.set_dialog("pick", std::string(text));
  turn.say(std::string(phrase(turn.language, Phrase::pick_ticket)), inline_keyboard(rows));
}

void Bot::on_callback(Turn& turn, std::string_view data) {
  const auto colon = data.find(':');
  const auto action = data.substr(0, colon);
  const auto rest = colon == std::string_view::npos ? std::string_view() : data.substr(colon + 1);
  if (action == "offer") {
    if (rest == "yes" && turn.chat.dialog == "offer") {
      return open_ticket(turn, turn.chat.dialog_text, std::nullopt);
    }
    turn.set_dialog({});
    return turn.tell(phrase(turn.language, Phrase::cancelled));
  }
  const auto next = rest.find(':');
  const auto ticket_id = parse_id(rest.substr(0, next));
  if (!ticket_id) return turn.tell(phrase(turn.language, Phrase::failed));
  if (action == "cat") {
    turn.set_dialog("new:" + std::to_string(*ticket_id));
    return turn.say(Phrase::describe_question);
  }
  if (action == "pick") {
    if (turn.chat.dialog != "pick") return turn.tell(phrase(turn.language, Phrase::failed));
    post(turn, *ticket_id, turn.chat.dialog_text, false);
    turn.select(*ticket_id);
    turn.set_dialog({});
    return turn.tell(phrase(turn.language, Phrase::message_added));
  }
  act_on_ticket(turn, action, *ticket_id,
                next == std::string_view::npos ? std::string_view() : rest.substr(next + 1));
}

void Bot::act_on_ticket(Turn& turn, std::string_view action, std::int64_t ticket_id,
                        std::string_view argument) {
  if (action == "take") {
    // Take means "take a free ticket": a moderator may assign anyone, so without this check
    // a press on an old alert would move the ticket away from whoever took it since.
    const auto ticket = services_.tickets.get(turn.caller(), ticket_id);
    if (ticket.assignee && ticket.assignee->id != turn.caller().id()) {
      return turn.tell(error_text(turn.language, ErrorCode::conflict));
    }
    service::TicketUpdate update;
    update.assignee_id = std::optional<std::int64_t>(turn.caller().id());
    services_.tickets.update(turn.caller(), ticket_id, update);
    return turn.tell(phrase(turn.language, Phrase::taken));
  }
  if (action == "resolve") {
    service::TicketUpdate update;
    update.status = TicketStatus::resolved;
    services_.tickets.update(turn.caller(), ticket_id, update);
    return turn.tell(phrase(turn.language, Phrase::resolved));
  }
  if (action == "rate") {
    const auto score = parse_id(argument);
    if (!score) return turn.tell(phrase(turn.language, Phrase::failed));
    if (services_.tickets.get(turn.caller(), ticket_id).rating) {
      return turn.tell(phrase(turn.language, Phrase::already_rated));
    }
    services_.tickets.rate(turn.caller(), ticket_id,
                           Rating{.score = static_cast<int>(*score), .comment = std::nullopt});
    return turn.tell(phrase(turn.language, Phrase::rating_thanks));
  }
  turn.tell(phrase(turn.language, Phrase::failed));
}

void Bot::on_staff_topic_message(Turn& turn, std::int64_t thread_id, std::string_view text) {
  const auto ticket = services_.store.ticket_of_topic(turn.chat_id, thread_id);
  if (!ticket || !turn.is_staff()) return;  // not a ticket's topic, or not a member of staff
  text = trim(text);
  if (text.starts_with("/note")) {
    const auto [command, note] = split_command(text);
    if (command != "note" || note.empty()) return;
    return post(turn, *ticket, note, true);
  }
  if (text.empty() || text.starts_with('/')) return;
  post(turn, *ticket, text, false);
}

}  // namespace tb::telegram
