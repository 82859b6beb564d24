// What the Telegram bot keeps in the store (issue 15), typed over the Store backends
// (tests/support/store_backends.hpp) like the rest of the store contract: received updates
// stored once and handled in order, chats and their blocks, the outbox of deliveries (due
// order, retries, parking, the dead list), forum topics, the bot's writes committing with
// its other effects, and what a ticket.updated event says it changed.
#include <stdexcept>

#include <gtest/gtest.h>

#include "../../support/store_backends.hpp"
#include "store/store.hpp"

namespace tb::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr Timestamp kStart{seconds(1'800'000'000)};
constexpr std::int64_t kChat = 1001;
constexpr std::int64_t kOtherChat = 1002;
constexpr std::int64_t kStaffChat = -100500;

std::vector<std::int64_t> ids_of(const std::vector<TelegramUpdate>& updates) {
  std::vector<std::int64_t> ids;
  for (const auto& update : updates) ids.push_back(update.update_id);
  return ids;
}

std::vector<std::int64_t> ids_of(const std::vector<Delivery>& deliveries) {
  std::vector<std::int64_t> ids;
  for (const auto& delivery : deliveries) ids.push_back(delivery.id);
  return ids;
}

NewDelivery to(std::int64_t chat_id, std::string text) {
  NewDelivery delivery;
  delivery.chat_id = chat_id;
  delivery.text = std::move(text);
  return delivery;
}

template <class Backend>
class BotStore : public ::testing::Test {
 protected:
  BotStore() : store_(backend_.make()) {}

  void store_updates(std::initializer_list<std::int64_t> ids, Timestamp at = kStart) {
    std::vector<TelegramUpdate> updates;
    for (const auto id : ids)
      updates.push_back(TelegramUpdate{id, R"({"update_id":)" + std::to_string(id) + "}"});
    store_->store_telegram_updates(updates, at);
  }

  // Enqueues one delivery at `at` and returns its id (the newest row).
  std::int64_t enqueue(const NewDelivery& delivery, Timestamp at = kStart) {
    store_->enqueue_deliveries(std::span(&delivery, 1), at);
    return newest_delivery_id();
  }

  // Rows get ids 1, 2, 3, … in a fresh database, and these tests prune only after their last
  // enqueue: the newest id is the number of rows. (due_deliveries cannot tell: it shows only
  // each chat's earliest pending row.)
  std::int64_t newest_delivery_id() {
    const auto counts = store_->delivery_counts();
    return counts.pending + counts.sent + counts.dead;
  }

  // Among the due rows (each chat's earliest pending one).
  std::optional<Delivery> pending(std::int64_t id) {
    for (const auto& delivery : store_->due_deliveries(Timestamp::max(), 100000))
      if (delivery.id == id) return delivery;
    return std::nullopt;
  }

  std::optional<Delivery> dead(std::int64_t id) {
    for (const auto& delivery : store_->list_dead_deliveries(0, 100000))
      if (delivery.id == id) return delivery;
    return std::nullopt;
  }

  std::int64_t user(std::int64_t telegram_id, Role role) {
    TelegramUser profile;
    profile.id = telegram_id;
    profile.first_name = "Person " + std::to_string(telegram_id);
    return store_->upsert_telegram_user(profile, role, kStart).id;
  }

  std::int64_t ticket(std::int64_t creator_id) {
    NewTicket fields;
    fields.subject = "Printer";
    fields.body = "It jams";
    fields.creator_id = creator_id;
    fields.now = kStart;
    return store_->create_ticket(fields, [](auto) { return std::nullopt; }).id;
  }

  // The event the last write appended.
  Event last_event() {
    const auto bounds = store_->event_log_bounds();
    const auto events = store_->read_events(bounds.last - 1, 1);
    if (events.empty()) throw std::runtime_error("no event");
    return events.front();
  }

  Backend backend_;
  std::unique_ptr<Store> store_;  // after the backend, which it must not outlive
};

TYPED_TEST_SUITE_P(BotStore);

// --- updates

TYPED_TEST_P(BotStore, AnUpdateStoredTwiceIsStoredOnce) {
  const std::vector<TelegramUpdate> first = {{10, "first 10"}, {11, "first 11"}};
  EXPECT_EQ(this->store_->store_telegram_updates(first, kStart), 2);
  const std::vector<TelegramUpdate> again = {{11, "second 11"}, {12, "first 12"}, {12, "again"}};
  EXPECT_EQ(this->store_->store_telegram_updates(again, kStart), 1);

  const auto pending = this->store_->pending_telegram_updates(100);
  ASSERT_EQ(ids_of(pending), (std::vector<std::int64_t>{10, 11, 12}));
  EXPECT_EQ(pending[1].payload, "first 11");  // the first copy stays
  EXPECT_EQ(pending[2].payload, "first 12");

  // Handled already: seen again, it is still ignored and does not come back.
  this->store_->mark_telegram_update_processed(10, kStart);
  EXPECT_EQ(this->store_->store_telegram_updates(std::span(first).first(1), kStart), 0);
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(100)),
            (std::vector<std::int64_t>{11, 12}));
}

