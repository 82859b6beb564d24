// Who the bot tells what: NotificationPlanner on events read from the application's event log
// after real changes through the services, and the Notifier as the durable consumer that
// writes those deliveries with its cursor.
#include <chrono>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "../../support/bot_fixture.hpp"
#include "telegram/notifier.hpp"
#include "telegram/texts.hpp"

namespace tb::telegram {
namespace {

using testing::kStaffChat;
using testing::Person;

class BotNotifications : public testing::BotFixture {
 protected:
  void SetUp() override {
    BotFixture::SetUp();
    olga_ = person(7001, "Olga", Role::user);
    helper_ = person(7101, "Helen", Role::helper);
    desk_ = category("Desk");  // helpers see the tickets of their categories
    store().set_user_categories(helper_.user.id, {desk_.id});
  }

  std::int64_t log_end() { return store().event_log_bounds().last; }

  std::vector<Event> events_after(std::int64_t position) {
    return store().read_events(position, 10000);
  }

  // What the planner plans for the events logged after `position`.
  std::vector<store::NewDelivery> planned_after(std::int64_t position,
                                                std::optional<std::int64_t> staff_chat) {
    NotificationPlanner planner(store(), links_, staff_chat);
    std::vector<store::NewDelivery> all;
    for (const auto& event : events_after(position)) {
      auto planned = planner.plan(event);
      all.insert(all.end(), planned.begin(), planned.end());
    }
    return all;
  }

  static std::vector<store::NewDelivery> to_chat(const std::vector<store::NewDelivery>& all,
                                                 std::int64_t chat_id) {
    std::vector<store::NewDelivery> found;
    for (const auto& delivery : all) {
      if (delivery.chat_id == chat_id) found.push_back(delivery);
    }
    return found;
  }

  Message post(const Person& author, std::int64_t ticket_id, const std::string& body,
               bool internal = false, MessageSource source = MessageSource::miniapp) {
    return app_->tickets()
        .post_message(
            principal(author), ticket_id,
            service::MessageRequest{
                .body = body, .internal = internal, .source = source, .client_id = std::nullopt})
        .message;
  }

  void set_status(const Person& who, std::int64_t ticket_id, TicketStatus status) {
    service::TicketUpdate update;
    update.status = status;
    app_->tickets().update(principal(who), ticket_id, update);
  }

  void assign(const Person& staff, std::int64_t ticket_id) {
    service::TicketUpdate update;
    update.assignee_id = std::optional<std::int64_t>(staff.user.id);
    app_->tickets().update(principal(staff), ticket_id, update);
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  static bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return condition();
  }

  Person olga_;
  Person helper_;
  Category desk_;
};

TEST_F(BotNotifications, AStaffReplyReachesTheCustomerEscapedWithItsTicket) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  const auto from = log_end();
  post(helper_, ticket.id, "Use <b>code</b> & retry");

  const auto planned = planned_after(from, std::nullopt);
  ASSERT_EQ(planned.size(), 1u);
  const auto& delivery = planned.front();
  EXPECT_EQ(delivery.chat_id, olga_.chat());
  EXPECT_EQ(delivery.ticket_id, ticket.id);
  EXPECT_FALSE(delivery.topic_ticket_id);
  EXPECT_TRUE(contains(delivery.text, "Use &lt;b&gt;code&lt;/b&gt; &amp; retry")) << delivery.text;
  EXPECT_FALSE(contains(delivery.text, "<b>code")) << delivery.text;
  EXPECT_TRUE(contains(delivery.text, "Support (Helen)")) << delivery.text;
  EXPECT_EQ(web_app_urls(delivery.reply_markup),
            std::vector<std::string>{std::string(testing::kWebAppUrl) + "?startapp=ticket_" +
                                     std::to_string(ticket.id)});
}

TEST_F(BotNotifications, AnInternalNoteGoesToTheStaffTopicOnlyNeverToTheCustomer) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  assign(helper_, ticket.id);
  const auto from = log_end();
  post(person(7102, "Max", Role::moderator), ticket.id, "She asked twice", /*internal=*/true);

  EXPECT_TRUE(planned_after(from, std::nullopt).empty());
  const auto planned = planned_after(from, kStaffChat);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned.front().chat_id, kStaffChat);
  EXPECT_EQ(planned.front().topic_ticket_id, ticket.id);
  EXPECT_TRUE(contains(planned.front().text, "She asked twice"));
  EXPECT_TRUE(contains(planned.front().text, "Internal note (Max)")) << planned.front().text;
}

