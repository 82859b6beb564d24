#include "telegram/notifier.hpp"

#include <spdlog/spdlog.h>

#include "service/event_follower.hpp"
#include "telegram/texts.hpp"

namespace tb::telegram {
namespace {

// Set once the notifier has begun following the log, so that a cursor of 0 after that means
// "from the start", not "never started".
constexpr std::string_view kStartedSetting = "telegram_notifier_started";

bool is_done(TicketStatus status) {
  return status == TicketStatus::resolved || status == TicketStatus::closed;
}

std::string start_param(const Ticket& ticket) {
  return "ticket_" + std::to_string(ticket.id);
}

}  // namespace

NotificationPlanner::NotificationPlanner(store::Store& store, const AppLinks& links,
                                         std::optional<std::int64_t> staff_chat_id)
    : store_(store), links_(links), staff_chat_id_(staff_chat_id) {}

std::vector<store::NewDelivery> NotificationPlanner::plan(const Event& event) {
  std::vector<store::NewDelivery> deliveries;
  switch (event.kind) {
    case EventKind::ticket_created: plan_ticket_created(event, deliveries); break;
    case EventKind::message_created: plan_message(event, deliveries); break;
    case EventKind::ticket_updated: plan_ticket_updated(event, deliveries); break;
    default: break;
  }
  return deliveries;
}

bool NotificationPlanner::reachable(const User& person) {
  if (person.telegram_id <= 0) return false;
  const auto chat = store_.find_bot_chat(person.telegram_id);
  return !chat || !chat->blocked_at;
}

std::optional<User> NotificationPlanner::reachable(std::int64_t user_id) {
  auto user = store_.find_user(user_id);
  if (!user || !reachable(*user)) return std::nullopt;
  return user;
}

void NotificationPlanner::tell(const User& person, const Ticket& ticket, const std::string& header,
                               std::string_view body, const std::string& keyboard,
                               std::vector<store::NewDelivery>& out) {
  auto parts = compose_messages(header, body);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out.push_back(store::NewDelivery{.chat_id = person.telegram_id,
                                     .thread_id = std::nullopt,
                                     .text = std::move(parts[i]),
                                     .reply_markup = i + 1 == parts.size() ? keyboard : "",
                                     .ticket_id = ticket.id,
                                     .topic_ticket_id = std::nullopt,
                                     .reply_to_message_id = std::nullopt});
  }
}

void NotificationPlanner::tell_staff_topic(const Ticket& ticket, const std::string& header,
                                           std::string_view body,
                                           std::vector<store::NewDelivery>& out) {
  if (!staff_chat_id_) return;
  for (auto& part : compose_messages(header, body)) {
    out.push_back(store::NewDelivery{.chat_id = *staff_chat_id_,
                                     .thread_id = std::nullopt,
                                     .text = std::move(part),
                                     .reply_markup = "",
                                     .ticket_id = ticket.id,
                                     .topic_ticket_id = ticket.id,
                                     .reply_to_message_id = std::nullopt});
  }
}

namespace {

std::string staff_keyboard(const AppLinks& links, Language language, const Ticket& ticket,
                           bool offer_take) {
  std::vector<Button> actions;
  const auto id = std::to_string(ticket.id);
  if (offer_take)
    actions.push_back(callback_button(phrase(language, Phrase::take_button), "take:" + id));
  if (!is_done(ticket.status)) {
    actions.push_back(callback_button(phrase(language, Phrase::resolve_button), "resolve:" + id));
  }
  std::vector<Button> open;
  if (auto button =
          links.app_button(phrase(language, Phrase::open_in_app), start_param(ticket), true)) {
    open.push_back(std::move(*button));
  }
  return inline_keyboard({actions, open});
}

std::string customer_keyboard(const AppLinks& links, Language language, const Ticket& ticket) {
  auto button = links.app_button(phrase(language, Phrase::open_in_app), start_param(ticket), true);
  return button ? inline_keyboard({{std::move(*button)}}) : std::string();
}

std::string rating_keyboard(Language language, const Ticket& ticket) {
  std::vector<Button> stars;
  for (int score = kMinScore; score <= kMaxScore; ++score) {
    stars.push_back(
        callback_button(std::to_string(score) + " ⭐",
                        "rate:" + std::to_string(ticket.id) + ":" + std::to_string(score)));
  }
  (void)language;
  return inline_keyboard({stars});
}

}  // namespace

void NotificationPlanner::plan_ticket_created(const Event& event,
                                              std::vector<store::NewDelivery>& out) {
  const Ticket& ticket = event.ticket;
  const auto first = store_.list_messages(ticket.id, 0, 1, false);
  const std::string body = first.empty() ? std::string() : first.front().body;
  std::optional<std::string> category;
  if (ticket.category_id) {
    if (auto found = store_.find_category(*ticket.category_id)) category = found->name;
  }
  const auto card = [&](Language language) {
    return ticket_card(language, ticket, category) + "\n\n";
  };
  const std::int64_t assignee_id = ticket.assignee ? ticket.assignee->id : 0;
  if (assignee_id != 0 && assignee_id != ticket.creator.id) {
    if (auto assignee = reachable(assignee_id)) {
      const auto language = language_of(assignee->language_code);
      tell(*assignee, ticket, card(language), body, staff_keyboard(links_, language, ticket, false),
           out);
    }
  }
  if (raises_critical_alert(event)) {
    for (const Role role : {Role::moderator, Role::admin}) {
      store::UserQuery query;
      query.role = role;
      query.limit = 200;
      for (const auto& person : store_.list_users(query)) {
        if (!person.available || person.id == assignee_id || person.id == ticket.creator.id)
          continue;
        if (!reachable(person)) continue;
        const auto language = language_of(person.language_code);
        tell(person, ticket, std::string(critical_alert(language)) + "\n" + card(language), body,
             staff_keyboard(links_, language, ticket, assignee_id == 0), out);
      }
    }
  }
  if (staff_chat_id_) {
    const auto customer = store_.find_user(ticket.creator.id);
    tell_staff_topic(ticket, card(language_of(customer ? customer->language_code : std::nullopt)),
                     body, out);
  }
}

