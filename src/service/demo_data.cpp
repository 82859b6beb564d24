#include "service/demo_data.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

namespace tb::service {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct Topic {
  std::string_view subject;
  std::string_view question;
  std::string_view answer;
};

enum Language { kEnglish, kRussian };

// Per language, per category: what customers write about, and how staff answer.
constexpr std::array<std::array<std::array<Topic, 3>, 4>, 2> kTopics = {{
    {{
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
    }},
    {{
        {{{"Двойное списание за месяц", "С карты дважды списали оплату за один тариф.",
           "Вижу двойное списание, возврат уже оформлен — 3-5 рабочих дней."},
          {"Нужен счёт с нашим ИНН", "Добавьте, пожалуйста, наш ИНН в последний счёт.",
           "Готово, исправленный счёт уже в личном кабинете."},
          {"Возврат за годовой тариф", "Мы отказались в течение 14 дней, можно вернуть деньги?",
           "Да, в первые 14 дней возврат полный. Оформляю."}}},
        {{{"Приложение вылетает при запуске", "После обновления приложение закрывается сразу.",
           "Спасибо! Пришлите, пожалуйста, версию из «Настройки → О программе»."},
          {"Синхронизация зависла на 99%", "Синхронизация на ноутбуке не завершается.",
           "Выйдите и войдите снова: мы исправили зависание на нашей стороне."},
          {"Пустой экспорт в CSV", "В выгрузке CSV есть заголовки, но нет строк.",
           "Нашли: фильтр по дате сдвигался на день. Исправлено в сегодняшнем релизе."}}},
        {{{"Не могу войти", "Пишет, что пароль неверный, но он верный.",
           "Отправил ссылку для сброса на почту, она действует час."},
          {"Сменить владельца аккаунта", "Владелец ушёл из компании, передайте права мне.",
           "Права переданы, подтверждение придёт на почту."},
          {"Удалить аккаунт", "Удалите, пожалуйста, мой аккаунт и данные.",
           "Аккаунт будет удалён через 7 дней, как требует закон."}}},
        {{{"Идея: тёмная тема", "Очень хочется тёмную тему в веб-версии.",
           "Отличная идея — она в планах на следующий квартал."},
          {"Где ваш офис?", "Можно приехать к вам лично?",
           "Мы работаем удалённо, но с радостью созвонимся."},
          {"Вопрос о партнёрстве", "С кем обсудить перепродажу?",
           "Передал ваш запрос команде партнёрств."}}},
    }},
}};

struct Phrases {
  std::string_view clarify;    // staff asks; the ticket waits on the customer
  std::string_view details;    // the customer's answer
  std::string_view again;      // a resolved ticket comes back
  std::string_view follow_up;  // staff answers the reopened ticket
  std::string_view note;       // an internal note
  std::array<std::string_view, 3> praise;
  std::array<std::string_view, 2> complaint;
};

constexpr std::array<Phrases, 2> kPhrases = {{
    {"Could you tell me a bit more: when did it start, and on which device?",
     "Since yesterday, on my phone and on the laptop.",
     "It is happening again, sorry.",
     "Sorry about that — I've escalated it and applied a permanent fix.",
     "Checked the logs, nothing unusual on our side.",
     {"Thanks, quick help!", "Perfect, thank you.", "Great support."},
     {"Took far too long.", "Had to write three times."}},
    {"Уточните, пожалуйста: когда это началось и на каком устройстве?",
     "Со вчерашнего дня, и на телефоне, и на ноутбуке.",
     "Снова та же проблема.",
     "Извините! Передал разработчикам, исправление уже выкатили.",
     "Проверил логи — на нашей стороне всё чисто.",
     {"Спасибо, очень быстро!", "Всё отлично, спасибо.", "Лучшая поддержка."},
     {"Слишком долго ждал ответа.", "Пришлось писать три раза."}},
}};

struct CategorySpec {
  std::string_view name;
  int sla_minutes = 0;
  double share = 0;  // of all tickets
};

constexpr std::array<CategorySpec, 4> kCategories = {{{"Billing", 240, 0.30},
                                                      {"Technical", 120, 0.40},
                                                      {"Account", 60, 0.20},
                                                      {"Other", 1440, 0.10}}};

// How an agent works: the median first response (working time), the median time from it to
// resolution, and how happy customers end up.
struct Pace {
  double first_response_minutes = 0;
  double resolution_hours = 0;
  double five_star_share = 0;
};

constexpr Pace kFast{6, 2, 0.75};
constexpr Pace kSteady{15, 6, 0.6};
constexpr Pace kSlow{45, 20, 0.4};

// Staff beyond the demo people, with the categories they handle. They are away ("off shift")
// once seeding is done, so that tickets made in a demo go to the demo people one logs in as.
struct ExtraAgent {
  std::string_view first_name;
  Language language = kEnglish;
  std::array<bool, 4> handles{};
  Pace pace;
};

constexpr std::array<ExtraAgent, 4> kExtraAgents = {{
    {"Мария", kRussian, {false, true, true, false}, kFast},
    {"Alex", kEnglish, {true, false, false, true}, kSteady},
    {"Дмитрий", kRussian, {false, true, false, false}, kSlow},
    {"Sofia", kEnglish, {true, false, true, false}, kFast},
}};

constexpr std::array<std::string_view, 12> kEnglishNames = {"Olivia", "Liam",  "Emma",  "Noah",
                                                            "Ava",    "Mateo", "Sofia", "Yuki",
                                                            "Omar",   "Lena",  "Jack",  "Mia"};
constexpr std::array<std::string_view, 12> kRussianNames = {
    "Иван",  "Анна",  "Ольга", "Сергей",  "Екатерина", "Павел",
    "Мария", "Артём", "Юлия",  "Николай", "Татьяна",   "Алексей"};

constexpr int kCustomers = 120;
constexpr int kHistoryDays = 90;
// Tickets per hour at the busiest hour of a Monday, 90 days ago; the desk grows ~20% since.
constexpr double kPeakRate = 3.4;
constexpr double kGrowthOverHistory = 0.2;
// The desk works Moscow hours; Moscow has kept UTC+3 all year since 2014 (no DST to model).
constexpr hours kMoscow{3};
constexpr int kWorkdayStart = 8;  // local hour staff start answering
constexpr int kWorkdayEnd = 22;   // and stop
// Relative arrivals per local hour: quiet nights, a rise at nine, busy afternoons.
constexpr std::array<double, 24> kWeekdayShape = {0.06, 0.04, 0.03, 0.03, 0.03, 0.05, 0.1,  0.2,
                                                  0.45, 0.75, 0.9,  0.95, 0.9,  0.95, 1.0,  1.0,
                                                  0.95, 0.8,  0.6,  0.45, 0.35, 0.25, 0.15, 0.1};
constexpr std::array<double, 24> kWeekendShape = {0.08, 0.06, 0.04, 0.03, 0.03, 0.03, 0.05, 0.08,
                                                  0.12, 0.2,  0.3,  0.38, 0.42, 0.45, 0.45, 0.42,
                                                  0.4,  0.38, 0.35, 0.3,  0.25, 0.2,  0.15, 0.1};
// Monday … Sunday.
constexpr std::array<double, 7> kDayFactor = {1.15, 1.1, 1.05, 1.0, 0.9, 0.5, 0.45};

struct LocalHour {
  int weekday = 0;  // 0 Monday … 6 Sunday
  int hour = 0;
};

LocalHour moscow(Timestamp time) {
  const auto local = time + kMoscow;
  const auto day = std::chrono::floor<days>(local);
  return LocalHour{static_cast<int>(std::chrono::weekday(day).iso_encoding()) - 1,
                   static_cast<int>(std::chrono::floor<hours>(local - day).count())};
}

// The expected arrivals in the hour starting at `hour`, `age` before the seeding's now.
double arrival_rate(Timestamp hour, seconds age) {
  const auto local = moscow(hour);
  const auto& shape = local.weekday >= 5 ? kWeekendShape : kWeekdayShape;
  const double growth =
      1 + kGrowthOverHistory * (1 - static_cast<double>(age.count()) / (kHistoryDays * 86400.0));
  return kPeakRate / kDayFactor[0] * kDayFactor[static_cast<std::size_t>(local.weekday)] *
         shape[static_cast<std::size_t>(local.hour)] * growth;
}

// `time`, or the start of the next working day when staff are not at work then.
Timestamp working_time(Timestamp time) {
  const auto local = moscow(time);
  if (local.hour >= kWorkdayStart && local.hour < kWorkdayEnd) return time;
  const auto local_day = std::chrono::floor<days>(time + kMoscow);
  const auto start = local_day + hours(kWorkdayStart) - kMoscow;
  return local.hour < kWorkdayStart ? start : start + days(1);
}

std::int64_t demo_user(store::Store& store, Role role) {
  return store.find_user_by_telegram_id(kDemoTelegramIdBase + role_level(role))->id;
}

struct Agent {
  std::int64_t id = 0;
  Pace pace;
  bool extra = false;
};

struct Customer {
  std::int64_t id = 0;
  Language language = kEnglish;
};

// The seeding of one demo desk: its people, then each ticket's life from the arrivals of every
// hour of the history.
class DemoDesk {
 public:
  DemoDesk(store::Store& store, Timestamp now) : store_(store), now_(now) {}