TEST_F(BotNotifications, ACustomersMessageGoesToTheAssigneeOnly) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  const auto unassigned = open_ticket(olga_, "Login", desk_.id);
  assign(helper_, ticket.id);
  const auto from = log_end();
  post(olga_, ticket.id, "Any news?", false, MessageSource::bot);
  post(olga_, unassigned.id, "Hello?");

  const auto planned = planned_after(from, std::nullopt);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned.front().chat_id, helper_.chat());
  EXPECT_EQ(planned.front().ticket_id, ticket.id);
  EXPECT_TRUE(contains(planned.front().text, "Any news?"));
  EXPECT_TRUE(contains(planned.front().text, "Customer (Olga)")) << planned.front().text;
  EXPECT_TRUE(to_chat(planned, olga_.chat()).empty());
}

TEST_F(BotNotifications, WhatStaffWroteThroughTheBotIsNotEchoedToTheirTopic) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  auto from = log_end();
  post(helper_, ticket.id, "From the topic", false, MessageSource::bot);
  auto planned = planned_after(from, kStaffChat);
  EXPECT_TRUE(to_chat(planned, kStaffChat).empty());
  EXPECT_EQ(to_chat(planned, olga_.chat()).size(), 1u);

  from = log_end();
  post(helper_, ticket.id, "From the app", false, MessageSource::miniapp);
  planned = planned_after(from, kStaffChat);
  ASSERT_EQ(to_chat(planned, kStaffChat).size(), 1u);
  EXPECT_EQ(to_chat(planned, kStaffChat).front().topic_ticket_id, ticket.id);

  from = log_end();
  post(olga_, ticket.id, "From the customer's chat", false, MessageSource::bot);
  planned = planned_after(from, kStaffChat);
  ASSERT_EQ(to_chat(planned, kStaffChat).size(), 1u);
  EXPECT_TRUE(contains(to_chat(planned, kStaffChat).front().text, "From the customer's chat"));
}

TEST_F(BotNotifications, ACriticalTicketAlertsAvailableModeratorsAndAdminsButNotItsCreator) {
  const auto urgent = category("Outage", RoutingMode::manual, Priority::critical);
  const auto on_duty = person(7201, "Mod on duty", Role::moderator);
  const auto away = person(7202, "Mod away", Role::moderator);
  const auto admin = person(7203, "Admin", Role::admin, "ru");
  const auto creator = person(7204, "Mod reporting", Role::moderator);
  store().set_user_availability(away.user.id, false);

  auto from = log_end();
  const auto ticket = open_ticket(creator, "Payments are down", urgent.id);
  ASSERT_EQ(ticket.priority, Priority::critical);
  auto planned = planned_after(from, std::nullopt);
  ASSERT_EQ(to_chat(planned, on_duty.chat()).size(), 1u);
  const auto alert = to_chat(planned, on_duty.chat()).front();
  EXPECT_TRUE(contains(alert.text, std::string(critical_alert(Language::en)))) << alert.text;
  EXPECT_TRUE(contains(alert.text, "Payments are down"));
  const auto take = "take:" + std::to_string(ticket.id);
  auto offered = callback_data(alert.reply_markup);
  EXPECT_NE(std::find(offered.begin(), offered.end(), take), offered.end());
  ASSERT_EQ(to_chat(planned, admin.chat()).size(), 1u);
  EXPECT_TRUE(contains(to_chat(planned, admin.chat()).front().text,
                       std::string(critical_alert(Language::ru))));
  EXPECT_TRUE(to_chat(planned, away.chat()).empty());
  EXPECT_TRUE(to_chat(planned, creator.chat()).empty());
  EXPECT_TRUE(to_chat(planned, helper_.chat()).empty());

  // A normal ticket alerts nobody.
  from = log_end();
  open_ticket(olga_, "A question");
  EXPECT_TRUE(planned_after(from, std::nullopt).empty());
}

