#include "app/config.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "http/forwarded.hpp"

namespace tb::app {
namespace {

using std::invalid_argument;

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::int64_t parse_integer(const std::string& text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < min || value > max) {
    throw invalid_argument("expected an integer from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

int parse_int(const std::string& text, int min, int max) {
  return static_cast<int>(parse_integer(text, min, max));
}

std::chrono::seconds parse_seconds(const std::string& text, std::int64_t min, std::int64_t max) {
  return std::chrono::seconds(parse_integer(text, min, max));
}

bool parse_bool(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
  throw invalid_argument("expected 1/0 (or true/false), got '" + text + "'");
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (auto trimmed = trim(item); !trimmed.empty()) items.push_back(std::move(trimmed));
  }
  return items;
}

std::vector<std::int64_t> parse_id_list(const std::string& text) {
  std::vector<std::int64_t> ids;
  for (const auto& item : split_list(text)) {
    ids.push_back(parse_integer(item, 1, std::numeric_limits<std::int64_t>::max()));
  }
  return ids;
}

std::string parse_http_url(const std::string& text, bool allow_empty) {
  if (text.empty() && allow_empty) return text;
  if (!text.starts_with("http://") && !text.starts_with("https://")) {
    throw invalid_argument("expected an http:// or https:// URL, got '" + text + "'");
  }
  return text;
}

std::string parse_database_url(const std::string& text) {
  if (text.starts_with("sqlite:") && text.size() > 7) return text;
  if (text.starts_with("postgresql://") || text.starts_with("postgres://")) return text;
  throw invalid_argument("expected sqlite:PATH or postgresql://..., got '" + text + "'");
}

std::string parse_log_level(const std::string& text) {
  static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                 "error", "critical", "off"};
  for (auto level : kLevels) {
    if (text == level) return text;
  }
  throw invalid_argument("expected one of trace, debug, info, warn, error, critical, off; got '" +
                         text + "'");
}

bool parse_on_off(const std::string& text) {
  if (text == "on") return true;
  if (text == "off") return false;
  throw invalid_argument("expected on or off; got '" + text + "'");
}

std::string parse_log_format(const std::string& text) {
  if (text == "text" || text == "json") return text;
  throw invalid_argument("expected text or json; got '" + text + "'");
}

TelegramMode parse_telegram_mode(const std::string& text) {
  if (text == "polling") return TelegramMode::polling;
  if (text == "webhook") return TelegramMode::webhook;
  if (text == "off") return TelegramMode::off;
  throw invalid_argument("expected polling, webhook or off; got '" + text + "'");
}

bool is_ip_address(const std::string& text) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

int parse_thread_count(const std::string& text) {
  if (text == "auto") return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return parse_int(text, 1, 256);
}

std::vector<ConfigVariable> make_variables() {
  constexpr std::int64_t kDay = 86400;
  constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;
  return {
      {"HTTP_HOST", "127.0.0.1", "address to listen on (an IP address, or localhost)",
       [](Config& c, const std::string& v) {
         if (v != "localhost" && !is_ip_address(v)) {
           throw invalid_argument("expected an IP address or localhost, got '" + v + "'");
         }
         c.http_host = v;
       }},
      {"HTTP_PORT", "8000", "TCP port to listen on (0: any free port, logged at start)",
       [](Config& c, const std::string& v) {
         c.http_port = static_cast<std::uint16_t>(parse_int(v, 0, 65535));
       }},
      {"HTTP_THREADS", "auto",
       "threads serving connections, each keeping its own (auto: one per core)",
       [](Config& c, const std::string& v) { c.http_threads = parse_thread_count(v); }},
      {"WORKER_THREADS", "4",
       "threads running reads (GET) that may take long, off the connection threads",
       [](Config& c, const std::string& v) { c.worker_threads = parse_int(v, 1, 256); }},
      {"WRITE_THREADS", "32", "threads running writes; most wait for a group commit",
       [](Config& c, const std::string& v) { c.write_threads = parse_int(v, 1, 1024); }},
      {"HTTP_READ_TIMEOUT", "30", "seconds a client has to send a whole request once begun",
       [](Config& c, const std::string& v) { c.http_read_timeout = parse_seconds(v, 1, 3600); }},
      {"HTTP_IDLE_TIMEOUT", "60", "seconds an idle keep-alive connection is kept open",
       [](Config& c, const std::string& v) { c.http_idle_timeout = parse_seconds(v, 1, 3600); }},
      {"SHUTDOWN_TIMEOUT", "10", "seconds in-flight requests get to finish on SIGTERM",
       [](Config& c, const std::string& v) { c.shutdown_timeout = parse_seconds(v, 0, 600); }},
      {"PUBLIC_URL", "", "public base URL, e.g. https://support.example.com (WebSocket origin)",
       [](Config& c, const std::string& v) { c.public_url = parse_http_url(v, true); }},
      {"ALLOWED_ORIGINS", "", "extra allowed WebSocket origins, comma-separated",
       [](Config& c, const std::string& v) {
         c.allowed_origins = split_list(v);
         for (const auto& origin : c.allowed_origins) parse_http_url(origin, false);
       }},
      {"TRUSTED_PROXIES", "",
       "reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For, "
       "Forwarded and X-Forwarded-Proto are believed",
       [](Config& c, const std::string& v) {
         c.trusted_proxies = split_list(v);
         http::TrustedProxies::parse(c.trusted_proxies);  // throws naming a bad entry
       }},
      {"MAX_CONNECTIONS_PER_ADDRESS", "256",
       "open connections one client address may hold (trusted proxies exempt; 0: no cap)",
       [](Config& c, const std::string& v) {
         c.max_connections_per_address = parse_int(v, 0, 1000000);
       }},
      {"MAX_BODY_BYTES", "1048576", "largest JSON request body, in bytes",
       [](Config& c, const std::string& v) {
         c.max_body_bytes = static_cast<std::size_t>(parse_integer(v, 1024, kGiB));
       }},
      {"DATABASE_URL", "sqlite:data/ticketbot.db", "sqlite:PATH or postgresql://user:pass@host/db",
       [](Config& c, const std::string& v) { c.database_url = parse_database_url(v); }},
      {"REDIS_URL", "", "redis://host:6379/0; needed for more than one instance (empty: off)",
       [](Config& c, const std::string& v) {
         if (!v.empty() && !v.starts_with("redis://") && !v.starts_with("unix://")) {
           throw invalid_argument("expected redis://host:port/db, got '" + v + "'");
         }
         c.redis_url = v;
       }},
      {"TELEGRAM_BOT_TOKEN", "", "bot token from @BotFather; empty: the bot is off",
       [](Config& c, const std::string& v) {
         if (!v.empty() && v.find(':') == std::string::npos) {
           throw invalid_argument("expected a token of the form 123456:ABC...");
         }
         c.telegram_bot_token = v;
       }},
      {"TELEGRAM_API_URL", "https://api.telegram.org", "Bot API base URL",
       [](Config& c, const std::string& v) { c.telegram_api_url = parse_http_url(v, false); }},
      {"TELEGRAM_MODE", "polling", "how updates arrive: polling, webhook or off",
       [](Config& c, const std::string& v) { c.telegram_mode = parse_telegram_mode(v); }},
      {"TELEGRAM_WEBHOOK_URL", "", "public https URL of /telegram/webhook (webhook mode)",
       [](Config& c, const std::string& v) { c.telegram_webhook_url = parse_http_url(v, true); }},
      {"TELEGRAM_WEBHOOK_SECRET", "", "secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token",
       [](Config& c, const std::string& v) { c.telegram_webhook_secret = v; }},
      {"TELEGRAM_SEND_LIMITS", "on",
       "on: send at Telegram's limits (30/s, 1/s per chat, 20/min per group); off: only against "
       "a local Bot API server or a fake",
       [](Config& c, const std::string& v) { c.telegram_send_limits = parse_on_off(v); }},
      {"WEBAPP_URL", "", "public https URL of /app/ for the bot's menu button",
       [](Config& c, const std::string& v) { c.webapp_url = parse_http_url(v, true); }},
      {"STAFF_CHAT_ID", "", "forum supergroup id where each ticket gets a topic (empty: none)",
       [](Config& c, const std::string& v) {
         if (v.empty()) return;
         c.staff_chat_id = parse_integer(v, std::numeric_limits<std::int64_t>::min(),
                                         std::numeric_limits<std::int64_t>::max());
       }},
      {"BOOTSTRAP_DEVELOPERS", "", "Telegram user ids made developers at first login",
       [](Config& c, const std::string& v) { c.bootstrap_developers = parse_id_list(v); }},
      {"BOOTSTRAP_ADMINS", "", "Telegram user ids made admins at first login",
       [](Config& c, const std::string& v) { c.bootstrap_admins = parse_id_list(v); }},
      {"INIT_DATA_MAX_AGE", "86400", "seconds; older Mini App initData is refused",
       [](Config& c, const std::string& v) {
         c.init_data_max_age = parse_seconds(v, 1, 30 * kDay);
       }},
      {"SESSION_TTL", "604800", "seconds a session token stays valid",
       [](Config& c, const std::string& v) { c.session_ttl = parse_seconds(v, 1, 365 * kDay); }},
      {"ATTACHMENTS_DIR", "data/attachments", "directory for uploaded files",
       [](Config& c, const std::string& v) {
         if (v.empty()) throw invalid_argument("must not be empty");
         c.attachments_dir = v;
       }},
      {"MAX_UPLOAD_BYTES", "20971520", "largest attachment, in bytes",
       [](Config& c, const std::string& v) {
         c.max_upload_bytes = static_cast<std::size_t>(parse_integer(v, 1024, kGiB));
       }},
      {"AUTH_RATE_LIMIT", "20", "logins per minute from one client address (then 429)",
       [](Config& c, const std::string& v) { c.auth_rate_limit = parse_int(v, 1, 1000000); }},
      {"MESSAGE_RATE_LIMIT", "60", "messages per minute one user may post (then 429)",
       [](Config& c, const std::string& v) { c.message_rate_limit = parse_int(v, 1, 1000000); }},
      {"WS_MAX_CONNECTIONS_PER_USER", "20", "WebSocket connections one user may hold open",
       [](Config& c, const std::string& v) {
         c.ws_max_connections_per_user = parse_int(v, 1, 100000);
       }},
      {"WS_IDLE_TIMEOUT", "60",
       "seconds of WebSocket silence (pings go out at half) before a close",
       [](Config& c, const std::string& v) { c.ws_idle_timeout = parse_seconds(v, 2, 3600); }},
      {"WS_AUTH_TIMEOUT", "10", "seconds a WebSocket opened without a token has to send `auth`",
       [](Config& c, const std::string& v) { c.ws_auth_timeout = parse_seconds(v, 1, 600); }},
      {"WS_SEND_QUEUE", "1024",
       "frames queued for a WebSocket client before it is cut off as too slow",
       [](Config& c, const std::string& v) { c.ws_send_queue = parse_int(v, 16, 1000000); }},
      {"LIST_CACHE_MB", "16",
       "megabytes of rendered answers (ticket-list pages, category lists, pages of messages) "
       "kept until the next write (0: none)",
       [](Config& c, const std::string& v) {
         c.list_cache_bytes = static_cast<std::size_t>(parse_integer(v, 0, 4096)) << 20;
       }},
      {"EVENT_LOG_RETAIN_HOURS", "72",
       "hours the event log keeps events that every durable consumer has read",
       [](Config& c, const std::string& v) {
         c.event_log_retain_age = std::chrono::hours(parse_integer(v, 1, 24 * 3650));
       }},
      {"EVENT_LOG_RETAIN_COUNT", "1000000",
       "events the log keeps at most (the newest), once every durable consumer has read them",
       [](Config& c, const std::string& v) {
         c.event_log_retain_count = parse_integer(v, 1, 1'000'000'000);
       }},
      {"AUTO_CLOSE_DAYS", "7", "days after which resolved tickets close by themselves (0: never)",
       [](Config& c, const std::string& v) { c.auto_close_days = parse_int(v, 0, 3650); }},
      {"FORECAST_AHT_SECONDS", "600",
       "agent working seconds one ticket takes (replies, lookups), for the staffing forecast",
       [](Config& c, const std::string& v) {
         c.forecast_handling_time = parse_seconds(v, 10, 24 * 3600);
       }},
      {"FORECAST_SERVICE_LEVEL", "80",
       "percent of tickets the staffing forecast plans to answer within the first-response target",
       [](Config& c, const std::string& v) {
         c.forecast_service_level_percent = parse_int(v, 1, 99);
       }},
      {"FORECAST_FIRST_RESPONSE_MINUTES", "",
       "first-response target of the staffing forecast (empty: the tightest category SLA)",
       [](Config& c, const std::string& v) {
         if (v.empty()) return;
         c.forecast_first_response = std::chrono::minutes(parse_int(v, 1, 7 * 24 * 60));
       }},
      {"DEMO", "0", "1: /auth/demo on, demo data seeded into an empty database",
       [](Config& c, const std::string& v) { c.demo = parse_bool(v); }},
      {"ALLOW_DEMO_DATA", "0",
       "1: `serve` a database that holds demo data (refused otherwise: ids could collide)",
       [](Config& c, const std::string& v) { c.allow_demo_data = parse_bool(v); }},
      {"LOG_LEVEL", "info", "trace, debug, info, warn, error, critical or off",
       [](Config& c, const std::string& v) { c.log_level = parse_log_level(v); }},
      {"LOG_FORMAT", "text", "text, or json: one JSON object (time, level, message) per line",
       [](Config& c, const std::string& v) { c.log_format = parse_log_format(v); }},
      {"WEB_ROOT", "", "directory holding app/ and docs/ (empty: found next to the binary)",
       [](Config& c, const std::string& v) { c.web_root = v; }},
  };
}

std::string unquote(const std::string& value, int line_number) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
    if (value.back() != value.front()) {
      throw ConfigError(".env", "line " + std::to_string(line_number) + ": unterminated quote");
    }
    return value.substr(1, value.size() - 2);
  }
  // An unquoted value ends at an inline comment.
  if (const auto hash = value.find(" #"); hash != std::string::npos) {
    return trim(value.substr(0, hash));
  }
  return value;
}

// Webhook mode needs where Telegram should post and the secret that proves it is Telegram.
void check_webhook_settings(const Config& config) {
  if (config.telegram_mode != TelegramMode::webhook || config.telegram_bot_token.empty()) return;
  if (config.telegram_webhook_url.empty()) {
    throw ConfigError("TELEGRAM_WEBHOOK_URL",
                      "TELEGRAM_MODE=webhook needs the public https URL "
                      "of /telegram/webhook");
  }
  const auto& secret = config.telegram_webhook_secret;
  const bool valid = secret.size() >= 16 && secret.size() <= 256 &&
                     std::all_of(secret.begin(), secret.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '_' || c == '-';
                     });
  if (!valid) {
    throw ConfigError("TELEGRAM_WEBHOOK_SECRET",
                      "TELEGRAM_MODE=webhook needs a secret of 16 to 256 characters A-Z, a-z, "
                      "0-9, _ and - (Telegram's rule)");
  }
}

}  // namespace

