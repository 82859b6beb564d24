// The audit log records every change to categories and auto-replies, in the transaction of
// the change: the action, who, and the record before and after.
#include "service/audit_trail.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "../../support/store_fixture.hpp"
#include "service/auto_reply_service.hpp"
#include "service/category_service.hpp"

namespace tb::service {
namespace {

class AuditTrail : public testing::StoreFixture {
 protected:
  AuditTrail()
      : admin_(principal(Role::admin, 9101, "Admin")),
        customer_(principal(Role::user, 9102, "Customer")) {}

  // The entries, oldest first.
  std::vector<AuditEntry> entries() {
    auto all = store_->list_audit(0, 100);
    std::reverse(all.begin(), all.end());
    return all;
  }

  static boost::json::value parsed(const std::string& text) { return boost::json::parse(text); }

  CategoryService categories_{*store_};
  AutoReplyService auto_replies_{*store_};
  Principal admin_, customer_;
};

TEST_F(AuditTrail, CategoryChangesAreRecordedWithBeforeAndAfter) {
  CategoryFields fields;
  fields.name = "Billing";
  const auto created = categories_.create(admin_, fields);
  CategoryFields rename;
  rename.name = "Payments";
  categories_.update(admin_, created.id, rename);
  categories_.update(admin_, created.id, rename);  // the same again: nothing changed
  categories_.remove(admin_, created.id);

  const auto log = entries();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "category.created");
  EXPECT_EQ(log[0].actor.id, admin_.id());
  EXPECT_EQ(log[0].old_value, "");
  EXPECT_EQ(parsed(log[0].new_value).at("name").as_string(), "Billing");
  EXPECT_EQ(parsed(log[0].new_value).at("id").as_int64(), created.id);
  EXPECT_EQ(log[1].action, "category.updated");
  EXPECT_EQ(parsed(log[1].old_value).at("name").as_string(), "Billing");
  EXPECT_EQ(parsed(log[1].new_value).at("name").as_string(), "Payments");
  EXPECT_EQ(log[2].action, "category.deleted");
  EXPECT_EQ(parsed(log[2].old_value).at("name").as_string(), "Payments");
  EXPECT_EQ(log[2].new_value, "");
}

TEST_F(AuditTrail, DeletingACategoryInUseIsRecordedAsSwitchingItOff) {
  CategoryFields fields;
  fields.name = "Billing";
  const auto created = categories_.create(admin_, fields);
  file_ticket(customer_.id(), created.id);
  categories_.remove(admin_, created.id);
  const auto log = entries();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].action, "category.updated");
  EXPECT_TRUE(parsed(log[1].old_value).at("active").as_bool());
  EXPECT_FALSE(parsed(log[1].new_value).at("active").as_bool());
}

TEST_F(AuditTrail, ARefusedChangeLeavesNoEntry) {
  CategoryFields fields;
  fields.name = "Billing";
  categories_.create(admin_, fields);
  EXPECT_EQ(code_of([&] { categories_.create(admin_, fields); }), ErrorCode::conflict);
  EXPECT_EQ(code_of([&] { categories_.create(customer_, fields); }), ErrorCode::forbidden);
  EXPECT_EQ(entries().size(), 1u);
}

TEST_F(AuditTrail, AutoReplyChangesAreRecorded) {
  AutoReplyFields fields;
  fields.name = "Passwords";
  fields.event = AutoReplyEvent::ticket_created;
  fields.keywords = std::vector<std::string>{"password"};
  fields.body = "Reset it at /reset";
  const auto created = auto_replies_.create(admin_, fields);
  AutoReplyFields off;
  off.active = false;
  auto_replies_.update(admin_, created.id, off);
  auto_replies_.remove(admin_, created.id);

  const auto log = entries();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "auto_reply.created");
  EXPECT_EQ(parsed(log[0].new_value).at("keywords").at(0).as_string(), "password");
  EXPECT_EQ(log[1].action, "auto_reply.updated");
  EXPECT_TRUE(parsed(log[1].old_value).at("active").as_bool());
  EXPECT_FALSE(parsed(log[1].new_value).at("active").as_bool());
  EXPECT_EQ(log[2].action, "auto_reply.deleted");
  EXPECT_EQ(parsed(log[2].old_value).at("body").as_string(), "Reset it at /reset");
}

}  // namespace
}  // namespace tb::service