TYPED_TEST_P(BotStore, PendingUpdatesComeInIdOrderWithoutProcessedOnesUpToTheLimit) {
  this->store_updates({7, 3, 5, 4});
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(100)),
            (std::vector<std::int64_t>{3, 4, 5, 7}));
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(2)), (std::vector<std::int64_t>{3, 4}));

  this->store_->mark_telegram_update_processed(3, kStart);
  this->store_->mark_telegram_update_processed(5, kStart);
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(100)), (std::vector<std::int64_t>{4, 7}));
  EXPECT_EQ(this->store_->pending_telegram_updates(100)[0].payload, R"({"update_id":4})");
}

TYPED_TEST_P(BotStore, TheLastUpdateIdSurvivesPruning) {
  EXPECT_EQ(this->store_->last_telegram_update_id(), 0);
  this->store_updates({1, 2, 3, 5});
  this->store_updates({4}, kStart + hours(2));
  for (const auto id : {1, 2, 4, 5}) this->store_->mark_telegram_update_processed(id, kStart);
  EXPECT_EQ(this->store_->last_telegram_update_id(), 5);

  // 1 and 2 go; 3 is not handled yet, 4 is recent, 5 is the highest.
  EXPECT_EQ(this->store_->prune_telegram_updates(kStart + hours(1)), 2);
  EXPECT_EQ(this->store_->last_telegram_update_id(), 5);
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(100)), (std::vector<std::int64_t>{3}));

  // Everything old and handled: still the highest stays, so the offset does not go back…
  this->store_->mark_telegram_update_processed(3, kStart);
  EXPECT_EQ(this->store_->prune_telegram_updates(kStart + hours(10)), 2);
  EXPECT_EQ(this->store_->last_telegram_update_id(), 5);
  // …and it is still recognised when Telegram sends it again.
  this->store_updates({5});
  EXPECT_TRUE(this->store_->pending_telegram_updates(100).empty());
}

// --- chats

TYPED_TEST_P(BotStore, ChatsAreUpsertedAndSavingLeavesTheBlockAlone) {
  EXPECT_FALSE(this->store_->find_bot_chat(kChat));
  BotChat chat;
  chat.chat_id = kChat;
  chat.user_id = 7;
  chat.dialog = "new_ticket.subject";
  chat.dialog_text = "half typed";
  chat.selected_ticket_id = 9;
  this->store_->save_bot_chat(chat, kStart);
  auto found = this->store_->find_bot_chat(kChat);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->chat_id, kChat);
  EXPECT_EQ(found->user_id, 7);
  EXPECT_EQ(found->dialog, "new_ticket.subject");
  EXPECT_EQ(found->dialog_text, "half typed");
  EXPECT_EQ(found->selected_ticket_id, 9);
  EXPECT_FALSE(found->blocked_at);

  this->store_->block_bot_chat(kChat, "Forbidden: bot was blocked by the user", kStart + hours(1));
  chat.dialog = "";
  chat.dialog_text = "";
  chat.selected_ticket_id = std::nullopt;
  chat.blocked_at = std::nullopt;  // saving never unblocks
  this->store_->save_bot_chat(chat, kStart + hours(2));
  found = this->store_->find_bot_chat(kChat);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->dialog, "");
  EXPECT_EQ(found->dialog_text, "");
  EXPECT_FALSE(found->selected_ticket_id);
  EXPECT_EQ(found->blocked_at, kStart + hours(1));
  EXPECT_FALSE(this->store_->find_bot_chat(kOtherChat));

  this->store_->unblock_bot_chat(kChat, kStart + hours(3));
  found = this->store_->find_bot_chat(kChat);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->blocked_at);
  EXPECT_EQ(found->user_id, 7);

  // A chat the bot never saved can be blocked too (a notification to someone who left).
  this->store_->block_bot_chat(kOtherChat, "Forbidden: user is deactivated", kStart);
  found = this->store_->find_bot_chat(kOtherChat);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->blocked_at, kStart);
  EXPECT_FALSE(found->user_id);
}