  void add_categories_and_people();
  int add_history();
  void send_extra_agents_off_shift();
  void hand_over_the_demo_helpers_queue();

 private:
  struct Lifecycle;

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(random_); }
  int pick(int bound) { return std::uniform_int_distribution<int>(0, bound - 1)(random_); }
  // A lognormal duration with this median (the spread of people's response times).
  double lognormal(double median, double spread) {
    return median * std::exp(spread * std::normal_distribution<double>(0, 1)(random_));
  }
  std::size_t category_of_arrival();
  std::optional<std::int64_t> choose_agent(std::span<const RoutingCandidate> candidates);
  const Agent& agent(std::int64_t id) const;
  void add_ticket(Timestamp created, int index);
  void live(const Ticket& ticket, const Customer& customer, const Topic& topic);
  int rating_score(const Agent& agent, bool breached, bool reopened);

  store::Store& store_;
  Timestamp now_;
  std::mt19937 random_{42};  // the same desk every time
  std::vector<std::int64_t> categories_;
  std::vector<Agent> agents_;
  std::vector<std::vector<std::size_t>> agents_of_category_;
  std::vector<Customer> customers_;
};

void DemoDesk::add_categories_and_people() {
  for (std::size_t i = 0; i < kCategories.size(); ++i) {
    Category category;
    category.name = std::string(kCategories[i].name);
    category.sla_minutes = kCategories[i].sla_minutes;
    category.position = static_cast<int>(i);
    categories_.push_back(store_.save_category(category).id);
  }
  const auto helper = demo_user(store_, Role::helper);
  const auto moderator = demo_user(store_, Role::moderator);
  store_.set_user_categories(helper, {categories_[0], categories_[1]});
  store_.set_user_categories(moderator, categories_);
  agents_ = {Agent{helper, kSteady, false}, Agent{moderator, kSteady, false}};
  agents_of_category_ = {{0, 1}, {0, 1}, {1}, {1}};
  for (std::size_t i = 0; i < kExtraAgents.size(); ++i) {
    const auto& spec = kExtraAgents[i];
    TelegramUser profile;
    profile.id = kDemoTelegramIdBase + 500 + static_cast<std::int64_t>(i);
    profile.first_name = std::string(spec.first_name);
    profile.language_code = spec.language == kRussian ? "ru" : "en";
    const auto id = store_.upsert_telegram_user(profile, Role::helper, now_ - days(120)).id;
    std::vector<std::int64_t> handled;
    for (std::size_t c = 0; c < categories_.size(); ++c) {
      if (!spec.handles[c]) continue;
      handled.push_back(categories_[c]);
      agents_of_category_[c].push_back(agents_.size());
    }
    store_.set_user_categories(id, handled);
    agents_.push_back(Agent{id, spec.pace, true});
  }

  customers_.push_back(Customer{demo_user(store_, Role::user), kEnglish});
  for (int i = 0; i < kCustomers; ++i) {
    const bool russian = i % 5 < 2;  // two in five write in Russian
    const auto& names = russian ? kRussianNames : kEnglishNames;
    TelegramUser profile;
    profile.id = kDemoTelegramIdBase + 1000 + i;
    profile.first_name = std::string(names[static_cast<std::size_t>(i) % names.size()]);
    profile.language_code = russian ? "ru" : "en";
    const auto id = store_.upsert_telegram_user(profile, Role::user, now_ - days(kHistoryDays)).id;
    customers_.push_back(Customer{id, russian ? kRussian : kEnglish});
  }
}