TEST_F(BotNotifications, ARoutedTicketIsAnnouncedToItsAssignee) {
  const auto routed = category("Billing", RoutingMode::least_loaded);
  store().set_user_categories(helper_.user.id, {routed.id});
  const auto from = log_end();
  const auto ticket = open_ticket(olga_, "Charged twice", routed.id);
  ASSERT_TRUE(ticket.assignee);
  ASSERT_EQ(ticket.assignee->id, helper_.user.id);

  const auto planned = planned_after(from, std::nullopt);
  const auto to_helper = to_chat(planned, helper_.chat());
  ASSERT_EQ(to_helper.size(), 1u);
  EXPECT_EQ(to_helper.front().ticket_id, ticket.id);
  EXPECT_TRUE(contains(to_helper.front().text, "Charged twice"));
  EXPECT_TRUE(contains(to_helper.front().text, "Billing"));
  EXPECT_TRUE(contains(to_helper.front().text, "Charged twice — details")) << "the first message";
  EXPECT_TRUE(to_chat(planned, olga_.chat()).empty());
}

TEST_F(BotNotifications, AnAssignmentIsAnnouncedToTheAssigneeUnlessTheyTookItThemselves) {
  const auto mona = person(7201, "Mona", Role::moderator);
  const auto taken = open_ticket(olga_, "Taken by Helen", desk_.id);
  const auto given = open_ticket(olga_, "Given to Helen", desk_.id);
  const auto from = log_end();

  assign(helper_, taken.id);  // Helen takes it herself
  service::TicketUpdate update;
  update.assignee_id = std::optional<std::int64_t>(helper_.user.id);
  app_->tickets().update(principal(mona), given.id, update);  // Mona gives her the other

  const auto to_helper = to_chat(planned_after(from, std::nullopt), helper_.chat());
  ASSERT_EQ(to_helper.size(), 1u) << "told of the ticket Mona gave her only";
  EXPECT_EQ(to_helper.front().ticket_id, given.id);
  EXPECT_TRUE(contains(to_helper.front().text, std::string(assigned_to_you(Language::en))));
}

TEST_F(BotNotifications, StatusChangesTellTheCustomerWithARatingKeyboardOnResolution) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  assign(helper_, ticket.id);
  set_status(helper_, ticket.id, TicketStatus::in_progress);

  auto from = log_end();
  set_status(helper_, ticket.id, TicketStatus::waiting);
  auto planned = to_chat(planned_after(from, std::nullopt), olga_.chat());
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_TRUE(contains(planned.front().text, "waiting for your reply")) << planned.front().text;
  EXPECT_TRUE(callback_data(planned.front().reply_markup).empty());

  from = log_end();
  set_status(helper_, ticket.id, TicketStatus::resolved);
  planned = to_chat(planned_after(from, std::nullopt), olga_.chat());
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_TRUE(contains(planned.front().text, phrase(Language::en, Phrase::rate_prompt).data()));
  const auto id = std::to_string(ticket.id);
  EXPECT_EQ(callback_data(planned.front().reply_markup),
            (std::vector<std::string>{"rate:" + id + ":1", "rate:" + id + ":2", "rate:" + id + ":3",
                                      "rate:" + id + ":4", "rate:" + id + ":5"}));

  from = log_end();
  set_status(olga_, ticket.id, TicketStatus::open);  // she reopens it herself
  ASSERT_EQ(store().find_ticket(ticket.id)->status, TicketStatus::open);
  EXPECT_TRUE(to_chat(planned_after(from, std::nullopt), olga_.chat()).empty());
  // The staff topic still hears of it.
  EXPECT_EQ(to_chat(planned_after(from, kStaffChat), kStaffChat).size(), 1u);
}

TEST_F(BotNotifications, StatusesReadInTheCustomersLanguage) {
  const auto anna = person(7002, "Анна", Role::user, "ru");
  const auto ticket = open_ticket(anna, "Возврат", desk_.id);
  set_status(helper_, ticket.id, TicketStatus::in_progress);
  const auto from = log_end();
  set_status(helper_, ticket.id, TicketStatus::waiting);
  const auto planned = to_chat(planned_after(from, std::nullopt), anna.chat());
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_TRUE(contains(planned.front().text, "ждём вашего ответа")) << planned.front().text;
}

TEST_F(BotNotifications, ABlockedChatGetsNothing) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  assign(helper_, ticket.id);
  store().block_bot_chat(olga_.chat(), "Forbidden: bot was blocked by the user", system_now());
  store().block_bot_chat(helper_.chat(), "Forbidden: bot was blocked by the user", system_now());
  const auto from = log_end();
  post(helper_, ticket.id, "Done");
  post(olga_, ticket.id, "Thanks");
  set_status(helper_, ticket.id, TicketStatus::resolved);
  EXPECT_TRUE(planned_after(from, std::nullopt).empty());

  store().unblock_bot_chat(olga_.chat(), system_now());
  const auto later = log_end();
  post(helper_, ticket.id, "One more thing");
  EXPECT_EQ(to_chat(planned_after(later, std::nullopt), olga_.chat()).size(), 1u);
}

