#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "http/websocket.hpp"
#include "realtime/hub.hpp"
#include "service/auth_service.hpp"
#include "service/principal.hpp"
#include "service/statistics_service.hpp"
#include "service/ticket_service.hpp"

namespace tb::realtime {

// One JSON object as a frame that any number of receivers can share.
std::shared_ptr<const std::string> frame_of(const boost::json::object& object);
// {"type": "message.created", "ticket_id": ..., "message": Message, "position": ...}, live or
// replayed; without a position when it was read from the messages, not the log.
std::shared_ptr<const std::string> message_frame(const Message& message, std::int64_t position = 0);

// The frames of one event, serialized once by the hub and shared by every receiver.
struct EventFrames {
  std::shared_ptr<const std::string> ticket;   // ticket.created | ticket.updated | ticket.deleted
  std::shared_ptr<const std::string> message;  // message.created, for message events
  std::shared_ptr<const std::string> alert;    // ticket.alert, for critical tickets
};

// The frames of `event`, with `breached` as of now.
EventFrames frames_of(const Event& event);

struct ClientServices {
  Hub& hub;
  service::AuthService& auth;
  service::TicketService& tickets;
};

// One WebSocket client: the protocol of API.md (auth, subscribe with replay, unsubscribe,
// typing, ping) and the visibility rules applied to every event before it is queued. The
// caller's rights are checked again whenever AuthService reports an identity change, so a
// role change or a logout takes effect on open connections.
class ClientSession final : public http::WebSocketSession,
                            public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(ClientServices services, std::shared_ptr<http::WebSocketPeer> peer);

  // Right after the upgrade: with the credentials of the upgrade request (an Authorization
  // value) the client is ready at once, and bad ones throw the authentication error (the
  // upgrade is refused with it); without, it has auth_timeout to send an `auth` message.
  void start(std::optional<std::string> authorization);

  void on_text(std::string_view text) override;
  void on_closed() override;

  // From the hub, on the publishing thread.
  void deliver(const Event& event, const EventFrames& frames);
  void deliver_typing(const Ticket& ticket, std::int64_t from_user,
                      const std::shared_ptr<const std::string>& frame);
  // Whose figures this client's dashboard shows; nothing unless it is subscribed to the
  // dashboard (and may still see statistics).
  std::optional<service::StatisticsView> dashboard_view();
  // From the dashboard feed: `frame` (stats.updated) holds the figures of `view`; sent only
  // if the client still watches the dashboard with that view.
  void deliver_statistics(const service::StatisticsView& view,
                          const std::shared_ptr<const std::string>& frame);
  // From the hub now and then: a session that expired (or was ended) meanwhile closes the
  // connection even when no event comes to notice it.
  void recheck_credentials();
  // Closes the connection if it has not authenticated by now.
  void auth_deadline_passed();
  std::chrono::steady_clock::time_point connected_at() const { return connected_at_; }

 private:
  struct TicketSubscription {
    bool live = false;  // false while its replay runs: live events wait in `held`
    struct Held {
      std::int64_t position = 0;
      std::int64_t message_id = 0;  // 0: not a message event
      std::shared_ptr<const std::string> frame;
    };
    std::vector<Held> held;
    // What the replay sent, so that no live event repeats it. A replay from a message id
    // covers the message events logged up to `covered_up_to` (committed before it read) and
    // the messages in `replayed` (committed while it read); one from a log position covers
    // every event up to `covered_up_to`.
    std::int64_t covered_up_to = 0;
    bool covers_every_kind = false;
    std::vector<std::int64_t> replayed;  // ascending message ids

    bool covers(std::int64_t position, std::int64_t message_id) const;
  };

  void authenticate(const std::string& authorization);  // with mutex_ held; errors to the client
  void become(const std::string& authorization);        // with mutex_ held; throws Error
  // With mutex_ held: authenticates again after an identity change or once the
  // credentials expired; false (and the connection closing) when they are no longer good.
  bool refresh_principal();
  // `after` (at most one): a message id (`after_id`) or a log position (`after_position`)
  // to replay from before live events.
  struct Resume {
    std::optional<std::int64_t> after_id;
    std::optional<std::int64_t> after_position;
    bool any() const { return after_id || after_position; }
  };
  void subscribe(const Topic& topic, const Resume& resume);
  void replay_messages(std::int64_t ticket_id, std::int64_t after_id,
                       const service::Principal& caller);
  void replay_events(std::int64_t ticket_id, std::int64_t after_position,
                     const service::Principal& caller);
  // With mutex_ held: sends the held live events the replay did not cover, and goes live.
  void finish_replay(TicketSubscription& subscription, std::int64_t ticket_id,
                     std::size_t replayed);
  void unsubscribe(const Topic& topic);
  // With mutex_ held: `frames` as this caller is to get them: the ticket without the fields
  // a customer is not shown (by the settings now), the shared bytes for everyone else.
  EventFrames frames_for_caller(const Event& event, const EventFrames& frames) const;
  // With mutex_ held: what a `ticket:{id}` subscriber gets of `event`, if anything.
  std::shared_ptr<const std::string> ticket_topic_frame(const Event& event,
                                                        const EventFrames& frames) const;
  void typing(std::int64_t ticket_id);
  void send(std::shared_ptr<const std::string> frame);  // with mutex_ held
  void send_error(ErrorCode code, const std::string& message,
                  const std::optional<Topic>& topic = std::nullopt);  // with mutex_ held
  void close(http::CloseCode code, const std::string& reason);        // with mutex_ held

  ClientServices services_;
  std::shared_ptr<http::WebSocketPeer> peer_;
  const std::chrono::steady_clock::time_point connected_at_;

  std::mutex mutex_;
  bool closed_ = false;
  std::optional<std::string> authorization_;
  std::optional<service::Principal> principal_;
  std::uint64_t identity_version_ = 0;
  TicketScope scope_;
  std::unordered_map<std::int64_t, TicketSubscription> tickets_;
  bool list_ = false;
  bool dashboard_ = false;
  std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> last_typing_;
};

}  // namespace tb::realtime
