#include "app/config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace tb::app {
namespace {

Config load(const Settings& flags = {}, const Settings& environment = {},
            const Settings& dotenv = {}) {
  return load_config(ConfigSources{flags, environment, dotenv});
}

std::string error_variable(const Settings& environment) {
  try {
    load({}, environment);
  } catch (const ConfigError& error) {
    return error.variable();
  }
  return "(none)";
}

TEST(Config, DefaultsFollowTheApiContract) {
  const Config config = load();
  EXPECT_EQ(config.http_host, "127.0.0.1");
  EXPECT_EQ(config.http_port, 8000);
  EXPECT_GE(config.http_threads, 1);
  EXPECT_EQ(config.max_body_bytes, 1048576u);
  EXPECT_EQ(config.database_url, "sqlite:data/ticketbot.db");
  EXPECT_EQ(config.telegram_api_url, "https://api.telegram.org");
  EXPECT_EQ(config.telegram_mode, TelegramMode::polling);
  EXPECT_EQ(config.init_data_max_age, std::chrono::seconds(86400));
  EXPECT_EQ(config.session_ttl, std::chrono::seconds(604800));
  EXPECT_EQ(config.attachments_dir, "data/attachments");
  EXPECT_EQ(config.max_upload_bytes, 20971520u);
  EXPECT_FALSE(config.demo);
  EXPECT_EQ(config.log_level, "info");
  EXPECT_TRUE(config.redis_url.empty());
}

TEST(Config, FlagBeatsEnvironmentBeatsDotEnvBeatsDefault) {
  EXPECT_EQ(load({}, {}, {{"HTTP_PORT", "1001"}}).http_port, 1001);
  EXPECT_EQ(load({}, {{"HTTP_PORT", "1002"}}, {{"HTTP_PORT", "1001"}}).http_port, 1002);
  EXPECT_EQ(
      load({{"HTTP_PORT", "1003"}}, {{"HTTP_PORT", "1002"}}, {{"HTTP_PORT", "1001"}}).http_port,
      1003);
}

TEST(Config, BadValuesNameTheirVariable) {
  EXPECT_EQ(error_variable({{"HTTP_PORT", "abc"}}), "HTTP_PORT");
  EXPECT_EQ(error_variable({{"HTTP_PORT", "70000"}}), "HTTP_PORT");
  EXPECT_EQ(error_variable({{"HTTP_PORT", "80 "}}), "(none)");  // surrounding blanks trimmed
  EXPECT_EQ(error_variable({{"HTTP_PORT", "8x"}}), "HTTP_PORT");
  EXPECT_EQ(error_variable({{"HTTP_HOST", "example.com"}}), "HTTP_HOST");
  EXPECT_EQ(error_variable({{"HTTP_THREADS", "0"}}), "HTTP_THREADS");
  EXPECT_EQ(error_variable({{"DATABASE_URL", "mysql://x"}}), "DATABASE_URL");
  EXPECT_EQ(error_variable({{"DEMO", "maybe"}}), "DEMO");
  EXPECT_EQ(error_variable({{"LOG_LEVEL", "loud"}}), "LOG_LEVEL");
  EXPECT_EQ(error_variable({{"TELEGRAM_MODE", "push"}}), "TELEGRAM_MODE");
  EXPECT_EQ(error_variable({{"BOOTSTRAP_ADMINS", "1,two"}}), "BOOTSTRAP_ADMINS");
  EXPECT_EQ(error_variable({{"PUBLIC_URL", "ftp://x"}}), "PUBLIC_URL");
  EXPECT_EQ(error_variable({{"MAX_BODY_BYTES", "-5"}}), "MAX_BODY_BYTES");
  EXPECT_EQ(error_variable({{"REDIS_URL", "localhost:6379"}}), "REDIS_URL");
  EXPECT_EQ(error_variable({{"TELEGRAM_BOT_TOKEN", "no-colon"}}), "TELEGRAM_BOT_TOKEN");
}

TEST(Config, ListsAndBooleansParse) {
  const Config config = load({}, {{"BOOTSTRAP_ADMINS", " 10, 20 ,30"},
                                  {"DEMO", "true"},
                                  {"ALLOWED_ORIGINS", "https://a.example,https://b.example"},
                                  {"HTTP_THREADS", "3"},
                                  {"HTTP_HOST", "::1"}});
  EXPECT_EQ(config.bootstrap_admins, (std::vector<std::int64_t>{10, 20, 30}));
  EXPECT_TRUE(config.demo);
  EXPECT_EQ(config.allowed_origins.size(), 2u);
  EXPECT_EQ(config.http_threads, 3);
  EXPECT_EQ(config.http_host, "::1");
}

// Issue 12: an empty value (LOG_LEVEL=, from any source) means the variable's default, as
// HTTP_PORT= always did, and never an error.
TEST(Config, EmptyValueMeansTheDefaultFromEverySource) {
  for (const auto& variable : config_variables()) {
    const std::string name(variable.name);
    EXPECT_NO_THROW(load({{name, ""}})) << name << " as a flag";
    EXPECT_NO_THROW(load({}, {{name, "  "}})) << name << " in the environment";
    EXPECT_NO_THROW(load({}, {}, {{name, ""}})) << name << " in .env";
  }
  EXPECT_EQ(load({}, {{"LOG_LEVEL", ""}}).log_level, "info");
  EXPECT_EQ(load({}, {}, {{"ATTACHMENTS_DIR", ""}}).attachments_dir, "data/attachments");
  EXPECT_EQ(load({{"TELEGRAM_API_URL", ""}}).telegram_api_url, "https://api.telegram.org");
  EXPECT_EQ(load({{"HTTP_PORT", ""}}, {}, {{"HTTP_PORT", "1001"}}).http_port, 8000);
}

TEST(Config, LogFormatIsTextOrJson) {
  EXPECT_EQ(load().log_format, "text");
  EXPECT_EQ(load({}, {{"LOG_FORMAT", "json"}}).log_format, "json");
  EXPECT_EQ(error_variable({{"LOG_FORMAT", "xml"}}), "LOG_FORMAT");
}

TEST(DotEnv, UnknownKeysAreNamed) {
  const auto settings = parse_dotenv("HTTP_PORT=1\nHTTP_PROT=2\nLOG_LEVEL=info\nFOO=bar\n");
  EXPECT_EQ(unknown_settings(settings), (std::vector<std::string>{"FOO", "HTTP_PROT"}));
}

TEST(Config, FlagNamesAreTheVariablesInKebabCase) {
  EXPECT_EQ(flag_name("HTTP_PORT"), "--http-port");
  EXPECT_EQ(flag_name("INIT_DATA_MAX_AGE"), "--init-data-max-age");
}

TEST(DotEnv, ParsesCommentsExportQuotesAndInlineComments) {
  const auto settings = parse_dotenv(
      "# a comment\n"
      "\n"
      "HTTP_PORT=9000\n"
      "export LOG_LEVEL=debug\n"
      "PUBLIC_URL=\"https://x.example/#anchor\"\n"
      "TELEGRAM_BOT_TOKEN='1:abc def'\n"
      "DEMO=1 # on for now\n"
      "  SPACED = value  \r\n");
  EXPECT_EQ(settings.at("HTTP_PORT"), "9000");
  EXPECT_EQ(settings.at("LOG_LEVEL"), "debug");
  EXPECT_EQ(settings.at("PUBLIC_URL"), "https://x.example/#anchor");
  EXPECT_EQ(settings.at("TELEGRAM_BOT_TOKEN"), "1:abc def");
  EXPECT_EQ(settings.at("DEMO"), "1");
  EXPECT_EQ(settings.at("SPACED"), "value");
}

TEST(DotEnv, MalformedLineNamesItsNumber) {
  try {
    parse_dotenv("A=1\nthis line is wrong\n");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.variable(), ".env");
    EXPECT_STREQ(error.what(), "line 2: expected KEY=VALUE");
  }
  EXPECT_THROW(parse_dotenv("A=\"unterminated\n"), ConfigError);
}

TEST(DotEnv, MissingFileIsNoSettings) {
  EXPECT_TRUE(read_dotenv_file("/nonexistent/.env").empty());
}

// .env.example is the operator's reference: it must list every variable, with its default.
TEST(DotEnvExample, ListsEveryVariable) {
  std::ifstream file(std::string(TICKETBOT_SOURCE_DIR) + "/.env.example");
  ASSERT_TRUE(file) << ".env.example is missing";
  std::stringstream content;
  content << file.rdbuf();
  std::set<std::string> listed;
  std::string line;
  while (std::getline(content, line)) {
    if (line.starts_with("# ")) line = line.substr(2);
    const auto equals = line.find('=');
    if (equals != std::string::npos) listed.insert(line.substr(0, equals));
  }
  for (const auto& variable : config_variables()) {
    EXPECT_TRUE(listed.contains(std::string(variable.name))) << variable.name;
  }
}

}  // namespace
}  // namespace tb::app