TYPED_TEST_P(BotStore, BlockingAChatParksOnlyItsPendingDeliveries) {
  const auto sent = this->enqueue(to(kChat, "sent before"));
  this->store_->mark_delivery_sent(sent, 501, kStart);
  const auto queued = this->enqueue(to(kChat, "still queued"));
  const auto other = this->enqueue(to(kOtherChat, "someone else's"));

  this->store_->block_bot_chat(kChat, "Forbidden: bot was blocked by the user", kStart);

  EXPECT_EQ(ids_of(this->store_->due_deliveries(kStart, 100)), (std::vector<std::int64_t>{other}));
  const auto parked = this->dead(queued);
  ASSERT_TRUE(parked);
  EXPECT_EQ(parked->status, DeliveryStatus::dead);
  EXPECT_EQ(parked->last_error, "Forbidden: bot was blocked by the user");
  EXPECT_EQ(ids_of(this->store_->list_dead_deliveries(0, 100)),
            (std::vector<std::int64_t>{queued}));  // the sent one stays sent
  const auto counts = this->store_->delivery_counts();
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.dead, 1);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 501), std::nullopt);
}

// --- deliveries

TYPED_TEST_P(BotStore, DeliveriesKeepWhatWasQueued) {
  NewDelivery delivery = to(kStaffChat, "<b>New ticket</b>");
  delivery.thread_id = 77;
  delivery.reply_markup = R"({"inline_keyboard":[]})";
  delivery.ticket_id = 12;
  delivery.topic_ticket_id = 13;
  delivery.reply_to_message_id = 400;
  const auto id = this->enqueue(delivery, kStart + seconds(5));
  this->enqueue(to(kChat, "plain"));

  const auto due = this->store_->due_deliveries(kStart + seconds(5), 10);
  ASSERT_EQ(due.size(), 2u);
  const auto& got = due[1];  // due later than "plain"
  EXPECT_EQ(got.id, id);
  EXPECT_EQ(got.chat_id, kStaffChat);
  EXPECT_EQ(got.thread_id, 77);
  EXPECT_EQ(got.text, "<b>New ticket</b>");
  EXPECT_EQ(got.reply_markup, R"({"inline_keyboard":[]})");
  EXPECT_EQ(got.ticket_id, 12);
  EXPECT_EQ(got.topic_ticket_id, 13);
  EXPECT_EQ(got.reply_to_message_id, 400);
  EXPECT_EQ(got.status, DeliveryStatus::pending);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(got.next_attempt_at, kStart + seconds(5));
  EXPECT_EQ(got.created_at, kStart + seconds(5));
  EXPECT_EQ(got.last_error, "");
  EXPECT_FALSE(got.sent_at);
  EXPECT_FALSE(got.telegram_message_id);

  const auto& plain = due[0];
  EXPECT_FALSE(plain.thread_id);
  EXPECT_EQ(plain.reply_markup, "");
  EXPECT_FALSE(plain.ticket_id);
  EXPECT_FALSE(plain.topic_ticket_id);
  EXPECT_FALSE(plain.reply_to_message_id);
}

