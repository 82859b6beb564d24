#include "core/user.hpp"

#include <fmt/chrono.h>

namespace tb {

std::string format_timestamp(Timestamp time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", time);
}

}  // namespace tb
