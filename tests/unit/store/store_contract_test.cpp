// The store contract (issue 14): what every Store backend must do, pinned through the
// store::Store interface alone, so SQLite today and PostgreSQL later cannot drift apart. Each
// test names a behaviour the services (src/service/) rely on. A backend joins with a type in
// tests/support/store_backends.hpp and one INSTANTIATE_TYPED_TEST_SUITE_P line at the end.
//
// Backend-specific matters (SQLite's WAL, pragmas, files, migrations, write queue, query plans)
// stay in that backend's own tests (sqlite_store_test.cpp, write_queue_test.cpp).
#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>

#include "../../support/routing_loads.hpp"
#include "../../support/store_backends.hpp"
#include "store/store.hpp"

namespace tb::store {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using Loads = std::map<std::int64_t, int>;

constexpr Timestamp kStart{std::chrono::seconds(1'800'000'000)};

std::optional<std::int64_t> nobody(std::span<const RoutingCandidate>) {
  return std::nullopt;
}

// A chooser that picks `user_id` whatever the candidates.
AssigneeChooser pick(std::int64_t user_id) {
  return [user_id](std::span<const RoutingCandidate>) { return std::optional(user_id); };
}

std::vector<std::int64_t> ids_of(const std::vector<Ticket>& tickets) {
  std::vector<std::int64_t> ids;
  for (const auto& ticket : tickets) ids.push_back(ticket.id);
  return ids;
}

std::vector<std::int64_t> ids_of(const std::vector<Message>& messages) {
  std::vector<std::int64_t> ids;
  for (const auto& message : messages) ids.push_back(message.id);
  return ids;
}

std::vector<std::int64_t> ids_of(const std::vector<User>& users) {
  std::vector<std::int64_t> ids;
  for (const auto& user : users) ids.push_back(user.id);
  return ids;
}

std::vector<std::int64_t> sorted(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Appends `code_point` in UTF-8's bit layout whatever it is, surrogates included, so the
// result may be invalid UTF-8 on purpose.
void append_code_point(std::string& text, std::uint32_t code_point) {
  if (code_point < 0x80) {
    text += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    text += static_cast<char>(0xC0 | (code_point >> 6));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    text += static_cast<char>(0xE0 | (code_point >> 12));
    text += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    text += static_cast<char>(0xF0 | (code_point >> 18));
    text += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    text += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Text of every kind a caller could send: code points of every plane, Cyrillic, CJK, emoji,
// the characters full-text syntaxes give meaning, control characters, raw bytes, real words.
std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> kPieces = {
      "AND", "OR", "NOT",  "NEAR",     "NEAR(",   "*",      "^",      ":", "(",
      ")",   "\"", "\"\"", "-",        "+",       "{",      "}",      ",", "'",
      "\\",  "%",  "_",    "subject:", "printer", "Пароль", "打印机", "🔥"};
  const auto pick = [&](std::uint32_t low, std::uint32_t high) {
    return std::uniform_int_distribution<std::uint32_t>(low, high)(random);
  };
  std::string text;
  for (auto length = pick(0, 24); length > 0; --length) {
    switch (pick(0, 9)) {
      case 0: append_code_point(text, pick(0x20, 0x7E)); break;
      case 1: append_code_point(text, pick(0x400, 0x4FF)); break;
      case 2: append_code_point(text, pick(0x4E00, 0x9FFF)); break;
      case 3: append_code_point(text, pick(0x1F300, 0x1FAFF)); break;
      case 4: append_code_point(text, pick(0, 0x10FFFF)); break;
      case 5: text += kPieces[pick(0, kPieces.size() - 1)]; break;
      case 6: append_code_point(text, pick(0, 3) == 0 ? pick(0x7F, 0x9F) : pick(0, 0x1F)); break;
      case 7: text += static_cast<char>(pick(0, 255)); break;
      case 8: append_code_point(text, pick(0, 1) ? 0x20 : 0x3000); break;
      default: append_code_point(text, pick(0, 0x2FFFF)); break;
    }
  }
  return text;
}

template <class Backend>
class StoreContract : public ::testing::Test {
 protected:
  StoreContract() : store_(backend_.make()) {}

  Store& store() { return *store_; }

  User person(std::int64_t telegram_id, Role role = Role::user, std::string name = "Person") {
    TelegramUser profile;
    profile.id = telegram_id;
    profile.first_name = std::move(name);
    return store_->upsert_telegram_user(profile, role, kStart);
  }

  // Staff handling `categories`, available for routing.
  std::int64_t staff(std::int64_t telegram_id, const std::vector<std::int64_t>& categories,
                     Role role = Role::helper) {
    const auto id = person(telegram_id, role).id;
    store_->set_user_categories(id, categories);
    return id;
  }

  std::int64_t category(const std::string& name, int position = 0) {
    Category category;
    category.name = name;
    category.position = position;
    return store_->save_category(category).id;
  }

  static NewTicket new_ticket(std::int64_t creator_id,
                              std::optional<std::int64_t> category_id = std::nullopt,
                              Timestamp at = kStart) {
    NewTicket ticket;
    ticket.subject = "Subject";
    ticket.body = "Body";
    ticket.creator_id = creator_id;
    ticket.category_id = category_id;
    ticket.now = at;
    return ticket;
  }

  std::int64_t ticket(std::int64_t creator_id,
                      std::optional<std::int64_t> category_id = std::nullopt,
                      const AssigneeChooser& choose = nobody) {
    return store_->create_ticket(new_ticket(creator_id, category_id), choose).id;
  }

  static NewMessage message(std::int64_t ticket_id, std::int64_t author_id, std::string body,
                            Timestamp at) {
    return NewMessage{
        .ticket_id = ticket_id, .author_id = author_id, .body = std::move(body), .now = at};
  }

  std::vector<Ticket> list(TicketQuery query) { return store_->list_tickets(query); }

  static TicketQuery everything() {
    TicketQuery query;
    query.scope.view_all = true;
    query.limit = 1000;
    return query;
  }

  std::vector<Ticket> search(const std::string& text, bool search_internal = false) {
    auto query = everything();
    query.text = text;
    query.search_internal = search_internal;
    return store_->list_tickets(query);
  }

  // The load routing sees for each candidate of `category_id`.
  Loads loads(std::int64_t category_id, std::int64_t creator_id) {
    return testing::routing_loads(*store_, category_id, creator_id, kStart);
  }

  Backend backend_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreContract);

// --- the store as migrated

// TicketService finds the author of auto-replies by Telegram id 0; nobody else is there.
TYPED_TEST_P(StoreContract, AFreshStoreHoldsOnlyTheSystemAuthor) {
  auto& store = this->store();
  const auto system = store.find_user_by_telegram_id(0);
  ASSERT_TRUE(system);
  EXPECT_FALSE(system->available) << "routing must never pick the system author";
  EXPECT_TRUE(store.list_users({}).empty()) << "the system author is not a person to list";
  EXPECT_TRUE(store.list_categories().empty());
  EXPECT_TRUE(this->list(this->everything()).empty());
  EXPECT_TRUE(store.list_auto_replies().empty());
  EXPECT_TRUE(store.list_audit(0, 10).empty());
  EXPECT_TRUE(store.load_role_permissions().empty());
  EXPECT_FALSE(store.get_setting(kDemoDataSetting));
  EXPECT_EQ(store.schema_version(), store.latest_known_version());
  EXPECT_NO_THROW(store.ping());
  EXPECT_FALSE(store.storage_full());
}

TYPED_TEST_P(StoreContract, SettingsAreAbsentUntilSetAndThenOverwritten) {
  auto& store = this->store();
  EXPECT_FALSE(store.get_setting("mode"));
  store.set_setting("mode", "one");
  store.set_setting("other", "x");
  EXPECT_EQ(store.get_setting("mode"), "one");
  store.set_setting("mode", "two");
  EXPECT_EQ(store.get_setting("mode"), "two");
  EXPECT_EQ(store.get_setting("other"), "x");
}

// --- users

TYPED_TEST_P(StoreContract, UpsertCreatesAUserOnceAndRefreshesTheProfileButNotTheRole) {
  auto& store = this->store();
  TelegramUser profile;
  profile.id = 4242;
  profile.first_name = "Anna";
  profile.last_name = "Smith";
  profile.username = "anna";
  profile.language_code = "en";
  const auto created = store.upsert_telegram_user(profile, Role::helper, kStart);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.telegram_id, 4242);
  EXPECT_EQ(created.first_name, "Anna");
  EXPECT_EQ(created.last_name, "Smith");
  EXPECT_EQ(created.username, "anna");
  EXPECT_EQ(created.language_code, "en");
  EXPECT_EQ(created.role, Role::helper);
  EXPECT_TRUE(created.available);
  EXPECT_TRUE(created.category_ids.empty());
  EXPECT_EQ(created.created_at, kStart);
  EXPECT_EQ(created.last_seen_at, kStart);

  profile.first_name = "Annie";
  profile.username.reset();
  profile.language_code = "de";
  const auto refreshed = store.upsert_telegram_user(profile, Role::admin, kStart + 1h);
  EXPECT_EQ(refreshed.id, created.id);
  EXPECT_EQ(refreshed.role, Role::helper) << "role_if_new applies to new users only";
  EXPECT_EQ(refreshed.first_name, "Annie");
  EXPECT_EQ(refreshed.username, std::nullopt);
  EXPECT_EQ(refreshed.language_code, "de");
  EXPECT_EQ(refreshed.created_at, kStart);
  EXPECT_EQ(refreshed.last_seen_at, kStart + 1h);

  EXPECT_EQ(store.find_user(created.id)->first_name, "Annie");
  EXPECT_EQ(store.find_user_by_telegram_id(4242)->id, created.id);
  EXPECT_FALSE(store.find_user(created.id + 1000));
  EXPECT_FALSE(store.find_user_by_telegram_id(4243));
  EXPECT_EQ(store.list_users({}).size(), 1u);
}

TYPED_TEST_P(StoreContract, ListUsersFiltersByRoleAndLiteralTextAndPagesById) {
  auto& store = this->store();
  TelegramUser profile;
  profile.id = 101;
  profile.first_name = "Anna";
  profile.username = "anna_s";
  const auto anna = store.upsert_telegram_user(profile, Role::helper, kStart).id;
  profile = {};
  profile.id = 102;
  profile.first_name = "Boris";
  profile.last_name = "Ivanov";
  const auto boris = store.upsert_telegram_user(profile, Role::user, kStart).id;
  const auto percent = this->person(103, Role::user, "Pct 100%").id;
  const auto underscore = this->person(104, Role::moderator, "a_b").id;
  const auto svetlana = this->person(105, Role::user, "Светлана").id;

  const auto users = [&](std::optional<Role> role, std::string text, std::int64_t after_id = 0,
                         int limit = 50) {
    UserQuery query;
    query.role = role;
    query.text = std::move(text);
    query.after_id = after_id;
    query.limit = limit;
    return ids_of(store.list_users(query));
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(users({}, ""), (Ids{anna, boris, percent, underscore, svetlana}));
  EXPECT_EQ(users(Role::helper, ""), (Ids{anna}));
  EXPECT_EQ(users({}, "ANNA"), (Ids{anna})) << "names match ignoring case";
  EXPECT_EQ(users({}, "ivanov"), (Ids{boris})) << "last names match";
  EXPECT_EQ(users({}, "anna_s"), (Ids{anna})) << "usernames match";
  EXPECT_EQ(users({}, "102"), (Ids{boris})) << "the Telegram id matches exactly";
  EXPECT_EQ(users({}, "СВЕТ"), (Ids{svetlana})) << "case is folded beyond ASCII";
  EXPECT_EQ(users({}, "%"), (Ids{percent})) << "% is a character, not a wildcard";
  EXPECT_EQ(users({}, "_"), (Ids{anna, underscore})) << "_ is a character, not a wildcard";
  EXPECT_EQ(users(Role::user, "o"), (Ids{boris}));
  EXPECT_EQ(users({}, "", anna, 2), (Ids{boris, percent}));
  EXPECT_EQ(users({}, "", percent, 2), (Ids{underscore, svetlana}));
  EXPECT_EQ(users({}, "", svetlana), Ids{});
}

// UserService changes a role from what it read; a change that lost a race must not apply.
TYPED_TEST_P(StoreContract, ChangeRoleAppliesOnlyFromTheExpectedRoleAndIsAudited) {
  auto& store = this->store();
  const auto admin = this->person(1, Role::admin, "Admin").id;
  const auto target = this->person(2, Role::user, "Target").id;
  EXPECT_TRUE(store.change_role(RoleChange{.target_id = target,
                                           .from = Role::user,
                                           .to = Role::helper,
                                           .actor_id = admin,
                                           .at = kStart + 1min}));
  EXPECT_EQ(store.find_user(target)->role, Role::helper);

  EXPECT_FALSE(store.change_role(RoleChange{.target_id = target,
                                            .from = Role::user,  // stale
                                            .to = Role::moderator,
                                            .actor_id = admin,
                                            .at = kStart + 2min}));
  EXPECT_EQ(store.find_user(target)->role, Role::helper);

  const auto audit = store.list_audit(0, 10);
  ASSERT_EQ(audit.size(), 1u) << "a change that did not apply leaves no audit entry";
  EXPECT_EQ(audit[0].action, "role.changed");
  EXPECT_EQ(audit[0].actor.id, admin);
  ASSERT_TRUE(audit[0].target);
  EXPECT_EQ(audit[0].target->id, target);
  EXPECT_EQ(audit[0].old_value, "user");
  EXPECT_EQ(audit[0].new_value, "helper");
  EXPECT_EQ(audit[0].created_at, kStart + 1min);
}

TYPED_TEST_P(StoreContract, UserCategoriesAndAvailabilityAreStored) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto technical = this->category("Technical");
  const auto helper = this->person(1, Role::helper).id;
  store.set_user_categories(helper, {billing, technical});
  EXPECT_EQ(sorted(store.find_user(helper)->category_ids), sorted({billing, technical}));
  store.set_user_categories(helper, {technical});
  EXPECT_EQ(store.find_user(helper)->category_ids, std::vector{technical}) << "replaced, not added";
  store.set_user_categories(helper, {});
  EXPECT_TRUE(store.find_user(helper)->category_ids.empty());

  EXPECT_EQ(store.existing_categories({billing, 99999, technical}),
            (std::vector<std::int64_t>{billing, technical}));
  EXPECT_TRUE(store.existing_categories({}).empty());

  store.set_user_availability(helper, false);
  EXPECT_FALSE(store.find_user(helper)->available);
  store.set_user_availability(helper, true);
  EXPECT_TRUE(store.find_user(helper)->available);
}

// --- sessions

// AuthService refuses a session whose expiry has passed: the store hands the expiry back as is.
TYPED_TEST_P(StoreContract, SessionsAreFoundByTokenHashWithTheirExpiryUntilDeleted) {
  auto& store = this->store();
  const auto anna = this->person(1).id;
  const auto boris = this->person(2).id;
  store.create_session("hash-a", anna, kStart, kStart + 24h);
  store.create_session("hash-b", boris, kStart, kStart + 1h);
  const auto a = store.find_session("hash-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->user_id, anna);
  EXPECT_EQ(a->expires_at, kStart + 24h);
  EXPECT_EQ(store.find_session("hash-b")->user_id, boris);
  EXPECT_FALSE(store.find_session("hash-c"));
  EXPECT_FALSE(store.find_session("HASH-A"));

  store.delete_session("hash-a");
  EXPECT_FALSE(store.find_session("hash-a"));
  EXPECT_TRUE(store.find_session("hash-b")) << "deleting one session leaves the others";
  EXPECT_NO_THROW(store.delete_session("hash-a"));
}

// A backend may sweep expired sessions whenever it likes, but never one still valid.
TYPED_TEST_P(StoreContract, CreatingASessionKeepsOtherLiveSessions) {
  auto& store = this->store();
  const auto anna = this->person(1).id;
  store.create_session("live", anna, kStart, kStart + 2h);
  store.create_session("expired", anna, kStart, kStart + 1min);
  store.create_session("new", anna, kStart + 1h, kStart + 25h);
  EXPECT_TRUE(store.find_session("live"));
  EXPECT_TRUE(store.find_session("new"));
  const auto expired = store.find_session("expired");
  EXPECT_TRUE(!expired || expired->expires_at == kStart + 1min)
      << "an expired session is either gone or still says when it expired";
}

// --- role permissions and the audit log

TYPED_TEST_P(StoreContract, RolePermissionsAreStoredPerRoleAndAudited) {
  auto& store = this->store();
  const auto developer = this->person(1, Role::developer, "Dev").id;
  store.save_role_permissions(PermissionChange{.role = Role::helper,
                                               .old_permissions = {"a"},
                                               .new_permissions = {"a", "b"},
                                               .actor_id = developer,
                                               .at = kStart});
  store.save_role_permissions(PermissionChange{.role = Role::moderator,
                                               .old_permissions = {"c"},
                                               .new_permissions = {},
                                               .actor_id = developer,
                                               .at = kStart + 1s});
  store.save_role_permissions(PermissionChange{.role = Role::helper,
                                               .old_permissions = {"a", "b"},
                                               .new_permissions = {"b"},
                                               .actor_id = developer,
                                               .at = kStart + 2s});
  const auto table = store.load_role_permissions();
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.at(Role::helper), std::vector<std::string>{"b"}) << "replaced, not merged";
  ASSERT_TRUE(table.contains(Role::moderator)) << "an emptied role is not a role left at defaults";
  EXPECT_TRUE(table.at(Role::moderator).empty());

  const auto audit = store.list_audit(0, 10);
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].action, "permissions.changed");
  EXPECT_EQ(audit[0].actor.id, developer);
  EXPECT_FALSE(audit[0].target);
  EXPECT_EQ(audit[0].old_value, "helper: a,b");
  EXPECT_EQ(audit[0].new_value, "helper: b");
  EXPECT_EQ(audit[0].created_at, kStart + 2s);
  EXPECT_EQ(audit[1].old_value, "moderator: c");
  EXPECT_EQ(audit[1].new_value, "moderator: ");
}

TYPED_TEST_P(StoreContract, AuditIsNewestFirstAndPagesBeforeAnId) {
  auto& store = this->store();
  const auto admin = this->person(1, Role::admin).id;
  const auto target = this->person(2).id;
  const Role roles[] = {Role::user, Role::helper, Role::moderator, Role::helper, Role::user};
  for (int i = 0; i + 1 < 5; ++i) {
    ASSERT_TRUE(store.change_role(RoleChange{.target_id = target,
                                             .from = roles[i],
                                             .to = roles[i + 1],
                                             .actor_id = admin,
                                             .at = kStart + std::chrono::seconds(i)}));
  }
  const auto first_page = store.list_audit(0, 3);
  ASSERT_EQ(first_page.size(), 3u);
  EXPECT_EQ(first_page[0].created_at, kStart + 3s) << "newest first";
  EXPECT_GT(first_page[0].id, first_page[1].id);
  EXPECT_GT(first_page[1].id, first_page[2].id);
  const auto second_page = store.list_audit(first_page.back().id, 3);
  ASSERT_EQ(second_page.size(), 1u);
  EXPECT_EQ(second_page[0].created_at, kStart);
  EXPECT_EQ(second_page[0].old_value, "user");
  EXPECT_TRUE(store.list_audit(second_page[0].id, 3).empty());
}

// --- categories

TYPED_TEST_P(StoreContract, CategoriesRoundTripAndAreListedByPositionThenId) {
  auto& store = this->store();
  Category full;
  full.name = "Billing";
  full.description = "Money";
  full.default_priority = Priority::high;
  full.sla_minutes = 90;
  full.routing = RoutingMode::manual;
  full.active = false;
  full.position = 2;
  const auto saved = store.save_category(full);
  EXPECT_GT(saved.id, 0);
  const auto found = store.find_category(saved.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Billing");
  EXPECT_EQ(found->description, "Money");
  EXPECT_EQ(found->default_priority, Priority::high);
  EXPECT_EQ(found->sla_minutes, 90);
  EXPECT_EQ(found->routing, RoutingMode::manual);
  EXPECT_FALSE(found->active);
  EXPECT_EQ(found->position, 2);

  const auto later_but_first = this->category("Account", 1);
  const auto last_of_position_one = this->category("Technical", 1);
  std::vector<std::int64_t> order;
  for (const auto& category : store.list_categories()) order.push_back(category.id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{later_but_first, last_of_position_one, saved.id}));

  auto renamed = *found;
  renamed.name = "Payments";
  renamed.description.reset();
  renamed.sla_minutes.reset();
  renamed.position = 0;
  EXPECT_EQ(store.save_category(renamed).id, saved.id) << "a saved id updates, never creates";
  const auto updated = store.find_category(saved.id);
  EXPECT_EQ(updated->name, "Payments");
  EXPECT_EQ(updated->description, std::nullopt);
  EXPECT_EQ(updated->sla_minutes, std::nullopt);
  EXPECT_EQ(store.list_categories().front().id, saved.id);
  EXPECT_EQ(store.list_categories().size(), 3u);
  EXPECT_FALSE(store.find_category(saved.id + 1000));
}

TYPED_TEST_P(StoreContract, ACategoryNameIsUnique) {
  auto& store = this->store();
  this->category("Billing");
  const auto technical = this->category("Technical");
  EXPECT_THROW(this->category("Billing"), UniqueViolation);
  auto renamed = *store.find_category(technical);
  renamed.name = "Billing";
  EXPECT_THROW(store.save_category(renamed), UniqueViolation);
  EXPECT_EQ(store.find_category(technical)->name, "Technical");
  EXPECT_EQ(store.list_categories().size(), 2u);
}

TYPED_TEST_P(StoreContract, ACategoryIsInUseOnceATicketHasItAndCanBeDeletedBefore) {
  auto& store = this->store();
  const auto used = this->category("Used");
  const auto unused = this->category("Unused");
  EXPECT_FALSE(store.category_in_use(used));
  this->ticket(this->person(1).id, used);
  EXPECT_TRUE(store.category_in_use(used));
  EXPECT_FALSE(store.category_in_use(unused));
  store.delete_category(unused);
  EXPECT_FALSE(store.find_category(unused));
  EXPECT_EQ(store.list_categories().size(), 1u);
  EXPECT_EQ(store.existing_categories({used, unused}), std::vector{used});
}

// --- tickets

TYPED_TEST_P(StoreContract, CreatingATicketStoresItsFirstMessage) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto creator = this->person(1, Role::user, "Olivia");
  NewTicket fields = this->new_ticket(creator.id, billing);
  fields.subject = "Charged twice";
  fields.body = "My card shows two charges.";
  fields.priority = Priority::high;
  fields.source = MessageSource::miniapp;
  fields.sla_due_at = kStart + 2h;
  const auto created = store.create_ticket(fields, nobody);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.subject, "Charged twice");
  EXPECT_EQ(created.status, TicketStatus::open);
  EXPECT_EQ(created.priority, Priority::high);
  EXPECT_EQ(created.category_id, billing);
  EXPECT_EQ(created.creator.id, creator.id);
  EXPECT_EQ(created.creator.first_name, "Olivia");
  EXPECT_EQ(created.creator.role, Role::user);
  EXPECT_FALSE(created.assignee);
  EXPECT_EQ(created.created_at, kStart);
  EXPECT_EQ(created.updated_at, kStart);
  EXPECT_EQ(created.last_message_at, kStart);
  EXPECT_EQ(created.messages_count, 1);
  EXPECT_EQ(created.last_message_preview, "My card shows two charges.");
  EXPECT_EQ(created.sla_due_at, kStart + 2h);
  EXPECT_FALSE(created.first_response_at);
  EXPECT_FALSE(created.resolved_at);
  EXPECT_FALSE(created.closed_at);
  EXPECT_FALSE(created.rating);

