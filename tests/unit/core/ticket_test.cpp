#include "core/ticket.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace tb {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Timestamp at(long long secs) {
  return Timestamp{seconds(secs)};
}

constexpr std::array kStatuses = {TicketStatus::open, TicketStatus::in_progress,
                                  TicketStatus::waiting, TicketStatus::resolved,
                                  TicketStatus::closed};

UserRef user(std::int64_t id, Role role = Role::user) {
  return UserRef{id, "User " + std::to_string(id), std::nullopt, role};
}

// --- the status machine

TEST(StatusMachine, EveryPairOfTheGridFollowsTheTransitionTable) {
  using S = TicketStatus;
  const std::set<std::pair<S, S>> allowed = {
      {S::open, S::in_progress},   {S::open, S::waiting},        {S::open, S::resolved},
      {S::open, S::closed},        {S::in_progress, S::waiting}, {S::in_progress, S::resolved},
      {S::in_progress, S::closed}, {S::waiting, S::in_progress}, {S::waiting, S::resolved},
      {S::waiting, S::closed},     {S::resolved, S::closed},     {S::resolved, S::open},
      {S::closed, S::open},
  };
  int checked = 0;
  for (const S from : kStatuses) {
    for (const S to : kStatuses) {
      const bool expected = allowed.contains({from, to});
      EXPECT_EQ(is_allowed_transition(from, to), expected)
          << status_name(from) << " -> " << status_name(to);
      const auto next = allowed_transitions(from);
      EXPECT_EQ(std::find(next.begin(), next.end(), to) != next.end(), expected)
          << status_name(from) << " -> " << status_name(to);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 25);
}

// Issue 17: a status control offers exactly these moves, so they must be the table's row for
// staff, only close and reopen for the creator, and nothing for anyone else.
TEST(StatusMachine, AllowedChangesFollowTheTableAndTheCallersAuthority) {
  using S = TicketStatus;
  using V = std::vector<S>;
  for (const S from : kStatuses) {
    const auto row = allowed_transitions(from);
    EXPECT_EQ(allowed_status_changes(from, StatusAuthority::staff), V(row.begin(), row.end()))
        << status_name(from);
    EXPECT_EQ(allowed_status_changes(from, StatusAuthority::none), V{}) << status_name(from);
  }
  EXPECT_EQ(allowed_status_changes(S::waiting, StatusAuthority::staff),
            (V{S::in_progress, S::resolved, S::closed}));  // never open: the table forbids it
  EXPECT_EQ(allowed_status_changes(S::open, StatusAuthority::creator), V{S::closed});
  EXPECT_EQ(allowed_status_changes(S::waiting, StatusAuthority::creator), V{S::closed});
  EXPECT_EQ(allowed_status_changes(S::resolved, StatusAuthority::creator), (V{S::closed, S::open}));
  EXPECT_EQ(allowed_status_changes(S::closed, StatusAuthority::creator), V{S::open});
  EXPECT_EQ(status_authority(true, false), StatusAuthority::staff);
  EXPECT_EQ(status_authority(true, true), StatusAuthority::staff);
  EXPECT_EQ(status_authority(false, true), StatusAuthority::creator);
  EXPECT_EQ(status_authority(false, false), StatusAuthority::none);
}

TEST(StatusMachine, SelfTransitionsAreNeverAllowed) {
  for (const auto status : kStatuses) {
    EXPECT_FALSE(is_allowed_transition(status, status)) << status_name(status);
  }
}

TEST(StatusMachine, AllowedTransitionsListsHaveTheExpectedSizes) {
  EXPECT_EQ(allowed_transitions(TicketStatus::open).size(), 4u);
  EXPECT_EQ(allowed_transitions(TicketStatus::in_progress).size(), 3u);
  EXPECT_EQ(allowed_transitions(TicketStatus::waiting).size(), 3u);
  EXPECT_EQ(allowed_transitions(TicketStatus::resolved).size(), 2u);
  EXPECT_EQ(allowed_transitions(TicketStatus::closed).size(), 1u);
}

TEST(StatusMachine, IsReopenOnlyFromResolvedOrClosedToOpen) {
  for (const auto from : kStatuses) {
    for (const auto to : kStatuses) {
      const bool expected = to == TicketStatus::open &&
                            (from == TicketStatus::resolved || from == TicketStatus::closed);
      EXPECT_EQ(is_reopen(from, to), expected) << status_name(from) << " -> " << status_name(to);
    }
  }
}

TEST(StatusMachine, EveryReopenIsAnAllowedTransition) {
  for (const auto from : kStatuses) {
    for (const auto to : kStatuses) {
      if (is_reopen(from, to)) {
        EXPECT_TRUE(is_allowed_transition(from, to));
      }
    }
  }
}

TEST(StatusMachine, DescribeTransitionsListsTheAllowedNextStatuses) {
  EXPECT_EQ(describe_transitions(TicketStatus::open), "in_progress, waiting, resolved, closed");
  EXPECT_EQ(describe_transitions(TicketStatus::in_progress), "waiting, resolved, closed");
  EXPECT_EQ(describe_transitions(TicketStatus::waiting), "in_progress, resolved, closed");
  EXPECT_EQ(describe_transitions(TicketStatus::resolved), "closed, open");
  EXPECT_EQ(describe_transitions(TicketStatus::closed), "open");
}

// --- names

TEST(StatusNames, RoundTripAndUnknownNamesAreRejected) {
  EXPECT_EQ(status_name(TicketStatus::open), "open");
  EXPECT_EQ(status_name(TicketStatus::in_progress), "in_progress");
  EXPECT_EQ(status_name(TicketStatus::waiting), "waiting");
  EXPECT_EQ(status_name(TicketStatus::resolved), "resolved");
  EXPECT_EQ(status_name(TicketStatus::closed), "closed");
  for (const auto status : kStatuses) EXPECT_EQ(parse_status(status_name(status)), status);
  EXPECT_EQ(parse_status(""), std::nullopt);
  EXPECT_EQ(parse_status("Open"), std::nullopt);
  EXPECT_EQ(parse_status("in-progress"), std::nullopt);
  EXPECT_EQ(parse_status("reopened"), std::nullopt);
  EXPECT_EQ(parse_status(" open"), std::nullopt);
}

TEST(TicketNames, PrioritiesRoundTripAndUnknownNamesAreRejected) {
  EXPECT_EQ(priority_name(Priority::low), "low");
  EXPECT_EQ(priority_name(Priority::normal), "normal");
  EXPECT_EQ(priority_name(Priority::high), "high");
  EXPECT_EQ(priority_name(Priority::critical), "critical");
  for (const auto priority :
       {Priority::low, Priority::normal, Priority::high, Priority::critical}) {
    EXPECT_EQ(parse_priority(priority_name(priority)), priority);
  }
  EXPECT_EQ(parse_priority(""), std::nullopt);
  EXPECT_EQ(parse_priority("urgent"), std::nullopt);
  EXPECT_EQ(parse_priority("HIGH"), std::nullopt);
}

TEST(TicketNames, RoutingModesRoundTripAndUnknownNamesAreRejected) {
  EXPECT_EQ(routing_name(RoutingMode::least_loaded), "least_loaded");
  EXPECT_EQ(routing_name(RoutingMode::manual), "manual");
  for (const auto mode : {RoutingMode::least_loaded, RoutingMode::manual}) {
    EXPECT_EQ(parse_routing(routing_name(mode)), mode);
  }
  EXPECT_EQ(parse_routing(""), std::nullopt);
  EXPECT_EQ(parse_routing("round_robin"), std::nullopt);
  EXPECT_EQ(parse_routing("Manual"), std::nullopt);
}

TEST(TicketNames, MessageSourcesRoundTripAndUnknownNamesAreRejected) {
  EXPECT_EQ(source_name(MessageSource::miniapp), "miniapp");
  EXPECT_EQ(source_name(MessageSource::bot), "bot");
  EXPECT_EQ(source_name(MessageSource::api), "api");
  EXPECT_EQ(source_name(MessageSource::system), "system");
  for (const auto source :
       {MessageSource::miniapp, MessageSource::bot, MessageSource::api, MessageSource::system}) {
    EXPECT_EQ(parse_source(source_name(source)), source);
  }
  EXPECT_EQ(parse_source(""), std::nullopt);
  EXPECT_EQ(parse_source("email"), std::nullopt);
  EXPECT_EQ(parse_source("API"), std::nullopt);
}

TEST(TicketNames, AutoReplyEventsRoundTripAndUnknownNamesAreRejected) {
  EXPECT_EQ(auto_reply_event_name(AutoReplyEvent::ticket_created), "ticket_created");
  EXPECT_EQ(auto_reply_event_name(AutoReplyEvent::message), "message");
  for (const auto event : {AutoReplyEvent::ticket_created, AutoReplyEvent::message}) {
    EXPECT_EQ(parse_auto_reply_event(auto_reply_event_name(event)), event);
  }
  EXPECT_EQ(parse_auto_reply_event(""), std::nullopt);
  EXPECT_EQ(parse_auto_reply_event("created"), std::nullopt);
  EXPECT_EQ(parse_auto_reply_event("messages"), std::nullopt);
}

// --- routing

std::pair<int, int> min_max_load(const std::vector<RoutingCandidate>& candidates) {
  const auto [lo, hi] = std::minmax_element(
      candidates.begin(), candidates.end(),
      [](const auto& a, const auto& b) { return a.open_tickets < b.open_tickets; });
  return {lo->open_tickets, hi->open_tickets};
}

// Routes `tickets` tickets one at a time, as the server would: the chosen helper's load goes
// up and its last assignment moves to a strictly later time.
void route(std::vector<RoutingCandidate>& candidates, int tickets, long long start_time) {
  long long now = start_time;
  for (int i = 0; i < tickets; ++i) {
    const auto chosen = choose_assignee(candidates);
    ASSERT_TRUE(chosen.has_value());
    const auto it = std::find_if(candidates.begin(), candidates.end(),
                                 [&](const auto& c) { return c.user_id == *chosen; });
    ASSERT_NE(it, candidates.end());
    ++it->open_tickets;
    it->last_assigned_at = at(++now);
  }
}

TEST(Routing, ThreeHundredTicketsSpreadEvenlyOverThreeHelpers) {
  std::vector<RoutingCandidate> helpers = {{7, 0, {}}, {3, 0, {}}, {12, 0, {}}};
  route(helpers, 300, 1000);
  const auto [lo, hi] = min_max_load(helpers);
  EXPECT_LE(hi - lo, 1);
  int total = 0;
  for (const auto& h : helpers) total += h.open_tickets;
  EXPECT_EQ(total, 300);
  for (const auto& h : helpers) EXPECT_EQ(h.open_tickets, 100) << h.user_id;
}

TEST(Routing, StaysBalancedAfterEveryAssignment) {
  std::vector<RoutingCandidate> helpers = {{1, 0, {}}, {2, 0, {}}, {3, 0, {}}};
  long long now = 0;
  for (int i = 0; i < 300; ++i) {
    const auto chosen = choose_assignee(helpers);
    ASSERT_TRUE(chosen.has_value());
    auto& c = helpers[static_cast<std::size_t>(*chosen - 1)];
    ++c.open_tickets;
    c.last_assigned_at = at(++now);
    const auto [lo, hi] = min_max_load(helpers);
    ASSERT_LE(hi - lo, 1) << "after ticket " << i;
  }
}

TEST(Routing, UnequalStartingLoadsEvenOut) {
  std::vector<RoutingCandidate> helpers = {{1, 10, at(50)}, {2, 0, at(60)}, {3, 5, at(40)}};
  route(helpers, 30, 100);
  const auto [lo, hi] = min_max_load(helpers);
  EXPECT_LE(hi - lo, 1);
  for (const auto& h : helpers) EXPECT_EQ(h.open_tickets, 15) << h.user_id;
}

TEST(Routing, FewerOpenTicketsWinsRegardlessOfIdleTime) {
  // Helper 1 has been idle forever but carries more; helper 2 was just assigned.
  const std::vector<RoutingCandidate> helpers = {{1, 3, Timestamp{}}, {2, 2, at(1'000'000)}};
  EXPECT_EQ(choose_assignee(helpers), 2);
  const std::vector<RoutingCandidate> reversed = {{2, 2, at(1'000'000)}, {1, 3, Timestamp{}}};
  EXPECT_EQ(choose_assignee(reversed), 2);
}

TEST(Routing, TiesGoToTheHelperIdleLongest) {
  const std::vector<RoutingCandidate> helpers = {{1, 2, at(300)}, {2, 2, at(100)}, {3, 2, at(200)}};
  EXPECT_EQ(choose_assignee(helpers), 2);
}

TEST(Routing, NeverAssignedCountsAsIdleLongest) {
  const std::vector<RoutingCandidate> helpers = {{1, 0, at(5)}, {9, 0, Timestamp{}}};
  EXPECT_EQ(choose_assignee(helpers), 9);
}

TEST(Routing, FullTiesGoToTheLowestUserId) {
  const std::vector<RoutingCandidate> helpers = {
      {42, 1, at(100)}, {7, 1, at(100)}, {19, 1, at(100)}};
  EXPECT_EQ(choose_assignee(helpers), 7);
  const std::vector<RoutingCandidate> fresh = {{5, 0, {}}, {4, 0, {}}, {6, 0, {}}};
  EXPECT_EQ(choose_assignee(fresh), 4);
}

TEST(Routing, SingleCandidateIsChosen) {
  const std::vector<RoutingCandidate> helpers = {{77, 50, at(1)}};
  EXPECT_EQ(choose_assignee(helpers), 77);
}

TEST(Routing, NoCandidatesMeansNobody) {
  EXPECT_EQ(choose_assignee(std::span<const RoutingCandidate>{}), std::nullopt);
  const std::vector<RoutingCandidate> none;
  EXPECT_EQ(choose_assignee(none), std::nullopt);
}

// --- who sees what

Ticket ticket_by(std::int64_t creator, std::optional<std::int64_t> category = std::nullopt,
                 std::optional<std::int64_t> assignee = std::nullopt) {
  Ticket ticket;
  ticket.id = 1;
  ticket.subject = "Help";
  ticket.creator = user(creator);
  ticket.category_id = category;
  if (assignee) ticket.assignee = user(*assignee, Role::helper);
  return ticket;
}

TEST(Visibility, CreatorAlwaysSeesOwnTicket) {
  const TicketScope plain{.user_id = 10, .category_ids = {}};
  EXPECT_TRUE(can_view(plain, ticket_by(10)));
  EXPECT_TRUE(can_view(plain, ticket_by(10, 5)));
  EXPECT_TRUE(can_view(plain, ticket_by(10, 5, 99)));
  const TicketScope helper{.user_id = 10, .view_category = true, .category_ids = {1}};
  EXPECT_TRUE(can_view(helper, ticket_by(10, 5, 99)));
}

TEST(Visibility, ViewAllSeesEverything) {
  const TicketScope admin{.user_id = 1, .view_all = true, .category_ids = {}};
  EXPECT_TRUE(can_view(admin, ticket_by(2)));
  EXPECT_TRUE(can_view(admin, ticket_by(2, 3)));
  EXPECT_TRUE(can_view(admin, ticket_by(2, 3, 4)));
  EXPECT_TRUE(can_view(admin, ticket_by(2, std::nullopt, 4)));
}

TEST(Visibility, UserScopeSeesOnlyOwnTickets) {
  const TicketScope plain{.user_id = 10, .category_ids = {5}};
  EXPECT_FALSE(can_view(plain, ticket_by(11)));
  EXPECT_FALSE(can_view(plain, ticket_by(11, 5)));
  // Even assigned to them, without view_category they see only their own.
  EXPECT_FALSE(can_view(plain, ticket_by(11, 5, 10)));
}

TEST(Visibility, CategoryHelperSeesTicketsAssignedToThem) {
  const TicketScope helper{.user_id = 20, .view_category = true, .category_ids = {5}};
  EXPECT_TRUE(can_view(helper, ticket_by(11, 5, 20)));
  // Assigned to them even outside their categories, or without a category.
  EXPECT_TRUE(can_view(helper, ticket_by(11, 6, 20)));
  EXPECT_TRUE(can_view(helper, ticket_by(11, std::nullopt, 20)));
}

TEST(Visibility, CategoryHelperSeesUnassignedTicketsOnlyInTheirCategories) {
  const TicketScope helper{.user_id = 20, .view_category = true, .category_ids = {5, 8}};
  EXPECT_TRUE(can_view(helper, ticket_by(11, 5)));
  EXPECT_TRUE(can_view(helper, ticket_by(11, 8)));
  EXPECT_FALSE(can_view(helper, ticket_by(11, 6)));
}

TEST(Visibility, CategoryHelperNeverSeesTicketsAssignedToSomeoneElse) {
  const TicketScope helper{.user_id = 20, .view_category = true, .category_ids = {5}};
  EXPECT_FALSE(can_view(helper, ticket_by(11, 5, 21)));
  EXPECT_FALSE(can_view(helper, ticket_by(11, 6, 21)));
}

TEST(Visibility, TicketWithoutCategoryIsHiddenFromCategoryHelper) {
  const TicketScope helper{.user_id = 20, .view_category = true, .category_ids = {5}};
  EXPECT_FALSE(can_view(helper, ticket_by(11)));
  EXPECT_TRUE(can_view(helper, ticket_by(20)));
  EXPECT_TRUE(can_view(helper, ticket_by(11, std::nullopt, 20)));
}

TEST(Visibility, CategoryHelperWithNoCategoriesSeesOnlyOwnAndAssigned) {
  const TicketScope helper{.user_id = 20, .view_category = true, .category_ids = {}};
  EXPECT_FALSE(can_view(helper, ticket_by(11, 5)));
  EXPECT_TRUE(can_view(helper, ticket_by(11, 5, 20)));
  EXPECT_TRUE(can_view(helper, ticket_by(20, 5)));
}

// --- auto-replies

AutoReply reply_with(std::vector<std::string> keywords,
                     std::optional<std::int64_t> category = std::nullopt,
                     AutoReplyEvent event = AutoReplyEvent::ticket_created, bool active = true) {
  AutoReply reply;
  reply.id = 1;
  reply.name = "test";
  reply.keywords = std::move(keywords);
  reply.category_id = category;
  reply.event = event;
  reply.body = "We got it.";
  reply.active = active;
  return reply;
}

TEST(AutoReply, InactiveNeverMatches) {
  const auto reply = reply_with({}, std::nullopt, AutoReplyEvent::ticket_created, false);
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "x"));
  const auto keyed = reply_with({"refund"}, 3, AutoReplyEvent::message, false);
  EXPECT_FALSE(auto_reply_matches(keyed, AutoReplyEvent::message, 3, "refund"));
}