const std::vector<ConfigVariable>& config_variables() {
  static const std::vector<ConfigVariable> variables = make_variables();
  return variables;
}

std::string flag_name(std::string_view variable) {
  std::string flag = "--";
  for (char c : variable) {
    flag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return flag;
}

Config load_config(const ConfigSources& sources) {
  Config config;
  for (const auto& variable : config_variables()) {
    std::string value(variable.default_value);
    for (const Settings* source : {&sources.dotenv, &sources.environment, &sources.flags}) {
      if (auto found = source->find(variable.name); found != source->end()) value = found->second;
    }
    // VAR= means "the default", wherever it is written: a compose file or a service unit
    // often passes an unset variable on as an empty one.
    if (trim(value).empty()) value = std::string(variable.default_value);
    try {
      variable.apply(config, trim(value));
    } catch (const std::invalid_argument& error) {
      throw ConfigError(std::string(variable.name), error.what());
    }
  }
  check_webhook_settings(config);
  return config;
}

Settings read_environment() {
  Settings settings;
  for (const auto& variable : config_variables()) {
    const std::string name(variable.name);
    if (const char* value = std::getenv(name.c_str())) settings.emplace(name, value);
  }
  return settings;
}

std::vector<std::string> unknown_settings(const Settings& settings) {
  std::vector<std::string> unknown;
  for (const auto& [name, value] : settings) {
    const bool known =
        std::any_of(config_variables().begin(), config_variables().end(),
                    [&](const ConfigVariable& variable) { return variable.name == name; });
    if (!known) unknown.push_back(name);
  }
  return unknown;  // sorted: Settings is an ordered map
}

std::vector<std::string> inactive_setting_notes(const Config& config) {
  const Config defaults = load_config({});
  std::vector<std::string> notes;
  if (!config.redis_url.empty()) {
    notes.push_back(
        "REDIS_URL is set, but Redis is not built yet: this instance neither connects to it nor "
        "shares events with other instances");
  }
  if (config.attachments_dir != defaults.attachments_dir)
    notes.push_back("ATTACHMENTS_DIR is set, but attachments are not built yet: nothing is stored");
  if (config.max_upload_bytes != defaults.max_upload_bytes) {
    notes.push_back(
        "MAX_UPLOAD_BYTES is set, but attachments are not built yet: nothing is uploaded");
  }
  return notes;
}

Settings parse_dotenv(std::string_view text) {
  // A dozen lines; no Debian package offers a C++ .env reader worth a dependency.
  Settings settings;
  std::istringstream stream{std::string(text)};
  std::string line;
  int line_number = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    std::string content = trim(line);
    if (content.empty() || content.starts_with('#')) continue;
    if (content.starts_with("export ")) content = trim(content.substr(7));
    const auto equals = content.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw ConfigError(".env", "line " + std::to_string(line_number) + ": expected KEY=VALUE");
    }
    settings[trim(content.substr(0, equals))] =
        unquote(trim(content.substr(equals + 1)), line_number);
  }
  return settings;
}

Settings read_dotenv_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return {};
  std::ostringstream content;
  content << file.rdbuf();
  return parse_dotenv(content.str());
}

}  // namespace tb::app
