// A Ticket written for a viewer who is not shown some of it (a customer, by the settings):
// the hidden fields are absent, everything else is as for staff, over REST and WebSocket.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "wire/event_frames.hpp"
#include "wire/json_writer.hpp"

namespace tb::wire {
namespace {

using namespace std::chrono_literals;

Ticket assigned_ticket() {
  Ticket ticket;
  ticket.id = 42;
  ticket.subject = "Down";
  ticket.creator = UserRef{7, "Carla", std::nullopt, Role::user};
  ticket.assignee = UserRef{8, "Hugo", std::string("hugo"), Role::helper};
  ticket.sla_due_at = Timestamp(1000s);
  return ticket;
}

TEST(TicketRedaction, NothingHiddenWritesEveryField) {
  const auto full = boost::json::parse(ticket_document(assigned_ticket(), Timestamp(2000s)));
  EXPECT_EQ(full.at("assignee").at("first_name").as_string(), "Hugo");
  EXPECT_FALSE(full.at("sla_due_at").is_null());
  EXPECT_TRUE(full.at("breached").as_bool());
}

TEST(TicketRedaction, HiddenFieldsAreLeftOutAndTheRestStays) {
  const auto full = boost::json::parse(ticket_document(assigned_ticket(), Timestamp(2000s)));
  const auto shown = boost::json::parse(ticket_document(assigned_ticket(), Timestamp(2000s),
                                                        {.hide_sla = true, .hide_assignee = true}));
  auto expected = full.as_object();
  expected.erase("assignee");
  expected.erase("sla_due_at");
  expected.erase("breached");
  EXPECT_EQ(shown.as_object(), expected);

  const auto no_sla =
      boost::json::parse(ticket_document(assigned_ticket(), Timestamp(2000s), {.hide_sla = true}))
          .as_object();
  EXPECT_TRUE(no_sla.contains("assignee"));
  EXPECT_FALSE(no_sla.contains("sla_due_at"));
  EXPECT_FALSE(no_sla.contains("breached"));
}

TEST(TicketRedaction, PagesAndFramesHideTheSameFields) {
  const TicketRedaction hidden{.hide_sla = false, .hide_assignee = true};
  const auto page = boost::json::parse(
      ticket_page({assigned_ticket(), assigned_ticket()}, Timestamp(2000s), std::nullopt, hidden));
  for (const auto& item : page.at("items").as_array()) {
    EXPECT_FALSE(item.as_object().contains("assignee"));
    EXPECT_TRUE(item.as_object().contains("sla_due_at"));
  }
  const auto frame = boost::json::parse(
      ticket_frame("ticket.updated", assigned_ticket(), 5, Timestamp(2000s), {}, hidden));
  EXPECT_FALSE(frame.at("ticket").as_object().contains("assignee"));
  EXPECT_EQ(frame.at("position").as_int64(), 5);
}

}  // namespace
}  // namespace tb::wire