  const auto found = store.find_ticket(created.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->subject, created.subject);
  EXPECT_EQ(found->sla_due_at, created.sla_due_at);
  const auto messages = store.list_messages(created.id, 0, 10, true);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].ticket_id, created.id);
  EXPECT_EQ(messages[0].author.id, creator.id);
  EXPECT_EQ(messages[0].body, "My card shows two charges.");
  EXPECT_FALSE(messages[0].internal);
  EXPECT_EQ(messages[0].source, MessageSource::miniapp);
  EXPECT_EQ(messages[0].created_at, kStart);
  EXPECT_FALSE(store.find_ticket(created.id + 1000));
}

// The chooser (core::choose_assignee) sees every available staff member of the category with
// their load and idle time, and nobody else; its pick becomes the assignee.
TYPED_TEST_P(StoreContract, RoutingOffersTheAvailableStaffOfTheCategoryOnly) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto technical = this->category("Technical");
  const auto customer = this->person(1).id;
  const auto anna = this->staff(2, {billing});
  const auto boris = this->staff(3, {billing, technical}, Role::admin);
  const auto away = this->staff(4, {billing});
  store.set_user_availability(away, false);
  this->staff(5, {technical});            // another category
  this->staff(6, {billing}, Role::user);  // not staff
  this->staff(7, {}, Role::moderator);    // no category

  std::vector<RoutingCandidate> seen;
  int calls = 0;
  const auto record_and_pick = [&](std::optional<std::int64_t> choice) {
    return [&, choice](std::span<const RoutingCandidate> candidates) {
      ++calls;
      seen.assign(candidates.begin(), candidates.end());
      return choice;
    };
  };
  const auto candidates = [&] {
    std::vector<std::int64_t> ids;
    for (const auto& candidate : seen) ids.push_back(candidate.user_id);
    return sorted(ids);
  };

  auto fields = this->new_ticket(customer, billing, kStart + 1min);
  const auto routed = store.create_ticket(fields, record_and_pick(boris));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(candidates(), sorted({anna, boris}));
  for (const auto& candidate : seen) {
    EXPECT_EQ(candidate.open_tickets, 0);
    EXPECT_EQ(candidate.last_assigned_at, Timestamp{}) << "never assigned: idle since the epoch";
  }
  ASSERT_TRUE(routed.assignee);
  EXPECT_EQ(routed.assignee->id, boris);
  EXPECT_EQ(routed.assignee->role, Role::admin);

  fields.now = kStart + 2min;
  store.create_ticket(fields, record_and_pick(std::nullopt));
  for (const auto& candidate : seen) {
    EXPECT_EQ(candidate.open_tickets, candidate.user_id == boris ? 1 : 0);
    EXPECT_EQ(candidate.last_assigned_at, candidate.user_id == boris ? kStart + 1min : Timestamp{})
        << "routing records when it assigned";
  }

  // An assignment by hand counts as being assigned too.
  const auto manual = this->ticket(customer, technical);
  store.update_ticket(manual, TicketChanges{.assignee_id = anna, .now = kStart + 3min});
  store.create_ticket(fields, record_and_pick(std::nullopt));
  for (const auto& candidate : seen) {
    if (candidate.user_id == anna) {
      EXPECT_EQ(candidate.last_assigned_at, kStart + 3min);
    }
  }

  const int before = calls;
  fields.route = false;
  EXPECT_FALSE(store.create_ticket(fields, record_and_pick(anna)).assignee);
  fields.route = true;
  fields.category_id.reset();
  EXPECT_FALSE(store.create_ticket(fields, record_and_pick(anna)).assignee);
  EXPECT_EQ(calls, before) << "no routing without a category or when the ticket asks for none";
}

