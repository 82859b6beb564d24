// Issue 12 and 15 over the real binary: what start-up says, JSON logs, /metrics, demo data
// kept apart from real data, and a full disk answered honestly.
#include <fstream>
#include <set>
#include <sstream>
#include <sys/mount.h>
#include <thread>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../support/init_data_signer.hpp"
#include "test_server.hpp"

namespace tb::testing {
namespace {

const std::string kBotToken = "4242:operations-token";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

std::size_t lines_containing(const std::string& log, const std::string& needle) {
  std::size_t count = 0;
  for (const auto& line : lines_of(log)) count += line.find(needle) != std::string::npos;
  return count;
}

// What the binary left on disk, read after it stopped, read-only and raw on purpose: these tests
// check the file a separate process wrote, and opening it through a Store would write to it
// (journal mode, migrations) and could hide a row the Store interface has no query for (any
// demo person at all, not only the five the service names).
std::int64_t count_rows(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::int64_t count = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    count = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return count;
}

std::string bearer_for(TestServer& server, std::int64_t telegram_id) {
  const auto body = boost::json::serialize(
      boost::json::object{{"init_data", init_data_for(telegram_id, "Ops", kBotToken)}});
  const auto login = server.request("POST", "/auth/telegram", body);
  EXPECT_EQ(login.status, 200) << login.body;
  return "Authorization: Bearer " +
         std::string(boost::json::parse(login.body).at("token").as_string()) + "\r\n";
}

TEST(Operations, JsonLogFormatWritesOneJsonObjectPerLine) {
  TestServer server(Environment{{"LOG_FORMAT", "json"}});
  EXPECT_EQ(server.request("GET", "/healthz").status, 200);
  // A path with a quote and a backslash (decoded from %22 and %5C): the access line must
  // still be valid JSON.
  EXPECT_EQ(server.request("GET", "/no%22such%5Cpath").status, 404);
  ASSERT_EQ(server.stop(SIGTERM), 0);
  const auto lines = lines_of(server.log());
  ASSERT_GT(lines.size(), 3u);
  bool saw_access_line = false;
  for (const auto& line : lines) {
    boost::system::error_code error;
    const auto value = boost::json::parse(line, error);
    ASSERT_FALSE(error) << "not JSON: " << line;
    ASSERT_TRUE(value.is_object()) << line;
    const auto& object = value.as_object();
    EXPECT_TRUE(object.contains("time") && object.contains("level") && object.contains("message"))
        << line;
    EXPECT_TRUE(std::string(object.at("time").as_string()).ends_with("Z")) << line;
    if (std::string(object.at("message").as_string()).find("such") != std::string::npos) {
      saw_access_line = true;
    }
  }
  EXPECT_TRUE(saw_access_line) << server.log();
}

TEST(Operations, StartupSaysInOneLineWhenNobodyCanLogIn) {
  TestServer nobody;
  EXPECT_EQ(lines_containing(nobody.log(), "nobody can log in"), 1u) << nobody.log();
  TestServer with_token(Environment{{"TELEGRAM_BOT_TOKEN", kBotToken}});
  EXPECT_EQ(lines_containing(with_token.log(), "nobody can log in"), 0u) << with_token.log();
  TestServer demo(Environment{{"DEMO", "1"}});
  EXPECT_EQ(lines_containing(demo.log(), "nobody can log in"), 0u) << demo.log();
}

TEST(Operations, SettingsThatDoNothingYetSayItAtStart) {
  TestServer quiet;
  EXPECT_EQ(lines_containing(quiet.log(), "not built yet"), 0u) << quiet.log();

  TestServer server(Environment{{"TELEGRAM_BOT_TOKEN", kBotToken},
                                {"TELEGRAM_MODE", "off"},
                                {"REDIS_URL", "redis://127.0.0.1:6379/0"},
                                {"ATTACHMENTS_DIR", "files"},
                                {"MAX_UPLOAD_BYTES", "4096"}});
  const auto log = server.log();
  // The bot is built: its settings work, and "off" is said once.
  EXPECT_EQ(lines_containing(log, "not built yet"), 3u) << log;
  EXPECT_EQ(lines_containing(log, "the bot is off (TELEGRAM_MODE=off)"), 1u) << log;
  EXPECT_EQ(lines_containing(log, "REDIS_URL"), 1u) << log;
  EXPECT_EQ(lines_containing(log, "ATTACHMENTS_DIR"), 1u) << log;
  EXPECT_EQ(lines_containing(log, "MAX_UPLOAD_BYTES"), 1u) << log;
}

TEST(Operations, MetricsCarryBuildInfoAndProcessFigures) {
  TestServer server;
  const auto metrics = server.request("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ticketbot_build_info{version=\""), std::string::npos);
  for (const std::string name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                                 "process_open_fds ", "process_start_time_seconds "}) {
    EXPECT_NE(metrics.body.find("\n" + name), std::string::npos) << name;
  }
}

