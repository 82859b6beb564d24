// The ticketbot command line: subcommands, --help, configuration errors, migrations.
#include <fstream>

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

TEST(CliServe, DemoStartsInDemoModeWithItsOwnDatabase) {
  TestServer server(Environment{{"DATABASE_URL", kUnset}}, "demo");
  EXPECT_EQ(server.request("GET", "/healthz").status, 200);
  EXPECT_TRUE(std::filesystem::exists(server.directory() / "data" / "demo.db"));
  EXPECT_NE(server.log().find("demo mode: Mini App at http://"), std::string::npos);
}

}  // namespace
}  // namespace tb::testing
