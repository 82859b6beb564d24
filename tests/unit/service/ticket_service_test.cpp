// TicketService on a real SQLite file, with the events it publishes recorded: idempotent
// message posting (client_id).
#include "service/ticket_service.hpp"

#include <latch>
#include <thread>

#include <gtest/gtest.h>

#include "../../support/store_fixture.hpp"

namespace tb::service {
namespace {

class TicketServiceMessages : public testing::StoreFixture {
 protected:
  TicketServiceMessages()
      : customer_(principal(Role::user, 7001, "Customer")),
        other_customer_(principal(Role::user, 7002, "Other")),
        staff_(principal(Role::moderator, 7003, "Staff")) {}

  std::int64_t create_ticket(TicketService& tickets, const Principal& creator) {
    TicketRequest request;
    request.subject = "Charged twice";
    request.body = "Help";
    return tickets.create(creator, request).id;
  }

  static PostedMessage post(TicketService& tickets, const Principal& author, std::int64_t ticket_id,
                            const std::string& body, std::optional<std::string> client_id) {
    return tickets.post_message(author, ticket_id,
                                MessageRequest{.body = body, .client_id = std::move(client_id)});
  }

  void set_status(TicketService& tickets, std::int64_t ticket_id, TicketStatus status) {
    TicketUpdate update;
    update.status = status;
    tickets.update(staff_, ticket_id, update);
  }

  std::size_t messages_on(std::int64_t ticket_id) {
    return store_->list_messages(ticket_id, 0, 1000, true).size();
  }

  AutoReplyService auto_replies_{*store_};
  Principal customer_, other_customer_, staff_;
};

TEST_F(TicketServiceMessages, AResendWithTheSameClientIdReturnsTheOriginalAndChangesNothing) {
  TicketService tickets(*store_, auto_replies_);
  AutoReply reply;
  reply.name = "refunds";
  reply.keywords = {"refund"};
  reply.event = AutoReplyEvent::message;
  reply.body = "Refunds take 3-5 days.";
  store_->save_auto_reply(reply);
  const auto id = create_ticket(tickets, customer_);
  set_status(tickets, id, TicketStatus::waiting);

  const auto first = post(tickets, customer_, id, "Here is the receipt", "key-1");
  EXPECT_TRUE(first.created);
  EXPECT_EQ(tickets.get(customer_, id).status, TicketStatus::in_progress);  // a customer reply
  set_status(tickets, id, TicketStatus::waiting);
  const auto before = tickets.get(customer_, id);
  const auto events_before = logged_events().size();

  // Even a body that would fire the auto-reply changes nothing: the key names the message.
  const auto again = post(tickets, customer_, id, "refund please", "key-1");
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.message.id, first.message.id);
  EXPECT_EQ(again.message.body, "Here is the receipt");
  EXPECT_EQ(again.message.created_at, first.message.created_at);
  EXPECT_EQ(logged_events().size(), events_before) << "no event for a resend";
  const auto after = tickets.get(customer_, id);
  EXPECT_EQ(after.status, TicketStatus::waiting) << "no status change for a resend";
  EXPECT_EQ(after.messages_count, before.messages_count);
  EXPECT_EQ(after.updated_at, before.updated_at);
  EXPECT_EQ(messages_on(id), 2u) << "the first message and the original, no auto-reply";
}

TEST_F(TicketServiceMessages, ResendsDoNotCountAgainstTheRateLimit) {
  TicketService tickets(*store_, auto_replies_, system_now, /*messages_per_minute=*/2);
  const auto id = create_ticket(tickets, customer_);
  ASSERT_TRUE(post(tickets, customer_, id, "one", "a").created);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(post(tickets, customer_, id, "one", "a").created);
  ASSERT_TRUE(post(tickets, customer_, id, "two", "b").created);
  try {
    post(tickets, customer_, id, "three", "c");
    FAIL() << "expected rate_limited";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::rate_limited);
  }
}