TEST(Operations, MethodNotAllowedIsCountedUnderItsRoute) {
  TestServer server;
  EXPECT_EQ(server.request("DELETE", "/healthz").status, 405);
  // A request is counted once its answer is out: the client may ask a moment before.
  std::string metrics;
  for (int attempt = 0; attempt < 100; ++attempt) {
    metrics = server.request("GET", "/metrics").body;
    if (metrics.find("status=\"405\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(metrics.find("route=\"/healthz\",status=\"405\""), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("route=\"unmatched\",status=\"405\""), std::string::npos) << metrics;
}

TEST(Operations, DemoPeopleAreNeverCreatedWithoutDemo) {
  TestServer server(Environment{{"TELEGRAM_BOT_TOKEN", kBotToken}});
  ASSERT_EQ(server.request("GET", "/healthz").status, 200);
  ASSERT_EQ(server.stop(SIGTERM), 0);
  const auto database = server.directory() / "test.db";
  EXPECT_EQ(count_rows(database, "SELECT count(*) FROM users WHERE telegram_id >= 9000000000"), 0);
  EXPECT_EQ(count_rows(database, "SELECT count(*) FROM settings WHERE key = 'demo_data'"), 0);
}

TEST(Operations, DemoDatabaseIsRefusedInServeModeUnlessAllowed) {
  const auto directory = make_temp_directory();
  const std::string url = "sqlite:" + (directory / "shared.db").string();
  {
    TestServer demo(Environment{{"DATABASE_URL", url}}, "demo");
    ASSERT_EQ(demo.stop(SIGTERM), 0);
  }
  EXPECT_EQ(count_rows(directory / "shared.db",
                       "SELECT count(*) FROM settings WHERE key = "
                       "'demo_data'"),
            1);
  const auto refused = run_ticketbot({"serve"}, {{"DATABASE_URL", url}}, directory);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("demo data"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--allow-demo-data"), std::string::npos) << refused.output;
  EXPECT_EQ(std::count(refused.output.begin(), refused.output.end(), '\n'), 1) << refused.output;

  TestServer allowed(Environment{{"DATABASE_URL", url}, {"ALLOW_DEMO_DATA", "1"}});
  EXPECT_EQ(allowed.request("GET", "/healthz").status, 200);
  std::filesystem::remove_all(directory);
}

// Issue 15: a full disk is 507 insufficient_storage and /healthz says so, until a write
// succeeds again; every ticket that was answered 201 is still there.
TEST(Operations, FullDiskAnswers507AndHealthzSaysSoUntilWritesSucceed) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  const auto mount_point = make_temp_directory();
  if (mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=2m") != 0) {
    std::filesystem::remove_all(mount_point);
    GTEST_SKIP() << "mount -t tmpfs is not permitted here: " << std::strerror(errno);
  }
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() {
      umount2(path.c_str(), MNT_DETACH);
      std::filesystem::remove_all(path);
    }
  } unmount{mount_point};
  {
    TestServer server(Environment{{"DATABASE_URL", "sqlite:" + (mount_point / "t.db").string()},
                                  {"TELEGRAM_BOT_TOKEN", kBotToken},
                                  {"MESSAGE_RATE_LIMIT", "1000000"}});
    const auto who = bearer_for(server, 5150);
    const std::string body = boost::json::serialize(
        boost::json::object{{"subject", "Filling the disk"}, {"body", std::string(4000, 'x')}});
    std::vector<std::int64_t> acknowledged;
    HttpResponse last;
    for (int i = 0; i < 3000; ++i) {
      last = server.request("POST", "/tickets", body, who);
      if (last.status != 201) break;
      acknowledged.push_back(boost::json::parse(last.body).at("id").as_int64());
    }
    ASSERT_EQ(last.status, 507) << last.body;
    EXPECT_EQ(boost::json::parse(last.body).at("error").at("code").as_string(),
              "insufficient_storage");
    ASSERT_FALSE(acknowledged.empty());

    const auto health = server.request("GET", "/healthz");
    EXPECT_EQ(health.status, 503) << health.body;
    EXPECT_EQ(boost::json::parse(health.body).at("database").as_string(), "full") << health.body;

    for (const auto id : acknowledged) {
      ASSERT_EQ(server.request("GET", "/tickets/" + std::to_string(id), "", who).status, 200) << id;
    }

    // Room again: the next write succeeds and health recovers.
    ASSERT_EQ(mount("tmpfs", mount_point.c_str(), "tmpfs", MS_REMOUNT, "size=16m"), 0);
    const auto after = server.request("POST", "/tickets", body, who);
    EXPECT_EQ(after.status, 201) << after.body;
    const auto healthy = server.request("GET", "/healthz");
    EXPECT_EQ(healthy.status, 200) << healthy.body;
    EXPECT_EQ(boost::json::parse(healthy.body).at("database").as_string(), "ok");
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
}

}  // namespace
}  // namespace tb::testing
