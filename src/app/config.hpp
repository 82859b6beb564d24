// tb::app — configuration, wiring and main. The only module that knows every other one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tb::app {

enum class TelegramMode { polling, webhook, off };

// Every setting of API.md § Configuration (and the few this implementation adds), parsed and
// validated. Durations in seconds.
struct Config {
  std::string http_host;
  std::uint16_t http_port = 0;
  int http_threads = 1;
  int worker_threads = 4;
  int write_threads = 32;
  std::chrono::seconds http_read_timeout{};
  std::chrono::seconds http_idle_timeout{};
  std::chrono::seconds shutdown_timeout{};
  std::string public_url;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_proxies;
  int max_connections_per_address = 256;
  std::size_t max_body_bytes = 0;
  std::string database_url;
  std::string redis_url;
  std::string telegram_bot_token;
  std::string telegram_api_url;
  TelegramMode telegram_mode = TelegramMode::polling;
  std::string telegram_webhook_url;
  std::string telegram_webhook_secret;
  bool telegram_send_limits = true;
  std::string webapp_url;
  std::optional<std::int64_t> staff_chat_id;
  std::vector<std::int64_t> bootstrap_developers;
  std::vector<std::int64_t> bootstrap_admins;
  std::chrono::seconds init_data_max_age{};
  std::chrono::seconds session_ttl{};
  std::string attachments_dir;
  std::size_t max_upload_bytes = 0;
  int auth_rate_limit = 20;     // logins per minute per client address
  int message_rate_limit = 60;  // messages per minute per user
  int auto_close_days = 7;      // resolved tickets close after this many days; 0: never
  // What the load forecast staffs for (service::StaffingTargets).
  std::chrono::seconds forecast_handling_time{600};
  int forecast_service_level_percent = 80;
  std::optional<std::chrono::seconds> forecast_first_response;  // none: from the categories' SLA
  int ws_max_connections_per_user = 20;
  std::chrono::seconds ws_idle_timeout{60};
  std::chrono::seconds ws_auth_timeout{10};
  int ws_send_queue = 1024;          // frames
  std::size_t list_cache_bytes = 0;  // rendered ticket-list pages kept (api::PageCache)
  std::chrono::seconds event_log_retain_age{std::chrono::hours(72)};
  std::int64_t event_log_retain_count = 1'000'000;
  bool demo = false;
  bool allow_demo_data = false;  // serve a database that holds demo data (ALLOW_DEMO_DATA)
  std::string log_level;
  std::string log_format;  // "text" or "json"
  std::string web_root;    // empty: found next to the executable
};

// A bad setting. `variable` names it (HTTP_PORT); what() says what is wrong with it.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string variable, const std::string& message)
      : std::runtime_error(message), variable_(std::move(variable)) {}
  const std::string& variable() const { return variable_; }

 private:
  std::string variable_;
};

struct ConfigVariable {
  std::string_view name;                                   // HTTP_PORT
  std::string_view default_value;                          // as text; "" for none
  std::string_view description;                            // one line, for --help and .env.example
  std::function<void(Config&, const std::string&)> apply;  // parses; throws std::invalid_argument
};

// Every variable, in the order .env.example lists them.
const std::vector<ConfigVariable>& config_variables();

// The command-line twin of a variable: HTTP_PORT → --http-port.
std::string flag_name(std::string_view variable);

using Settings = std::map<std::string, std::string, std::less<>>;

// Where settings come from; precedence flag > environment > .env > default.
struct ConfigSources {
  Settings flags;
  Settings environment;
  Settings dotenv;
};

// Resolves and validates every variable. Throws ConfigError for the first bad one. An empty
// (or blank) value, from any source, means the variable's default.
Config load_config(const ConfigSources& sources);

// The known variables present in the process environment.
Settings read_environment();

// The names in `settings` that are no configuration variable (typos, settings of other
// programs), sorted.
std::vector<std::string> unknown_settings(const Settings& settings);

// One line per setting that is accepted but has no effect yet in this build (Redis,
// attachments), for those set to something other than their default.
std::vector<std::string> inactive_setting_notes(const Config& config);

// Parses .env text: KEY=VALUE lines, '#' comments, optional `export `, single or double
// quotes. Throws ConfigError(".env", "line N: ...") on a malformed line.
Settings parse_dotenv(std::string_view text);

// Reads and parses a .env file; a missing file is no settings, not an error.
Settings read_dotenv_file(const std::string& path);

}  // namespace tb::app
