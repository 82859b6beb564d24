// AutoReplyService on a real SQLite file: the rules of an auto-reply's fields, and running
// them — which fire, as whom, how often, and what is logged.
#include "service/auto_reply_service.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "../../support/store_fixture.hpp"

namespace tb::service {
namespace {

class AutoReplyServiceTest : public testing::StoreFixture {
 protected:
  AutoReplyServiceTest()
      : admin_(principal(Role::admin, 9001, "Admin")),
        customer_(principal(Role::user, 9002, "Customer")) {}

  static AutoReplyFields refund_reply() {
    AutoReplyFields fields;
    fields.name = "refunds";
    fields.keywords = std::vector<std::string>{"refund"};
    fields.event = AutoReplyEvent::message;
    fields.body = "Refunds take 3-5 days.";
    return fields;
  }

  std::vector<Message> messages_on(std::int64_t ticket_id) {
    return store_->list_messages(ticket_id, 0, 1000, true);
  }

  // The message.created events the log holds (file_ticket logs a ticket.created too).
  std::size_t message_events() {
    const auto events = logged_events();
    return std::count_if(events.begin(), events.end(), [](const Event& event) {
      return event.kind == EventKind::message_created;
    });
  }

  AutoReplyService auto_replies_{*store_};
  Principal admin_, customer_;
};

TEST_F(AutoReplyServiceTest, AMatchingReplyFiresOncePerTicketAsASystemMessage) {
  const auto reply = auto_replies_.create(admin_, refund_reply());
  const auto ticket = file_ticket(customer_.id());

  const auto after = auto_replies_.run(ticket, AutoReplyEvent::message, "I want a REFUND now");
  EXPECT_EQ(after.messages_count, ticket.messages_count + 1) << "the ticket as it is afterwards";
  auto messages = messages_on(ticket.id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages.back().body, reply.body);
  EXPECT_EQ(messages.back().source, MessageSource::system);
  EXPECT_NE(messages.back().author.id, customer_.id());
  ASSERT_EQ(message_events(), 1u);
  EXPECT_EQ(logged_events().back().message->id, messages.back().id);

  auto_replies_.run(after, AutoReplyEvent::message, "refund, please");
  EXPECT_EQ(messages_on(ticket.id).size(), 2u) << "once per ticket";
  EXPECT_EQ(message_events(), 1u);
}

TEST_F(AutoReplyServiceTest, RepliesOfAnotherEventInactiveOnesAndOtherWordsDoNotFire) {
  auto fields = refund_reply();
  auto_replies_.create(admin_, fields);
  fields.name = "inactive";
  fields.active = false;
  auto_replies_.create(admin_, fields);
  const auto ticket = file_ticket(customer_.id());

  auto_replies_.run(ticket, AutoReplyEvent::ticket_created, "refund");
  auto_replies_.run(ticket, AutoReplyEvent::message, "where is my parcel");
  EXPECT_EQ(messages_on(ticket.id).size(), 1u);
  EXPECT_EQ(message_events(), 0u);
}

TEST_F(AutoReplyServiceTest, AReplyForACategoryFiresOnlyOnItsTickets) {
  Category billing;
  billing.name = "Billing";
  billing = store_->save_category(billing);
  AutoReplyFields fields;
  fields.name = "billing greeting";
  fields.category_id = std::optional<std::int64_t>{billing.id};
  fields.event = AutoReplyEvent::ticket_created;
  fields.body = "Billing answers within a day.";
  auto_replies_.create(admin_, fields);

  const auto elsewhere = file_ticket(customer_.id());
  auto_replies_.run(elsewhere, AutoReplyEvent::ticket_created, "anything");
  EXPECT_EQ(messages_on(elsewhere.id).size(), 1u);
  const auto billed = file_ticket(customer_.id(), billing.id);
  auto_replies_.run(billed, AutoReplyEvent::ticket_created, "anything");
  EXPECT_EQ(messages_on(billed.id).size(), 2u);
}

TEST_F(AutoReplyServiceTest, AReplyNeedsKeywordsOrACategory) {
  auto fields = refund_reply();
  fields.keywords = std::vector<std::string>{"  ", ""};
  EXPECT_EQ(code_of([&] { auto_replies_.create(admin_, fields); }), ErrorCode::invalid_request);
  fields.keywords = std::vector<std::string>{" refund ", " "};
  EXPECT_EQ(auto_replies_.create(admin_, fields).keywords, std::vector<std::string>{"refund"})
      << "keywords are trimmed and blank ones dropped";
}

TEST_F(AutoReplyServiceTest, NameEventAndBodyAreRequiredAndTheCategoryMustExist) {
  auto fields = refund_reply();
  fields.body.reset();
  EXPECT_EQ(code_of([&] { auto_replies_.create(admin_, fields); }), ErrorCode::invalid_request);
  fields = refund_reply();
  fields.category_id = std::optional<std::int64_t>{999};
  EXPECT_EQ(code_of([&] { auto_replies_.create(admin_, fields); }), ErrorCode::invalid_request);
  EXPECT_TRUE(store_->list_auto_replies().empty());
}

TEST_F(AutoReplyServiceTest, OnlyThoseWhoManageAutoRepliesSeeOrChangeThem) {
  const auto reply = auto_replies_.create(admin_, refund_reply());
  EXPECT_EQ(code_of([&] { auto_replies_.list(customer_); }), ErrorCode::forbidden);
  EXPECT_EQ(code_of([&] { auto_replies_.create(customer_, refund_reply()); }),
            ErrorCode::forbidden);
  EXPECT_EQ(code_of([&] { auto_replies_.remove(customer_, reply.id); }), ErrorCode::forbidden);
  auto_replies_.remove(admin_, reply.id);
  EXPECT_EQ(code_of([&] { auto_replies_.remove(admin_, reply.id); }), ErrorCode::not_found);
}

}  // namespace
}  // namespace tb::service
