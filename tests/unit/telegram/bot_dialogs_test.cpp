// The bot's dialogs, driven with hand-made updates against the whole application in-process:
// /start, /new and its steps, plain messages (offer, join, pick), idempotent reprocessing,
// staff buttons, replies to notifications and the staff forum topics.
#include <gtest/gtest.h>

#include "../../support/bot_fixture.hpp"
#include "telegram/bot.hpp"
#include "telegram/texts.hpp"

namespace tb::telegram {
namespace {

using testing::kStaffChat;
using testing::kWebAppUrl;
using testing::Person;

class BotDialogs : public testing::BotFixture {
 protected:
  std::string en(Phrase which) { return std::string(phrase(Language::en, which)); }
  std::string ru(Phrase which) { return std::string(phrase(Language::ru, which)); }

  // The one reply in `who`'s chat since the last look.
  store::Delivery only_reply(const Person& who) {
    const auto replies = new_deliveries();
    EXPECT_EQ(replies.size(), 1u);
    EXPECT_EQ(to_chat(replies, who.chat()).size(), replies.size());
    return replies.empty() ? store::Delivery{} : replies.front();
  }

  // A member of staff working the category `desk` (helpers see only their categories).
  Person staff(std::int64_t telegram_id, const std::string& name, Role role, const Category& desk) {
    auto made = person(telegram_id, name, role);
    store().set_user_categories(made.user.id, {desk.id});
    return made;
  }

  bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(BotDialogs, StartAnswersOnceWithTheMiniAppButtonInThePersonsLanguage) {
  const auto olga = person(7001, "Ольга", Role::user, "ru");
  const auto john = person(7002, "John <3", Role::user, "en");

  say(olga, "/start");
  auto reply = only_reply(olga);
  EXPECT_TRUE(contains(reply.text, "Здравствуйте, Ольга!")) << reply.text;
  EXPECT_EQ(web_app_urls(reply.reply_markup), std::vector<std::string>{std::string(kWebAppUrl)});
  EXPECT_TRUE(contains(reply.reply_markup, ru(Phrase::my_tickets_button))) << reply.reply_markup;

  say(john, "/start@support_bot");
  reply = only_reply(john);
  EXPECT_TRUE(contains(reply.text, "Hello, John &lt;3!")) << reply.text;  // the name escaped
  EXPECT_EQ(web_app_urls(reply.reply_markup), std::vector<std::string>{std::string(kWebAppUrl)});
  EXPECT_TRUE(contains(reply.reply_markup, en(Phrase::my_tickets_button)));

  // A deep link to a ticket opens the app there.
  say(john, "/start ticket_42");
  reply = only_reply(john);
  EXPECT_EQ(web_app_urls(reply.reply_markup),
            std::vector<std::string>{std::string(kWebAppUrl) + "?startapp=ticket_42"});
}

TEST_F(BotDialogs, NewOffersTheActiveCategoriesThenOpensTheTicketInTheChosenOne) {
  const auto billing = category("Billing");
  const auto delivery = category("Delivery");
  category("Retired", RoutingMode::manual, Priority::normal, /*active=*/false);
  const auto olga = person(7001, "Olga", Role::user);

  say(olga, "/new");
  auto reply = only_reply(olga);
  EXPECT_EQ(reply.text, en(Phrase::choose_category));
  EXPECT_EQ(callback_data(reply.reply_markup),
            (std::vector<std::string>{"cat:" + std::to_string(billing.id),
                                      "cat:" + std::to_string(delivery.id)}));

  press(olga, "cat:" + std::to_string(delivery.id));
  reply = only_reply(olga);
  EXPECT_EQ(reply.text, en(Phrase::describe_question));
  EXPECT_TRUE(tickets_of(olga).empty());

  say(olga, "Parcel is late\nOrdered on Monday, tracking says nothing.");
  const auto tickets = tickets_of(olga);
  ASSERT_EQ(tickets.size(), 1u);
  const auto& ticket = tickets.front();
  EXPECT_EQ(ticket.category_id, delivery.id);
  EXPECT_EQ(ticket.subject, "Parcel is late");
  const auto messages = messages_of(ticket.id);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages.front().source, MessageSource::bot);
  EXPECT_EQ(messages.front().body, "Parcel is late\nOrdered on Monday, tracking says nothing.");
  const auto chat = store().find_bot_chat(olga.chat());
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->selected_ticket_id, ticket.id);
  EXPECT_EQ(chat->dialog, "");
  EXPECT_EQ(chat->user_id, olga.user.id);
  reply = only_reply(olga);
  EXPECT_EQ(reply.ticket_id, ticket.id);
  EXPECT_TRUE(contains(reply.text, en(Phrase::ticket_created))) << reply.text;
}

TEST_F(BotDialogs, ARunOfUpdatesSeesTheDialogItsEarlierUpdatesLeftAndCommitsThemAll) {
  const auto delivery = category("Delivery");
  const auto olga = person(7001, "Olga", Role::user);
  const auto john = person(7002, "John", Role::user);

  // Two people's whole /new dialogs, interleaved, processed as one run: one commit at its end.
  const auto answers = deliver_as_one_run([&] {
    say(olga, "/new");
    say(john, "/start");
    press(olga, "cat:" + std::to_string(delivery.id));
    say(olga, "Parcel is late");
    say(olga, "Tracking says nothing");
  });

  ASSERT_EQ(answers.size(), 1u) << "the category button's press";
  EXPECT_TRUE(store().pending_telegram_updates(100).empty());
  const auto tickets = tickets_of(olga);
  ASSERT_EQ(tickets.size(), 1u) << "the question saw the category the press before it chose";
  EXPECT_EQ(tickets.front().category_id, delivery.id);
  EXPECT_EQ(messages_of(tickets.front().id).size(), 2u) << "the last message joined it";
  const auto chat = store().find_bot_chat(olga.chat());
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->dialog, "");
  EXPECT_EQ(chat->selected_ticket_id, tickets.front().id);
  const auto replies = new_deliveries();
  const auto to_olga = to_chat(replies, olga.chat());
  ASSERT_EQ(to_olga.size(), 3u);  // the categories, "describe it", "ticket created"
  EXPECT_EQ(to_olga[0].text, en(Phrase::choose_category));
  EXPECT_EQ(to_olga[1].text, en(Phrase::describe_question));
  EXPECT_TRUE(contains(to_olga[2].text, en(Phrase::ticket_created))) << to_olga[2].text;
  EXPECT_EQ(to_chat(replies, john.chat()).size(), 1u);
}

