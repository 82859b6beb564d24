#include "service/demo_data.hpp"

#include <array>
#include <random>

namespace tb::service {
namespace {

struct Topic {
  std::string_view subject;
  std::string_view question;
  std::string_view answer;
};

// Per category: what customers write about, and how staff answer.
constexpr std::array<std::array<Topic, 3>, 4> kTopics = {{
    {{{"Charged twice this month", "My card shows two charges for the same plan.",
       "I see the duplicate charge; the refund is on its way, 3-5 days."},
      {"Invoice needs our VAT number", "Please add our VAT number to the last invoice.",
       "Done — the corrected invoice is in your account now."},
      {"Refund for the annual plan", "We cancelled within 14 days, can we get a refund?",
       "Yes, within 14 days it is a full refund. Processing it now."}}},
    {{{"App crashes on start", "Since the update the app closes right after the logo.",
       "Thanks! Could you send the app version from Settings → About?"},
      {"Sync stuck at 99%", "Sync never finishes on my laptop.",
       "Please sign out and in again; we fixed a stuck sync on our side."},
      {"Export to CSV is empty", "The CSV export has headers but no rows.",
       "Found it: the date filter was off by a day. Fixed in today's release."}}},
    {{{"Cannot log in", "It says my password is wrong, but it is not.",
       "I've sent a reset link to your e-mail; it is valid for an hour."},
      {"Change the account owner", "Our owner left; please move ownership to me.",
       "Ownership moved. You will get a confirmation e-mail."},
      {"Delete my account", "Please delete my account and my data.",
       "Your account is scheduled for deletion in 7 days, as the law asks."}}},
    {{{"Feature idea: dark mode", "Would love a dark theme for the web app.",
       "Great idea — it is on our roadmap for next quarter."},
      {"Where is your office?", "Can I visit you in person?",
       "We are fully remote, but happy to jump on a call."},
      {"Partnership question", "Who can I talk to about reselling?",
       "I've forwarded you to our partnerships team."}}},
}};

constexpr std::array<std::string_view, 4> kCategoryNames = {"Billing", "Technical", "Account",
                                                            "Other"};
constexpr std::array<int, 4> kSlaMinutes = {240, 120, 60, 1440};
constexpr std::array<std::string_view, 12> kCustomerNames = {"Olivia", "Liam",  "Emma",  "Noah",
                                                             "Ava",    "Mateo", "Sofia", "Ivan",
                                                             "Anna",   "Yuki",  "Omar",  "Lena"};

std::int64_t demo_user(store::Store& store, Role role) {
  return store.find_user_by_telegram_id(kDemoTelegramIdBase + role_level(role))->id;
}

int seed_in_transaction(store::Store& store, Timestamp now);

}  // namespace

int seed_demo_data(store::Store& store, Timestamp now) {
  int seeded = 0;
  // One transaction: a kill or a failure part-way leaves the database as it was, not half
  // seeded (and so never seeded again, having categories).
  store.in_one_transaction([&] { seeded = seed_in_transaction(store, now); });
  return seeded;
}

namespace {

int seed_in_transaction(store::Store& store, Timestamp now) {
  if (!store.list_categories().empty()) return 0;
  store.set_setting(store::kDemoDataSetting, "1");
  std::mt19937 random(42);  // the same demo every time
  const auto pick = [&](int bound) {
    return static_cast<int>(random() % static_cast<unsigned>(bound));
  };

  std::vector<std::int64_t> categories;
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i) {
    Category category;
    category.name = std::string(kCategoryNames[i]);
    category.sla_minutes = kSlaMinutes[i];
    category.position = static_cast<int>(i);
    categories.push_back(store.save_category(category).id);
  }
  const auto helper = demo_user(store, Role::helper);
  const auto moderator = demo_user(store, Role::moderator);
  store.set_user_categories(helper, {categories[0], categories[1]});
  store.set_user_categories(moderator, categories);

  std::vector<std::int64_t> customers{demo_user(store, Role::user)};
  for (std::size_t i = 0; i < 36; ++i) {
    TelegramUser profile;
    profile.id = kDemoTelegramIdBase + 1000 + static_cast<std::int64_t>(i);
    profile.first_name = std::string(kCustomerNames[i % kCustomerNames.size()]);
    profile.language_code = i % 3 == 0 ? "ru" : "en";
    customers.push_back(
        store.upsert_telegram_user(profile, Role::user, now - std::chrono::days(90)).id);
  }

  const auto choose = [](std::span<const RoutingCandidate> candidates) {
    return choose_assignee(candidates);
  };
  constexpr int kTickets = 320;
  for (int i = 0; i < kTickets; ++i) {
    const int category = pick(4);
    const Topic& topic =
        kTopics[static_cast<std::size_t>(category)][static_cast<std::size_t>(pick(3))];
    // Older tickets are mostly done; recent ones still in the queue.
    const auto age = std::chrono::minutes(pick(90 * 24 * 60));
    const Timestamp created = std::chrono::floor<std::chrono::seconds>(now - age);
    store::NewTicket ticket;
    ticket.subject = std::string(topic.subject);
    ticket.body = std::string(topic.question);
    ticket.priority = static_cast<Priority>(std::min(3, pick(10) / 3));
    ticket.category_id = categories[static_cast<std::size_t>(category)];
    ticket.creator_id =
        customers[static_cast<std::size_t>(i < 4 ? 0 : pick(static_cast<int>(customers.size())))];
    ticket.source = pick(2) == 0 ? MessageSource::miniapp : MessageSource::bot;
    ticket.now = created;
    ticket.sla_due_at =
        sla_due_at(created, kSlaMinutes[static_cast<std::size_t>(category)], ticket.priority);
    const Ticket made = store.create_ticket(ticket, choose);
    if (age < std::chrono::hours(6) && pick(2) == 0) continue;  // fresh and untouched

    const auto staff = made.assignee ? made.assignee->id : moderator;
    const Timestamp answered = created + std::chrono::minutes(5 + pick(150));
    if (answered >= now) continue;
    store.add_message(store::NewMessage{.ticket_id = made.id,
                                        .author_id = staff,
                                        .body = std::string(topic.answer),
                                        .source = MessageSource::miniapp,
                                        .now = answered,
                                        .counts_as_first_response = true});
    if (pick(5) == 0) {
      store.add_message(store::NewMessage{.ticket_id = made.id,
                                          .author_id = staff,
                                          .body = "Checked the logs, nothing unusual on our side.",
                                          .internal = true,
                                          .source = MessageSource::miniapp,
                                          .now = answered + std::chrono::minutes(1)});
    }
    const Timestamp done = answered + std::chrono::minutes(10 + pick(2000));
    const bool finished = done < now && age > std::chrono::days(2);
    store::TicketChanges changes{
        .status =
            finished ? (age > std::chrono::days(10) ? TicketStatus::closed : TicketStatus::resolved)
                     : (pick(2) == 0 ? TicketStatus::waiting : TicketStatus::in_progress),
        .now = finished ? done : answered};
    if (finished) {
      store.update_ticket(made.id,
                          store::TicketChanges{.status = TicketStatus::resolved, .now = done});
    }
    store.update_ticket(made.id, changes);
    if (finished && pick(3) != 0) {
      store.rate_ticket(
          made.id,
          Rating{3 + pick(3),
                 pick(2) == 0 ? std::optional<std::string>("Thanks, quick help!") : std::nullopt},
          done);
    }
  }
  return kTickets;
}

}  // namespace
}  // namespace tb::service