TYPED_TEST_P(BotStore, DueDeliveriesComeInTheOrderTheyFallDueEachChatInItsOwnOrder) {
  constexpr std::int64_t kThirdChat = 303;
  EXPECT_EQ(this->store_->next_delivery_due(), std::nullopt);
  const auto a = this->enqueue(to(kChat, "a"));
  const auto b = this->enqueue(to(kChat, "b"));
  const auto c = this->enqueue(to(kOtherChat, "c"));
  const auto late = this->enqueue(to(kThirdChat, "late"), kStart + seconds(10));
  this->store_->retry_delivery(a, kStart + seconds(5), "HTTP 500");

  EXPECT_EQ(this->store_->next_delivery_due(), kStart);
  // b is due by its time but waits behind a, deferred in the same chat: a chat's messages
  // arrive in the order they were written.
  EXPECT_EQ(ids_of(this->store_->due_deliveries(kStart, 100)), (std::vector<std::int64_t>{c}));
  EXPECT_EQ(ids_of(this->store_->due_deliveries(kStart + seconds(10), 100)),
            (std::vector<std::int64_t>{c, a, late}));
  EXPECT_EQ(ids_of(this->store_->due_deliveries(kStart + seconds(10), 2)),
            (std::vector<std::int64_t>{c, a}));

  this->store_->mark_delivery_sent(a, 1, kStart + seconds(5));
  EXPECT_EQ(ids_of(this->store_->due_deliveries(kStart + seconds(10), 100)),
            (std::vector<std::int64_t>{b, c, late}));
  this->store_->mark_delivery_sent(b, 2, kStart + seconds(5));
  this->store_->mark_delivery_sent(c, 3, kStart + seconds(5));
  EXPECT_EQ(this->store_->next_delivery_due(), kStart + seconds(10));
  this->store_->park_delivery(late, "HTTP 400: chat not found", kStart + seconds(10));
  EXPECT_EQ(this->store_->next_delivery_due(), std::nullopt);
  EXPECT_TRUE(this->store_->due_deliveries(Timestamp::max(), 100).empty());
}

TYPED_TEST_P(BotStore, TheNextDeliveryIsDueWhenItsChatsEarliestOneIs) {
  const auto a = this->enqueue(to(kChat, "a"));
  this->enqueue(to(kChat, "b"));
  this->store_->retry_delivery(a, kStart + seconds(5), "HTTP 500");
  // b's own time has come, but nothing can go before a does: a sender woken at kStart would
  // find nothing due, and wake again at once, until kStart + 5 s.
  EXPECT_TRUE(this->store_->due_deliveries(kStart, 100).empty());
  EXPECT_EQ(this->store_->next_delivery_due(), kStart + seconds(5));
}

TYPED_TEST_P(BotStore, PruningRemovesOldSentAndDeadDeliveriesNeverPendingOnes) {
  auto about_a_ticket = to(kChat, "old, sent");
  about_a_ticket.ticket_id = 7;
  const auto old_sent = this->enqueue(about_a_ticket);
  const auto new_sent = this->enqueue(to(kOtherChat, "new, sent"));
  const auto old_dead = this->enqueue(to(303, "old, dead"));
  const auto pending = this->enqueue(to(304, "pending"));
  this->store_->mark_delivery_sent(old_sent, 11, kStart);
  this->store_->mark_delivery_sent(new_sent, 12, kStart + hours(48));
  this->store_->park_delivery(old_dead, "HTTP 400", kStart);
  ASSERT_EQ(this->store_->ticket_of_bot_message(kChat, 11), 7);

  EXPECT_EQ(this->store_->prune_deliveries(kStart + hours(24), kStart + hours(1)), 2);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 11), std::nullopt);
  EXPECT_TRUE(this->store_->list_dead_deliveries(0, 10).empty());
  const auto counts = this->store_->delivery_counts();
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(ids_of(this->store_->due_deliveries(kStart + hours(100), 10)),
            (std::vector<std::int64_t>{pending}));
}

TYPED_TEST_P(BotStore, ARetryCountsTheAttemptAndDefersTheDelivery) {
  const auto id = this->enqueue(to(kChat, "hello"));
  this->store_->retry_delivery(id, kStart + seconds(3), "429: retry after 3");
  this->store_->retry_delivery(id, kStart + seconds(30), "HTTP 502");

  EXPECT_TRUE(this->store_->due_deliveries(kStart + seconds(29), 10).empty());
  const auto due = this->store_->due_deliveries(kStart + seconds(30), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 2);
  EXPECT_EQ(due[0].next_attempt_at, kStart + seconds(30));
  EXPECT_EQ(due[0].last_error, "HTTP 502");
  EXPECT_EQ(due[0].status, DeliveryStatus::pending);
  EXPECT_EQ(due[0].created_at, kStart);
}