TEST_F(BotDialogs, ALongFirstLineIsCutToASubjectOfAtMost100BytesAtACharacterBoundary) {
  const auto olga = person(7001, "Olga", Role::user, "ru");
  // "a" then 60 two-byte letters: byte 100 falls inside a letter, so the cut goes before it.
  std::string line = "a";
  for (int i = 0; i < 60; ++i) line += "ж";
  say(olga, "/new");  // no categories: straight to the description
  EXPECT_EQ(only_reply(olga).text, ru(Phrase::describe_question));
  say(olga, line + "\nsecond line");
  auto tickets = tickets_of(olga);
  ASSERT_EQ(tickets.size(), 1u);
  std::string expected = "a";
  for (int i = 0; i < 49; ++i) expected += "ж";
  EXPECT_EQ(tickets.front().subject, expected + "…");

  // Exactly 100 bytes stay whole.
  const auto john = person(7002, "John", Role::user);
  say(john, "/new");
  say(john, std::string(100, 'x'));
  tickets = tickets_of(john);
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets.front().subject, std::string(100, 'x'));
}

TEST_F(BotDialogs, CancelInTheMiddleOfNewOpensNothing) {
  const auto billing = category("Billing");
  const auto olga = person(7001, "Olga", Role::user);
  say(olga, "/new");
  press(olga, "cat:" + std::to_string(billing.id));
  new_deliveries();
  say(olga, "/cancel");
  EXPECT_EQ(only_reply(olga).text, en(Phrase::cancelled));
  EXPECT_EQ(store().find_bot_chat(olga.chat())->dialog, "");

  say(olga, "My card was charged twice");  // no longer the description: an offer instead
  EXPECT_TRUE(tickets_of(olga).empty());
  const auto reply = only_reply(olga);
  EXPECT_EQ(callback_data(reply.reply_markup), (std::vector<std::string>{"offer:yes", "offer:no"}));

  say(olga, "/cancel");
  say(olga, "/cancel");
  const auto replies = new_deliveries();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].text, en(Phrase::cancelled));
  EXPECT_EQ(replies[1].text, en(Phrase::nothing_to_cancel));
  EXPECT_TRUE(tickets_of(olga).empty());
}