TEST_F(TicketServiceMessages, AClientIdBelongsToOneAuthorOnOneTicket) {
  TicketService tickets(*store_, auto_replies_);
  const auto first_ticket = create_ticket(tickets, customer_);
  const auto second_ticket = create_ticket(tickets, customer_);
  const auto original = post(tickets, customer_, first_ticket, "hello", "same-key");
  const auto by_staff = post(tickets, staff_, first_ticket, "hello", "same-key");
  const auto elsewhere = post(tickets, customer_, second_ticket, "hello", "same-key");
  EXPECT_TRUE(by_staff.created);
  EXPECT_TRUE(elsewhere.created);
  EXPECT_NE(by_staff.message.id, original.message.id);
  EXPECT_NE(elsewhere.message.id, original.message.id);
  EXPECT_EQ(messages_on(first_ticket), 3u);
  EXPECT_EQ(messages_on(second_ticket), 2u);
  // Without a key every post is a new message, as before.
  EXPECT_TRUE(post(tickets, customer_, second_ticket, "hello", std::nullopt).created);
  EXPECT_TRUE(post(tickets, customer_, second_ticket, "hello", std::nullopt).created);
  EXPECT_EQ(messages_on(second_ticket), 4u);
}

TEST_F(TicketServiceMessages, AMalformedClientIdIsRefusedAndNothingIsPosted) {
  TicketService tickets(*store_, auto_replies_);
  const auto id = create_ticket(tickets, customer_);
  for (const std::string& bad : std::vector<std::string>{
           "", std::string(65, 'a'), "has space", "dot.ted", "ключ", "line\n", "a/b", "a+b="}) {
    try {
      post(tickets, customer_, id, "hello", bad);
      ADD_FAILURE() << "accepted client_id \"" << bad << "\"";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::invalid_request) << bad;
      EXPECT_NE(std::string(error.what()).find("client_id"), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(messages_on(id), 1u);
  EXPECT_TRUE(post(tickets, customer_, id, "hello", std::string(64, 'z')).created);
  EXPECT_TRUE(post(tickets, customer_, id, "hello", "Az09_-").created);
}

// Sends that race each other with one key make one message. The losers that missed the
// winner in their look-up are refused by the unique index and answered with the winner's
// message; the rate-limit token each took while racing is given back, so every round costs
// one token in the end.
TEST_F(TicketServiceMessages, RacingSendsWithOneClientIdMakeOneMessage) {
  constexpr int kRounds = 5;
  constexpr int kSenders = 8;
  // Enough for one round's senders to race even in the last round, if the earlier rounds
  // cost one token each; one token leaked by a loser makes a later sender wait.
  constexpr int kLimit = kSenders + kRounds - 1;
  TicketService tickets(*store_, auto_replies_, system_now,
                        /*messages_per_minute=*/kLimit);
  const auto id = create_ticket(tickets, customer_);
  const auto events_before = logged_events().size();
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "round-" + std::to_string(round);
    std::vector<std::optional<PostedMessage>> results(kSenders);
    std::vector<std::string> errors(kSenders);
    std::latch start(kSenders);
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s] {
        start.arrive_and_wait();
        try {
          results[s] = post(tickets, customer_, id, "same text", key);
        } catch (const std::exception& error) {
          errors[s] = error.what();
        }
      });
    }
    for (auto& sender : senders) sender.join();
    int created = 0;
    for (int s = 0; s < kSenders; ++s) {
      ASSERT_TRUE(results[s]) << "round " << round << ": " << errors[s];
      created += results[s]->created ? 1 : 0;
      EXPECT_EQ(results[s]->message.id, results[0]->message.id);
    }
    EXPECT_EQ(created, 1) << "round " << round;
  }
  EXPECT_EQ(messages_on(id), 1u + kRounds);
  EXPECT_EQ(logged_events().size(), events_before + kRounds);
  // What is left is exactly the limit less one token a round (the bucket refills one token
  // every 60 / kLimit = 5 s, far longer than this test runs).
  for (int i = 0; i < kLimit - kRounds; ++i) {
    EXPECT_TRUE(post(tickets, customer_, id, "more", "more-" + std::to_string(i)).created);
  }
  EXPECT_THROW(post(tickets, customer_, id, "one too many", "last"), Error);
}

}  // namespace
}  // namespace tb::service
