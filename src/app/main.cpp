// ticketbot: the one binary. Subcommands serve, demo, migrate and version; settings from
// flags, the environment and .env (in that order of precedence).
#include <algorithm>
#include <iostream>
#include <map>
#include <system_error>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/application.hpp"
#include "app/config.hpp"
#include "store/store.hpp"

#ifndef TICKETBOT_VERSION
#define TICKETBOT_VERSION "0.0.0"
#endif

namespace {

using tb::app::Settings;

constexpr int kExitFailure = 1;
constexpr int kExitBadConfiguration = 2;

// Variables whose flag twin is a bare switch (--allow-demo-data) rather than --name VALUE.
bool is_switch(const std::string& name) {
  return name == "ALLOW_DEMO_DATA";
}

// The --flag twins of every configuration variable, on one subcommand.
struct ConfigFlags {
  std::map<std::string, std::string> values;
  std::map<std::string, bool> switches;
  std::vector<std::pair<std::string, CLI::Option*>> options;
  std::string env_file = ".env";
  Settings dotenv;  // read by load()

  void attach(CLI::App& command) {
    for (const auto& variable : tb::app::config_variables()) {
      const std::string name(variable.name);
      std::string help = std::string(variable.description) + " [" + name;
      if (!variable.default_value.empty())
        help += ", default " + std::string(variable.default_value);
      if (is_switch(name)) {
        options.emplace_back(
            name, command.add_flag(tb::app::flag_name(name), switches[name], help + "]"));
        continue;
      }
      options.emplace_back(name,
                           command.add_option(tb::app::flag_name(name), values[name], help + "]"));
    }
    command.add_option("--env-file", env_file, "read settings from this file [default .env]");
  }

  Settings given() const {
    Settings settings;
    for (const auto& [name, option] : options) {
      if (option->count() == 0) continue;
      settings[name] = is_switch(name) ? "1" : values.at(name);
    }
    return settings;
  }
};

tb::app::Config load(ConfigFlags& flags, const Settings& overrides = {}) {
  flags.dotenv = tb::app::read_dotenv_file(flags.env_file);
  tb::app::ConfigSources sources{flags.given(), tb::app::read_environment(), flags.dotenv};
  // A subcommand's own defaults apply only where no source names the variable.
  for (const auto& [name, value] : overrides) {
    if (!sources.flags.contains(name) && !sources.environment.contains(name) &&
        !sources.dotenv.contains(name)) {
      sources.flags[name] = value;
    }
  }
  return tb::app::load_config(sources);
}

int fail(const std::string& variable, const std::string& message) {
  std::cerr << "ticketbot: " << variable << ": " << message << '\n';
  return kExitBadConfiguration;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ticketbot: a support-ticket system for Telegram (bot, Mini App, REST + WebSocket "
      "API).\nEvery setting can come from a --flag, the environment or .env.",
      "ticketbot"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ticketbot ") + TICKETBOT_VERSION,
                       "print the version and exit");

  ConfigFlags serve_flags, demo_flags, migrate_flags;
  auto* serve = app.add_subcommand("serve", "run the server");
  serve_flags.attach(*serve);
  auto* demo = app.add_subcommand(
      "demo", "run the server in demo mode (DEMO=1, database sqlite:data/demo.db unless set)");
  demo_flags.attach(*demo);
  auto* migrate = app.add_subcommand("migrate", "apply pending database migrations and exit");
  migrate_flags.attach(*migrate);
  bool status_only = false;
  migrate->add_flag("--status", status_only, "only print the schema version, change nothing");
  app.add_subcommand("version", "print the version and exit");

  // CLI11 would call a stray word an "extra argument"; say plainly that no such command exists.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string command = argv[1];
    const auto subcommands = app.get_subcommands([](CLI::App*) { return true; });
    if (std::none_of(subcommands.begin(), subcommands.end(),
                     [&](const CLI::App* known) { return known->get_name() == command; })) {
      std::cerr << "ticketbot: unknown command '" << command << "'; run ticketbot --help\n";
      return kExitBadConfiguration;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadConfiguration;
  }

  if (app.got_subcommand("version")) {
    std::cout << "ticketbot " << TICKETBOT_VERSION << '\n';
    return 0;
  }
  try {
    tb::app::Config config;
    ConfigFlags* flags = &migrate_flags;
    if (app.got_subcommand(serve)) {
      flags = &serve_flags;
      config = load(serve_flags);
    } else if (app.got_subcommand(demo)) {
      flags = &demo_flags;
      config = load(demo_flags, {{"DEMO", "1"}, {"DATABASE_URL", "sqlite:data/demo.db"}});
    } else {
      config = load(migrate_flags);
    }
    tb::app::setup_logging(config.log_level, config.log_format);
    for (const auto& name : tb::app::unknown_settings(flags->dotenv)) {
      spdlog::warn("{}: unknown setting {} ignored (misspelt? see .env.example)", flags->env_file,
                   name);
    }
    if (app.got_subcommand(migrate)) {
      tb::app::run_migrate(config, status_only);
    } else {
      return tb::app::run_server(config);
    }
  } catch (const tb::app::ConfigError& error) {
    return fail(error.variable(), error.what());
  } catch (const tb::store::StoreConfigError& error) {
    return fail("DATABASE_URL", error.what());
  } catch (const std::system_error& error) {
    return fail("HTTP_HOST/HTTP_PORT", std::string("cannot listen: ") + error.what());
  } catch (const std::exception& error) {
    std::cerr << "ticketbot: " << error.what() << '\n';
    return kExitFailure;
  }
  return 0;
}