void NotificationPlanner::plan_message(const Event& event, std::vector<store::NewDelivery>& out) {
  if (!event.message) return;
  const Ticket& ticket = event.ticket;
  const Message& message = *event.message;
  const bool from_customer = message.author.id == ticket.creator.id;
  const auto customer = store_.find_user(ticket.creator.id);
  const auto customer_language = language_of(customer ? customer->language_code : std::nullopt);
  // What staff wrote in the staff topic (or by replying to the bot) is not echoed back there.
  const bool echo_to_topic = from_customer || message.source != MessageSource::bot;
  if (echo_to_topic) {
    tell_staff_topic(ticket, author_label(customer_language, message, from_customer) + ":\n",
                     message.body, out);
  }
  if (message.internal) return;  // internal notes never leave the staff's side
  if (from_customer) {
    if (!ticket.assignee) return;
    if (auto assignee = reachable(ticket.assignee->id)) {
      const auto language = language_of(assignee->language_code);
      tell(*assignee, ticket,
           ticket_heading(ticket) + "\n" + author_label(language, message, true) + ":\n",
           message.body, staff_keyboard(links_, language, ticket, false), out);
    }
    return;
  }
  if (customer && reachable(*customer)) {
    tell(*customer, ticket,
         ticket_heading(ticket) + "\n" + author_label(customer_language, message, false) + ":\n",
         message.body, customer_keyboard(links_, customer_language, ticket), out);
  }
}

void NotificationPlanner::plan_ticket_updated(const Event& event,
                                              std::vector<store::NewDelivery>& out) {
  const Ticket& ticket = event.ticket;
  // Nobody is told of their own doing (a helper who takes a ticket knows it is theirs).
  if (event.assignee_to && *event.assignee_to && **event.assignee_to != ticket.creator.id &&
      **event.assignee_to != event.actor_id) {
    if (auto assignee = reachable(**event.assignee_to)) {
      const auto language = language_of(assignee->language_code);
      tell(*assignee, ticket,
           std::string(assigned_to_you(language)) + "\n" +
               ticket_card(language, ticket, std::nullopt),
           {}, staff_keyboard(links_, language, ticket, false), out);
    }
  }
  if (!event.status_to) return;
  const TicketStatus status = *event.status_to;
  const auto customer = reachable(ticket.creator.id);
  const auto language = language_of(customer ? customer->language_code : std::nullopt);
  tell_staff_topic(ticket, status_line(language, status, Audience::staff), {}, out);
  // A reopened ticket is the customer's own doing (or seen at once in the app).
  if (!customer || status == TicketStatus::open) return;
  std::string text =
      ticket_heading(ticket) + "\n" + status_line(language, status, Audience::customer);
  if (status == TicketStatus::resolved && !ticket.rating) {
    text += "\n\n" + std::string(phrase(language, Phrase::rate_prompt));
    return tell(*customer, ticket, text, {}, rating_keyboard(language, ticket), out);
  }
  tell(*customer, ticket, text, {}, customer_keyboard(links_, language, ticket), out);
}

Notifier::Notifier(store::Store& store, const AppLinks& links,
                   std::optional<std::int64_t> staff_chat_id)
    : store_(store), planner_(store, links, staff_chat_id) {}

void Notifier::consume(std::span<const Event> events) {
  if (events.empty()) return;
  std::vector<store::NewDelivery> deliveries;
  for (const auto& event : events) {
    try {
      auto planned = planner_.plan(event);
      std::move(planned.begin(), planned.end(), std::back_inserter(deliveries));
    } catch (const store::StoreError&) {
      throw;  // the database: try the whole batch again later
    } catch (const std::exception& error) {
      spdlog::error("notifier: event {} ({}) could not be planned: {}", event.position,
                    event_kind_name(event.kind), error.what());
    }
  }
  const auto now = system_now();
  store_.in_one_transaction([&] {
    if (!deliveries.empty()) store_.enqueue_deliveries(deliveries, now);
    store_.save_cursor(kConsumer, events.back().position, now);
  });
}

void Notifier::run(std::stop_token stop) {
  std::int64_t from = store_.load_cursor(kConsumer);
  if (!store_.get_setting(kStartedSetting)) {
    from = store_.event_log_bounds().last;
    const auto now = system_now();
    store_.in_one_transaction([&] {
      store_.save_cursor(kConsumer, from, now);
      store_.set_setting(kStartedSetting, "1");
    });
    spdlog::info("notifier: first start, following the event log from position {}", from);
  }
  service::EventFollower(store_,
                         service::EventFollower::DeliverBatch(
                             [this](std::span<const Event> events) { consume(events); }),
                         from)
      .run(stop);
}

}  // namespace tb::telegram
