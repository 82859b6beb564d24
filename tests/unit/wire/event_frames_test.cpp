// The WebSocket frames of logged events: the shapes API.md gives, a position only when the
// frame comes from the log.
#include "wire/event_frames.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace tb::wire {
namespace {

using namespace std::chrono_literals;

Ticket ticket() {
  Ticket ticket;
  ticket.id = 42;
  ticket.subject = "Down";
  ticket.creator = UserRef{7, "Carla", std::nullopt, Role::user};
  ticket.sla_due_at = Timestamp(1000s);
  return ticket;
}

TEST(EventFrames, ATicketFrameNamesItsEventAndCarriesItsPosition) {
  EXPECT_EQ(ticket_frame_type(EventKind::ticket_created), "ticket.created");
  EXPECT_EQ(ticket_frame_type(EventKind::ticket_deleted), "ticket.deleted");
  EXPECT_EQ(ticket_frame_type(EventKind::ticket_updated), "ticket.updated");
  EXPECT_EQ(ticket_frame_type(EventKind::message_created), "ticket.updated");

  const auto frame =
      boost::json::parse(ticket_frame("ticket.alert", ticket(), 17, Timestamp(2000s), "critical"))
          .as_object();
  EXPECT_EQ(frame.at("type").as_string(), "ticket.alert");
  EXPECT_EQ(frame.at("reason").as_string(), "critical");
  EXPECT_EQ(frame.at("ticket").at("id").as_int64(), 42);
  EXPECT_TRUE(frame.at("ticket").at("breached").as_bool());  // as of `now`
  EXPECT_EQ(frame.at("position").as_int64(), 17);

  const auto unlogged =
      boost::json::parse(ticket_frame("ticket.updated", ticket(), 0, Timestamp(500s))).as_object();
  EXPECT_FALSE(unlogged.contains("position"));
  EXPECT_FALSE(unlogged.contains("reason"));
  EXPECT_FALSE(unlogged.at("ticket").at("breached").as_bool());
}

TEST(EventFrames, MessageAndTypingFrames) {
  Message message;
  message.id = 5;
  message.ticket_id = 42;
  message.body = "hi \"there\"";
  message.author = UserRef{7, "Carla", std::nullopt, Role::user};
  const auto frame = boost::json::parse(message_frame(message, 9)).as_object();
  EXPECT_EQ(frame.at("type").as_string(), "message.created");
  EXPECT_EQ(frame.at("ticket_id").as_int64(), 42);
  EXPECT_EQ(frame.at("message").at("body").as_string(), "hi \"there\"");
  EXPECT_EQ(frame.at("position").as_int64(), 9);
  EXPECT_FALSE(boost::json::parse(message_frame(message, 0)).as_object().contains("position"));

  const auto typing = boost::json::parse(typing_frame(42, message.author)).as_object();
  EXPECT_EQ(typing.at("type").as_string(), "typing");
  EXPECT_EQ(typing.at("ticket_id").as_int64(), 42);
  EXPECT_EQ(typing.at("user").at("first_name").as_string(), "Carla");
}

}  // namespace
}  // namespace tb::wire