TEST(AutoReply, EventMustMatch) {
  const auto on_create = reply_with({});
  EXPECT_TRUE(auto_reply_matches(on_create, AutoReplyEvent::ticket_created, std::nullopt, "hi"));
  EXPECT_FALSE(auto_reply_matches(on_create, AutoReplyEvent::message, std::nullopt, "hi"));
  const auto on_message = reply_with({}, std::nullopt, AutoReplyEvent::message);
  EXPECT_TRUE(auto_reply_matches(on_message, AutoReplyEvent::message, std::nullopt, "hi"));
  EXPECT_FALSE(auto_reply_matches(on_message, AutoReplyEvent::ticket_created, std::nullopt, "hi"));
}

TEST(AutoReply, CategoryRestrictionApplies) {
  const auto reply = reply_with({}, 3);
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, 3, "hi"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, 4, "hi"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "hi"));
}

TEST(AutoReply, WithoutCategoryMatchesAnyCategory) {
  const auto reply = reply_with({});
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, 3, "hi"));
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "hi"));
}

TEST(AutoReply, KeywordsAreCaseInsensitiveSubstrings) {
  const auto reply = reply_with({"Refund"});
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt,
                                 "i want a REFUND please"));
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "refunds?"));
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "Refund"));
  EXPECT_FALSE(
      auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "money back please"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "ref und"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, ""));
}

