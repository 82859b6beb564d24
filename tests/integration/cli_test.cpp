// The ticketbot command line: subcommands, --help, configuration errors, migrations.
#include <cstring>
#include <fstream>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "test_server.hpp"

namespace tb::testing {
namespace {

class Cli : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(directory_); }
  CommandResult run(const std::vector<std::string>& arguments,
                    const std::map<std::string, std::string>& environment = {}) {
    return run_ticketbot(arguments, environment, directory_);
  }
  std::filesystem::path directory_ = make_temp_directory();
};

TEST_F(Cli, EverySubcommandHasHelp) {
  for (const std::string command : {"", "serve", "demo", "migrate", "version"}) {
    std::vector<std::string> arguments;
    if (!command.empty()) arguments.push_back(command);
    arguments.push_back("--help");
    const auto result = run(arguments);
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.output.find("Usage:"), std::string::npos) << command;
  }
  EXPECT_NE(run({"serve", "--help"}).output.find("--database-url"), std::string::npos);
}

TEST_F(Cli, VersionPrintsTheVersion) {
  const auto result = run({"version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output.rfind("ticketbot ", 0), 0u);
}

TEST_F(Cli, UnknownSubcommandOrFlagIsAUsageError) {
  EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run({"serve", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(run({}).exit_code, 2);
}

TEST_F(Cli, BadValueStopsAtOnceNamingTheVariable) {
  const auto from_environment = run({"serve"}, {{"HTTP_PORT", "abc"}});
  EXPECT_EQ(from_environment.exit_code, 2);
  EXPECT_EQ(from_environment.output,
            "ticketbot: HTTP_PORT: expected an integer from 0 to 65535, got 'abc'\n");

  const auto from_flag = run({"serve", "--log-level", "loud"});
  EXPECT_EQ(from_flag.exit_code, 2);
  EXPECT_EQ(from_flag.output.rfind("ticketbot: LOG_LEVEL: ", 0), 0u);
}

TEST_F(Cli, DotEnvFileIsReadAndFlagsWinOverIt) {
  std::ofstream(directory_ / ".env") << "# comment\nHTTP_PORT=99999\n";
  const auto from_dotenv = run({"serve"});
  EXPECT_EQ(from_dotenv.exit_code, 2);
  EXPECT_NE(from_dotenv.output.find("HTTP_PORT"), std::string::npos);

  // The flag's bad value is reported, not the .env one: flags come first.
  const auto flag_wins = run({"serve", "--http-port", "-1"});
  EXPECT_NE(flag_wins.output.find("got '-1'"), std::string::npos);
}

TEST_F(Cli, UnreachableDatabasePathStopsWithExitCode2) {
  const auto result = run({"serve"}, {{"DATABASE_URL", "sqlite:/nonexistent/deeper/x.db"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.output.rfind("ticketbot: DATABASE_URL: ", 0), 0u) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1);
}

TEST_F(Cli, MigrateAppliesOnceAndReportsStatus) {
  const std::map<std::string, std::string> environment{{"DATABASE_URL", "sqlite:db/app.db"}};
  const auto first = run({"migrate"}, environment);
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied 0001_settings"), std::string::npos);
  const auto second = run({"migrate"}, environment);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.output.find("already up to date"), std::string::npos);
  const auto status = run({"migrate", "--status"}, environment).output;
  EXPECT_NE(status.find("applied"), 0u);
  EXPECT_EQ(status.find("run `ticketbot migrate`"), std::string::npos) << status;
  EXPECT_NE(status.find("this binary knows up to"), std::string::npos) << status;
}

TEST_F(Cli, DatabaseNewerThanTheBinaryIsRefused) {
  const std::map<std::string, std::string> environment{{"DATABASE_URL", "sqlite:app.db"}};
  ASSERT_EQ(run({"migrate"}, environment).exit_code, 0);
  // A newer binary's migration written by hand: no store call can claim a version the binary
  // does not know, which is the point.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory_ / "app.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations(version, name) VALUES (9999, 'x')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto result = run({"serve"}, environment);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("newer than this binary"), std::string::npos) << result.output;
}

TEST_F(Cli, VersionFlagPrintsTheVersionLikeTheSubcommand) {
  const auto flag = run({"--version"});
  EXPECT_EQ(flag.exit_code, 0) << flag.output;
  EXPECT_EQ(flag.output, run({"version"}).output);
}

TEST_F(Cli, UnknownSubcommandIsNamedWithAHint) {
  const auto result = run({"frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.output, "ticketbot: unknown command 'frobnicate'; run ticketbot --help\n");
}

TEST_F(Cli, DemoAndMigrateHelpListTheirOptions) {
  const auto demo = run({"demo", "--help"});
  EXPECT_EQ(demo.exit_code, 0);
  EXPECT_NE(demo.output.find("--database-url"), std::string::npos) << demo.output;
  EXPECT_NE(demo.output.find("--log-format"), std::string::npos) << demo.output;
  const auto migrate = run({"migrate", "--help"});
  EXPECT_EQ(migrate.exit_code, 0);
  EXPECT_NE(migrate.output.find("--database-url"), std::string::npos) << migrate.output;
  EXPECT_NE(migrate.output.find("--status"), std::string::npos) << migrate.output;
  EXPECT_NE(run({"serve", "--help"}).output.find("--allow-demo-data"), std::string::npos);
}

TEST_F(Cli, EmptyVariableMeansItsDefault) {
  const auto result = run({"migrate"}, {{"DATABASE_URL", "sqlite:app.db"}, {"LOG_LEVEL", ""}});
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST_F(Cli, UnknownDotEnvKeyIsWarnedAboutInOneLine) {
  std::ofstream(directory_ / ".env") << "HTTP_PROT=8080\nLOG_LEVEL=info\n";
  const auto result = run({"migrate"}, {{"DATABASE_URL", "sqlite:app.db"}});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  const auto at = result.output.find("HTTP_PROT");
  ASSERT_NE(at, std::string::npos) << result.output;
  const auto line_start = result.output.rfind('\n', at) + 1;
  const auto line = result.output.substr(line_start, result.output.find('\n', at) - line_start);
  EXPECT_NE(line.find("unknown"), std::string::npos) << line;
  EXPECT_NE(line.find("warn"), std::string::npos) << line;
}

// Issue 15: a database file the process cannot write is refused at start, like a read-only
// directory. As root, permission bits do not stop writes, so the file is bind-mounted
// read-only onto itself instead.
TEST_F(Cli, ReadOnlyDatabaseFileIsRefusedAtStart) {
  const std::map<std::string, std::string> environment{{"DATABASE_URL", "sqlite:app.db"}};
  ASSERT_EQ(run({"migrate"}, environment).exit_code, 0);
  const auto file = directory_ / "app.db";
  bool mounted = false;
  if (geteuid() == 0) {
    if (mount(file.c_str(), file.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      GTEST_SKIP() << "running as root and bind mounts are not permitted, so the file cannot "
                      "be made read-only: "
                   << std::strerror(errno);
    }
    mounted = true;
    if (mount(nullptr, file.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      umount2(file.c_str(), MNT_DETACH);
      GTEST_SKIP() << "cannot remount the bind mount read-only: " << std::strerror(errno);
    }
  } else {
    std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::group_read |
                                           std::filesystem::perms::others_read);
  }
  const auto result = run({"serve"}, environment);
  if (mounted) umount2(file.c_str(), MNT_DETACH);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output.rfind("ticketbot: DATABASE_URL: ", 0), 0u) << result.output;
  EXPECT_NE(result.output.find("read-only"), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

// Raw SQLite on purpose, both ways: the file is another application's, which no Store may
// create or open, and the check afterwards is that the binary wrote nothing into it.
TEST_F(Cli, DatabaseOfAnotherApplicationIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory_ / "other.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  for (const std::string command : {"serve", "migrate"}) {
    const auto result = run({command}, {{"DATABASE_URL", "sqlite:other.db"}});
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.output;
    EXPECT_NE(result.output.find("another application"), std::string::npos) << result.output;
  }
  // Nothing was written into it.
  ASSERT_EQ(sqlite3_open((directory_ / "other.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &statement, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 1);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST(CliServe, DemoStartsInDemoModeWithItsOwnDatabase) {
  TestServer server(Environment{{"DATABASE_URL", kUnset}}, "demo");
  EXPECT_EQ(server.request("GET", "/healthz").status, 200);
  EXPECT_TRUE(std::filesystem::exists(server.directory() / "data" / "demo.db"));
  EXPECT_NE(server.log().find("demo mode: Mini App at http://"), std::string::npos);
}

}  // namespace
}  // namespace tb::testing