int DemoDesk::add_history() {
  int made = 0;
  const Timestamp first_hour = std::chrono::floor<hours>(now_ - days(kHistoryDays)) + hours(1);
  for (Timestamp hour = first_hour; hour < now_; hour += hours(1)) {
    std::poisson_distribution<int> arrivals(arrival_rate(hour, now_ - hour));
    const int count = arrivals(random_);
    for (int i = 0; i < count; ++i) {
      const Timestamp created = hour + seconds(pick(3600));
      if (created >= now_) continue;
      add_ticket(created, made++);
    }
  }
  return made;
}

std::size_t DemoDesk::category_of_arrival() {
  double draw = uniform();
  for (std::size_t i = 0; i < kCategories.size(); ++i) {
    if ((draw -= kCategories[i].share) < 0) return i;
  }
  return kCategories.size() - 1;
}

// The quick agents take more of the work, as they do.
std::optional<std::int64_t> DemoDesk::choose_agent(std::span<const RoutingCandidate> candidates) {
  if (candidates.empty()) return std::nullopt;
  std::vector<double> weights;
  for (const auto& candidate : candidates)
    weights.push_back(1 / agent(candidate.user_id).pace.first_response_minutes);
  std::discrete_distribution<std::size_t> which(weights.begin(), weights.end());
  return candidates[which(random_)].user_id;
}