// Routing reads each person's load from a counter the backend keeps; it must always equal the
// tickets it stands for: assigned, not deleted, and open, in progress or waiting.
TYPED_TEST_P(StoreContract, LoadCountersRiseAndFallWithAssignmentsStatusesAndDeletion) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto customer = this->person(1).id;
  const auto anna = this->staff(2, {billing});
  const auto boris = this->staff(3, {billing});
  const auto loads = [&] { return this->loads(billing, customer); };
  const auto change = [&](std::int64_t id, TicketChanges changes) {
    changes.now = kStart + 1h;
    ASSERT_TRUE(store.update_ticket(id, changes));
  };
  EXPECT_EQ(loads(), (Loads{{anna, 0}, {boris, 0}}));

  const auto a = this->ticket(customer, billing, pick(anna));
  const auto b = this->ticket(customer, billing, pick(anna));
  const auto c = this->ticket(customer, billing, pick(boris));
  this->ticket(customer, billing, nobody);
  EXPECT_EQ(loads(), (Loads{{anna, 2}, {boris, 1}})) << "routed at creation";

  change(a, {.status = TicketStatus::in_progress});
  change(b, {.status = TicketStatus::waiting});
  EXPECT_EQ(loads(), (Loads{{anna, 2}, {boris, 1}})) << "in progress and waiting still count";
  change(a, {.status = TicketStatus::resolved});
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 1}})) << "resolved";
  change(a, {.status = TicketStatus::open});
  EXPECT_EQ(loads(), (Loads{{anna, 2}, {boris, 1}})) << "reopened";
  change(b, {.status = TicketStatus::closed});
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 1}})) << "closed";
  change(a, {.assignee_id = boris});
  EXPECT_EQ(loads(), (Loads{{anna, 0}, {boris, 2}})) << "reassigned";
  change(c, {.assignee_id = std::optional<std::int64_t>{}});
  EXPECT_EQ(loads(), (Loads{{anna, 0}, {boris, 1}})) << "unassigned";
  change(c, {.assignee_id = anna});
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 1}})) << "assigned by hand";
  change(b, {.assignee_id = boris});
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 1}})) << "a closed ticket moves no load";
  change(b, {.status = TicketStatus::open});
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 2}})) << "reopened under its new assignee";
  store.delete_ticket(a, kStart + 2h);
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 1}})) << "deleted";
  store.delete_ticket(a, kStart + 3h);
  EXPECT_EQ(loads(), (Loads{{anna, 1}, {boris, 1}})) << "deleting twice counts once";
  change(c, {.status = TicketStatus::resolved});
  change(b, {.status = TicketStatus::resolved});
  EXPECT_EQ(store.close_resolved_before(kStart + 2h, kStart + 2h).size(), 2u);
  EXPECT_EQ(loads(), (Loads{{anna, 0}, {boris, 0}}));
}

// TicketService looks a resent ticket up by its key, and counts on the store to refuse a
// second insert under it when two sends race.
TYPED_TEST_P(StoreContract, ATicketClientIdIsUniquePerCreator) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto creator = this->person(1).id;
  const auto other = this->person(2).id;
  const auto anna = this->staff(3, {billing});
  auto fields = this->new_ticket(creator, billing);
  fields.client_id = "key-1";
  const auto original = store.create_ticket(fields, pick(anna));
  EXPECT_EQ(store.find_ticket_by_client_id(creator, "key-1")->id, original.id);
  EXPECT_FALSE(store.find_ticket_by_client_id(creator, "KEY-1"));
  EXPECT_FALSE(store.find_ticket_by_client_id(creator, "key-2"));
  EXPECT_FALSE(store.find_ticket_by_client_id(other, "key-1"));

  fields.subject = "Resent";
  EXPECT_THROW(store.create_ticket(fields, pick(anna)), UniqueViolation);
  auto mine = this->everything();
  mine.creator_id = creator;
  EXPECT_EQ(this->list(mine).size(), 1u) << "the refused insert left no ticket";
  EXPECT_EQ(this->loads(billing, other), (Loads{{anna, 1}})) << "nor its routing";
  EXPECT_EQ(store.find_ticket_by_client_id(creator, "key-1")->subject, "Subject");

  auto others = this->new_ticket(other);
  others.client_id = "key-1";
  EXPECT_NO_THROW(store.create_ticket(others, nobody)) << "keys are per creator";
  fields.client_id.reset();
  EXPECT_NO_THROW(store.create_ticket(fields, nobody));
  EXPECT_NO_THROW(store.create_ticket(fields, nobody)) << "tickets without a key never collide";
  EXPECT_EQ(this->list(mine).size(), 3u);

  store.delete_ticket(original.id, kStart + 1h);
  EXPECT_FALSE(store.find_ticket_by_client_id(creator, "key-1")) << "deleted tickets are absent";
}