// Issue 12: keywords were lower-cased byte by byte, which left Cyrillic capitals alone.
TEST(AutoReply, CyrillicKeywordsMatchRegardlessOfCase) {
  const auto lower = reply_with({"пароль"});
  EXPECT_TRUE(
      auto_reply_matches(lower, AutoReplyEvent::ticket_created, std::nullopt, "Забыл ПАРОЛЬ"));
  EXPECT_TRUE(auto_reply_matches(lower, AutoReplyEvent::ticket_created, std::nullopt,
                                 "Пароль не подходит"));
  const auto upper = reply_with({"ПАРОЛЬ"});
  EXPECT_TRUE(
      auto_reply_matches(upper, AutoReplyEvent::ticket_created, std::nullopt, "забыл пароль"));
  EXPECT_FALSE(auto_reply_matches(upper, AutoReplyEvent::ticket_created, std::nullopt, "логин"));
  const auto yo = reply_with({"ЁЛКА", "straße"});
  EXPECT_TRUE(auto_reply_matches(yo, AutoReplyEvent::ticket_created, std::nullopt, "ёлка"));
  EXPECT_TRUE(auto_reply_matches(yo, AutoReplyEvent::ticket_created, std::nullopt, "STRASSE"));
  EXPECT_FALSE(auto_reply_matches(yo, AutoReplyEvent::ticket_created, std::nullopt, "елка"));
}

