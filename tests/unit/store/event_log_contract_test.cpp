// The event log's contract, typed over the Store backends (tests/support/store_backends.hpp)
// like the rest of the store contract: every change appends its event in its own
// transaction, positions rise in commit order and never go back, durable cursors commit
// with their consumer's effects, pruning never passes them; and EventFollower on top.
#include <filesystem>
#include <stdexcept>
#include <stdlib.h>
#include <thread>

#include <gtest/gtest.h>

#include "../../support/store_backends.hpp"
#include "service/event_follower.hpp"
#include "store/store.hpp"

namespace tb::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

template <class Backend>
class EventLog : public ::testing::Test {
 protected:
  EventLog() : store_(backend_.make()) {
    TelegramUser profile;
    profile.id = 11;
    profile.first_name = "Customer";
    author_ = store_->upsert_telegram_user(profile, Role::user, now_).id;
  }

  std::int64_t ticket(std::optional<std::string> client_id = std::nullopt) {
    NewTicket fields;
    fields.subject = "Subject";
    fields.body = "Body";
    fields.creator_id = author_;
    fields.now = now_;
    fields.client_id = std::move(client_id);
    return store_->create_ticket(fields, [](auto) { return std::nullopt; }).id;
  }

  std::int64_t message(std::int64_t ticket_id, const std::string& body = "hello") {
    return store_
        ->add_message(
            NewMessage{.ticket_id = ticket_id, .author_id = author_, .body = body, .now = now_})
        .id;
  }

  std::vector<Event> all() { return store_->read_events(0, 100000); }

  Backend backend_;
  std::unique_ptr<Store> store_;  // after the backend, which it must not outlive
  Timestamp now_{seconds(1'800'000'000)};
  std::int64_t author_ = 0;
};

TYPED_TEST_SUITE_P(EventLog);

TYPED_TEST_P(EventLog, EveryChangeAppendsItsEventInCommitOrder) {
  const auto id = this->ticket();
  const auto posted = this->message(id, "first reply");
  ASSERT_TRUE(this->store_->update_ticket(
      id, TicketChanges{.status = TicketStatus::resolved, .now = this->now_}));
  ASSERT_TRUE(this->store_->rate_ticket(id, Rating{5, std::nullopt}, this->now_));
  this->store_->delete_ticket(id, this->now_);
  this->store_->delete_ticket(id, this->now_);  // deleted already: no change, no event

  const auto events = this->all();
  ASSERT_EQ(events.size(), 5u);
  const std::vector<EventKind> kinds = {EventKind::ticket_created, EventKind::message_created,
                                        EventKind::ticket_updated, EventKind::ticket_updated,
                                        EventKind::ticket_deleted};
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].kind, kinds[i]) << i;
    EXPECT_EQ(events[i].ticket.id, id);
    if (i > 0) {
      EXPECT_GT(events[i].position, events[i - 1].position);
    }
  }
  ASSERT_TRUE(events[1].message);
  EXPECT_EQ(events[1].message->id, posted);
  EXPECT_EQ(events[1].message->body, "first reply");
  EXPECT_EQ(events[4].ticket.rating->score, 5);  // the ticket as it is now
  EXPECT_EQ(this->store_->event_log_bounds().last, events.back().position);
}

TYPED_TEST_P(EventLog, ChangesThatCachesMustHearOfAreLoggedToo) {
  const auto before = this->store_->event_log_bounds().last;
  EXPECT_TRUE(this->store_->change_role(
      RoleChange{this->author_, Role::user, Role::helper, this->author_, this->now_}));
  EXPECT_FALSE(this->store_->change_role(
      RoleChange{this->author_, Role::user, Role::admin, this->author_, this->now_}));
  this->store_->set_user_categories(this->author_, {});
  this->store_->set_user_availability(this->author_, false);
  this->store_->create_session("hash-1", this->author_, this->now_, this->now_ + hours(1));
  this->store_->delete_session("hash-1");
  this->store_->delete_session("no-such-hash");  // nothing ended: nothing to hear
  this->store_->save_role_permissions(
      PermissionChange{Role::helper, {}, {"tickets.view_all"}, this->author_, this->now_});

  const auto events = this->store_->read_events(before, 100);
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].kind, EventKind::identity_changed);
    EXPECT_EQ(events[i].user_id, this->author_);
    EXPECT_FALSE(is_ticket_event(events[i].kind));
  }
  EXPECT_EQ(events[3].kind, EventKind::session_ended);
  EXPECT_EQ(events[3].session_hash, "hash-1");
  EXPECT_EQ(events[4].kind, EventKind::permissions_changed);
}

TYPED_TEST_P(EventLog, AWriteThatFailsOrRollsBackLogsNothing) {
  this->ticket("key");
  const auto before = this->all().size();
  EXPECT_THROW(this->ticket("key"), UniqueViolation);
  const auto id = this->ticket();
  EXPECT_THROW(this->store_->in_one_transaction([&] {
    this->message(id);
    throw std::runtime_error("the consumer's effect failed");
  }),
               std::runtime_error);
  EXPECT_EQ(this->all().size(), before + 1);  // only the second ticket's creation
}

