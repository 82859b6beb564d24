#include "realtime/client_session.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "wire/event_frames.hpp"
#include "wire/objects.hpp"

namespace tb::realtime {
namespace {

using Clock = std::chrono::steady_clock;
namespace json = boost::json;

constexpr std::chrono::milliseconds kTypingInterval{1000};  // per sender and ticket
constexpr int kReplayPage = 200;
constexpr std::size_t kMostReplayed = 5000;  // beyond this a client reloads over REST
// How far behind the log's end a position may be for a replay from it; farther means resync.
constexpr std::int64_t kMostEventsScanned = 100'000;

// An id field: nothing when absent, -1 when it is not a number an id can be.
std::optional<std::int64_t> id_field(const json::object& message, std::string_view field) {
  const auto* value = message.if_contains(field);
  if (!value) return std::nullopt;
  if (const auto* number = value->if_int64()) return *number;
  return -1;
}

std::string string_field(const json::object& message, std::string_view field) {
  const auto* value = message.if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

std::shared_ptr<const std::string> frame_of(const json::object& object) {
  return std::make_shared<const std::string>(json::serialize(object));
}

std::shared_ptr<const std::string> message_frame(const Message& message, std::int64_t position) {
  return std::make_shared<const std::string>(wire::message_frame(message, position));
}

EventFrames frames_of(const Event& event) {
  const auto now = system_now();
  const auto shared = [](std::string text) {
    return std::make_shared<const std::string>(std::move(text));
  };
  EventFrames frames;
  frames.ticket = shared(
      wire::ticket_frame(wire::ticket_frame_type(event.kind), event.ticket, event.position, now));
  if (event.message) frames.message = message_frame(*event.message, event.position);
  if (raises_critical_alert(event)) {
    frames.alert =
        shared(wire::ticket_frame("ticket.alert", event.ticket, event.position, now, "critical"));
  }
  return frames;
}

bool ClientSession::TicketSubscription::covers(std::int64_t position,
                                               std::int64_t message_id) const {
  if (message_id == 0 && !covers_every_kind) return false;
  if (position != 0 && position <= covered_up_to) return true;
  return message_id != 0 && std::binary_search(replayed.begin(), replayed.end(), message_id);
}

ClientSession::ClientSession(ClientServices services, std::shared_ptr<http::WebSocketPeer> peer)
    : services_(services), peer_(std::move(peer)), connected_at_(Clock::now()) {}

void ClientSession::start(std::optional<std::string> authorization) {
  services_.hub.connected(shared_from_this());
  if (!authorization) return;
  std::lock_guard lock(mutex_);
  become(*authorization);
}

void ClientSession::authenticate(const std::string& authorization) {
  try {
    become(authorization);
  } catch (const Error& refused) {
    send_error(refused.code(), refused.what());
    close(http::CloseCode::policy_violation, "authentication failed");
  }
}

void ClientSession::become(const std::string& authorization) {
  // Read first: a change made while authenticating then shows as a newer version later.
  const auto version = services_.auth.identity_version();
  principal_ = services_.auth.authenticate(authorization);
  identity_version_ = version;
  authorization_ = authorization;
  scope_ = service::scope_of(*principal_);
  if (!services_.hub.authenticated(shared_from_this(), principal_->id())) {
    send_error(ErrorCode::rate_limited, "too many connections for this user");
    close(http::CloseCode::policy_violation, "too many connections");
    return;
  }
  send(frame_of({{"type", "ready"}, {"user", wire::user_json(*principal_->user)}}));
}

bool ClientSession::refresh_principal() {
  if (closed_ || !principal_) return false;
  const auto version = services_.auth.identity_version();
  const bool expired = principal_->expires_at && *principal_->expires_at <= services_.auth.now();
  if (version == identity_version_ && !expired) return true;
  identity_version_ = version;
  try {
    principal_ = services_.auth.authenticate(*authorization_);
  } catch (const Error& refused) {
    send_error(ErrorCode::unauthorized, "the session has ended");
    close(http::CloseCode::policy_violation, "session ended");
    return false;
  }
  scope_ = service::scope_of(*principal_);
  if (dashboard_ && !principal_->can(Permission::statistics_view)) dashboard_ = false;
  return true;
}

void ClientSession::on_text(std::string_view text) {
  json::object message;
  std::string type;
  {
    boost::system::error_code error;
    auto parsed = json::parse(text, error);
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (error || !parsed.is_object()) {
      send_error(ErrorCode::invalid_request, "a frame must be one JSON object");
      return;
    }
    message = std::move(parsed.get_object());
    type = string_field(message, "type");
    if (type == "ping") return send(frame_of({{"type", "pong"}}));
    if (type == "auth") {
      if (principal_) return send_error(ErrorCode::invalid_request, "already authenticated");
      const std::string token = string_field(message, "token");
      if (token.empty()) {
        send_error(ErrorCode::unauthorized, "auth needs a token");
        return close(http::CloseCode::policy_violation, "authentication failed");
      }
      return authenticate("Bearer " + token);
    }
    if (!principal_) {
      send_error(ErrorCode::unauthorized, "send an auth message first");
      return close(http::CloseCode::policy_violation, "not authenticated");
    }
    if (!refresh_principal()) return;
    if (type != "subscribe" && type != "unsubscribe" && type != "typing") {
      return send_error(ErrorCode::invalid_request, "unknown message type '" + type + "'");
    }
  }
  if (type == "typing") return typing(id_field(message, "ticket_id").value_or(0));
  const auto topic = Topic::parse(string_field(message, "topic"));
  if (!topic) {
    std::lock_guard lock(mutex_);
    return send_error(ErrorCode::invalid_request,
                      "unknown topic; use ticket:{id}, tickets or dashboard");
  }
  if (type == "unsubscribe") return unsubscribe(*topic);
  // Absent: live events only. after_id 0: the whole conversation first, then live events.
  // after_position: what the log holds about the ticket since that position, then live.
  const Resume resume{id_field(message, "after_id"), id_field(message, "after_position")};
  std::string problem;
  if (resume.after_id && resume.after_position) {
    problem = "give after_id or after_position, not both";
  } else if (resume.after_id && *resume.after_id < 0) {
    problem = "after_id must be a message id";
  } else if (resume.after_position && *resume.after_position < 0) {
    problem = "after_position must be a position in the event log";
  } else if (resume.any() && topic->kind != Topic::Kind::ticket) {
    problem = "only ticket topics replay";
  }
  if (!problem.empty()) {
    std::lock_guard lock(mutex_);
    return send_error(ErrorCode::invalid_request, problem, topic);
  }
  subscribe(*topic, resume);
}

void ClientSession::subscribe(const Topic& topic, const Resume& resume) {
  std::unique_lock lock(mutex_);
  const service::Principal caller = *principal_;
  switch (topic.kind) {
    case Topic::Kind::tickets: list_ = true; break;
    case Topic::Kind::dashboard:
      if (!caller.can(Permission::statistics_view)) {
        return send_error(ErrorCode::forbidden, "the dashboard needs statistics.view", topic);
      }
      dashboard_ = true;
      break;
    case Topic::Kind::ticket: {
      lock.unlock();
      try {
        services_.tickets.get(caller, topic.ticket_id);  // 404 unless the caller may see it
      } catch (const Error& refused) {
        lock.lock();
        return send_error(refused.code(), refused.what(), topic);
      }
      lock.lock();
      if (closed_) return;
      // Live events from now on wait until the replay has been sent, so none is lost.
      auto& subscription = tickets_[topic.ticket_id];
      subscription = TicketSubscription{};
      subscription.live = !resume.any();
      lock.unlock();
      services_.hub.subscribe(shared_from_this(), topic);
      if (resume.after_id) return replay_messages(topic.ticket_id, *resume.after_id, caller);
      if (resume.after_position)
        return replay_events(topic.ticket_id, *resume.after_position, caller);
      lock.lock();
      break;
    }
  }
  if (topic.kind != Topic::Kind::ticket) services_.hub.subscribe(shared_from_this(), topic);
  send(frame_of({{"type", "subscribed"}, {"topic", topic.name()}, {"replayed", 0}}));
}

void ClientSession::replay_messages(std::int64_t ticket_id, std::int64_t after_id,
                                    const service::Principal& caller) {
  // Read before the messages: every message logged up to here is among them.
  const auto logged_before = services_.tickets.event_log_bounds().last;
  std::vector<Message> missed;
  std::int64_t cursor = after_id;
  while (missed.size() < kMostReplayed) {
    auto page = services_.tickets.messages(caller, ticket_id, cursor, kReplayPage);
    if (page.empty()) break;
    cursor = page.back().id;
    std::move(page.begin(), page.end(), std::back_inserter(missed));
    if (static_cast<int>(page.size()) < kReplayPage) break;
  }
  std::lock_guard lock(mutex_);
  const auto found = tickets_.find(ticket_id);
  if (closed_ || found == tickets_.end()) return;  // unsubscribed meanwhile
  auto& subscription = found->second;
  for (const auto& message : missed) {
    send(message_frame(message));
    subscription.replayed.push_back(message.id);
  }
  // Cut short at kMostReplayed, the replay covers only the messages it sent.
  if (missed.size() < kMostReplayed) subscription.covered_up_to = logged_before;
  finish_replay(subscription, ticket_id, missed.size());
}

void ClientSession::replay_events(std::int64_t ticket_id, std::int64_t after_position,
                                  const service::Principal& caller) {
  const auto bounds = services_.tickets.event_log_bounds();
  // Pruned, or too far behind to replay: the client must reload what it shows.
  const bool gone =
      after_position < bounds.pruned_up_to || bounds.last - after_position > kMostEventsScanned;
  std::vector<Event> missed;
  if (!gone)
    missed = services_.tickets.ticket_events(caller, ticket_id, after_position, bounds.last);
  std::lock_guard lock(mutex_);
  const auto found = tickets_.find(ticket_id);
  if (closed_ || found == tickets_.end()) return;
  auto& subscription = found->second;
  const auto topic = Topic{Topic::Kind::ticket, ticket_id}.name();
  if (gone) {
    send(frame_of({{"type", "resync"},
                   {"topic", topic},
                   {"position", bounds.last},
                   {"reason", "the events after that position are no longer kept; reload"}}));
  }
  std::size_t sent = 0;
  for (const auto& event : missed) {
    if (auto frame = ticket_topic_frame(event, frames_for_caller(event, frames_of(event)))) {
      send(std::move(frame));
      ++sent;
    }
  }
  subscription.covered_up_to = bounds.last;
  subscription.covers_every_kind = true;
  finish_replay(subscription, ticket_id, sent);
}

void ClientSession::finish_replay(TicketSubscription& subscription, std::int64_t ticket_id,
                                  std::size_t replayed) {
  send(frame_of({{"type", "subscribed"},
                 {"topic", Topic{Topic::Kind::ticket, ticket_id}.name()},
                 {"replayed", replayed}}));
  for (auto& held : subscription.held) {
    if (!subscription.covers(held.position, held.message_id)) send(std::move(held.frame));
  }
  subscription.held.clear();
  subscription.live = true;
}

void ClientSession::unsubscribe(const Topic& topic) {
  services_.hub.unsubscribe(shared_from_this(), topic);
  std::lock_guard lock(mutex_);
  switch (topic.kind) {
    case Topic::Kind::ticket: tickets_.erase(topic.ticket_id); break;
    case Topic::Kind::tickets: list_ = false; break;
    case Topic::Kind::dashboard: dashboard_ = false; break;
  }
  send(frame_of({{"type", "unsubscribed"}, {"topic", topic.name()}}));
}

void ClientSession::typing(std::int64_t ticket_id) {
  service::Principal caller;
  Ticket ticket;
  {
    std::lock_guard lock(mutex_);
    if (ticket_id <= 0) return send_error(ErrorCode::invalid_request, "typing needs a ticket_id");
    const auto now = Clock::now();
    auto& last = last_typing_[ticket_id];
    if (now - last < kTypingInterval) return;  // dropped quietly: typing is best effort
    last = now;
    caller = *principal_;
  }
  try {
    ticket = services_.tickets.get(caller, ticket_id);
  } catch (const Error& refused) {
    std::lock_guard lock(mutex_);
    return send_error(refused.code(), refused.what());
  }
  services_.hub.deliver_typing(ticket, ref_of(*caller.user));
}

void ClientSession::on_closed() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    tickets_.clear();
  }
  services_.hub.disconnected(shared_from_this());
}

EventFrames ClientSession::frames_for_caller(const Event& event, const EventFrames& frames) const {
  const auto hidden = services_.tickets.redaction_for(*principal_);
  if (!hidden.any() || !frames.ticket) return frames;
  // Serialized for this connection alone: a customer gets the events of their own tickets
  // only, so this costs one ticket per event for the few connections of its creator.
  EventFrames own = frames;
  own.ticket = std::make_shared<const std::string>(wire::ticket_frame(
      wire::ticket_frame_type(event.kind), event.ticket, event.position, system_now(), {}, hidden));
  return own;
}

std::shared_ptr<const std::string> ClientSession::ticket_topic_frame(
    const Event& event, const EventFrames& frames) const {
  switch (event.kind) {
    case EventKind::message_created:
      // An internal note leaves no trace for those who may not read it.
      if (event.message->internal && !principal_->can(Permission::messages_internal)) return {};
      return frames.message;
    case EventKind::ticket_updated:
    case EventKind::ticket_deleted: return frames.ticket;
    default: return {};  // a creation goes to lists only; the rest is not about a ticket
  }
}

void ClientSession::deliver(const Event& event, const EventFrames& shared_frames) {
  if (!is_ticket_event(event.kind)) return;
  std::lock_guard lock(mutex_);
  if (!refresh_principal() || !can_view(scope_, event.ticket)) return;
  const EventFrames frames = frames_for_caller(event, shared_frames);
  const bool message = event.kind == EventKind::message_created;
  const auto frame = ticket_topic_frame(event, frames);
  // A note the caller may not read leaves no trace: not even the ticket.updated that its
  // timestamps would cause in a list.
  if (message && !frame) return;
  const auto subscription = tickets_.find(event.ticket.id);
  if (frame && subscription != tickets_.end()) {
    auto& to = subscription->second;
    const std::int64_t message_id = message ? event.message->id : 0;
    if (!to.live) {
      to.held.push_back({event.position, message_id, frame});
    } else if (!to.covers(event.position, message_id)) {
      send(frame);
    }
  }
  if (list_) send(frames.ticket);
  if (frames.alert && (list_ || dashboard_) && scope_.view_all) send(frames.alert);
}

void ClientSession::deliver_typing(const Ticket& ticket, std::int64_t from_user,
                                   const std::shared_ptr<const std::string>& frame) {
  std::lock_guard lock(mutex_);
  if (!refresh_principal() || principal_->id() == from_user) return;
  // Subscribed once is not enough: the ticket may have moved out of this caller's sight.
  if (!can_view(scope_, ticket)) return;
  const auto subscription = tickets_.find(ticket.id);
  if (subscription != tickets_.end() && subscription->second.live) send(frame);
}

std::optional<service::StatisticsView> ClientSession::dashboard_view() {
  std::lock_guard lock(mutex_);
  if (!dashboard_ || !refresh_principal()) return std::nullopt;
  return service::StatisticsService::view_of(*principal_);
}

void ClientSession::deliver_statistics(const service::StatisticsView& view,
                                       const std::shared_ptr<const std::string>& frame) {
  std::lock_guard lock(mutex_);
  // The rights may have changed since the figures were chosen for this client.
  if (!dashboard_ || !refresh_principal() ||
      service::StatisticsService::view_of(*principal_) != view)
    return;
  send(frame);
}

void ClientSession::recheck_credentials() {
  std::lock_guard lock(mutex_);
  refresh_principal();
}

void ClientSession::auth_deadline_passed() {
  std::lock_guard lock(mutex_);
  if (principal_ || closed_) return;
  send_error(ErrorCode::unauthorized, "no auth message in time");
  close(http::CloseCode::policy_violation, "not authenticated");
}

void ClientSession::send(std::shared_ptr<const std::string> frame) {
  if (closed_) return;
  // A full queue makes the transport disconnect the client; it then calls on_closed.
  if (!peer_->send(std::move(frame))) closed_ = true;
}

void ClientSession::send_error(ErrorCode code, const std::string& message,
                               const std::optional<Topic>& topic) {
  json::object error{{"type", "error"}, {"code", error_code_name(code)}, {"message", message}};
  if (topic) error["topic"] = topic->name();
  send(frame_of(error));
}

void ClientSession::close(http::CloseCode code, const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  peer_->close(code, reason);
}

}  // namespace tb::realtime