TEST(AutoReply, AnyOneKeywordIsEnough) {
  const auto reply = reply_with({"password", "login"});
  EXPECT_TRUE(
      auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "Cannot LOGIN"));
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt,
                                 "forgot my Password"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, std::nullopt, "billing"));
}

TEST(AutoReply, NoKeywordsAndMatchingCategoryMatches) {
  const auto reply = reply_with({}, 3, AutoReplyEvent::message);
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::message, 3, "anything at all"));
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::message, 3, ""));
}

TEST(AutoReply, EmptyKeywordIsIgnored) {
  // An empty keyword would otherwise match every text.
  const auto only_empty = reply_with({""});
  EXPECT_FALSE(
      auto_reply_matches(only_empty, AutoReplyEvent::ticket_created, std::nullopt, "anything"));
  const auto mixed = reply_with({"", "refund"});
  EXPECT_FALSE(auto_reply_matches(mixed, AutoReplyEvent::ticket_created, std::nullopt, "hello"));
  EXPECT_TRUE(auto_reply_matches(mixed, AutoReplyEvent::ticket_created, std::nullopt, "REFUND"));
}

TEST(AutoReply, KeywordMatchStillNeedsCategoryAndEvent) {
  const auto reply = reply_with({"refund"}, 3, AutoReplyEvent::message);
  EXPECT_TRUE(auto_reply_matches(reply, AutoReplyEvent::message, 3, "refund"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::message, 4, "refund"));
  EXPECT_FALSE(auto_reply_matches(reply, AutoReplyEvent::ticket_created, 3, "refund"));
}