// The key that makes a message post idempotent is unique per ticket and author: a second
// insert under it is refused as a UniqueViolation and leaves the ticket as it was.
TYPED_TEST_P(StoreContract, AMessageClientIdIsUniquePerTicketAndAuthor) {
  auto& store = this->store();
  const auto author = this->person(11, Role::user, "P").id;
  const auto other_author = this->person(12, Role::user, "P").id;
  const auto first_ticket = this->ticket(author);
  const auto second_ticket = this->ticket(author);
  const auto message = [&](std::int64_t ticket_id, std::int64_t author_id,
                           std::optional<std::string> client_id) {
    return NewMessage{.ticket_id = ticket_id,
                      .author_id = author_id,
                      .body = "hello",
                      .now = kStart + std::chrono::seconds(60),
                      .client_id = std::move(client_id)};
  };

  const auto original = store.add_message(message(first_ticket, author, "k"));
  EXPECT_THROW(store.add_message(message(first_ticket, author, "k")), UniqueViolation);
  const auto after = store.find_ticket(first_ticket);
  EXPECT_EQ(after->messages_count, 2) << "the refused insert changed nothing";
  EXPECT_EQ(store.list_messages(first_ticket, 0, 10, true).size(), 2u);

  EXPECT_EQ(store.find_message_by_client_id(first_ticket, author, "k")->id, original.id);
  EXPECT_FALSE(store.find_message_by_client_id(first_ticket, other_author, "k"));
  EXPECT_FALSE(store.find_message_by_client_id(second_ticket, author, "k"));
  EXPECT_FALSE(store.find_message_by_client_id(first_ticket, author, "K"));

  EXPECT_NO_THROW(store.add_message(message(first_ticket, other_author, "k")));
  EXPECT_NO_THROW(store.add_message(message(second_ticket, author, "k")));
  EXPECT_NO_THROW(store.add_message(message(first_ticket, author, std::nullopt)));
  EXPECT_NO_THROW(store.add_message(message(first_ticket, author, std::nullopt)));
  EXPECT_EQ(store.list_messages(first_ticket, 0, 10, true).size(), 5u);
}

// A WebSocket client that reconnects asks for the messages after the last id it saw.
TYPED_TEST_P(StoreContract, MessagesComeInIdOrderAndPageAfterAnId) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper, "Helper").id;
  const auto ticket = this->ticket(customer);
  const auto elsewhere = this->ticket(customer);
  const auto first = store.list_messages(ticket, 0, 10, true).at(0).id;
  const auto m1 = store.add_message(this->message(ticket, helper, "one", kStart + 1s));
  auto note = this->message(ticket, helper, "note", kStart + 2s);
  note.internal = true;
  note.source = MessageSource::bot;
  const auto m2 = store.add_message(note);
  const auto m3 = store.add_message(this->message(ticket, customer, "three", kStart + 3s));
  store.add_message(this->message(elsewhere, customer, "elsewhere", kStart + 4s));
  const auto m4 = store.add_message(this->message(ticket, helper, "four", kStart + 5s));

  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids_of(store.list_messages(ticket, 0, 100, true)),
            (Ids{first, m1.id, m2.id, m3.id, m4.id}));
  EXPECT_EQ(ids_of(store.list_messages(ticket, 0, 100, false)), (Ids{first, m1.id, m3.id, m4.id}))
      << "internal notes only for those who may see them";
  EXPECT_EQ(ids_of(store.list_messages(ticket, m1.id, 2, true)), (Ids{m2.id, m3.id}));
  EXPECT_EQ(ids_of(store.list_messages(ticket, m1.id, 2, false)), (Ids{m3.id, m4.id}));
  EXPECT_TRUE(store.list_messages(ticket, m4.id, 10, true).empty());

  EXPECT_EQ(m2.ticket_id, ticket);
  EXPECT_EQ(m2.author.id, helper);
  EXPECT_EQ(m2.author.role, Role::helper);
  EXPECT_EQ(m2.body, "note");
  EXPECT_TRUE(m2.internal);
  EXPECT_EQ(m2.source, MessageSource::bot);
  EXPECT_EQ(m2.created_at, kStart + 2s);
  const auto listed = store.list_messages(ticket, m1.id, 1, true).at(0);
  EXPECT_EQ(listed.body, "note");
  EXPECT_TRUE(listed.internal);
  EXPECT_EQ(listed.created_at, kStart + 2s);
}

TYPED_TEST_P(StoreContract, PublicMessagesUpdateTheTicketAndInternalNotesDoNot) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const auto id = this->ticket(customer);
  store.add_message(this->message(id, helper, "public answer", kStart + 1min));
  auto ticket = *store.find_ticket(id);
  EXPECT_EQ(ticket.messages_count, 2);
  EXPECT_EQ(ticket.last_message_at, kStart + 1min);
  EXPECT_EQ(ticket.updated_at, kStart + 1min);
  EXPECT_EQ(ticket.last_message_preview, "public answer");

  auto note = this->message(id, helper, "internal only", kStart + 2min);
  note.internal = true;
  note.counts_as_first_response = true;
  note.move_to = TicketStatus::waiting;
  store.add_message(note);
  ticket = *store.find_ticket(id);
  EXPECT_EQ(ticket.messages_count, 2) << "a customer must see no trace of an internal note";
  EXPECT_EQ(ticket.last_message_at, kStart + 1min);
  EXPECT_EQ(ticket.updated_at, kStart + 1min);
  EXPECT_EQ(ticket.last_message_preview, "public answer");
  EXPECT_FALSE(ticket.first_response_at);
  EXPECT_EQ(ticket.status, TicketStatus::open);

  auto moving = this->message(id, customer, std::string(300, 'x'), kStart + 3min);
  moving.move_to = TicketStatus::in_progress;
  store.add_message(moving);
  ticket = *store.find_ticket(id);
  EXPECT_EQ(ticket.status, TicketStatus::in_progress);
  EXPECT_EQ(ticket.messages_count, 3);
  ASSERT_TRUE(ticket.last_message_preview);
  EXPECT_FALSE(ticket.last_message_preview->empty());
  EXPECT_LE(ticket.last_message_preview->size(), 160u) << "a preview, not the whole body";
  EXPECT_EQ(ticket.last_message_preview->find_first_not_of('x'), std::string::npos);
}

TYPED_TEST_P(StoreContract, FirstResponseIsSetOnceByACountingPublicMessage) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const auto id = this->ticket(customer);
  store.add_message(this->message(id, customer, "anyone there?", kStart + 1min));
  EXPECT_FALSE(store.find_ticket(id)->first_response_at);
  auto answer = this->message(id, helper, "yes", kStart + 2min);
  answer.counts_as_first_response = true;
  store.add_message(answer);
  EXPECT_EQ(store.find_ticket(id)->first_response_at, kStart + 2min);
  answer.now = kStart + 3min;
  store.add_message(answer);
  EXPECT_EQ(store.find_ticket(id)->first_response_at, kStart + 2min) << "the first one stays";
}

TYPED_TEST_P(StoreContract, StatusChangesSetAndClearTheirTimestamps) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto customer = this->person(1).id;
  const auto id = this->ticket(customer);
  const auto change = [&](TicketChanges changes, Timestamp at) {
    changes.now = at;
    EXPECT_TRUE(store.update_ticket(id, changes));
    return *store.find_ticket(id);
  };
  auto ticket = change({.status = TicketStatus::in_progress}, kStart + 1min);
  EXPECT_EQ(ticket.status, TicketStatus::in_progress);
  EXPECT_EQ(ticket.updated_at, kStart + 1min);
  EXPECT_FALSE(ticket.resolved_at);
  ticket = change({.status = TicketStatus::resolved}, kStart + 2min);
  EXPECT_EQ(ticket.resolved_at, kStart + 2min);
  EXPECT_FALSE(ticket.closed_at);
  ticket = change({.status = TicketStatus::closed}, kStart + 3min);
  EXPECT_EQ(ticket.closed_at, kStart + 3min);
  EXPECT_EQ(ticket.resolved_at, kStart + 2min) << "closing keeps when it was resolved";
  ticket = change({.status = TicketStatus::open}, kStart + 4min);
  EXPECT_EQ(ticket.status, TicketStatus::open);
  EXPECT_FALSE(ticket.resolved_at) << "reopening clears both";
  EXPECT_FALSE(ticket.closed_at);
  EXPECT_EQ(ticket.updated_at, kStart + 4min);

  ticket = change({.subject = "Renamed",
                   .priority = Priority::critical,
                   .category_id = std::optional<std::int64_t>(billing)},
                  kStart + 5min);
  EXPECT_EQ(ticket.subject, "Renamed");
  EXPECT_EQ(ticket.priority, Priority::critical);
  EXPECT_EQ(ticket.category_id, billing);
  EXPECT_EQ(ticket.status, TicketStatus::open) << "fields not named are left alone";
  EXPECT_EQ(ticket.updated_at, kStart + 5min);
  EXPECT_EQ(ticket.created_at, kStart);
  ticket = change({.category_id = std::optional<std::int64_t>{}}, kStart + 6min);
  EXPECT_FALSE(ticket.category_id);
  EXPECT_EQ(ticket.subject, "Renamed");

  store.delete_ticket(id, kStart + 7min);
  EXPECT_FALSE(store.update_ticket(id, {.status = TicketStatus::resolved, .now = kStart + 8min}))
      << "a deleted ticket cannot be changed";
}

// Taking a ticket is a compare-and-set: of two helpers taking at once, one wins.
TYPED_TEST_P(StoreContract, TakingSucceedsOnlyWhileUnassigned) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto anna = this->person(2, Role::helper).id;
  const auto boris = this->person(3, Role::helper).id;
  const auto id = this->ticket(customer);
  EXPECT_TRUE(store.update_ticket(
      id, {.assignee_id = anna, .only_if_unassigned = true, .now = kStart + 1min}));
  EXPECT_FALSE(store.update_ticket(
      id, {.assignee_id = boris, .only_if_unassigned = true, .now = kStart + 2min}));
  const auto ticket = store.find_ticket(id);
  EXPECT_EQ(ticket->assignee->id, anna);
  EXPECT_EQ(ticket->updated_at, kStart + 1min) << "the losing take changed nothing";
}

