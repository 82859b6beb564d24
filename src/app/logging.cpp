#include "app/logging.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace tb::app {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4)
    length = 4;
  if (length == 0 || text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points past U+10FFFF.
  if (lead == 0xE0 && byte(1) < 0xA0) return 0;
  if (lead == 0xED && byte(1) > 0x9F) return 0;
  if (lead == 0xF0 && byte(1) < 0x90) return 0;
  if (lead == 0xF4 && byte(1) > 0x8F) return 0;
  return length;
}

template <class Out>
void append_json_string(Out out, std::string_view text) {
  *out++ = '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out = fmt::format_to(out, "\\\""); break;
        case '\\': out = fmt::format_to(out, "\\\\"); break;
        case '\n': out = fmt::format_to(out, "\\n"); break;
        case '\r': out = fmt::format_to(out, "\\r"); break;
        case '\t': out = fmt::format_to(out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out = fmt::format_to(out, "\\u{:04x}", c);
          } else {
            *out++ = static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    if (const auto length = utf8_sequence_length(text.substr(i))) {
      for (std::size_t k = 0; k < length; ++k) *out++ = text[i + k];
      i += length;
    } else {
      out = fmt::format_to(out, "\\ufffd");
      ++i;
    }
  }
  *out++ = '"';
}

template <class Out>
void append_json_line(Out out, std::chrono::system_clock::time_point time, std::string_view level,
                      std::string_view message) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
  const std::time_t unix_time = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&unix_time, &utc);
  out = fmt::format_to(out, "{{\"time\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\",\"level\":",
                       utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                       utc.tm_sec, millis);
  append_json_string(out, level);
  out = fmt::format_to(out, ",\"message\":");
  append_json_string(out, message);
  out = fmt::format_to(out, "}}\n");
}

// spdlog's pattern flags copy the message as it is, so a quote in a path would break the
// JSON: this formatter escapes it.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(message.level);
    append_json_line(std::back_inserter(dest), message.time,
                     std::string_view(level.data(), level.size()),
                     std::string_view(message.payload.data(), message.payload.size()));
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::string json_log_line(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view message) {
  std::string line;
  append_json_line(std::back_inserter(line), time, level, message);
  return line;
}

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stdout_logger_mt("ticketbot");
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace tb::app