// --- SLA

TEST(Sla, DefaultsByPriorityWhenCategorySetsNone) {
  const auto created = at(1000);
  EXPECT_EQ(sla_due_at(created, std::nullopt, Priority::low), created + hours(24));
  EXPECT_EQ(sla_due_at(created, std::nullopt, Priority::normal), created + hours(8));
  EXPECT_EQ(sla_due_at(created, std::nullopt, Priority::high), created + hours(4));
  EXPECT_EQ(sla_due_at(created, std::nullopt, Priority::critical), created + minutes(60));
}

TEST(Sla, CategoryMinutesAreScaledByPriority) {
  const auto created = at(1000);
  EXPECT_EQ(sla_due_at(created, 120, Priority::critical), created + minutes(30));
  EXPECT_EQ(sla_due_at(created, 120, Priority::high), created + minutes(60));
  EXPECT_EQ(sla_due_at(created, 120, Priority::normal), created + minutes(120));
  EXPECT_EQ(sla_due_at(created, 120, Priority::low), created + minutes(240));
}

TEST(Sla, NeverLessThanOneMinute) {
  const auto created = at(1000);
  EXPECT_EQ(sla_due_at(created, 1, Priority::critical), created + minutes(1));
  EXPECT_EQ(sla_due_at(created, 1, Priority::high), created + minutes(1));
  EXPECT_EQ(sla_due_at(created, 1, Priority::normal), created + minutes(1));
  EXPECT_EQ(sla_due_at(created, 1, Priority::low), created + minutes(2));
  EXPECT_EQ(sla_due_at(created, 3, Priority::critical), created + minutes(1));
}