TYPED_TEST_P(StoreContract, ARatingIsAcceptedOnce) {
  auto& store = this->store();
  const auto id = this->ticket(this->person(1).id);
  EXPECT_TRUE(store.rate_ticket(id, Rating{5, "great"}, kStart + 1h));
  EXPECT_FALSE(store.rate_ticket(id, Rating{1, std::nullopt}, kStart + 2h));
  const auto ticket = store.find_ticket(id);
  ASSERT_TRUE(ticket->rating);
  EXPECT_EQ(ticket->rating->score, 5);
  EXPECT_EQ(ticket->rating->comment, "great");
  EXPECT_EQ(ticket->updated_at, kStart + 1h);
  const auto plain = this->ticket(this->person(1).id);
  EXPECT_TRUE(store.rate_ticket(plain, Rating{3, std::nullopt}, kStart + 1h));
  EXPECT_EQ(store.find_ticket(plain)->rating->comment, std::nullopt);
}

TYPED_TEST_P(StoreContract, CloseResolvedBeforeClosesOnlyTicketsResolvedBeforeTheCutoff) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto resolve = [&](Timestamp at) {
    const auto id = this->ticket(customer);
    store.update_ticket(id, {.status = TicketStatus::resolved, .now = at});
    return id;
  };
  const auto old = resolve(kStart);
  const auto recent = resolve(kStart + 2h);
  const auto deleted = resolve(kStart);
  store.delete_ticket(deleted, kStart + 1h);
  const auto open = this->ticket(customer);
  EXPECT_EQ(store.close_resolved_before(kStart + 1h, kStart + 3h), std::vector{old});
  const auto closed = store.find_ticket(old);
  EXPECT_EQ(closed->status, TicketStatus::closed);
  EXPECT_EQ(closed->closed_at, kStart + 3h);
  EXPECT_EQ(closed->updated_at, kStart + 3h);
  EXPECT_EQ(store.find_ticket(recent)->status, TicketStatus::resolved);
  EXPECT_EQ(store.find_ticket(open)->status, TicketStatus::open);
  EXPECT_TRUE(store.close_resolved_before(kStart + 1h, kStart + 4h).empty());
}

TYPED_TEST_P(StoreContract, DeletedTicketsAreGoneFromEveryRead) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  auto fields = this->new_ticket(customer);
  fields.subject = "Vanishing printer";
  const auto gone = store.create_ticket(fields, nobody).id;
  const auto kept = this->ticket(customer);
  store.delete_ticket(gone, kStart + 1h);
  EXPECT_FALSE(store.find_ticket(gone));
  EXPECT_EQ(ids_of(this->list(this->everything())), std::vector{kept});
  EXPECT_TRUE(this->search("printer").empty());
  EXPECT_NO_THROW(store.delete_ticket(gone, kStart + 2h));
}

TYPED_TEST_P(StoreContract, ListFiltersSelectWhatTheyName) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  const auto technical = this->category("Technical");
  const auto olivia = this->person(1).id;
  const auto liam = this->person(2).id;
  const auto anna = this->person(3, Role::helper).id;
  auto fields = this->new_ticket(olivia, billing);
  fields.priority = Priority::high;
  const auto a = store.create_ticket(fields, pick(anna)).id;
  fields.creator_id = liam;
  fields.priority = Priority::low;
  const auto b = store.create_ticket(fields, nobody).id;
  fields.category_id = technical;
  const auto c = store.create_ticket(fields, nobody).id;
  store.update_ticket(c, {.status = TicketStatus::waiting, .now = kStart});

  const auto find = [&](auto adjust) {
    auto query = this->everything();
    adjust(query);
    return sorted(ids_of(this->list(query)));
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(find([](TicketQuery&) {}), sorted({a, b, c}));
  EXPECT_EQ(find([](TicketQuery& q) { q.statuses = {TicketStatus::waiting}; }), Ids{c});
  EXPECT_EQ(find([](TicketQuery& q) { q.statuses = {TicketStatus::open}; }), sorted({a, b}));
  EXPECT_EQ(find([](TicketQuery& q) {
              q.statuses = {TicketStatus::open, TicketStatus::waiting};
            }),
            sorted({a, b, c}))
      << "several statuses: any of them";
  EXPECT_EQ(find([](TicketQuery& q) {
              q.statuses = {TicketStatus::waiting, TicketStatus::resolved, TicketStatus::closed};
            }),
            Ids{c});
  EXPECT_EQ(find([](TicketQuery& q) { q.statuses = {TicketStatus::closed}; }), Ids{});
  EXPECT_EQ(find([](TicketQuery& q) { q.priority = Priority::high; }), Ids{a});
  EXPECT_EQ(find([&](TicketQuery& q) { q.category_id = technical; }), Ids{c});
  EXPECT_EQ(find([&](TicketQuery& q) { q.assignee_id = anna; }), Ids{a});
  EXPECT_EQ(find([](TicketQuery& q) { q.unassigned = true; }), sorted({b, c}));
  EXPECT_EQ(find([&](TicketQuery& q) { q.creator_id = liam; }), sorted({b, c}));
  EXPECT_EQ(find([&](TicketQuery& q) {
              q.creator_id = liam;
              q.category_id = billing;
            }),
            Ids{b});
  EXPECT_EQ(find([](TicketQuery& q) { q.limit = 2; }).size(), 2u);
}

// Keyset paging: each page continues after the sort value and id of the last ticket seen (and
// its tier, for a search by relevance). Many tickets share a sort value, so only the id keeps
// the order total; sla_due runs upwards, every other order downwards.
TYPED_TEST_P(StoreContract, ListsPageWithoutDuplicatesOrGapsInEverySort) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const Priority priorities[] = {Priority::low, Priority::normal, Priority::high,
                                 Priority::critical};
  for (int i = 0; i < 30; ++i) {
    auto fields = this->new_ticket(customer, std::nullopt, kStart + std::chrono::seconds(i / 3));
    fields.priority = priorities[i % 4];
    fields.subject = i % 3 == 0 ? "Printer jam" : "Other";
    if (i % 4 != 3) fields.sla_due_at = kStart + std::chrono::minutes(i % 6);
    const auto id = store.create_ticket(fields, nobody).id;
    if (i % 2 == 0) {
      store.update_ticket(id, {.subject = i % 4 == 0 ? "touched printer" : "touched",
                               .now = kStart + std::chrono::seconds(i % 5)});
    }
    if (i % 5 == 0) {
      auto answer =
          this->message(id, helper, "printer fixed", kStart + std::chrono::seconds(i % 7));
      answer.counts_as_first_response = true;
      store.add_message(answer);
    }
    if (i % 7 == 0) store.update_ticket(id, {.status = TicketStatus::resolved, .now = kStart});
  }
  struct Case {
    TicketSort sort;
    std::string text;
  };
  for (const auto& [sort, text] :
       {Case{TicketSort::updated_at, ""}, Case{TicketSort::created_at, ""},
        Case{TicketSort::priority, ""}, Case{TicketSort::last_activity, ""},
        Case{TicketSort::sla_due, ""}, Case{TicketSort::relevance, "printer"},
        Case{TicketSort::relevance, ""}, Case{TicketSort::sla_due, "printer"}}) {
    SCOPED_TRACE(std::to_string(static_cast<int>(sort)) + " " + text);
    auto query = this->everything();
    query.sort = sort;
    query.text = text;
    const auto all = this->list(query);
    ASSERT_EQ(all.size(), text.empty() ? 30u : 16u);
    const auto key = [&](const Ticket& ticket) {
      return std::tuple{ticket.search_tier, sort_value(ticket, sort), ticket.id};
    };
    for (std::size_t i = 1; i < all.size(); ++i) {
      if (sort == TicketSort::sla_due) {
        EXPECT_LT(key(all[i - 1]), key(all[i])) << "the earliest due first, then the lower id";
      } else {
        EXPECT_GT(key(all[i - 1]), key(all[i])) << "the highest first, then the higher id";
      }
    }
    std::vector<std::int64_t> paged;
    query.limit = 7;
    query.after.reset();
    for (int page = 0; page < 10; ++page) {
      const auto tickets = this->list(query);
      for (const auto& ticket : tickets) paged.push_back(ticket.id);
      if (tickets.size() < 7u) break;
      query.after = TicketPosition{sort_value(tickets.back(), sort), tickets.back().id,
                                   tickets.back().search_tier};
    }
    EXPECT_EQ(paged, ids_of(all));
  }
}

// sla_due: the first response due soonest first — breached ones, then the nearly due — then
// every ticket with no response pending (answered, finished, or without an SLA).
TYPED_TEST_P(StoreContract, SlaDueOrderPutsTheEarliestPendingResponseFirst) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const auto make = [&](std::optional<Timestamp> due) {
    auto fields = this->new_ticket(customer);
    fields.sla_due_at = due;
    return store.create_ticket(fields, nobody).id;
  };
  const auto later = make(kStart + 2h);
  const auto breached = make(kStart - 1h);
  const auto none = make(std::nullopt);
  const auto soon = make(kStart + 10min);
  const auto answered = make(kStart - 2h);
  auto answer = this->message(answered, helper, "on it", kStart);
  answer.counts_as_first_response = true;
  store.add_message(answer);
  const auto resolved = make(kStart - 3h);
  store.update_ticket(resolved, {.status = TicketStatus::resolved, .now = kStart});
  const auto reopened = make(kStart + 1h);
  store.update_ticket(reopened, {.status = TicketStatus::resolved, .now = kStart});
  store.update_ticket(reopened, {.status = TicketStatus::open, .now = kStart});

  auto query = this->everything();
  query.sort = TicketSort::sla_due;
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids_of(this->list(query)),
            (Ids{breached, soon, reopened, later, none, answered, resolved}));
  query.statuses = {TicketStatus::open};
  EXPECT_EQ(ids_of(this->list(query)), (Ids{breached, soon, reopened, later, none, answered}));
}

// last_activity: the latest public message first. A status change or an internal note moves
// updated_at (or nothing a customer sees), never the last activity.
TYPED_TEST_P(StoreContract, LastActivityOrderFollowsTheLatestPublicMessage) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const auto first = this->ticket(customer);
  const auto second = this->ticket(customer);
  const auto third = this->ticket(customer);
  store.add_message(this->message(first, customer, "still broken", kStart + 5min));
  store.update_ticket(second, {.status = TicketStatus::in_progress, .now = kStart + 9min});
  auto note = this->message(third, helper, "checking", kStart + 10min);
  note.internal = true;
  store.add_message(note);

  auto query = this->everything();
  query.sort = TicketSort::last_activity;
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids_of(this->list(query)), (Ids{first, third, second}));
  query.sort = TicketSort::updated_at;
  EXPECT_EQ(ids_of(this->list(query)), (Ids{second, first, third}));
}