TYPED_TEST_P(BotStore, AParkedDeliveryIsDeadAndCounted) {
  const auto parked = this->enqueue(to(kChat, "too long"));
  const auto sent = this->enqueue(to(kChat, "fine"));
  this->enqueue(to(kChat, "waiting"));
  this->store_->mark_delivery_sent(sent, 42, kStart + seconds(1));
  this->store_->park_delivery(parked, "Bad Request: message is too long", kStart);

  auto counts = this->store_->delivery_counts();
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.dead, 1);
  const auto dead = this->dead(parked);
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->status, DeliveryStatus::dead);
  EXPECT_EQ(dead->last_error, "Bad Request: message is too long");
  EXPECT_EQ(dead->text, "too long");
  EXPECT_FALSE(this->pending(parked));

  // Neither a late retry nor a late park undoes what happened.
  this->store_->retry_delivery(parked, kStart, "HTTP 500");
  this->store_->park_delivery(sent, "late", kStart);
  counts = this->store_->delivery_counts();
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.sent, 1);
  EXPECT_EQ(counts.dead, 1);
  EXPECT_EQ(this->dead(parked)->attempts, 0);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 42), std::nullopt);  // about no ticket
}

TYPED_TEST_P(BotStore, DeadDeliveriesAreListedNewestFirstByPage) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(this->enqueue(to(kChat, "m" + std::to_string(i))));
  this->enqueue(to(kChat, "still pending"));
  for (const auto id : ids) this->store_->park_delivery(id, "gave up", kStart);

  EXPECT_EQ(ids_of(this->store_->list_dead_deliveries(0, 2)),
            (std::vector<std::int64_t>{ids[4], ids[3]}));
  EXPECT_EQ(ids_of(this->store_->list_dead_deliveries(ids[3], 2)),
            (std::vector<std::int64_t>{ids[2], ids[1]}));
  EXPECT_EQ(ids_of(this->store_->list_dead_deliveries(ids[1], 2)),
            (std::vector<std::int64_t>{ids[0]}));
  EXPECT_TRUE(this->store_->list_dead_deliveries(ids[0], 2).empty());
}

TYPED_TEST_P(BotStore, AMessageTheBotSentLeadsBackToItsTicket) {
  NewDelivery reply = to(kChat, "Support answered");
  reply.ticket_id = 42;
  const auto id = this->enqueue(reply);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 900), std::nullopt);  // not sent yet

  this->store_->mark_delivery_sent(id, 900, kStart + seconds(2));
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 900), 42);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kOtherChat, 900), std::nullopt);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 901), std::nullopt);
  EXPECT_EQ(this->store_->delivery_counts().sent, 1);

  // In a staff topic, a notification is about the topic's ticket.
  NewDelivery in_topic = to(kStaffChat, "Customer wrote");
  in_topic.topic_ticket_id = 43;
  this->store_->mark_delivery_sent(this->enqueue(in_topic), 900, kStart);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kStaffChat, 900), 43);
  EXPECT_EQ(this->store_->ticket_of_bot_message(kChat, 900), 42);
}

// --- topics

TYPED_TEST_P(BotStore, TopicsMapTicketsAndThreadsBothWays) {
  EXPECT_EQ(this->store_->topic_of_ticket(7, kStaffChat), std::nullopt);
  this->store_->save_topic(7, kStaffChat, 55);
  EXPECT_EQ(this->store_->topic_of_ticket(7, kStaffChat), 55);
  EXPECT_EQ(this->store_->ticket_of_topic(kStaffChat, 55), 7);
  EXPECT_EQ(this->store_->topic_of_ticket(7, kOtherChat), std::nullopt);
  EXPECT_EQ(this->store_->ticket_of_topic(kOtherChat, 55), std::nullopt);

  // A thread is one ticket's topic.
  EXPECT_THROW(this->store_->save_topic(8, kStaffChat, 55), UniqueViolation);
  EXPECT_EQ(this->store_->ticket_of_topic(kStaffChat, 55), 7);
  EXPECT_EQ(this->store_->topic_of_ticket(8, kStaffChat), std::nullopt);
  // The same thread number in another chat is another thread.
  this->store_->save_topic(8, kOtherChat, 55);
  EXPECT_EQ(this->store_->ticket_of_topic(kOtherChat, 55), 8);
  EXPECT_EQ(this->store_->ticket_of_topic(kStaffChat, 55), 7);

  // A topic recreated (the old one deleted in Telegram) replaces the ticket's old one.
  this->store_->save_topic(7, kStaffChat, 66);
  EXPECT_EQ(this->store_->topic_of_ticket(7, kStaffChat), 66);
  EXPECT_EQ(this->store_->ticket_of_topic(kStaffChat, 66), 7);
  EXPECT_EQ(this->store_->ticket_of_topic(kStaffChat, 55), std::nullopt);
}

