#include "realtime/hub.hpp"

#include <algorithm>
#include <charconv>

#include "realtime/client_session.hpp"
#include "wire/json_writer.hpp"

namespace tb::realtime {
namespace {

constexpr std::string_view kTicketPrefix = "ticket:";
constexpr std::chrono::milliseconds kDeadlineCheck{250};

std::string_view ticket_event_type(service::EventKind kind) {
  switch (kind) {
    case service::EventKind::ticket_created: return "ticket.created";
    case service::EventKind::ticket_deleted: return "ticket.deleted";
    default: return "ticket.updated";
  }
}

// {"type": ..., "<field>": <the ticket>} and the like, written once for every receiver.
std::shared_ptr<const std::string> ticket_frame(std::string_view type, const Ticket& ticket,
                                                Timestamp now, std::string_view reason = {}) {
  std::string text;
  wire::JsonWriter out(text);
  out.begin_object();
  out.member("type", type);
  if (!reason.empty()) out.member("reason", reason);
  out.key("ticket");
  wire::write_ticket(out, ticket, now);
  out.end_object();
  return std::make_shared<const std::string>(std::move(text));
}

EventFrames frames_of(const service::TicketEvent& event) {
  const auto now = system_now();
  EventFrames frames;
  frames.ticket = ticket_frame(ticket_event_type(event.kind), event.ticket, now);
  if (event.message) frames.message = message_frame(*event.message);
  if (event.kind == service::EventKind::critical_ticket) {
    frames.alert = ticket_frame("ticket.alert", event.ticket, now, "critical");
  }
  return frames;
}

void remove_from(std::vector<std::shared_ptr<ClientSession>>& clients,
                 const std::shared_ptr<ClientSession>& client) {
  std::erase(clients, client);
}

}  // namespace

std::optional<Topic> Topic::parse(std::string_view text) {
  if (text == "tickets") return Topic{Kind::tickets, 0};
  if (text == "dashboard") return Topic{Kind::dashboard, 0};
  if (!text.starts_with(kTicketPrefix)) return std::nullopt;
  const auto digits = text.substr(kTicketPrefix.size());
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || id <= 0) {
    return std::nullopt;
  }
  return Topic{Kind::ticket, id};
}

std::string Topic::name() const {
  switch (kind) {
    case Kind::ticket: return std::string(kTicketPrefix) + std::to_string(ticket_id);
    case Kind::tickets: return "tickets";
    case Kind::dashboard: return "dashboard";
  }
  return "tickets";
}

Hub::Hub(HubOptions options) : options_(options), thread_([this] { run(); }) {}

Hub::~Hub() {
  {
    std::lock_guard lock(jobs_mutex_);
    stopping_ = true;
  }
  jobs_arrived_.notify_one();
  thread_.join();
}

void Hub::enqueue(std::function<void()> job) {
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_.push_back(std::move(job));
  }
  jobs_arrived_.notify_one();
}

Hub::Clients* Hub::list_of(const Topic& topic) {
  switch (topic.kind) {
    case Topic::Kind::ticket: {
      const auto found = by_ticket_.find(topic.ticket_id);
      return found == by_ticket_.end() ? nullptr : &found->second;
    }
    case Topic::Kind::tickets: return &list_watchers_;
    case Topic::Kind::dashboard: return &dashboard_watchers_;
  }
  return nullptr;
}

Hub::Clients Hub::listeners(const Topic& topic) {
  std::shared_lock lock(mutex_);
  const auto* clients = list_of(topic);
  return clients ? *clients : Clients{};
}

void Hub::deliver(const service::TicketEvent& event) {
  enqueue([this, event] { fan_out(event); });
}

void Hub::deliver_typing(const Ticket& ticket, const UserRef& who) {
  enqueue([this, ticket, who] { fan_out_typing(ticket, who); });
}

void Hub::fan_out(const service::TicketEvent& event) {
  const auto frames = frames_of(event);
  // A client on both the ticket's topic and the list topic appears in both lists: it gets
  // one call, and decides itself what each of its subscriptions receives.
  auto receivers = listeners(Topic{Topic::Kind::ticket, event.ticket.id});
  const auto watchers = listeners(Topic{Topic::Kind::tickets, 0});
  const auto dashboards = event.kind == service::EventKind::critical_ticket
                              ? listeners(Topic{Topic::Kind::dashboard, 0})
                              : Clients{};
  receivers.insert(receivers.end(), watchers.begin(), watchers.end());
  receivers.insert(receivers.end(), dashboards.begin(), dashboards.end());
  if (!watchers.empty() || !dashboards.empty()) {
    std::sort(receivers.begin(), receivers.end());
    receivers.erase(std::unique(receivers.begin(), receivers.end()), receivers.end());
  }
  for (const auto& client : receivers) client->deliver(event, frames);
}