// Scopes as API.md has them: your own; with view_category also those assigned to you and the
// unassigned ones in your categories; with view_all everything.
TYPED_TEST_P(StoreContract, ScopesShowOwnAssignedAndCategoryTicketsAsTheySay) {
  auto& store = this->store();
  const auto mine = this->category("Mine");
  const auto theirs = this->category("Theirs");
  const auto customer = this->person(1).id;
  const auto viewer = this->staff(2, {mine});
  const auto colleague = this->staff(3, {mine});
  const auto own = this->ticket(viewer);
  const auto unassigned_in_mine = this->ticket(customer, mine);
  const auto colleagues_in_mine = this->ticket(customer, mine, pick(colleague));
  const auto unassigned_in_theirs = this->ticket(customer, theirs);
  const auto mine_in_theirs = this->ticket(customer, theirs, pick(viewer));
  const auto uncategorised = this->ticket(customer);

  enum class Sees { own, category, all };
  const auto visible = [&](std::int64_t user_id, Sees sees) {
    auto query = this->everything();
    query.scope = TicketScope{};
    query.scope.user_id = user_id;
    query.scope.view_all = sees == Sees::all;
    query.scope.view_category = sees == Sees::category;
    if (sees == Sees::category) query.scope.category_ids = store.find_user(user_id)->category_ids;
    return sorted(ids_of(this->list(query)));
  };
  EXPECT_EQ(visible(viewer, Sees::own), std::vector{own});
  EXPECT_EQ(visible(viewer, Sees::category), sorted({own, unassigned_in_mine, mine_in_theirs}));
  EXPECT_EQ(visible(customer, Sees::own),
            sorted({unassigned_in_mine, colleagues_in_mine, unassigned_in_theirs, mine_in_theirs,
                    uncategorised}));
  EXPECT_EQ(visible(viewer, Sees::all).size(), 6u);
  EXPECT_TRUE(visible(this->person(4).id, Sees::own).empty());
}

// --- full-text search (issue 12): any text a caller types is either no filter or words to
// match, never query syntax and never an error.

TYPED_TEST_P(StoreContract, SearchMatchesWordsInSubjectsAndPublicMessages) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const auto ticket = [&](std::string subject, std::string body) {
    auto fields = this->new_ticket(customer);
    fields.subject = std::move(subject);
    fields.body = std::move(body);
    return store.create_ticket(fields, nobody).id;
  };
  const auto printer = ticket("Printer on fire", "It smokes AND NOT (ok)");
  const auto password = ticket("Забыл пароль", "Не могу войти");
  const auto chinese = ticket("打印机 坏了", "🔥 \"quoted\" text");
  const auto later = ticket("Other", "nothing");
  store.add_message(this->message(later, helper, "publicword reply", kStart + 1min));
  auto note = this->message(later, helper, "secretword note", kStart + 2min);
  note.internal = true;
  store.add_message(note);

  const auto found = [&](const std::string& text, bool internal = false) {
    return sorted(ids_of(this->search(text, internal)));
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(found("printer"), Ids{printer}) << "a word of the subject";
  EXPECT_EQ(found("PRINTER"), Ids{printer}) << "ignoring case";
  EXPECT_EQ(found("smokes"), Ids{printer}) << "a word of the first message";
  EXPECT_EQ(found("fire printer"), Ids{printer}) << "every word, in any order";
  EXPECT_EQ(found("printer войти"), Ids{}) << "all words must match, not any";
  EXPECT_EQ(found("пароль"), Ids{password});
  EXPECT_EQ(found("ВОЙТИ"), Ids{password}) << "case folded beyond ASCII";
  EXPECT_EQ(found("打印机"), Ids{chinese});
  EXPECT_EQ(found("\"quoted\""), Ids{chinese});
  EXPECT_EQ(found("AND NOT"), Ids{printer}) << "operators are words";
  EXPECT_EQ(found("(ok)"), Ids{printer});
  EXPECT_EQ(found("printer\0fire"s), Ids{printer}) << "NUL separates words";
  EXPECT_EQ(found("publicword"), Ids{later}) << "a later public message";
  EXPECT_EQ(found("secretword"), Ids{}) << "internal notes only when asked for";
  EXPECT_EQ(found("secretword", true), Ids{later});
  EXPECT_EQ(found("nowhere"), Ids{});
}

TYPED_TEST_P(StoreContract, SearchFollowsSubjectChanges) {
  auto& store = this->store();
  auto fields = this->new_ticket(this->person(1).id);
  fields.subject = "Printer broken";
  const auto id = store.create_ticket(fields, nobody).id;
  store.update_ticket(id, {.subject = "Scanner broken", .now = kStart + 1min});
  EXPECT_TRUE(this->search("printer").empty());
  EXPECT_EQ(ids_of(this->search("scanner")), std::vector{id});
  EXPECT_EQ(ids_of(this->search("broken")), std::vector{id});
}

// Writes that commit together (one transaction, or writers whose writes share a commit) are
// all searchable once it is done, each by what it holds at the commit.
TYPED_TEST_P(StoreContract, SearchFindsEveryWriteOfACommitAsItStandsThen) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  std::int64_t renamed = 0;
  store.in_one_transaction([&] {
    auto fields = this->new_ticket(customer);
    fields.subject = "Printer broken";
    renamed = store.create_ticket(fields, nobody).id;
    store.update_ticket(renamed, {.subject = "Scanner broken", .now = kStart + 1min});
  });
  EXPECT_TRUE(this->search("printer").empty());
  EXPECT_EQ(ids_of(this->search("scanner")), std::vector{renamed});

  constexpr int kWriters = 8;
  std::vector<std::int64_t> made(kWriters);
  {
    std::vector<std::jthread> writers;
    for (int i = 0; i < kWriters; ++i) {
      writers.emplace_back([&, i] {
        auto fields = this->new_ticket(customer);
        fields.subject = "Writer" + std::to_string(i) + " subject";
        made[i] = store.create_ticket(fields, nobody).id;
        store.add_message(this->message(made[i], customer, "followup" + std::to_string(i) + " text",
                                        kStart + 1min));
      });
    }
  }
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_EQ(ids_of(this->search("writer" + std::to_string(i))), std::vector{made[i]});
    EXPECT_EQ(ids_of(this->search("followup" + std::to_string(i))), std::vector{made[i]});
  }
  EXPECT_EQ(this->search("subject").size(), static_cast<std::size_t>(kWriters));
}

// Search as people type: every word a prefix (so a word being typed already finds), of itself
// or of its stem (so any case of a Russian noun finds the others), in any order.
TYPED_TEST_P(StoreContract, SearchFindsPrefixesAndWordFormsInEnglishAndRussian) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto ticket = [&](std::string subject, std::string body) {
    auto fields = this->new_ticket(customer);
    fields.subject = std::move(subject);
    fields.body = std::move(body);
    return store.create_ticket(fields, nobody).id;
  };
  const auto crashes = ticket("App crashes on start", "Since the update");
  const auto payment = ticket("Не прошла оплата", "Деньги списаны");
  const auto card = ticket("Проблема с картой", "Оплатой картой не получается");
  const auto happy = ticket("Not happy with the answers", "nothing");
  const auto creative = ticket("Creative suite", "license");

  const auto found = [&](const std::string& text) { return sorted(ids_of(this->search(text))); };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(found("cra"), Ids{crashes}) << "a prefix while typing";
  EXPECT_EQ(found("crash"), Ids{crashes});
  EXPECT_EQ(found("crashed"), Ids{crashes}) << "another form of the word";
  EXPECT_EQ(found("CRASHES"), Ids{crashes});
  EXPECT_EQ(found("cr"), sorted({crashes, creative}));
  EXPECT_EQ(found("start crash"), Ids{crashes}) << "every word, in any order";
  EXPECT_EQ(found("crash license"), Ids{}) << "every word must match";
  EXPECT_EQ(found("оплата"), sorted({payment, card}));
  EXPECT_EQ(found("оплату"), sorted({payment, card}));
  EXPECT_EQ(found("оплатой"), sorted({payment, card}));
  EXPECT_EQ(found("ОПЛАТЫ"), sorted({payment, card}));
  EXPECT_EQ(found("опл"), sorted({payment, card}));
  EXPECT_EQ(found("карта"), Ids{card}) << "«карта» finds «картой»";
  EXPECT_EQ(found("списано"), Ids{payment});
  EXPECT_EQ(found("happy"), Ids{happy}) << "Porter's happi, and the word as typed";
}

// "106" or "#106" finds ticket 106 first, among the tickets the caller may see; its number in
// another ticket's text finds that one too, after it.
TYPED_TEST_P(StoreContract, SearchByNumberFindsTheTicketFirstWithinWhatTheCallerSees) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto stranger = this->person(2).id;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(this->ticket(customer));
  const auto target = ids[3];
  auto fields = this->new_ticket(customer);
  fields.subject = "Same as #" + std::to_string(target);
  const auto mention = store.create_ticket(fields, nobody).id;

  for (const auto& text : {std::to_string(target), "#" + std::to_string(target)}) {
    SCOPED_TRACE(text);
    auto query = this->everything();
    query.text = text;
    query.sort = TicketSort::relevance;
    EXPECT_EQ(ids_of(this->list(query)), (std::vector<std::int64_t>{target, mention}));
    query.scope = TicketScope{
        .user_id = stranger, .view_all = false, .view_category = false, .category_ids = {}};
    EXPECT_TRUE(this->list(query).empty()) << "not someone else's ticket";
  }
}

// Staff find a customer's tickets by their name (any word of it, as a prefix, in any script)
// or @username; a customer's search never looks at people.
TYPED_TEST_P(StoreContract, SearchFindsACustomersTicketsByNameOrUsernameForStaff) {
  auto& store = this->store();
  const auto customer = [&](std::int64_t telegram_id, std::string first, std::string last,
                            std::string username) {
    TelegramUser profile;
    profile.id = telegram_id;
    profile.first_name = std::move(first);
    profile.last_name = std::move(last);
    profile.username = std::move(username);
    return store.upsert_telegram_user(profile, Role::user, kStart).id;
  };
  const auto olivia = customer(1, "Olivia", "Kowalska", "olivia_k");
  const auto zhanna = customer(2, "Жанна", "Петрова", "zhanna");
  const auto first = this->ticket(olivia);
  const auto second = this->ticket(olivia);
  const auto third = this->ticket(zhanna);

  const auto found = [&](const std::string& text, bool people = true) {
    auto query = this->everything();
    query.text = text;
    query.search_people = people;
    return sorted(ids_of(this->list(query)));
  };
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(found("olivia"), sorted({first, second}));
  EXPECT_EQ(found("Kowal"), sorted({first, second})) << "the last name, as a prefix";
  EXPECT_EQ(found("olivia kowalska"), sorted({first, second}));
  EXPECT_EQ(found("@olivia_k"), sorted({first, second}));
  EXPECT_EQ(found("@OLIV"), sorted({first, second})) << "a start of the username";
  EXPECT_EQ(found("@kowalska"), Ids{}) << "@ is the username only";
  EXPECT_EQ(found("жанна"), Ids{third});
  EXPECT_EQ(found("ЖАННЕ"), Ids{third}) << "a case of the name";
  EXPECT_EQ(found("olivia subject"), sorted({first, second})) << "her name and a word of the text";
  EXPECT_EQ(found("olivia", false), Ids{}) << "not in a customer's search";
  EXPECT_EQ(found("@olivia_k", false), Ids{});
  EXPECT_EQ(found("@%"), Ids{}) << "LIKE's wildcards are plain text";
  EXPECT_EQ(found("@_"), Ids{});
}