TEST_F(BotDialogs, APlainMessageWithNoOpenTicketIsOfferedAsANewOne) {
  const auto olga = person(7001, "Olga", Role::user, "ru");
  say(olga, "Не приходит код");
  auto reply = only_reply(olga);
  EXPECT_EQ(reply.text, ru(Phrase::offer_new_ticket));
  EXPECT_EQ(callback_data(reply.reply_markup), (std::vector<std::string>{"offer:yes", "offer:no"}));
  EXPECT_TRUE(tickets_of(olga).empty());

  const auto answer = press(olga, "offer:yes");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->callback_query_id, "cb-" + std::to_string(next_update_id_));
  const auto tickets = tickets_of(olga);
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets.front().subject, "Не приходит код");
  EXPECT_EQ(messages_of(tickets.front().id).front().body, "Не приходит код");
  reply = only_reply(olga);
  EXPECT_TRUE(contains(reply.text, ru(Phrase::ticket_created))) << reply.text;
  EXPECT_EQ(store().find_bot_chat(olga.chat())->dialog, "");

  // A stale "yes" (the offer is used up) opens nothing more.
  press(olga, "offer:yes");
  EXPECT_EQ(tickets_of(olga).size(), 1u);
}

TEST_F(BotDialogs, DecliningTheOfferOpensNothing) {
  const auto olga = person(7001, "Olga", Role::user);
  say(olga, "Hello?");
  new_deliveries();
  const auto answer = press(olga, "offer:no");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->text, en(Phrase::cancelled));
  EXPECT_TRUE(tickets_of(olga).empty());
  EXPECT_TRUE(new_deliveries().empty()) << "answered in the pop-up, not in the chat";
  const auto chat = store().find_bot_chat(olga.chat());
  EXPECT_EQ(chat->dialog, "");
  EXPECT_EQ(chat->dialog_text, "");
  press(olga, "offer:yes");  // after a "no", a late "yes" has nothing to open
  EXPECT_TRUE(tickets_of(olga).empty());
}

TEST_F(BotDialogs, APlainMessageJoinsTheOnlyOpenTicket) {
  const auto olga = person(7001, "Olga", Role::user);
  const auto ticket = open_ticket(olga, "Refund");
  say(olga, "Any news?");
  const auto messages = messages_of(ticket.id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages.back().body, "Any news?");
  EXPECT_EQ(messages.back().source, MessageSource::bot);
  EXPECT_EQ(messages.back().author.id, olga.user.id);
  EXPECT_TRUE(new_deliveries().empty()) << "no keyboard, no question";
  EXPECT_EQ(store().find_bot_chat(olga.chat())->selected_ticket_id, ticket.id);
}

