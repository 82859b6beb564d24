// The event log through the Store interface: every change appends its event in its own
// transaction, positions rise in commit order and are never reused, durable cursors commit
// with their consumer's effects, pruning never passes them; and EventFollower on top.
#include <filesystem>
#include <stdexcept>
#include <stdlib.h>
#include <thread>

#include <gtest/gtest.h>

#include "service/event_follower.hpp"
#include "store/store.hpp"

namespace tb::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class EventLog : public ::testing::Test {
 protected:
  EventLog() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-events-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    store_ = open_store("sqlite:" + (directory_ / "test.db").string(), {});
    store_->migrate();
    TelegramUser profile;
    profile.id = 11;
    profile.first_name = "Customer";
    author_ = store_->upsert_telegram_user(profile, Role::user, now_).id;
  }
  ~EventLog() override {
    store_.reset();
    std::filesystem::remove_all(directory_);
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

  std::filesystem::path directory_;
  std::unique_ptr<Store> store_;
  Timestamp now_{seconds(1'800'000'000)};
  std::int64_t author_ = 0;
};

TEST_F(EventLog, EveryChangeAppendsItsEventInCommitOrder) {
  const auto id = ticket();
  const auto posted = message(id, "first reply");
  ASSERT_TRUE(
      store_->update_ticket(id, TicketChanges{.status = TicketStatus::resolved, .now = now_}));
  ASSERT_TRUE(store_->rate_ticket(id, Rating{5, std::nullopt}, now_));
  store_->delete_ticket(id, now_);
  store_->delete_ticket(id, now_);  // deleted already: no change, no event

  const auto events = all();
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
  EXPECT_EQ(store_->event_log_bounds().last, events.back().position);
}

TEST_F(EventLog, ChangesThatCachesMustHearOfAreLoggedToo) {
  const auto before = store_->event_log_bounds().last;
  EXPECT_TRUE(store_->change_role(RoleChange{author_, Role::user, Role::helper, author_, now_}));
  EXPECT_FALSE(store_->change_role(RoleChange{author_, Role::user, Role::admin, author_, now_}));
  store_->set_user_categories(author_, {});
  store_->set_user_availability(author_, false);
  store_->create_session("hash-1", author_, now_, now_ + hours(1));
  store_->delete_session("hash-1");
  store_->delete_session("no-such-hash");  // nothing ended: nothing to hear
  store_->save_role_permissions(
      PermissionChange{Role::helper, {}, {"tickets.view_all"}, author_, now_});

  const auto events = store_->read_events(before, 100);
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].kind, EventKind::identity_changed);
    EXPECT_EQ(events[i].user_id, author_);
    EXPECT_FALSE(is_ticket_event(events[i].kind));
  }
  EXPECT_EQ(events[3].kind, EventKind::session_ended);
  EXPECT_EQ(events[3].session_hash, "hash-1");
  EXPECT_EQ(events[4].kind, EventKind::permissions_changed);
}

TEST_F(EventLog, AWriteThatFailsOrRollsBackLogsNothing) {
  ticket("key");
  const auto before = all().size();
  EXPECT_THROW(ticket("key"), UniqueViolation);
  const auto id = ticket();
  EXPECT_THROW(store_->in_one_transaction([&] {
    message(id);
    throw std::runtime_error("the consumer's effect failed");
  }),
               std::runtime_error);
  EXPECT_EQ(all().size(), before + 1);  // only the second ticket's creation
}

TEST_F(EventLog, PositionsKeepRisingAfterPruningEmptiedTheLog) {
  const auto id = ticket();
  message(id);
  const auto last = store_->event_log_bounds().last;
  EXPECT_EQ(
      store_->prune_events(EventRetention{.max_age = hours(1), .max_count = 1000}, now_ + hours(2)),
      2);
  EXPECT_TRUE(all().empty());
  EXPECT_EQ(store_->event_log_bounds().pruned_up_to, last);
  message(id);
  const auto events = all();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_GT(events[0].position, last);
  EXPECT_EQ(store_->event_log_bounds().pruned_up_to, last);
}

TEST_F(EventLog, PruningKeepsTheNewestAndNeverPassesADurableCursor) {
  const auto id = ticket();
  for (int i = 0; i < 9; ++i) message(id);  // positions 1 … 10
  const EventRetention keep_two{.max_age = hours(1000), .max_count = 2};
  store_->save_cursor("notifier", 4, now_);
  EXPECT_EQ(store_->prune_events(keep_two, now_), 4);  // 1 … 4: read by the notifier
  EXPECT_EQ(store_->event_log_bounds().pruned_up_to, 4);
  store_->save_cursor("notifier", 9, now_);
  store_->save_cursor("dashboard", 6, now_);  // the slowest decides
  EXPECT_EQ(store_->prune_events(keep_two, now_), 2);
  EXPECT_EQ(all().front().position, 7);
  store_->save_cursor("dashboard", 10, now_);
  EXPECT_EQ(store_->prune_events(keep_two, now_), 2);  // 7 and 8: the newest two stay
  EXPECT_EQ(all().size(), 2u);
}

TEST_F(EventLog, ACursorCommitsWithTheConsumersEffectsOrNotAtAll) {
  const auto id = ticket();
  EXPECT_EQ(store_->load_cursor("notifier"), 0);
  store_->in_one_transaction([&] {
    message(id, "the consumer's effect");
    store_->save_cursor("notifier", 1, now_);
  });
  EXPECT_EQ(store_->load_cursor("notifier"), 1);
  EXPECT_THROW(store_->in_one_transaction([&] {
    store_->save_cursor("notifier", 2, now_);
    throw std::runtime_error("sending failed");
  }),
               std::runtime_error);
  EXPECT_EQ(store_->load_cursor("notifier"), 1);
}

TEST_F(EventLog, AWaitEndsWithTheNextCommit) {
  const auto seen = store_->committed_writes();
  std::jthread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ticket();
  });
  EXPECT_NE(store_->wait_for_writes(seen, std::chrono::seconds(30)), seen);
  // No write: the wait ends at its timeout with the same count.
  writer.join();
  const auto now = store_->committed_writes();
  EXPECT_EQ(store_->wait_for_writes(now, std::chrono::milliseconds(20)), now);
}

TEST_F(EventLog, AFollowerDeliversEachEventOnceInOrderAndResumesFromASavedCursor) {
  const auto id = ticket();
  for (int i = 0; i < 4; ++i) message(id, "m" + std::to_string(i));
  std::vector<std::int64_t> seen;
  const auto record = [&](const Event& event) { seen.push_back(event.position); };

  service::EventFollower first(*store_, record, 0);
  EXPECT_EQ(first.poll(), 5);
  EXPECT_EQ(first.poll(), 0);                      // nothing new, nothing again
  store_->save_cursor("consumer", seen[2], now_);  // it stopped after its third event

  seen.clear();
  message(id, "while it was down");
  service::EventFollower restarted(*store_, record, store_->load_cursor("consumer"));
  EXPECT_EQ(restarted.poll(), 3);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{4, 5, 6}));
}

TEST_F(EventLog, AFollowerHearsCommitsLive) {
  std::atomic<int> delivered = 0;
  service::EventFollower follower(
      *store_, [&](const Event&) { ++delivered; }, 0);
  std::jthread running([&](std::stop_token stop) { follower.run(stop); });
  const auto id = ticket();
  message(id);
  for (int i = 0; i < 500 && delivered < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(delivered, 2);
}

}  // namespace
}  // namespace tb::store
