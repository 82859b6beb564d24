// Time as the whole system keeps it: UTC, whole seconds (ISO-8601 with `Z` on the wire),
// and the clock the services read it from, which tests replace with one of their own.
#pragma once

#include <chrono>
#include <functional>

namespace tb {

using Timestamp = std::chrono::sys_seconds;

// Where a service reads "now"; system_now unless a test says otherwise.
using Clock = std::function<Timestamp()>;

// The system clock, truncated to whole seconds.
inline Timestamp system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace tb