TEST_F(BotDialogs, WithTwoOpenTicketsThePersonPicksOneAndTheChoiceIsRemembered) {
  const auto olga = person(7001, "Olga", Role::user);
  const auto first = open_ticket(olga, "Refund");
  const auto second = open_ticket(olga, "Login");
  say(olga, "Here is the screenshot");
  const auto reply = only_reply(olga);
  EXPECT_EQ(reply.text, en(Phrase::pick_ticket));
  auto offered = callback_data(reply.reply_markup);
  std::sort(offered.begin(), offered.end());
  EXPECT_EQ(offered, (std::vector<std::string>{"pick:" + std::to_string(first.id),
                                               "pick:" + std::to_string(second.id)}));
  EXPECT_EQ(messages_of(first.id).size(), 1u);
  EXPECT_EQ(messages_of(second.id).size(), 1u);

  const auto answer = press(olga, "pick:" + std::to_string(second.id));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->text, en(Phrase::message_added));
  ASSERT_EQ(messages_of(second.id).size(), 2u);
  EXPECT_EQ(messages_of(second.id).back().body, "Here is the screenshot");
  EXPECT_EQ(messages_of(first.id).size(), 1u);

  say(olga, "And one more thing");
  EXPECT_TRUE(new_deliveries().empty()) << "no second question";
  ASSERT_EQ(messages_of(second.id).size(), 3u);
  EXPECT_EQ(messages_of(second.id).back().body, "And one more thing");
  EXPECT_EQ(messages_of(first.id).size(), 1u);
}

TEST_F(BotDialogs, AnUpdateRunTwiceMakesOneTicketAndOneMessage) {
  const auto olga = person(7001, "Olga", Role::user);
  // A crash after the ticket was made but before the update's own commit: the update is
  // still pending and the chat still in the step it was in.
  say(olga, "/new");
  const auto before = *store().find_bot_chat(olga.chat());
  ASSERT_EQ(before.dialog, "new:");
  say(olga, "Cannot log in");
  store().save_bot_chat(before, system_now());
  deliver_again();
  ASSERT_EQ(tickets_of(olga).size(), 1u);
  const auto ticket = tickets_of(olga).front();
  EXPECT_EQ(messages_of(ticket.id).size(), 1u);

  // A message joining the open ticket, twice.
  say(olga, "Still cannot");
  deliver_again();
  EXPECT_EQ(messages_of(ticket.id).size(), 2u);

  // A pick, twice.
  const auto other = open_ticket(olga, "Other");
  say(olga, "/cancel");
  store().save_bot_chat(store::BotChat{.chat_id = olga.chat(),
                                       .user_id = olga.user.id,
                                       .blocked_at = std::nullopt,
                                       .dialog = "",
                                       .dialog_text = "",
                                       .selected_ticket_id = std::nullopt},
                        system_now());
  say(olga, "Which one?");
  const auto picking = *store().find_bot_chat(olga.chat());
  ASSERT_EQ(picking.dialog, "pick");
  press(olga, "pick:" + std::to_string(other.id));
  store().save_bot_chat(picking, system_now());
  deliver_again();
  EXPECT_EQ(messages_of(other.id).size(), 2u);
  EXPECT_EQ(messages_of(ticket.id).size(), 2u);

  // And the offer's "yes".
  const auto john = person(7002, "John", Role::user);
  say(john, "Hi");
  const auto offered = *store().find_bot_chat(john.chat());
  press(john, "offer:yes");
  store().save_bot_chat(offered, system_now());
  deliver_again();
  EXPECT_EQ(tickets_of(john).size(), 1u);
}

TEST_F(BotDialogs, EveryUpdateIsMarkedProcessedEvenOneThatMeansNothing) {
  const auto olga = person(7001, "Olga", Role::user);
  deliver_raw("{not json");
  deliver_raw("[1,2]");
  deliver({{"update_id", next_update_id_ + 1}, {"edited_message", message_json(olga, 7001, "x")}});
  deliver({{"update_id", next_update_id_ + 1},
           {"message", boost::json::object{{"message_id", 1}, {"text", "no sender, no chat"}}}});
  auto from_bot = message_json(olga, 7001, "/start");
  from_bot["from"] = boost::json::object{{"id", 8888}, {"is_bot", true}, {"first_name", "Bot"}};
  deliver({{"update_id", next_update_id_ + 1}, {"message", std::move(from_bot)}});
  press(olga, "nonsense");
  say(olga, "/start");

  EXPECT_TRUE(store().pending_telegram_updates(100).empty());
  EXPECT_FALSE(store().find_user_by_telegram_id(8888)) << "a bot is nobody";
  const auto replies = new_deliveries();
  ASSERT_EQ(replies.size(), 1u) << "only the /start is answered in the chat";
  EXPECT_EQ(replies.front().chat_id, olga.chat());
}