// --- transactions

TYPED_TEST_P(BotStore, DeliveriesCommitWithTheNotifiersCursorOrNotAtAll) {
  this->store_->in_one_transaction([&] {
    const std::vector<NewDelivery> deliveries = {to(kChat, "one"), to(kOtherChat, "two")};
    this->store_->enqueue_deliveries(deliveries, kStart);
    // The transaction's reads see its own writes.
    EXPECT_EQ(this->store_->due_deliveries(kStart, 10).size(), 2u);
    this->store_->save_cursor("telegram-notifier", 5, kStart);
  });
  EXPECT_EQ(this->store_->delivery_counts().pending, 2);
  EXPECT_EQ(this->store_->load_cursor("telegram-notifier"), 5);

  EXPECT_THROW(this->store_->in_one_transaction([&] {
    const std::vector<NewDelivery> deliveries = {to(kChat, "three")};
    this->store_->enqueue_deliveries(deliveries, kStart);
    this->store_->save_cursor("telegram-notifier", 6, kStart);
    throw std::runtime_error("the notifier failed");
  }),
               std::runtime_error);
  EXPECT_EQ(this->store_->delivery_counts().pending, 2);
  EXPECT_EQ(this->store_->load_cursor("telegram-notifier"), 5);
}

TYPED_TEST_P(BotStore, TheBotsAnswerCommitsWithItsUpdateOrNotAtAll) {
  this->store_updates({100, 101});
  BotChat chat;
  chat.chat_id = kChat;
  chat.dialog = "new_ticket.subject";
  const auto answer = [&](std::int64_t update_id, const std::string& text) {
    this->store_->save_bot_chat(chat, kStart);
    const std::vector<NewDelivery> deliveries = {to(kChat, text)};
    this->store_->enqueue_deliveries(deliveries, kStart);
    this->store_->mark_telegram_update_processed(update_id, kStart);
  };

  EXPECT_THROW(this->store_->in_one_transaction([&] {
    answer(100, "What is the subject?");
    throw std::runtime_error("the handler failed");
  }),
               std::runtime_error);
  EXPECT_FALSE(this->store_->find_bot_chat(kChat));
  EXPECT_EQ(this->store_->delivery_counts().pending, 0);
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(10)),
            (std::vector<std::int64_t>{100, 101}));

  this->store_->in_one_transaction([&] { answer(100, "What is the subject?"); });
  EXPECT_TRUE(this->store_->find_bot_chat(kChat));
  EXPECT_EQ(this->store_->delivery_counts().pending, 1);
  EXPECT_EQ(ids_of(this->store_->pending_telegram_updates(10)), (std::vector<std::int64_t>{101}));

  // The sender's writes and a block work inside one too.
  const auto id = this->newest_delivery_id();
  EXPECT_THROW(this->store_->in_one_transaction([&] {
    this->store_->mark_delivery_sent(id, 77, kStart);
    this->store_->block_bot_chat(kOtherChat, "blocked", kStart);
    this->store_->save_topic(1, kStaffChat, 2);
    throw std::runtime_error("crash");
  }),
               std::runtime_error);
  EXPECT_EQ(this->store_->delivery_counts().pending, 1);
  EXPECT_FALSE(this->store_->find_bot_chat(kOtherChat));
  EXPECT_EQ(this->store_->topic_of_ticket(1, kStaffChat), std::nullopt);
}

// --- what ticket.updated changed