const Agent& DemoDesk::agent(std::int64_t id) const {
  return *std::find_if(agents_.begin(), agents_.end(),
                       [id](const Agent& agent) { return agent.id == id; });
}

void DemoDesk::add_ticket(Timestamp created, int index) {
  const std::size_t category = category_of_arrival();
  // Every 80th ticket is the demo customer's, so logging in as them shows a history.
  const auto& customer =
      customers_[index % 80 == 3 ? 0 : 1 + static_cast<std::size_t>(pick(kCustomers))];
  const Topic& topic = kTopics[customer.language][category][static_cast<std::size_t>(pick(3))];
  store::NewTicket ticket;
  ticket.subject = std::string(topic.subject);
  ticket.body = std::string(topic.question);
  const int severity = pick(20);
  ticket.priority = severity == 0   ? Priority::critical
                    : severity < 4  ? Priority::high
                    : severity < 17 ? Priority::normal
                                    : Priority::low;
  ticket.category_id = categories_[category];
  ticket.creator_id = customer.id;
  ticket.source = pick(3) == 0 ? MessageSource::bot : MessageSource::miniapp;
  ticket.now = created;
  ticket.sla_due_at = sla_due_at(created, kCategories[category].sla_minutes, ticket.priority);
  // The freshest tickets of the last hours still wait in the queue, unassigned.
  ticket.route = now_ - created > hours(3) || pick(2) == 0;
  const Ticket made = store_.create_ticket(
      ticket,
      [this](std::span<const RoutingCandidate> candidates) { return choose_agent(candidates); });
  live(made, customer, topic);
}

