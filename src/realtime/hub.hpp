// tb::realtime — live updates over WebSocket: the hub (topics and who listens to them) and
// the client sessions. No transport code here: a client talks through http::WebSocketPeer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/event.hpp"
#include "core/ticket.hpp"
#include "core/user.hpp"

namespace tb::realtime {

class ClientSession;

// A topic a client can subscribe to: "ticket:42", "tickets" (changes to the caller's own
// list) or "dashboard" (statistics pushes, for those who may see statistics).
struct Topic {
  enum class Kind { ticket, tickets, dashboard };
  Kind kind = Kind::tickets;
  std::int64_t ticket_id = 0;

  static std::optional<Topic> parse(std::string_view text);
  std::string name() const;
  friend bool operator==(const Topic&, const Topic&) = default;
};

// What feeds the hub: committed ticket events and typing signals. This instance's event
// bus calls it; so will the Redis bridge that carries other instances' events.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void deliver(const Event& event) = 0;
  virtual void deliver_typing(const Ticket& ticket, const UserRef& who) = 0;
};

struct HubOptions {
  int max_connections_per_user = 20;
  std::chrono::seconds auth_timeout{10};  // to send an `auth` message when the URL had no token
  // How often every connection's credentials are checked for expiry when no event does it.
  std::chrono::milliseconds credentials_check{std::chrono::seconds(15)};
};

// Who listens to what. Events are turned into JSON once and the same bytes are queued for
// every receiver; each client applies its own visibility before queueing. The fan-out runs
// on the hub's own thread, in the order events arrive, so whoever publishes (a request
// that just committed) never waits for thousands of receivers. Subscription lists are
// copied under the lock and delivered to outside it, so a slow client never holds up the
// hub (its queue is bounded by the transport, which disconnects it).
class Hub final : public EventSink {
 public:
  explicit Hub(HubOptions options);
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  void deliver(const Event& event) override;
  void deliver_typing(const Ticket& ticket, const UserRef& who) override;

  // A connection opened: watched for its auth deadline until it authenticates.
  void connected(const std::shared_ptr<ClientSession>& client);
  // Counts the client against its user's connection limit; false when over it.
  bool authenticated(const std::shared_ptr<ClientSession>& client, std::int64_t user_id);
  void subscribe(const std::shared_ptr<ClientSession>& client, const Topic& topic);
  void unsubscribe(const std::shared_ptr<ClientSession>& client, const Topic& topic);
  // Forgets the client everywhere.
  void disconnected(const std::shared_ptr<ClientSession>& client);

  using Clients = std::vector<std::shared_ptr<ClientSession>>;
  // Who is subscribed to `topic` now (a copy): e.g. for the dashboard feed's pushes.
  Clients listeners(const Topic& topic);

 private:
  Clients* list_of(const Topic& topic);  // with mutex_ held; nullptr for an unknown ticket
  void fan_out(const Event& event);
  void fan_out_typing(const Ticket& ticket, const UserRef& who);
  void enqueue(std::function<void()> job);
  void run();  // the hub's thread: fan-out jobs, and the auth deadlines
  void close_late_clients();
  void recheck_credentials();

  HubOptions options_;
  std::shared_mutex mutex_;
  std::unordered_map<std::int64_t, Clients> by_ticket_;
  Clients list_watchers_;
  Clients dashboard_watchers_;
  std::unordered_map<std::int64_t, int> connections_by_user_;
  struct Membership {
    std::int64_t user_id = 0;  // 0 until authenticated
    std::weak_ptr<ClientSession> client;
    std::vector<Topic> topics;
  };
  std::unordered_map<const ClientSession*, Membership> members_;
  std::vector<std::weak_ptr<ClientSession>> unauthenticated_;

  std::mutex jobs_mutex_;  // also guards unauthenticated_
  std::condition_variable jobs_arrived_;
  std::vector<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tb::realtime