// Ranked: the ticket whose number was typed, then subjects holding every word, then the
// customer's tickets, then those where only messages match; each tier by last change.
TYPED_TEST_P(StoreContract, SearchResultsAreRankedByWhereTheyMatch) {
  auto& store = this->store();
  TelegramUser profile;
  profile.id = 1;
  profile.first_name = "Printer";  // a customer named like the word searched
  const auto printer_person = store.upsert_telegram_user(profile, Role::user, kStart).id;
  const auto customer = this->person(2).id;
  const auto helper = this->person(3, Role::helper).id;
  const auto ticket = [&](std::int64_t creator, std::string subject, Timestamp at) {
    auto fields = this->new_ticket(creator, std::nullopt, at);
    fields.subject = std::move(subject);
    return store.create_ticket(fields, nobody).id;
  };
  const auto in_message = ticket(customer, "Help", kStart + 9min);
  store.add_message(this->message(in_message, helper, "the printer again", kStart + 9min));
  const auto by_person = ticket(printer_person, "Question", kStart + 8min);
  const auto old_subject = ticket(customer, "Printer jam", kStart + 1min);
  const auto new_subject = ticket(customer, "printer offline", kStart + 2min);
  auto note = this->message(ticket(customer, "Secret", kStart), helper, "printer", kStart);
  note.internal = true;
  store.add_message(note);

  auto query = this->everything();
  query.text = "printer";
  query.search_people = true;
  query.sort = TicketSort::relevance;
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ids_of(this->list(query)), (Ids{new_subject, old_subject, by_person, in_message}));

  query.text = std::to_string(in_message);
  EXPECT_EQ(ids_of(this->list(query)).front(), in_message);
}

// Read marks: each person's unread messages per ticket are the others' messages after their
// mark (internal notes only for those who read them); marking moves the mark up, never down,
// and a mark that moves nothing writes nothing.
TYPED_TEST_P(StoreContract, ReadMarksCountEachPersonsUnreadMessages) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  const auto id = this->ticket(customer);
  const auto other = this->ticket(customer);
  const std::vector<std::int64_t> both{id, other};
  const auto unread = [&](std::int64_t user, bool internal = false) {
    std::map<std::int64_t, int> counts;
    for (const auto& count : store.unread_counts(user, both, internal))
      counts[count.ticket_id] = count.messages;
    return counts;
  };
  using Counts = std::map<std::int64_t, int>;
  EXPECT_EQ(unread(customer), Counts{}) << "one's own messages are never unread";
  EXPECT_EQ(unread(helper), (Counts{{id, 1}, {other, 1}}));

  const auto reply = store.add_message(this->message(id, helper, "hello", kStart + 1min)).id;
  auto note = this->message(id, helper, "note", kStart + 2min);
  note.internal = true;
  store.add_message(note);
  EXPECT_EQ(unread(customer), (Counts{{id, 1}})) << "the reply, not the note";
  EXPECT_EQ(unread(customer, true), (Counts{{id, 2}}));

  EXPECT_TRUE(store.mark_read(customer, id, reply));
  EXPECT_EQ(unread(customer, true), (Counts{{id, 1}})) << "read up to the reply";
  const auto writes = store.committed_writes();
  EXPECT_FALSE(store.mark_read(customer, id, reply - 1)) << "never down";
  EXPECT_FALSE(store.mark_read(customer, id, reply));
  EXPECT_EQ(store.committed_writes(), writes) << "a mark that moves nothing writes nothing";
  EXPECT_TRUE(store.mark_read(customer, id, std::nullopt));
  EXPECT_EQ(unread(customer, true), Counts{}) << "nothing: up to the latest message";
  EXPECT_TRUE(store.mark_read(helper, other, 1'000'000)) << "beyond the latest: up to it";
  EXPECT_EQ(unread(helper), (Counts{{id, 1}}));

  store.add_message(this->message(id, customer, "thanks", kStart + 3min));
  EXPECT_EQ(unread(helper), (Counts{{id, 2}}));
  EXPECT_EQ(unread(customer), Counts{});

  // Someone who comes later has read the history before them.
  const auto newcomer = this->person(9, Role::moderator).id;
  EXPECT_EQ(unread(newcomer, true), Counts{});
  store.add_message(this->message(other, customer, "anyone?", kStart + 4min));
  EXPECT_EQ(unread(newcomer, true), (Counts{{other, 1}}));
  EXPECT_TRUE(store.unread_counts(newcomer, {}, true).empty());
}

TYPED_TEST_P(StoreContract, UnreadTicketsAreCountedOverTheWholeFilteredList) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  const auto helper = this->person(2, Role::helper).id;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(this->ticket(customer));
  store.update_ticket(ids[0], {.status = TicketStatus::closed, .now = kStart});
  store.mark_read(helper, ids[1], std::nullopt);
  auto query = this->everything();
  query.scope.user_id = helper;
  query.limit = 2;  // a page's size does not matter
  EXPECT_EQ(store.count_unread_tickets(query), 5);
  query.statuses = {TicketStatus::open};
  EXPECT_EQ(store.count_unread_tickets(query), 4);
  query.text = std::to_string(ids[2]);
  EXPECT_EQ(store.count_unread_tickets(query), 1);
  query.text.clear();
  query.scope.user_id = customer;
  EXPECT_EQ(store.count_unread_tickets(query), 0);
}

TYPED_TEST_P(StoreContract, SearchTextIsNeverSyntax) {
  auto& store = this->store();
  const auto customer = this->person(1).id;
  for (const char* subject : {"Printer on fire", "Cannot log in", "Invoice 42"}) {
    auto fields = this->new_ticket(customer);
    fields.subject = subject;
    store.create_ticket(fields, nobody);
  }
  for (const auto& text : {"\""s,
                           "\"\""s,
                           "*"s,
                           "printer*"s,
                           "AND"s,
                           "OR"s,
                           "NOT"s,
                           "NEAR(printer fire)"s,
                           "^printer"s,
                           "subject:printer"s,
                           "-printer"s,
                           "+printer"s,
                           "printer OR"s,
                           "(("s,
                           "{"s,
                           "'; DROP TABLE tickets; --"s,
                           "%"s,
                           "_"s,
                           "\\"s,
                           "\0"s,
                           "a\0b"s,
                           "\x01\x1f\x7f"s,
                           "\xff\xfe"s,
                           "pri\xffnter"s,
                           "\xed\xa0\x80"s,
                           "\xc0\xaf"s,
                           "\xd0"s,
                           "\u3000"s}) {
    SCOPED_TRACE(::testing::PrintToString(text));
    for (const bool internal : {false, true}) {
      EXPECT_NO_THROW(this->search(text, internal));
      auto scoped = this->everything();
      scoped.scope = TicketScope{};
      scoped.scope.user_id = customer;
      scoped.scope.view_category = true;
      scoped.text = text;
      scoped.search_internal = internal;
      EXPECT_NO_THROW(store.list_tickets(scoped));
    }
  }
  for (const auto& blank : {""s, " \t\n\r\v\f"s, "\0"s, "\x01\x1b\x7f"s, "\u3000"s}) {
    SCOPED_TRACE(::testing::PrintToString(blank));
    EXPECT_EQ(this->search(blank).size(), 3u) << "no words is no filter";
  }
}

TYPED_TEST_P(StoreContract, FiveThousandRandomQueriesNeverThrow) {
  auto& store = this->store();
  const auto author = this->person(11, Role::user, "P").id;
  for (const auto& [subject, body] : {std::pair{"Printer on fire", "It smokes AND NOT (ok)"},
                                      std::pair{"Забыл пароль", "Не могу войти"},
                                      std::pair{"打印机 坏了", "🔥 \"quoted\" text"}}) {
    NewTicket ticket;
    ticket.subject = subject;
    ticket.body = body;
    ticket.creator_id = author;
    ticket.now = kStart;
    store.create_ticket(ticket, nobody);
  }

  std::mt19937 random(12);  // fixed: a failure names its iteration and reproduces
  std::size_t matched = 0;
  for (int i = 0; i < 5000; ++i) {
    TicketQuery query;
    query.scope.user_id = author;
    query.scope.view_all = i % 2 == 0;
    query.search_internal = i % 3 == 0;
    query.text = random_text(random);
    std::vector<Ticket> found;
    ASSERT_NO_THROW(found = store.list_tickets(query))
        << "iteration " << i << ", query " << ::testing::PrintToString(query.text);
    ASSERT_LE(found.size(), 3u);
    matched += found.size();
  }
  EXPECT_GT(matched, 0u) << "some random queries should match (or apply no filter)";
}

// --- auto-replies

TYPED_TEST_P(StoreContract, AutoRepliesAreStoredAndFireOncePerTicket) {
  auto& store = this->store();
  const auto billing = this->category("Billing");
  AutoReply reply;
  reply.name = "Refunds";
  reply.keywords = {"refund", "money back"};
  reply.category_id = billing;
  reply.event = AutoReplyEvent::message;
  reply.body = "Refunds take 3-5 days.";
  reply.active = false;
  const auto saved = store.save_auto_reply(reply);
  EXPECT_GT(saved.id, 0);
  const auto found = store.find_auto_reply(saved.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Refunds");
  EXPECT_EQ(found->keywords, (std::vector<std::string>{"refund", "money back"}));
  EXPECT_EQ(found->category_id, billing);
  EXPECT_EQ(found->event, AutoReplyEvent::message);
  EXPECT_EQ(found->body, "Refunds take 3-5 days.");
  EXPECT_FALSE(found->active);

  AutoReply general;
  general.name = "Hello";
  general.body = "We are on it.";
  const auto second = store.save_auto_reply(general);
  auto changed = *found;
  changed.keywords = {};
  changed.category_id.reset();
  changed.active = true;
  EXPECT_EQ(store.save_auto_reply(changed).id, saved.id);
  const auto listed = store.list_auto_replies();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, saved.id) << "in id order";
  EXPECT_TRUE(listed[0].keywords.empty());
  EXPECT_FALSE(listed[0].category_id);
  EXPECT_TRUE(listed[0].active);
  EXPECT_EQ(listed[1].event, AutoReplyEvent::ticket_created);

  const auto customer = this->person(1).id;
  const auto first_ticket = this->ticket(customer);
  const auto second_ticket = this->ticket(customer);
  EXPECT_TRUE(store.mark_auto_reply_fired(saved.id, first_ticket));
  EXPECT_FALSE(store.mark_auto_reply_fired(saved.id, first_ticket));
  EXPECT_TRUE(store.mark_auto_reply_fired(saved.id, second_ticket));
  EXPECT_TRUE(store.mark_auto_reply_fired(second.id, first_ticket));

  store.delete_auto_reply(saved.id);
  EXPECT_FALSE(store.find_auto_reply(saved.id));
  EXPECT_EQ(store.list_auto_replies().size(), 1u);
}