Ticket ticket_due_at(Timestamp due) {
  Ticket ticket = ticket_by(1);
  ticket.created_at = at(0);
  ticket.sla_due_at = due;
  return ticket;
}

TEST(Sla, FirstResponseAfterDueIsBreached) {
  auto ticket = ticket_due_at(at(1000));
  ticket.first_response_at = at(1001);
  EXPECT_TRUE(sla_breached(ticket, at(1001)));
  EXPECT_TRUE(sla_breached(ticket, at(5000)));
}

TEST(Sla, FirstResponseBeforeDueIsNotBreachedEvenLater) {
  auto ticket = ticket_due_at(at(1000));
  ticket.first_response_at = at(999);
  EXPECT_FALSE(sla_breached(ticket, at(5000)));
  ticket.first_response_at = at(1000);  // exactly on time
  EXPECT_FALSE(sla_breached(ticket, at(5000)));
}

TEST(Sla, NoResponseAndPastDueIsBreached) {
  const auto ticket = ticket_due_at(at(1000));
  EXPECT_FALSE(sla_breached(ticket, at(500)));
  EXPECT_FALSE(sla_breached(ticket, at(1000)));
  EXPECT_TRUE(sla_breached(ticket, at(1001)));
}

TEST(Sla, ResolvedBeforeDueWithoutResponseIsNotBreached) {
  auto ticket = ticket_due_at(at(1000));
  ticket.status = TicketStatus::resolved;
  ticket.resolved_at = at(900);
  EXPECT_FALSE(sla_breached(ticket, at(5000)));
}