TYPED_TEST_P(BotStore, ATicketUpdatedEventSaysWhatChanged) {
  const auto customer = this->user(11, Role::user);
  const auto helper = this->user(12, Role::helper);
  const auto other_helper = this->user(13, Role::helper);
  const auto id = this->ticket(customer);
  const auto created = this->last_event();
  EXPECT_EQ(created.kind, EventKind::ticket_created);
  EXPECT_FALSE(created.status_to);
  EXPECT_FALSE(created.assignee_to);

  const auto update = [&](TicketChanges changes) {
    changes.now = kStart;
    EXPECT_TRUE(this->store_->update_ticket(id, changes));
    const auto event = this->last_event();
    EXPECT_EQ(event.kind, EventKind::ticket_updated);
    EXPECT_EQ(event.ticket.id, id);
    return event;
  };

  // A status change.
  auto event = update({.status = TicketStatus::in_progress});
  EXPECT_EQ(event.status_to, TicketStatus::in_progress);
  EXPECT_FALSE(event.assignee_to);
  // The same status again changes nothing about the status.
  event = update({.status = TicketStatus::in_progress});
  EXPECT_FALSE(event.status_to);

  // An assignment.
  event = update({.assignee_id = helper});
  ASSERT_TRUE(event.assignee_to);
  EXPECT_EQ(*event.assignee_to, helper);
  EXPECT_FALSE(event.status_to);
  event = update({.assignee_id = helper});
  EXPECT_FALSE(event.assignee_to);

  // Unassigned: the assignee changed, to nobody.
  event = update({.assignee_id = std::optional<std::int64_t>()});
  ASSERT_TRUE(event.assignee_to);
  EXPECT_EQ(*event.assignee_to, std::nullopt);
  event = update({.assignee_id = std::optional<std::int64_t>()});
  EXPECT_FALSE(event.assignee_to);

  // Taking an unassigned ticket is an assignment too.
  event = update({.assignee_id = other_helper, .only_if_unassigned = true});
  ASSERT_TRUE(event.assignee_to);
  EXPECT_EQ(*event.assignee_to, other_helper);

  // Subject and priority only: neither.
  event = update({.subject = "Printer on fire", .priority = Priority::high});
  EXPECT_FALSE(event.status_to);
  EXPECT_FALSE(event.assignee_to);

  // Both at once.
  event = update({.status = TicketStatus::resolved, .assignee_id = helper});
  EXPECT_EQ(event.status_to, TicketStatus::resolved);
  ASSERT_TRUE(event.assignee_to);
  EXPECT_EQ(*event.assignee_to, helper);

  // A rating changes neither; auto-close changes the status.
  ASSERT_TRUE(this->store_->rate_ticket(id, Rating{5, std::nullopt}, kStart));
  event = this->last_event();
  EXPECT_EQ(event.kind, EventKind::ticket_updated);
  EXPECT_FALSE(event.status_to);
  EXPECT_FALSE(event.assignee_to);
  EXPECT_EQ(this->store_->close_resolved_before(kStart + hours(1), kStart + hours(1)),
            (std::vector<std::int64_t>{id}));
  event = this->last_event();
  EXPECT_EQ(event.status_to, TicketStatus::closed);
  EXPECT_FALSE(event.assignee_to);

  // Read in a batch, each event keeps its own.
  const auto all = this->store_->read_events(created.position - 1, 100);
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all[1].status_to, TicketStatus::in_progress);
  EXPECT_FALSE(all[2].status_to);
  EXPECT_EQ(all[3].assignee_to, std::optional<std::optional<std::int64_t>>(helper));
  EXPECT_EQ(all[5].assignee_to, std::optional<std::optional<std::int64_t>>(std::in_place));
}

REGISTER_TYPED_TEST_SUITE_P(
    BotStore, AnUpdateStoredTwiceIsStoredOnce,
    PendingUpdatesComeInIdOrderWithoutProcessedOnesUpToTheLimit, TheLastUpdateIdSurvivesPruning,
    ChatsAreUpsertedAndSavingLeavesTheBlockAlone, BlockingAChatParksOnlyItsPendingDeliveries,
    DeliveriesKeepWhatWasQueued, DueDeliveriesComeInTheOrderTheyFallDueEachChatInItsOwnOrder,
    TheNextDeliveryIsDueWhenItsChatsEarliestOneIs,
    PruningRemovesOldSentAndDeadDeliveriesNeverPendingOnes,
    ARetryCountsTheAttemptAndDefersTheDelivery, AParkedDeliveryIsDeadAndCounted,
    DeadDeliveriesAreListedNewestFirstByPage, AMessageTheBotSentLeadsBackToItsTicket,
    TopicsMapTicketsAndThreadsBothWays, DeliveriesCommitWithTheNotifiersCursorOrNotAtAll,
    TheBotsAnswerCommitsWithItsUpdateOrNotAtAll, ATicketUpdatedEventSaysWhatChanged);

// A PostgreSQL backend joins here as in store_contract_test.cpp.
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, BotStore, testing::SqliteBackend);

}  // namespace
}  // namespace tb::store
