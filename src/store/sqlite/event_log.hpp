// Appending to the event log, for the SQLite store's writes (inside their transaction).
#pragma once

#include <cstdint>
#include <optional>

#include "core/event.hpp"
#include "store/sqlite/connection.hpp"

namespace tb::store::sqlite {

void append_event(Connection& connection, EventKind kind, std::int64_t ticket_id,
                  std::optional<std::int64_t> message_id, Timestamp now);

}  // namespace tb::store::sqlite