TEST(Sla, ClosedBeforeDueWithoutResponseIsNotBreached) {
  auto ticket = ticket_due_at(at(1000));
  ticket.status = TicketStatus::closed;
  ticket.closed_at = at(900);
  EXPECT_FALSE(sla_breached(ticket, at(5000)));
}

TEST(Sla, ResolvedAfterDueWithoutResponseIsBreached) {
  auto ticket = ticket_due_at(at(1000));
  ticket.status = TicketStatus::resolved;
  ticket.resolved_at = at(1100);
  EXPECT_TRUE(sla_breached(ticket, at(5000)));
}

TEST(Sla, NoDueTimeIsNeverBreached) {
  auto ticket = ticket_by(1);
  EXPECT_FALSE(sla_breached(ticket, at(1'000'000'000)));
  ticket.first_response_at = at(1'000'000);
  EXPECT_FALSE(sla_breached(ticket, at(1'000'000'000)));
}

// The breach time tells, for every ticket shape, the first moment sla_breached flips.
TEST(Sla, BreachTimeIsTheDueTimeOnlyWhileTheClockAloneCanBreach) {
  auto waiting = ticket_due_at(at(1000));
  EXPECT_EQ(sla_breach_time(waiting, at(500)), at(1000));
  EXPECT_EQ(sla_breach_time(waiting, at(1000)), at(1000));  // not breached yet at the due time
  EXPECT_FALSE(sla_breached(waiting, at(1000)));
  EXPECT_EQ(sla_breach_time(waiting, at(1001)), std::nullopt);  // breached, for good

  auto answered = waiting;
  answered.first_response_at = at(900);
  EXPECT_EQ(sla_breach_time(answered, at(500)), std::nullopt);
  auto resolved = waiting;
  resolved.resolved_at = at(900);
  EXPECT_EQ(sla_breach_time(resolved, at(500)), std::nullopt);
  auto closed = waiting;
  closed.closed_at = at(900);
  EXPECT_EQ(sla_breach_time(closed, at(500)), std::nullopt);
  EXPECT_EQ(sla_breach_time(ticket_by(1), at(500)), std::nullopt);  // no SLA
}

// --- text

std::string repeat(std::string_view piece, std::size_t times) {
  std::string text;
  for (std::size_t i = 0; i < times; ++i) text += piece;
  return text;
}

TEST(CleanText, TrimsSpacesAndNewlines) {
  EXPECT_EQ(clean_text("  hello  ", 100), "hello");
  EXPECT_EQ(clean_text("\n\nhello\n", 100), "hello");
  EXPECT_EQ(clean_text(" \r\n\t hello world \t\r\n ", 100), "hello world");
  EXPECT_EQ(clean_text("hello", 100), "hello");
}

TEST(CleanText, KeepsInnerWhitespace) {
  EXPECT_EQ(clean_text("  line one\n\nline two  ", 100), "line one\n\nline two");
}

TEST(CleanText, EmptyOrWhitespaceOnlyIsNothing) {
  EXPECT_EQ(clean_text("", 100), std::nullopt);
  EXPECT_EQ(clean_text(" ", 100), std::nullopt);
  EXPECT_EQ(clean_text("  \n\t\r\n  ", 100), std::nullopt);
}

TEST(CleanText, ExactlyMaxLengthIsAcceptedAndOneMoreIsNot) {
  const auto exact = repeat("a", kMaxSubjectLength);
  EXPECT_EQ(clean_text(exact, kMaxSubjectLength), exact);
  EXPECT_EQ(clean_text(repeat("a", kMaxSubjectLength + 1), kMaxSubjectLength), std::nullopt);
  EXPECT_EQ(clean_text("abc", 3), "abc");
  EXPECT_EQ(clean_text("abcd", 3), std::nullopt);
}

TEST(CleanText, LengthIsMeasuredAfterTrimming) {
  EXPECT_EQ(clean_text("   abc   ", 3), "abc");
}

TEST(CleanText, CountsCodePointsNotBytes) {
  const auto cyrillic = repeat("я", kMaxMessageLength);
  ASSERT_EQ(cyrillic.size(), 2 * kMaxMessageLength);
  EXPECT_EQ(clean_text(cyrillic, kMaxMessageLength), cyrillic);
  EXPECT_EQ(clean_text(repeat("я", kMaxMessageLength + 1), kMaxMessageLength), std::nullopt);
  // Four-byte code points (emoji) count as one each.
  EXPECT_EQ(clean_text("😀😀", 2), "😀😀");
  EXPECT_EQ(clean_text("😀😀😀", 2), std::nullopt);
  EXPECT_EQ(clean_text(" привет ", 6), "привет");
}

TEST(ClientId, AcceptsOneToSixtyFourLettersDigitsUnderscoresAndDashes) {
  EXPECT_TRUE(is_valid_client_id("a"));
  EXPECT_TRUE(is_valid_client_id("0b7e2a4c-9f1d-4e8a-b3c6-2d5f8a1e7c90"));
  EXPECT_TRUE(is_valid_client_id("Az09_-"));
  EXPECT_TRUE(is_valid_client_id(std::string(kMaxClientIdLength, 'x')));
}

TEST(ClientId, RefusesEmptyTooLongAndAnyOtherCharacter) {
  EXPECT_FALSE(is_valid_client_id(""));
  EXPECT_FALSE(is_valid_client_id(std::string(kMaxClientIdLength + 1, 'x')));
  for (const std::string_view bad : {"a b", "a.b", "a/b", "a+b", "a=", "ключ", "a\n", " a"}) {
    EXPECT_FALSE(is_valid_client_id(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_client_id(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace tb
