// Log set-up: every line goes to stdout, times in UTC, as text or (LOG_FORMAT=json) one JSON
// object per line for log collectors.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace tb::app {

// text: "2026-11-25T14:50:00.123Z info  message"
// json: {"time":"2026-11-25T14:50:00.123Z","level":"info","message":"..."}
void setup_logging(const std::string& level, const std::string& format = "text");

// One JSON log line (with its newline). The message is escaped whatever it holds: quotes,
// backslashes, control characters, and bytes that are not UTF-8 (each becomes U+FFFD).
std::string json_log_line(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view message);

}  // namespace tb::app
