#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/canned_reply.hpp"
#include "core/clock.hpp"
#include "service/principal.hpp"
#include "store/store.hpp"

namespace tb::service {

// A change to a canned reply: only the fields present are set.
struct CannedReplyFields {
  std::optional<std::string> name;
  std::optional<std::string> body;
};

// Canned replies: staff (canned_replies.use) list them to insert one into a reply; admins
// (canned_replies.manage) create, edit and delete them. A name is 1 to kMaxNameLength
// characters and unique; a body is a message (1 to kMaxMessageLength) whose {placeholders}
// are all known ones (core/canned_reply.hpp), so a typo is refused instead of being sent to a
// customer as "{custmer_name}". Every change is audited with it (the store writes the entry).
class CannedReplyService {
 public:
  explicit CannedReplyService(store::Store& store, Clock clock = system_now);

  std::vector<CannedReply> list(const Principal& caller);
  CannedReply create(const Principal& caller, const CannedReplyFields& fields);
  CannedReply update(const Principal& caller, std::int64_t id, const CannedReplyFields& fields);
  void remove(const Principal& caller, std::int64_t id);

 private:
  CannedReply save(const Principal& caller, CannedReply reply);

  store::Store& store_;
  Clock clock_;
};

}  // namespace tb::service