TEST_F(BotNotifications, ALongBodyIsSplitWithTheKeyboardOnTheLastPartOnly) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  // 3000 characters, but 6000 UTF-16 units: Telegram's limit counts units.
  std::string body;
  for (int i = 0; i < 3000; ++i) body += "😀";
  const auto from = log_end();
  post(helper_, ticket.id, body);

  const auto planned = planned_after(from, std::nullopt);
  ASSERT_EQ(planned.size(), 2u);
  std::string joined;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    EXPECT_EQ(planned[i].chat_id, olga_.chat());
    EXPECT_EQ(planned[i].ticket_id, ticket.id);
    EXPECT_LE(utf16_length(planned[i].text), kMaxMessageUnits);
    EXPECT_EQ(planned[i].reply_markup.empty(), i + 1 < planned.size()) << "part " << i;
    joined += planned[i].text;
  }
  EXPECT_TRUE(joined.ends_with(body)) << "nothing lost or repeated";

  // Escaping counts too: 4000 "<" are 16000 units once escaped.
  const auto later = log_end();
  post(helper_, ticket.id, std::string(4000, '<'));
  const auto escaped = planned_after(later, std::nullopt);
  ASSERT_EQ(escaped.size(), 4u);
  for (const auto& part : escaped) EXPECT_LE(utf16_length(part.text), kMaxMessageUnits);
  EXPECT_FALSE(escaped.back().reply_markup.empty());
}

TEST_F(BotNotifications, ConsumeWritesTheDeliveriesWithTheCursor) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  const auto from = log_end();
  post(helper_, ticket.id, "First");
  set_status(helper_, ticket.id, TicketStatus::resolved);
  const auto events = events_after(from);
  ASSERT_EQ(events.size(), 2u);

  Notifier notifier(store(), links_, std::nullopt);
  notifier.consume(events);
  EXPECT_EQ(store().load_cursor(Notifier::kConsumer), events.back().position);
  const auto written = new_deliveries();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_TRUE(contains(written[0].text, "First"));
  EXPECT_FALSE(callback_data(written[1].reply_markup).empty()) << "the rating keyboard";
  for (const auto& delivery : written) EXPECT_EQ(delivery.chat_id, olga_.chat());

  // Events that plan nothing still move the cursor.
  const auto quiet = log_end();
  post(helper_, ticket.id, "note", /*internal=*/true);
  const auto note = events_after(quiet);
  notifier.consume(note);
  EXPECT_EQ(store().load_cursor(Notifier::kConsumer), note.back().position);
  EXPECT_TRUE(new_deliveries().empty());
}

TEST_F(BotNotifications, RunStartsAtTheLogsEndFirstThenResumesFromItsCursor) {
  const auto ticket = open_ticket(olga_, "Refund", desk_.id);
  post(helper_, ticket.id, "Before the bot existed");
  const auto history_end = log_end();
  ASSERT_GT(history_end, 0);

  Notifier notifier(store(), links_, std::nullopt);
  {
    std::jthread running([&](std::stop_token stop) { notifier.run(stop); });
    ASSERT_TRUE(
        eventually([&] { return store().get_setting("telegram_notifier_started").has_value(); }));
    EXPECT_EQ(store().load_cursor(Notifier::kConsumer), history_end);
    post(helper_, ticket.id, "While running");
    const auto target = log_end();
    ASSERT_TRUE(eventually([&] { return store().load_cursor(Notifier::kConsumer) == target; }));
  }  // stopped
  auto written = new_deliveries();
  ASSERT_EQ(written.size(), 1u) << "no history spam";
  EXPECT_TRUE(contains(written.front().text, "While running"));

  post(helper_, ticket.id, "While stopped");
  const auto target = log_end();
  {
    std::jthread running([&](std::stop_token stop) { notifier.run(stop); });
    ASSERT_TRUE(eventually([&] { return store().load_cursor(Notifier::kConsumer) == target; }));
  }
  written = new_deliveries();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_TRUE(contains(written.front().text, "While stopped"));
}

}  // namespace
}  // namespace tb::telegram