// The ticket's life after it arrived, as far as it has got by now: a first answer (or a
// question back, and the customer's reply), maybe an internal note, the resolution, now and
// then a reopening and a second answer, the close a week after resolving, and a rating.
void DemoDesk::live(const Ticket& ticket, const Customer& customer, const Topic& topic) {
  if (!ticket.assignee) return;
  const Agent& staff = agent(ticket.assignee->id);
  const Phrases& phrases = kPhrases[customer.language];
  const auto staff_says = [&](std::string_view body, Timestamp at, bool internal = false) {
    store_.add_message(store::NewMessage{.ticket_id = ticket.id,
                                         .author_id = staff.id,
                                         .body = std::string(body),
                                         .internal = internal,
                                         .source = MessageSource::miniapp,
                                         .now = at,
                                         .counts_as_first_response = !internal});
  };
  const auto customer_says = [&](std::string_view body, Timestamp at,
                                 std::optional<TicketStatus> move_to) {
    store_.add_message(store::NewMessage{.ticket_id = ticket.id,
                                         .author_id = customer.id,
                                         .body = std::string(body),
                                         .source = MessageSource::bot,
                                         .now = at,
                                         .move_to = move_to});
  };
  // By the agent unless said otherwise (the customer reopens).
  const auto set_status = [&](TicketStatus status, Timestamp at,
                              std::optional<std::int64_t> actor = std::nullopt) {
    store_.update_ticket(
        ticket.id,
        store::TicketChanges{.status = status, .now = at, .actor_id = actor.value_or(staff.id)});
  };
  const auto minutes_of = [](double count) {
    return seconds(static_cast<std::int64_t>(count * 60) + 1);
  };

  const double urgency = ticket.priority == Priority::critical ? 0.3 : 1.0;
  Timestamp at = working_time(ticket.created_at) +
                 minutes_of(lognormal(staff.pace.first_response_minutes * urgency, 0.9));
  if (at >= now_) return;  // still waiting for its first answer
  const bool breached = ticket.sla_due_at && at > *ticket.sla_due_at;
  if (pick(4) == 0) {  // a question back first
    staff_says(phrases.clarify, at);
    set_status(TicketStatus::waiting, at);
    at += minutes_of(lognormal(90, 1.2));
    if (at >= now_) return;
    customer_says(phrases.details, at, TicketStatus::in_progress);
    at = working_time(at) + minutes_of(lognormal(staff.pace.first_response_minutes * 2, 0.8));
    if (at >= now_) return;
  }
  staff_says(topic.answer, at);
  if (pick(10) == 0) staff_says(phrases.note, at + seconds(40), true);
  const Timestamp answered = at;
  at = working_time(at + minutes_of(lognormal(staff.pace.resolution_hours * 60, 1.0)));
  if (at >= now_) {  // being worked on
    if (answered + minutes(1) < now_) {
      set_status(pick(3) == 0 ? TicketStatus::waiting : TicketStatus::in_progress,
                 answered + minutes(1));
    }
    return;
  }
  set_status(TicketStatus::resolved, at);
  bool reopened = false;
  if (pick(20) == 0) {  // it came back
    const Timestamp again = at + minutes_of(lognormal(600, 1.0));
    if (again < now_) {
      reopened = true;
      customer_says(phrases.again, again, std::nullopt);
      set_status(TicketStatus::open, again, customer.id);
      at = working_time(again) + minutes_of(lognormal(staff.pace.first_response_minutes, 0.8));
      if (at >= now_) return;
      staff_says(phrases.follow_up, at);
      at += minutes_of(lognormal(120, 0.8));
      if (at >= now_) return;
      set_status(TicketStatus::resolved, at);
    }
  }
  const Timestamp rated = at + minutes_of(lognormal(120, 1.5));
  if (rated < now_ && uniform() < 0.55) {
    const int score = rating_score(staff, breached, reopened);
    std::optional<std::string> comment;
    if (score <= 2) {
      comment = std::string(phrases.complaint[static_cast<std::size_t>(pick(2))]);
    } else if (score >= 4 && pick(3) == 0) {
      comment = std::string(phrases.praise[static_cast<std::size_t>(pick(3))]);
    }
    store_.rate_ticket(ticket.id, Rating{score, comment}, rated);
  }
  if (at + days(7) < now_) {  // closed by the system, as AUTO_CLOSE_DAYS does
    store_.update_ticket(ticket.id,
                         store::TicketChanges{.status = TicketStatus::closed, .now = at + days(7)});
  }
}

// Mostly fives and fours; lower after a late answer or a reopening, and from slow agents.
int DemoDesk::rating_score(const Agent& staff, bool breached, bool reopened) {
  double five = staff.pace.five_star_share;
  if (breached) five -= 0.3;
  if (reopened) five -= 0.3;
  const double draw = uniform();
  if (draw < five) return 5;
  if (draw < five + 0.2) return 4;
  if (draw < five + 0.3) return 3;
  return draw < five + 0.38 ? 2 : 1;
}

// The demo helper's unfinished tickets go to the moderator, as at the end of a shift: the
// helper starts the demo with an empty queue, so routing (fewest open tickets first) gives them
// the next Billing or Technical ticket whatever hour the demo was seeded at.
void DemoDesk::hand_over_the_demo_helpers_queue() {
  const auto helper = agents_[0].id;
  const auto moderator = agents_[1].id;
  store::TicketQuery query;
  query.scope.view_all = true;
  query.assignee_id = helper;
  query.limit = 1'000'000;
  for (const auto& ticket : store_.list_tickets(query)) {
    if (ticket.status == TicketStatus::resolved || ticket.status == TicketStatus::closed) continue;
    store_.update_ticket(
        ticket.id,
        store::TicketChanges{.assignee_id = moderator, .now = now_, .actor_id = moderator});
  }
}

void DemoDesk::send_extra_agents_off_shift() {
  for (const auto& agent : agents_) {
    if (agent.extra) store_.set_user_availability(agent.id, false);
  }
}

int seed_in_transaction(store::Store& store, Timestamp now) {
  if (!store.list_categories().empty()) return 0;
  store.set_setting(store::kDemoDataSetting, "1");
  DemoDesk desk(store, now);
  desk.add_categories_and_people();
  const int made = desk.add_history();
  desk.send_extra_agents_off_shift();
  desk.hand_over_the_demo_helpers_queue();
  return made;
}

}  // namespace

int seed_demo_data(store::Store& store, Timestamp now) {
  int seeded = 0;
  // One transaction: a kill or a failure part-way leaves the database as it was, not half
  // seeded (and so never seeded again, having categories).
  store.in_one_transaction([&] { seeded = seed_in_transaction(store, now); });
  return seeded;
}

}  // namespace tb::service