TEST_F(BotDialogs, StaffTakeAndResolveFromButtonsWhileOthersAreRefusedInTheirLanguage) {
  const auto olga = person(7001, "Olga", Role::user, "ru");
  const auto ivan = person(7002, "Ivan", Role::user, "ru");
  const auto desk = category("Desk");
  const auto helper = staff(7101, "Helen", Role::helper, desk);
  const auto moderator = staff(7102, "Max", Role::moderator, desk);
  const auto ticket = open_ticket(olga, "Refund", desk.id);
  const auto second = open_ticket(olga, "Login", desk.id);
  const auto take = "take:" + std::to_string(ticket.id);

  auto answer = press(ivan, take);  // someone else's customer
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->text, error_text(Language::ru, ErrorCode::not_found));
  answer = press(olga, take);  // the customer herself
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->text, error_text(Language::ru, ErrorCode::forbidden));
  EXPECT_EQ(answer->text, ru(Phrase::not_allowed));
  EXPECT_FALSE(store().find_ticket(ticket.id)->assignee);
  EXPECT_TRUE(new_deliveries().empty()) << "refusals are answered in the pop-up only";

  answer = press(helper, take);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->text, en(Phrase::taken));
  ASSERT_TRUE(store().find_ticket(ticket.id)->assignee);
  EXPECT_EQ(store().find_ticket(ticket.id)->assignee->id, helper.user.id);

  answer = press(moderator, "take:" + std::to_string(second.id));
  EXPECT_EQ(answer->text, en(Phrase::taken));
  EXPECT_EQ(store().find_ticket(second.id)->assignee->id, moderator.user.id);
  answer = press(moderator, take);  // taken already by the helper
  EXPECT_EQ(answer->text, error_text(Language::en, ErrorCode::conflict));
  EXPECT_EQ(store().find_ticket(ticket.id)->assignee->id, helper.user.id);

  const auto resolve = "resolve:" + std::to_string(ticket.id);
  answer = press(olga, resolve);
  EXPECT_EQ(answer->text, ru(Phrase::not_allowed));
  EXPECT_EQ(store().find_ticket(ticket.id)->status, TicketStatus::open);
  answer = press(helper, resolve);
  EXPECT_EQ(answer->text, en(Phrase::resolved));
  EXPECT_EQ(store().find_ticket(ticket.id)->status, TicketStatus::resolved);
}

TEST_F(BotDialogs, TheCreatorRatesAResolvedTicketOnce) {
  const auto olga = person(7001, "Olga", Role::user, "ru");
  const auto desk = category("Desk");
  const auto helper = staff(7101, "Helen", Role::helper, desk);
  const auto ticket = open_ticket(olga, "Refund", desk.id);
  const auto id = std::to_string(ticket.id);

  auto answer = press(olga, "rate:" + id + ":5");  // not resolved yet
  EXPECT_EQ(answer->text, error_text(Language::ru, ErrorCode::conflict));
  EXPECT_FALSE(store().find_ticket(ticket.id)->rating);

  press(helper, "resolve:" + id);
  answer = press(helper, "rate:" + id + ":1");  // not the creator
  EXPECT_EQ(answer->text, en(Phrase::not_allowed));
  EXPECT_FALSE(store().find_ticket(ticket.id)->rating);

  answer = press(olga, "rate:" + id + ":5");
  EXPECT_EQ(answer->text, ru(Phrase::rating_thanks));
  ASSERT_TRUE(store().find_ticket(ticket.id)->rating);
  EXPECT_EQ(store().find_ticket(ticket.id)->rating->score, 5);

  answer = press(olga, "rate:" + id + ":1");
  EXPECT_EQ(answer->text, ru(Phrase::already_rated));
  EXPECT_EQ(store().find_ticket(ticket.id)->rating->score, 5);
  EXPECT_TRUE(new_deliveries().empty());
}

