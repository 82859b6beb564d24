#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ticket.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// A change to an auto-reply: only the fields present are set (an inner nullopt clears one).
struct AutoReplyFields {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> keywords;
  std::optional<std::optional<std::int64_t>> category_id;
  std::optional<AutoReplyEvent> event;
  std::optional<std::string> body;
  std::optional<bool> active;
};

// Auto-replies: their management (keywords or a category, never neither) and running them,
// which TicketService asks for after a ticket or a customer's message is created. Each fires
// at most once per ticket, as a message of the system user, logged with its commit.
class AutoReplyService {
 public:
  explicit AutoReplyService(store::Store& store, Clock clock = system_now);

  std::vector<AutoReply> list(const Principal& caller);
  AutoReply create(const Principal& caller, const AutoReplyFields& fields);
  AutoReply update(const Principal& caller, std::int64_t id, const AutoReplyFields& fields);
  void remove(const Principal& caller, std::int64_t id);

  // Posts the auto-replies that match `event` and `text` on `ticket` and have not fired on it
  // yet; returns the ticket as it is afterwards. Nothing fires without a system user.
  Ticket run(Ticket ticket, AutoReplyEvent event, const std::string& text);

 private:
  store::Store& store_;
  Clock clock_;
  std::int64_t system_user_id_ = 0;
};

}  // namespace tb::service
