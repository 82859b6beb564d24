// SettingsService on a real SQLite file: who changes what customers see, where it is kept,
// that each change is audited, and the rules it gives TicketService (the priorities a
// customer may choose) and the adapters (the fields a customer is not shown).
#include "service/settings_service.hpp"

#include <gtest/gtest.h>

#include "../../support/store_fixture.hpp"
#include "service/ticket_service.hpp"

namespace tb::service {
namespace {

class SettingsServiceTest : public testing::StoreFixture {
 protected:
  SettingsServiceTest()
      : admin_(principal(Role::admin, 9001, "Admin")),
        moderator_(principal(Role::moderator, 9002, "Moderator")),
        helper_(principal(Role::helper, 9003, "Helper")),
        customer_(principal(Role::user, 9004, "Customer")) {}

  static TicketRequest request(std::optional<Priority> priority) {
    TicketRequest request;
    request.subject = "Down";
    request.body = "Everything";
    request.priority = priority;
    return request;
  }

  SettingsService settings_{*store_};
  AutoReplyService auto_replies_{*store_};
  TicketService tickets_{*store_, auto_replies_, system_now, 60, &settings_};
  Principal admin_, moderator_, helper_, customer_;
};

TEST_F(SettingsServiceTest, OnlyThoseWithSettingsManageChangeThem) {
  const CustomerSettingsChange change{.show_sla = true};
  EXPECT_EQ(code_of([&] { settings_.update(moderator_, change); }), ErrorCode::forbidden);
  EXPECT_EQ(code_of([&] { settings_.update(customer_, change); }), ErrorCode::forbidden);
  EXPECT_FALSE(settings_.customer().show_sla);
  EXPECT_TRUE(settings_.update(admin_, change).show_sla);
  EXPECT_TRUE(settings_.customer().show_sla);
}

TEST_F(SettingsServiceTest, AChangeIsKeptAuditedAndReadByTheNextServer) {
  settings_.update(admin_,
                   {.show_assignee = true,
                    .priorities = std::vector{Priority::critical, Priority::low, Priority::low}});
  const SettingsService restarted(*store_);
  EXPECT_EQ(restarted.customer(),
            (CustomerSettings{.show_sla = false,
                              .show_assignee = true,
                              .priorities = {Priority::low, Priority::critical}}));
  const auto entries = store_->list_audit(0, 10);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "settings.changed");
  EXPECT_EQ(entries[0].actor.id, admin_.id());
  EXPECT_EQ(entries[0].old_value, encode_customer_settings(CustomerSettings{}));
  EXPECT_EQ(entries[0].new_value, encode_customer_settings(restarted.customer()));

  settings_.update(admin_, {.show_assignee = true});  // what it is already: nothing to record
  EXPECT_EQ(store_->list_audit(0, 10).size(), 1u);
}

TEST_F(SettingsServiceTest, CustomersKeepAtLeastOnePriority) {
  EXPECT_EQ(code_of([&] { settings_.update(admin_, {.priorities = std::vector<Priority>{}}); }),
            ErrorCode::invalid_request);
  EXPECT_EQ(settings_.customer(), CustomerSettings{});
  EXPECT_TRUE(store_->list_audit(0, 10).empty());
}

TEST_F(SettingsServiceTest, ACustomerIsNotShownWhatTheSettingsHideAndStaffSeeAll) {
  EXPECT_EQ(tickets_.redaction_for(customer_),
            (TicketRedaction{.hide_sla = true, .hide_assignee = true}));
  EXPECT_FALSE(tickets_.redaction_for(helper_).any());
  EXPECT_FALSE(tickets_.redaction_for(admin_).any());
  settings_.update(admin_, {.show_sla = true});
  EXPECT_EQ(tickets_.redaction_for(customer_),
            (TicketRedaction{.hide_sla = false, .hide_assignee = true}));
}

TEST_F(SettingsServiceTest, ACustomerChoosesOnlyAnAllowedPriority) {
  const auto events = logged_events().size();
  EXPECT_EQ(code_of([&] { tickets_.create(customer_, request(Priority::critical)); }),
            ErrorCode::forbidden);
  EXPECT_EQ(logged_events().size(), events) << "nothing was created";
  EXPECT_EQ(tickets_.create(customer_, request(Priority::high)).priority, Priority::high);
  EXPECT_EQ(tickets_.create(helper_, request(Priority::critical)).priority, Priority::critical)
      << "staff choose any priority";
  EXPECT_EQ(tickets_.create(customer_, request(std::nullopt)).priority, Priority::normal);

  settings_.update(admin_, {.priorities = std::vector{Priority::critical}});
  EXPECT_EQ(tickets_.create(customer_, request(Priority::critical)).priority, Priority::critical);
  EXPECT_EQ(code_of([&] { tickets_.create(customer_, request(Priority::low)); }),
            ErrorCode::forbidden);
}

TEST_F(SettingsServiceTest, WithoutSettingsTheDefaultsApply) {
  TicketService alone(*store_, auto_replies_);
  EXPECT_EQ(code_of([&] { alone.create(customer_, request(Priority::critical)); }),
            ErrorCode::forbidden);
  EXPECT_TRUE(alone.redaction_for(customer_).hide_assignee);
}

}  // namespace
}  // namespace tb::service