// --- transactions and the write count

// Demo seeding and AuthService's demo people rely on this: a failure part-way leaves nothing.
TYPED_TEST_P(StoreContract, InOneTransactionCommitsAllOrNothing) {
  auto& store = this->store();
  struct Abort {};
  const auto writes_before = store.committed_writes();
  const auto work = [&](bool fail) {
    store.set_setting("seeded", "1");
    const auto category = this->category("Billing");
    const auto customer = this->person(77).id;
    const auto ticket = this->ticket(customer, category);
    store.add_message(this->message(ticket, customer, "more", kStart + 1s));
    // Reads inside the transaction see its own writes.
    EXPECT_EQ(store.get_setting("seeded"), "1");
    EXPECT_EQ(store.find_ticket(ticket)->messages_count, 2);
    EXPECT_TRUE(store.find_category(category));
    if (fail) throw Abort{};
  };
  EXPECT_THROW(store.in_one_transaction([&] { work(true); }), Abort);
  EXPECT_FALSE(store.get_setting("seeded"));
  EXPECT_TRUE(store.list_categories().empty());
  EXPECT_FALSE(store.find_user_by_telegram_id(77));
  EXPECT_TRUE(this->list(this->everything()).empty());
  EXPECT_EQ(store.committed_writes(), writes_before) << "a rolled-back transaction commits nothing";

  // A store call failing inside rolls back the writes before it too.
  this->category("Taken");
  EXPECT_THROW(store.in_one_transaction([&] {
    store.set_setting("half", "1");
    this->category("Taken");
  }),
               UniqueViolation);
  EXPECT_FALSE(store.get_setting("half"));

  store.in_one_transaction([&] { work(false); });
  EXPECT_EQ(store.get_setting("seeded"), "1");
  EXPECT_EQ(store.list_categories().size(), 2u);
  EXPECT_TRUE(store.find_user_by_telegram_id(77));
  EXPECT_EQ(this->list(this->everything()).size(), 1u);
}

// Rendered ticket lists are kept while this count stays what it was before the read, so every
// committed write must move it; failed writes and reads may not (they would only cost hits).
TYPED_TEST_P(StoreContract, CommittedWritesCountsEachCommittedWriteAndNothingElse) {
  auto& store = this->store();
  auto last = store.committed_writes();
  const auto moved = [&] {
    const auto now = store.committed_writes();
    const bool result = now > last;
    last = now;
    return result;
  };
  store.set_setting("a", "1");
  EXPECT_TRUE(moved()) << "set_setting";
  const auto billing = this->category("Billing");
  EXPECT_TRUE(moved()) << "save_category";
  const auto customer = this->person(1).id;
  EXPECT_TRUE(moved()) << "upsert_telegram_user";
  const auto id = this->ticket(customer, billing);
  EXPECT_TRUE(moved()) << "create_ticket";
  store.add_message(NewMessage{
      .ticket_id = id, .author_id = customer, .body = "x", .now = kStart, .client_id = "k"});
  EXPECT_TRUE(moved()) << "add_message";
  store.update_ticket(id, {.status = TicketStatus::resolved, .now = kStart});
  EXPECT_TRUE(moved()) << "update_ticket";
  store.rate_ticket(id, Rating{4, std::nullopt}, kStart);
  EXPECT_TRUE(moved()) << "rate_ticket";
  store.delete_ticket(id, kStart);
  EXPECT_TRUE(moved()) << "delete_ticket";
  store.in_one_transaction([&] {
    store.set_setting("b", "2");
    store.set_setting("c", "3");
  });
  EXPECT_TRUE(moved()) << "in_one_transaction";

  store.get_setting("a");
  store.find_ticket(id);
  this->list(this->everything());
  store.list_categories();
  store.list_messages(id, 0, 10, true);
  store.find_user(customer);
  EXPECT_FALSE(moved()) << "reads";
  EXPECT_THROW(this->category("Billing"), UniqueViolation);
  EXPECT_FALSE(moved()) << "a refused category";
  EXPECT_THROW(
      store.add_message(NewMessage{
          .ticket_id = id, .author_id = customer, .body = "x", .now = kStart, .client_id = "k"}),
      UniqueViolation);
  EXPECT_FALSE(moved()) << "a refused message";
  EXPECT_ANY_THROW(store.in_one_transaction([&] {
    store.set_setting("d", "4");
    throw std::runtime_error("abort");
  }));
  EXPECT_FALSE(moved()) << "a rolled-back transaction";
}

// Writes from many threads each land exactly once, and one that fails rolls back alone without
// taking the writes committed with it along (SQLite commits concurrent writes in shared batches).
TYPED_TEST_P(StoreContract, ConcurrentWritesAllLandAndAFailingOneRollsBackAlone) {
  auto& store = this->store();
  std::atomic<int> duplicates_refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Category category;
        category.name = "c-" + std::to_string(t) + "-" + std::to_string(i);
        store.save_category(category);
        Category duplicate;
        duplicate.name = "shared";
        try {
          store.save_category(duplicate);
        } catch (const UniqueViolation&) {
          ++duplicates_refused;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(store.list_categories().size(), 8u * 50u + 1u);
  EXPECT_EQ(duplicates_refused.load(), 8 * 50 - 1);
}

// --- the event log: its contract is tests/unit/store/event_log_contract_test.cpp, typed over
// the same backends.

// The load forecast's history: tickets per hour of a window, deleted ones not counted.
TYPED_TEST_P(StoreContract, HourlyArrivalsCountTicketsCreatedInEachHourOfTheWindow) {
  auto& store = this->store();
  const auto creator = this->person(1).id;
  const Timestamp from = std::chrono::floor<std::chrono::hours>(kStart) + std::chrono::hours(1);
  const auto at = [&](int hour, int minute) {
    return from + std::chrono::hours(hour) + std::chrono::minutes(minute);
  };
  for (const auto& [hour, minute] : {std::pair{-1, 59}, {0, 0}, {0, 59}, {2, 30}, {3, 59}, {4, 0}})
    store.create_ticket(this->new_ticket(creator, std::nullopt, at(hour, minute)), nobody);
  const auto gone = store.create_ticket(this->new_ticket(creator, std::nullopt, at(2, 10)), nobody);
  store.delete_ticket(gone.id, at(5, 0));

  EXPECT_EQ(store.hourly_arrivals(from, from + std::chrono::hours(4)),
            (std::vector<std::int64_t>{2, 0, 1, 1}));
  EXPECT_TRUE(store.hourly_arrivals(from, from).empty());
}

REGISTER_TYPED_TEST_SUITE_P(
    StoreContract, AFreshStoreHoldsOnlyTheSystemAuthor, SettingsAreAbsentUntilSetAndThenOverwritten,
    UpsertCreatesAUserOnceAndRefreshesTheProfileButNotTheRole,
    ListUsersFiltersByRoleAndLiteralTextAndPagesById,
    ChangeRoleAppliesOnlyFromTheExpectedRoleAndIsAudited, UserCategoriesAndAvailabilityAreStored,
    SessionsAreFoundByTokenHashWithTheirExpiryUntilDeleted, CreatingASessionKeepsOtherLiveSessions,
    RolePermissionsAreStoredPerRoleAndAudited, AuditIsNewestFirstAndPagesBeforeAnId,
    CategoriesRoundTripAndAreListedByPositionThenId, ACategoryNameIsUnique,
    ACategoryIsInUseOnceATicketHasItAndCanBeDeletedBefore, CreatingATicketStoresItsFirstMessage,
    RoutingOffersTheAvailableStaffOfTheCategoryOnly,
    LoadCountersRiseAndFallWithAssignmentsStatusesAndDeletion, ATicketClientIdIsUniquePerCreator,
    AMessageClientIdIsUniquePerTicketAndAuthor, MessagesComeInIdOrderAndPageAfterAnId,
    PublicMessagesUpdateTheTicketAndInternalNotesDoNot,
    FirstResponseIsSetOnceByACountingPublicMessage, StatusChangesSetAndClearTheirTimestamps,
    TakingSucceedsOnlyWhileUnassigned, ARatingIsAcceptedOnce,
    CloseResolvedBeforeClosesOnlyTicketsResolvedBeforeTheCutoff, DeletedTicketsAreGoneFromEveryRead,
    ListFiltersSelectWhatTheyName, ListsPageWithoutDuplicatesOrGapsInEverySort,
    SlaDueOrderPutsTheEarliestPendingResponseFirst, LastActivityOrderFollowsTheLatestPublicMessage,
    SearchFindsPrefixesAndWordFormsInEnglishAndRussian,
    SearchByNumberFindsTheTicketFirstWithinWhatTheCallerSees,
    SearchFindsACustomersTicketsByNameOrUsernameForStaff, SearchResultsAreRankedByWhereTheyMatch,
    ReadMarksCountEachPersonsUnreadMessages, UnreadTicketsAreCountedOverTheWholeFilteredList,
    ScopesShowOwnAssignedAndCategoryTicketsAsTheySay, SearchMatchesWordsInSubjectsAndPublicMessages,
    SearchFollowsSubjectChanges, SearchFindsEveryWriteOfACommitAsItStandsThen,
    SearchTextIsNeverSyntax, FiveThousandRandomQueriesNeverThrow,
    AutoRepliesAreStoredAndFireOncePerTicket, InOneTransactionCommitsAllOrNothing,
    CommittedWritesCountsEachCommittedWriteAndNothingElse,
    ConcurrentWritesAllLandAndAFailingOneRollsBackAlone,
    HourlyArrivalsCountTicketsCreatedInEachHourOfTheWindow);

// One line per backend. PostgreSQL, when it exists:
//   INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreContract, testing::PostgresBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreContract, testing::SqliteBackend);

}  // namespace
}  // namespace tb::store