TEST_F(BotDialogs, AReplyToANotificationPostsInItsTicket) {
  const auto olga = person(7001, "Olga", Role::user);
  const auto desk = category("Desk");
  const auto helper = staff(7101, "Helen", Role::helper, desk);
  const auto first = open_ticket(olga, "Refund", desk.id);
  const auto second = open_ticket(olga, "Login", desk.id);
  // The notifications about `first`, sent: as Telegram messages 501 (to Olga), 601 (to Helen).
  const std::vector<store::NewDelivery> notifications{
      store::NewDelivery{.chat_id = olga.chat(),
                         .thread_id = std::nullopt,
                         .text = "about first",
                         .reply_markup = "",
                         .ticket_id = first.id,
                         .topic_ticket_id = std::nullopt,
                         .reply_to_message_id = std::nullopt},
      store::NewDelivery{.chat_id = helper.chat(),
                         .thread_id = std::nullopt,
                         .text = "about first",
                         .reply_markup = "",
                         .ticket_id = first.id,
                         .topic_ticket_id = std::nullopt,
                         .reply_to_message_id = std::nullopt}};
  store().enqueue_deliveries(notifications, system_now());
  auto queued = new_deliveries();
  ASSERT_EQ(queued.size(), 2u);
  store().mark_delivery_sent(queued[0].id, 501, system_now());
  store().mark_delivery_sent(queued[1].id, 601, system_now());

  reply_to(olga, 501, "Thanks, here is the receipt");  // two open tickets, yet no question
  EXPECT_TRUE(new_deliveries().empty());
  ASSERT_EQ(messages_of(first.id).size(), 2u);
  EXPECT_EQ(messages_of(first.id).back().body, "Thanks, here is the receipt");
  EXPECT_EQ(messages_of(second.id).size(), 1u);

  reply_to(helper, 601, "We are on it");
  const auto message = messages_of(first.id).back();
  EXPECT_EQ(message.body, "We are on it");
  EXPECT_EQ(message.author.id, helper.user.id);
  EXPECT_FALSE(message.internal);
  EXPECT_EQ(only_reply(helper).text, en(Phrase::message_added));

  // Message ids are per chat: 601 in another chat is not the notification Helen got.
  const auto john = person(7003, "John", Role::user);
  reply_to(john, 601, "Hm");
  EXPECT_EQ(messages_of(first.id).size(), 3u);
  EXPECT_EQ(callback_data(only_reply(john).reply_markup),
            (std::vector<std::string>{"offer:yes", "offer:no"}));
}

TEST_F(BotDialogs, StaffWorkATicketInItsTopicOfTheStaffChat) {
  const auto olga = person(7001, "Olga", Role::user);
  const auto desk = category("Desk");
  const auto helper = staff(7101, "Helen", Role::helper, desk);
  const auto ticket = open_ticket(olga, "Refund", desk.id);
  store().save_topic(ticket.id, kStaffChat, 42);

  say_in_topic(helper, 42, "We refunded you");
  auto messages = messages_of(ticket.id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages.back().body, "We refunded you");
  EXPECT_FALSE(messages.back().internal);
  EXPECT_EQ(messages.back().author.id, helper.user.id);
  EXPECT_EQ(messages.back().source, MessageSource::bot);

  say_in_topic(helper, 42, "/note  customer is a VIP ");
  messages = messages_of(ticket.id);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages.back().body, "customer is a VIP");
  EXPECT_TRUE(messages.back().internal);

  say_in_topic(olga, 42, "I am in the staff chat somehow");  // not staff
  say_in_topic(helper, 43, "Wrong thread");                  // no ticket's topic
  say_in_topic(helper, 42, "/note");                         // an empty note
  EXPECT_EQ(messages_of(ticket.id).size(), 3u);
  EXPECT_TRUE(new_deliveries().empty()) << "the staff chat is not chatted in";
  EXPECT_TRUE(store().pending_telegram_updates(100).empty());

  // Without a staff chat configured, that chat is just some group.
  bot_.emplace(services(), links_, std::nullopt);
  say_in_topic(helper, 42, "Ignored");
  EXPECT_EQ(messages_of(ticket.id).size(), 3u);
}

}  // namespace
}  // namespace tb::telegram
