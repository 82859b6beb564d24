#include "service/demo_data.hpp"

#include <filesystem>
#include <set>
#include <stdlib.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace tb::service {
namespace {

class DemoData : public ::testing::Test {
 protected:
  DemoData() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tb-demo-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    store_ = store::open_store("sqlite:" + (directory_ / "demo.db").string(), {});
    store_->migrate();
    for (const Role role : kAllRoles) {
      TelegramUser profile;
      profile.id = kDemoTelegramIdBase + role_level(role);
      profile.first_name = std::string(role_name(role));
      store_->upsert_telegram_user(profile, role, now_);
    }
  }
  ~DemoData() override { std::filesystem::remove_all(directory_); }

  std::vector<Ticket> all_tickets() {
    store::TicketQuery query;
    query.scope.view_all = true;
    query.limit = 1000;
    return store_->list_tickets(query);
  }

  std::filesystem::path directory_;
  std::unique_ptr<store::Store> store_;
  Timestamp now_{std::chrono::seconds(1'800'000'000)};
};

TEST_F(DemoData, FillsAnEmptyDatabaseWithEveryKindOfTicket) {
  EXPECT_EQ(seed_demo_data(*store_, now_), 320);
  EXPECT_EQ(store_->list_categories().size(), 4u);
  const auto tickets = all_tickets();
  ASSERT_EQ(tickets.size(), 320u);
  std::set<TicketStatus> statuses;
  int rated = 0, answered = 0;
  for (const auto& ticket : tickets) {
    statuses.insert(ticket.status);
    rated += ticket.rating.has_value();
    answered += ticket.first_response_at.has_value();
    EXPECT_LE(ticket.created_at, now_);
    EXPECT_GE(ticket.created_at, now_ - std::chrono::days(90));
  }
  EXPECT_EQ(statuses.size(), 5u) << "open, in_progress, waiting, resolved and closed all present";
  EXPECT_GT(rated, 50);
  EXPECT_GT(answered, 200);
  const auto demo_customer = store_->find_user_by_telegram_id(kDemoTelegramIdBase)->id;
  EXPECT_GE(std::count_if(tickets.begin(), tickets.end(),
                          [&](const Ticket& ticket) { return ticket.creator.id == demo_customer; }),
            4);
}

TEST_F(DemoData, LeavesADatabaseWithDataAlone) {
  seed_demo_data(*store_, now_);
  EXPECT_EQ(seed_demo_data(*store_, now_), 0);
  EXPECT_EQ(all_tickets().size(), 320u);
}

// Issue 15: seeding is one transaction. A failure part-way (here a trigger refusing the 100th
// ticket, standing in for a kill) leaves no category, ticket or marker behind.
// The trigger is written into the file directly on purpose: no store call makes a write fail
// part-way, and the failure should come from inside the database, as a kill or a full disk
// would. (The store's own all-or-nothing contract is
// StoreContract.InOneTransactionCommitsAllOrNothing)
TEST_F(DemoData, SeedingIsOneTransaction) {
  store_.reset();
  const auto path = directory_ / "demo.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER fail_midway BEFORE INSERT ON tickets "
                         "WHEN (SELECT count(*) FROM tickets) >= 100 "
                         "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  store_ = store::open_store("sqlite:" + path.string(), {});
  EXPECT_ANY_THROW(seed_demo_data(*store_, now_));
  EXPECT_TRUE(store_->list_categories().empty());
  EXPECT_TRUE(all_tickets().empty());
  EXPECT_FALSE(store_->get_setting(store::kDemoDataSetting));
}

TEST_F(DemoData, SeedingMarksTheDatabaseAsDemo) {
  EXPECT_FALSE(store_->get_setting(store::kDemoDataSetting));
  seed_demo_data(*store_, now_);
  EXPECT_TRUE(store_->get_setting(store::kDemoDataSetting));
}

}  // namespace
}  // namespace tb::service