void Hub::fan_out_typing(const Ticket& ticket, const UserRef& who) {
  std::string text;
  wire::JsonWriter out(text);
  out.begin_object();
  out.member("type", "typing");
  out.member("ticket_id", ticket.id);
  out.key("user");
  wire::write_user_ref(out, who);
  out.end_object();
  const auto frame = std::make_shared<const std::string>(std::move(text));
  for (const auto& client : listeners(Topic{Topic::Kind::ticket, ticket.id})) {
    client->deliver_typing(ticket, who.id, frame);
  }
}

void Hub::connected(const std::shared_ptr<ClientSession>& client) {
  std::lock_guard lock(jobs_mutex_);
  unauthenticated_.push_back(client);
}

bool Hub::authenticated(const std::shared_ptr<ClientSession>& client, std::int64_t user_id) {
  std::unique_lock lock(mutex_);
  int& open = connections_by_user_[user_id];
  if (open >= options_.max_connections_per_user) return false;
  ++open;
  auto& member = members_[client.get()];
  member.user_id = user_id;
  member.client = client;
  return true;
}

void Hub::subscribe(const std::shared_ptr<ClientSession>& client, const Topic& topic) {
  std::unique_lock lock(mutex_);
  auto& clients = topic.kind == Topic::Kind::ticket ? by_ticket_[topic.ticket_id] : *list_of(topic);
  if (std::find(clients.begin(), clients.end(), client) == clients.end()) {
    clients.push_back(client);
    members_[client.get()].topics.push_back(topic);
  }
}

void Hub::unsubscribe(const std::shared_ptr<ClientSession>& client, const Topic& topic) {
  std::unique_lock lock(mutex_);
  auto* clients = list_of(topic);
  if (!clients) return;
  remove_from(*clients, client);
  if (clients->empty() && topic.kind == Topic::Kind::ticket) by_ticket_.erase(topic.ticket_id);
  const auto member = members_.find(client.get());
  if (member != members_.end()) std::erase(member->second.topics, topic);
}

void Hub::disconnected(const std::shared_ptr<ClientSession>& client) {
  std::unique_lock lock(mutex_);
  const auto member = members_.find(client.get());
  if (member == members_.end()) return;
  for (const auto& topic : member->second.topics) {
    auto* clients = list_of(topic);
    if (!clients) continue;
    remove_from(*clients, client);
    if (clients->empty() && topic.kind == Topic::Kind::ticket) by_ticket_.erase(topic.ticket_id);
  }
  const std::int64_t user_id = member->second.user_id;
  if (user_id != 0 && --connections_by_user_[user_id] <= 0) connections_by_user_.erase(user_id);
  members_.erase(member);
}

void Hub::run() {
  using std::chrono::steady_clock;
  auto next_check = steady_clock::now() + kDeadlineCheck;
  auto next_credentials_check = steady_clock::now() + options_.credentials_check;
  std::unique_lock lock(jobs_mutex_);
  for (;;) {
    jobs_arrived_.wait_until(lock, next_check, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    auto jobs = std::move(jobs_);
    jobs_.clear();
    lock.unlock();
    for (auto& job : jobs) job();
    if (steady_clock::now() >= next_check) {
      close_late_clients();
      next_check = steady_clock::now() + kDeadlineCheck;
    }
    if (steady_clock::now() >= next_credentials_check) {
      recheck_credentials();
      next_credentials_check = steady_clock::now() + options_.credentials_check;
    }
    lock.lock();
  }
}

void Hub::recheck_credentials() {
  std::vector<std::weak_ptr<ClientSession>> clients;
  {
    std::shared_lock lock(mutex_);
    clients.reserve(members_.size());
    for (const auto& [key, member] : members_) {
      if (member.user_id != 0) clients.push_back(member.client);
    }
  }
  for (const auto& weak : clients) {
    if (const auto client = weak.lock()) client->recheck_credentials();
  }
}

void Hub::close_late_clients() {
  const auto deadline = std::chrono::steady_clock::now() - options_.auth_timeout;
  std::vector<std::shared_ptr<ClientSession>> late;
  {
    std::lock_guard lock(jobs_mutex_);
    std::erase_if(unauthenticated_, [&](const std::weak_ptr<ClientSession>& weak) {
      const auto client = weak.lock();
      if (!client) return true;
      if (client->connected_at() > deadline) return false;
      late.push_back(client);
      return true;
    });
  }
  for (const auto& client : late) client->auth_deadline_passed();
}

}  // namespace tb::realtime
