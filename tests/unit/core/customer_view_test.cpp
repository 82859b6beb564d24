// What customers see and may choose: the rules and the stored form of the settings.
#include "core/customer_view.hpp"

#include <gtest/gtest.h>

namespace tb {
namespace {

const TicketScope kCustomer{
    .user_id = 1, .view_all = false, .view_category = false, .category_ids = {}};
const TicketScope kHelper{
    .user_id = 2, .view_all = false, .view_category = true, .category_ids = {3}};
const TicketScope kModerator{
    .user_id = 3, .view_all = true, .view_category = true, .category_ids = {}};

TEST(CustomerView, ByDefaultCustomersSeeNeitherSlaNorAssigneeAndCannotChooseCritical) {
  const CustomerSettings defaults;
  EXPECT_EQ(redaction_for(kCustomer, defaults),
            (TicketRedaction{.hide_sla = true, .hide_assignee = true}));
  EXPECT_TRUE(customer_may_choose(defaults, Priority::low));
  EXPECT_TRUE(customer_may_choose(defaults, Priority::normal));
  EXPECT_TRUE(customer_may_choose(defaults, Priority::high));
  EXPECT_FALSE(customer_may_choose(defaults, Priority::critical));
}

TEST(CustomerView, StaffSeeEverythingWhateverTheSettings) {
  const CustomerSettings defaults;
  EXPECT_FALSE(redaction_for(kHelper, defaults).any());
  EXPECT_FALSE(redaction_for(kModerator, defaults).any());
  EXPECT_TRUE(is_customer_scope(kCustomer));
  EXPECT_FALSE(is_customer_scope(kHelper));
}

TEST(CustomerView, EachSettingUncoversItsOwnField) {
  EXPECT_EQ(redaction_for(kCustomer, CustomerSettings{.show_sla = true}),
            (TicketRedaction{.hide_sla = false, .hide_assignee = true}));
  EXPECT_EQ(redaction_for(kCustomer, CustomerSettings{.show_assignee = true}),
            (TicketRedaction{.hide_sla = true, .hide_assignee = false}));
  EXPECT_FALSE(
      redaction_for(kCustomer, CustomerSettings{.show_sla = true, .show_assignee = true}).any());
}

TEST(CustomerView, SettingsSurviveTheirStoredForm) {
  const CustomerSettings settings{.show_sla = true,
                                  .show_assignee = false,
                                  .priorities = {Priority::normal, Priority::critical}};
  const auto text = encode_customer_settings(settings);
  EXPECT_EQ(text, R"({"show_sla":true,"show_assignee":false,"priorities":["normal","critical"]})");
  EXPECT_EQ(decode_customer_settings(text), settings);
}

TEST(CustomerView, AStoredValueItCannotReadKeepsTheDefaults) {
  EXPECT_EQ(decode_customer_settings(""), CustomerSettings{});
  EXPECT_EQ(decode_customer_settings("not json"), CustomerSettings{});
  EXPECT_EQ(decode_customer_settings(R"({"show_sla":"yes","priorities":[]})"), CustomerSettings{});
  // Unknown names are dropped, duplicates kept once, the order is the priorities' own.
  const auto read = decode_customer_settings(
      R"({"show_assignee":true,"priorities":["urgent","high","low","high",7]})");
  EXPECT_TRUE(read.show_assignee);
  EXPECT_FALSE(read.show_sla);
  EXPECT_EQ(read.priorities, (std::vector<Priority>{Priority::low, Priority::high}));
}

TEST(CustomerView, PrioritiesAreDescribedForMessages) {
  EXPECT_EQ(describe_priorities(CustomerSettings{}.priorities), "low, normal, high");
}

}  // namespace
}  // namespace tb