TYPED_TEST_P(EventLog, PruningEverythingOldKeepsTheNewestSoPositionsNeverGoBack) {
  const auto id = this->ticket();
  this->message(id);
  this->message(id);
  const auto last = this->store_->event_log_bounds().last;
  EXPECT_EQ(this->store_->prune_events(EventRetention{.max_age = hours(1), .max_count = 1000},
                                       this->now_ + hours(2)),
            2);
  ASSERT_EQ(this->all().size(), 1u);
  EXPECT_EQ(this->all().front().position, last);
  EXPECT_EQ(this->store_->event_log_bounds().pruned_up_to, last - 1);
  EXPECT_EQ(this->store_->prune_events(EventRetention{.max_age = hours(1), .max_count = 1},
                                       this->now_ + hours(3)),
            0);
  this->message(id);
  const auto events = this->all();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_GT(events[1].position, last);
  EXPECT_EQ(this->store_->event_log_bounds().last, events[1].position);
}

TYPED_TEST_P(EventLog, PruningKeepsTheNewestAndNeverPassesADurableCursor) {
  const auto id = this->ticket();
  for (int i = 0; i < 9; ++i) this->message(id);  // positions 1 … 10
  const EventRetention keep_two{.max_age = hours(1000), .max_count = 2};
  this->store_->save_cursor("notifier", 4, this->now_);
  EXPECT_EQ(this->store_->prune_events(keep_two, this->now_), 4);  // 1 … 4: read by the notifier
  EXPECT_EQ(this->store_->event_log_bounds().pruned_up_to, 4);
  this->store_->save_cursor("notifier", 9, this->now_);
  this->store_->save_cursor("dashboard", 6, this->now_);  // the slowest decides
  EXPECT_EQ(this->store_->prune_events(keep_two, this->now_), 2);
  EXPECT_EQ(this->all().front().position, 7);
  this->store_->save_cursor("dashboard", 10, this->now_);
  EXPECT_EQ(this->store_->prune_events(keep_two, this->now_), 2);  // 7 and 8: the newest two stay
  EXPECT_EQ(this->all().size(), 2u);
}

TYPED_TEST_P(EventLog, ACursorCommitsWithTheConsumersEffectsOrNotAtAll) {
  const auto id = this->ticket();
  EXPECT_EQ(this->store_->load_cursor("notifier"), 0);
  this->store_->in_one_transaction([&] {
    this->message(id, "the consumer's effect");
    this->store_->save_cursor("notifier", 1, this->now_);
  });
  EXPECT_EQ(this->store_->load_cursor("notifier"), 1);
  EXPECT_THROW(this->store_->in_one_transaction([&] {
    this->store_->save_cursor("notifier", 2, this->now_);
    throw std::runtime_error("sending failed");
  }),
               std::runtime_error);
  EXPECT_EQ(this->store_->load_cursor("notifier"), 1);
}

TYPED_TEST_P(EventLog, AWaitEndsWithTheNextCommit) {
  const auto seen = this->store_->committed_writes();
  std::jthread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    this->ticket();
  });
  EXPECT_NE(this->store_->wait_for_writes(seen, std::chrono::seconds(30)), seen);
  // No write: the wait ends at its timeout with the same count.
  writer.join();
  const auto now = this->store_->committed_writes();
  EXPECT_EQ(this->store_->wait_for_writes(now, std::chrono::milliseconds(20)), now);
}

TYPED_TEST_P(EventLog, AFollowerDeliversEachEventOnceInOrderAndResumesFromASavedCursor) {
  const auto id = this->ticket();
  for (int i = 0; i < 4; ++i) this->message(id, "m" + std::to_string(i));
  std::vector<std::int64_t> seen;
  const auto record = [&](const Event& event) { seen.push_back(event.position); };

  service::EventFollower first(*this->store_, record, 0);
  EXPECT_EQ(first.poll(), 5);
  EXPECT_EQ(first.poll(), 0);                                  // nothing new, nothing again
  this->store_->save_cursor("consumer", seen[2], this->now_);  // it stopped after its third event

  seen.clear();
  this->message(id, "while it was down");
  service::EventFollower restarted(*this->store_, record, this->store_->load_cursor("consumer"));
  EXPECT_EQ(restarted.poll(), 3);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{4, 5, 6}));
}

TYPED_TEST_P(EventLog, AFollowerHearsCommitsLive) {
  std::atomic<int> delivered = 0;
  service::EventFollower follower(
      *this->store_, [&](const Event&) { ++delivered; }, 0);
  std::jthread running([&](std::stop_token stop) { follower.run(stop); });
  const auto id = this->ticket();
  this->message(id);
  for (int i = 0; i < 500 && delivered < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(delivered, 2);
}

REGISTER_TYPED_TEST_SUITE_P(
    EventLog, EveryChangeAppendsItsEventInCommitOrder, ChangesThatCachesMustHearOfAreLoggedToo,
    AWriteThatFailsOrRollsBackLogsNothing, PruningEverythingOldKeepsTheNewestSoPositionsNeverGoBack,
    PruningKeepsTheNewestAndNeverPassesADurableCursor,
    ACursorCommitsWithTheConsumersEffectsOrNotAtAll, AWaitEndsWithTheNextCommit,
    AFollowerDeliversEachEventOnceInOrderAndResumesFromASavedCursor, AFollowerHearsCommitsLive);

// A PostgreSQL backend joins here as in store_contract_test.cpp.
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, EventLog, testing::SqliteBackend);

}  // namespace
}  // namespace tb::store
