#include "app/application.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "api/auth_routes.hpp"
#include "api/auto_reply_routes.hpp"
#include "api/canned_reply_routes.hpp"
#include "api/category_routes.hpp"
#include "api/forecast_routes.hpp"
#include "api/report_routes.hpp"
#include "api/settings_routes.hpp"
#include "api/statistics_routes.hpp"
#include "api/telegram_routes.hpp"
#include "api/ticket_routes.hpp"
#include "api/user_routes.hpp"
#include "app/maintenance.hpp"
#include "app/runtime.hpp"
#include "http/server.hpp"
#include "service/demo_data.hpp"

#ifndef TICKETBOT_VERSION
#define TICKETBOT_VERSION "0.0.0"
#endif

namespace tb::app {
namespace {

std::unique_ptr<store::Store> open_configured_store(const Config& config) {
  return store::open_store(
      config.database_url,
      store::StoreOptions{.reader_connections = config.worker_threads + config.write_threads});
}

// The crash-recovery tests' fault point, not a setting (read from the environment only):
// with TB_FAULT_EXIT_BEFORE_EVENT=N the process ends as if killed (exit code 137) when its
// Nth event since start-up is committed but not yet handed to the hub.
std::function<void()> fault_before_event() {
  const char* value = std::getenv("TB_FAULT_EXIT_BEFORE_EVENT");
  if (!value) return [] {};
  return [left = std::strtoull(value, nullptr, 10)]() mutable {
    if (left != 0 && --left == 0) std::_Exit(137);
  };
}

http::ServerOptions server_options(const Config& config) {
  return http::ServerOptions{
      .host = config.http_host,
      .port = config.http_port,
      .max_body_bytes = config.max_body_bytes,
      .read_timeout = config.http_read_timeout,
      .idle_timeout = config.http_idle_timeout,
      .shutdown_timeout = config.shutdown_timeout,
      .trusted_proxies = config.trusted_proxies,
      .max_connections_per_address = static_cast<std::size_t>(config.max_connections_per_address),
      .websocket = http::WebSocketOptions{.send_queue_frames =
                                              static_cast<std::size_t>(config.ws_send_queue),
                                          .idle_timeout = config.ws_idle_timeout},
      // SQLite answers a quick read from its page cache in microseconds: less than handing
      // it to a worker thread costs. PostgreSQL's reads wait for a network round trip.
      .quick_reads_inline = config.database_url.starts_with("sqlite:")};
}

RuntimeOptions runtime_options(const Config& config) {
  return RuntimeOptions{.connection_threads = config.http_threads,
                        .read_workers = config.worker_threads,
                        .write_workers = config.write_threads};
}

std::vector<http::Metrics::RouteLabel> route_labels(const http::Router& router) {
  std::vector<http::Metrics::RouteLabel> labels;
  for (const auto& route : router.routes()) {
    labels.push_back({std::string(http::method_name(route.method)), route.pattern});
  }
  return labels;
}

// Demo people have made-up Telegram ids that a real account could one day have; a real
// deployment must not share a database with them unless its operator says so.
void refuse_demo_data_unless_allowed(const Config& config, store::Store& store) {
  if (config.demo || config.allow_demo_data) return;
  if (store.schema_version() < 1 || !store.get_setting(store::kDemoDataSetting)) return;
  throw ConfigError("DATABASE_URL",
                    "database " + config.database_url.substr(config.database_url.find(':') + 1) +
                        " holds demo data (seeded by `ticketbot demo` or DEMO=1), whose made-up "
                        "Telegram ids could collide with real people; use another database, or "
                        "start with --allow-demo-data (ALLOW_DEMO_DATA=1) to serve it anyway");
}

// What an operator should know at start, one line each: settings accepted but not used yet,
// and a server nobody can log in to.
void log_startup_notes(const Config& config) {
  for (const auto& note : inactive_setting_notes(config)) spdlog::warn("{}", note);
  if (config.telegram_bot_token.empty() && !config.demo) {
    spdlog::warn(
        "nobody can log in: TELEGRAM_BOT_TOKEN is not set (Mini App and Login Widget logins need "
        "it) and demo mode is off (DEMO=1 for demo logins)");
  }
  if (config.public_url.empty() && config.allowed_origins.empty() && !config.demo) {
    spdlog::warn(
        "PUBLIC_URL is not set: browser pages (the Mini App) may not open WebSockets here; set "
        "it to the public address the Mini App is served from");
  }
}

void log_migrations(const store::MigrationReport& report) {
  for (const auto& name : report.applied) spdlog::info("migration applied: {}", name);
  spdlog::info("database schema at version {}", report.version_after);
}

// Often enough that an ended session closes its WebSockets well within a minute (and
// within a quarter of its lifetime when sessions are short), rarely enough to cost nothing.
std::chrono::milliseconds credentials_check_interval(const Config& config) {
  using std::chrono::milliseconds;
  const auto quarter = std::chrono::duration_cast<milliseconds>(config.session_ttl) / 4;
  return std::clamp(quarter, milliseconds(250), milliseconds(15000));
}

void log_stop_reason(const StopReason& reason) {
  switch (reason.cause) {
    case StopReason::Cause::signal:
      spdlog::info("shutting down on signal {}", reason.signal);
      break;
    case StopReason::Cause::task_failed:
      spdlog::error("shutting down because task {}", reason.detail);
      break;
    case StopReason::Cause::requested: spdlog::info("shutting down"); break;
  }
}

// Stops the background tasks, last started first, within SHUTDOWN_TIMEOUT (at least 5 s: a
// loop needs a moment to notice even with SHUTDOWN_TIMEOUT=0). One that does not stop in
// time may still be using the store: closing it under the task is not safe, so the process
// ends here.
void stop_tasks(Runtime& runtime, std::chrono::seconds shutdown_timeout) {
  const auto timeout = std::max(shutdown_timeout, std::chrono::seconds(5));
  const auto late = runtime.tasks().stop(std::chrono::steady_clock::now() + timeout);
  if (late.empty()) return;
  std::string names;
  for (const auto& name : late) names += (names.empty() ? "" : ", ") + name;
  spdlog::error("shutdown: task(s) {} did not stop within {}s; exiting without cleanup", names,
                timeout.count());
  spdlog::default_logger()->flush();
  std::_Exit(1);
}

telegram::SendLimits send_limits(const Config& config) {
  telegram::SendLimits limits;
  limits.enabled = config.telegram_send_limits;
  return limits;
}

std::unique_ptr<telegram::TelegramBot> make_bot(const Config& config,
                                                telegram::BotServices services) {
  if (config.telegram_bot_token.empty() || config.telegram_mode == TelegramMode::off) {
    spdlog::info("telegram: the bot is off ({})",
                 config.telegram_bot_token.empty() ? "no TELEGRAM_BOT_TOKEN" : "TELEGRAM_MODE=off");
    return nullptr;
  }
  auto& auth = services.auth;
  return std::make_unique<telegram::TelegramBot>(
      telegram::TelegramSettings{.token = config.telegram_bot_token,
                                 .api_url = config.telegram_api_url,
                                 .webhook = config.telegram_mode == TelegramMode::webhook,
                                 .webhook_url = config.telegram_webhook_url,
                                 .webhook_secret = config.telegram_webhook_secret,
                                 .webapp_url = config.webapp_url,
                                 .staff_chat_id = config.staff_chat_id,
                                 .limits = send_limits(config)},
      services, [&auth](const std::string& username) { auth.set_bot_username(username); });
}

service::AuthOptions auth_options(const Config& config) {
  return service::AuthOptions{.bot_token = config.telegram_bot_token,
                              .init_data_max_age = config.init_data_max_age,
                              .session_ttl = config.session_ttl,
                              .bootstrap_developers = config.bootstrap_developers,
                              .bootstrap_admins = config.bootstrap_admins,
                              .demo = config.demo};
}

service::StaffingTargets staffing_targets(const Config& config) {
  return service::StaffingTargets{.handling_time = config.forecast_handling_time,
                                  .service_level = config.forecast_service_level_percent / 100.0,
                                  .first_response = config.forecast_first_response};
}

}  // namespace

Application::Application(const Config& config, std::unique_ptr<store::Store> store, Clock clock)
    : store_(std::move(store)),
      health_(*store_),
      auth_(*store_, permissions_, auth_options(config), clock),
      users_(*store_, auth_, permissions_, clock),
      categories_(*store_, clock),
      auto_replies_(*store_, clock),
      canned_replies_(*store_, clock),
      settings_(*store_, clock),
      tickets_(*store_, auto_replies_, clock, config.message_rate_limit, &settings_),
      statistics_(*store_, clock),
      forecasts_(*store_, staffing_targets(config), clock),
      undelivered_(*store_),
      reports_(*store_, clock),
      hub_(realtime::HubOptions{.max_connections_per_user = config.ws_max_connections_per_user,
                                .auth_timeout = config.ws_auth_timeout,
                                .credentials_check = credentials_check_interval(config)}),
      dashboard_(hub_, statistics_),
      login_limiter_(config.auth_rate_limit, std::chrono::minutes(1)),
      assets_(api::load_web_assets(resolve_web_root(config))),
      endpoints_(router_, auth_),
      kept_pages_(config.list_cache_bytes),
      websocket_options_{.public_url = config.public_url,
                         .allowed_origins = config.allowed_origins,
                         .allow_loopback_origins = config.demo} {
  events_from_ = store_->event_log_bounds().last;
  permissions_.load(store_->load_role_permissions());
  if (config.demo) auth_.seed_demo_people();
  if (assets_.app.size() == 0)
    spdlog::warn("no Mini App files under {}/app", resolve_web_root(config).string());
  if (assets_.docs.size() == 0)
    spdlog::warn("no API docs files under {}/docs", resolve_web_root(config).string());

  api::add_operations_routes(router_, health_, metrics_, assets_, config.public_url);
  api::add_auth_routes(endpoints_, auth_, login_limiter_);
  api::add_user_routes(endpoints_, users_);
  api::add_category_routes(endpoints_, categories_, kept_pages_);
  api::add_auto_reply_routes(endpoints_, auto_replies_);
  api::add_canned_reply_routes(endpoints_, canned_replies_);
  api::add_settings_routes(endpoints_, settings_);
  api::add_ticket_routes(endpoints_, tickets_, kept_pages_);
  api::add_telegram_routes(endpoints_, undelivered_);
  api::add_statistics_routes(endpoints_, statistics_);
  api::add_forecast_routes(endpoints_, forecasts_);
  api::add_report_routes(endpoints_, reports_, reports::WriterOptions{});
  bot_ = make_bot(config, telegram::BotServices{*store_, auth_, tickets_, categories_});
  if (bot_) bot_->add_routes(router_);
  metrics_.set_routes(route_labels(router_));
  metrics_.set_version(TICKETBOT_VERSION);
  metrics_.add_counter("ticketbot_ticket_list_cache_hits_total",
                       "Ticket lists answered from rendered pages kept since the last write.",
                       [this] { return kept_pages_.counts().hits; });
  metrics_.add_counter("ticketbot_ticket_list_cache_misses_total",
                       "Ticket lists read from the store.",
                       [this] { return kept_pages_.counts().misses; });
  if (bot_) {
    metrics_.add_counter("ticketbot_telegram_updates_processed_total",
                         "Telegram updates the bot has processed.",
                         [this] { return bot_->updates_processed(); });
    metrics_.add_counter("ticketbot_telegram_messages_sent_total",
                         "Messages the bot has sent to Telegram.",
                         [this] { return bot_->messages_sent(); });
  }
  metrics_.add_gauge(
      "ticketbot_telegram_deliveries_pending", "Telegram messages waiting to be sent.",
      [this] { return static_cast<std::uint64_t>(store_->delivery_counts().pending); });
  metrics_.add_gauge(
      "ticketbot_telegram_deliveries_dead",
      "Telegram messages parked after failing for good (see GET /telegram/deliveries).",
      [this] { return static_cast<std::uint64_t>(store_->delivery_counts().dead); });
}

void Application::follow_events(std::stop_token stop) {
  auto deliver = [this, fault = fault_before_event()](const Event& event) mutable {
    fault();
    if (is_ticket_event(event.kind)) {
      dashboard_.ticket_changed(event);
      return hub_.deliver(event);
    }
    forget_what_changed(event);
  };
  service::EventFollower(*store_, std::move(deliver), events_from_).run(stop);
}

// This instance forgot these already when it made the change; the log tells the others
// (and this one again, harmlessly).
void Application::forget_what_changed(const Event& event) {
  switch (event.kind) {
    case EventKind::identity_changed: return auth_.forget_user(event.user_id);
    case EventKind::session_ended: return auth_.forget_session(event.session_hash);
    case EventKind::permissions_changed:
      permissions_.load(store_->load_role_permissions());
      return auth_.permissions_changed();
    default: return;
  }
}

http::WebSocketAcceptor Application::websocket_acceptor() {
  return realtime::make_websocket_acceptor(realtime::ClientServices{hub_, auth_, tickets_},
                                           websocket_options_);
}

std::filesystem::path resolve_web_root(const Config& config) {
  if (!config.web_root.empty()) return config.web_root;
  std::error_code error;
  const auto executable_dir = std::filesystem::read_symlink("/proc/self/exe", error).parent_path();
  for (auto candidate : {executable_dir / "web", executable_dir / "../share/ticketbot/web"}) {
    if (std::filesystem::is_directory(candidate, error)) return candidate.lexically_normal();
  }
  return executable_dir / "web";
}

int run_server(const Config& config) {
  // Start-up: the runtime first (it holds SIGINT/SIGTERM from here on), then the store,
  // the application and the bound server; nothing runs until runtime.start().
  Runtime runtime(runtime_options(config));
  auto store = open_configured_store(config);
  refuse_demo_data_unless_allowed(config, *store);
  log_startup_notes(config);
  log_migrations(store->migrate());
  auto application = std::make_unique<Application>(config, std::move(store));
  if (config.demo) {
    if (const int seeded = service::seed_demo_data(application->store(), system_now())) {
      spdlog::info("demo data: {} tickets seeded", seeded);
    }
    application->skip_logged_events();
  }
  Maintenance maintenance(application->tickets(), std::chrono::days(config.auto_close_days),
                          application->store(),
                          store::EventRetention{.max_age = config.event_log_retain_age,
                                                .max_count = config.event_log_retain_count});
  runtime.tasks().add_thread(
      "event follower", [&application](std::stop_token stop) { application->follow_events(stop); });
  runtime.tasks().add_thread("dashboard feed", [&application](std::stop_token stop) {
    application->push_statistics(stop);
  });
  runtime.tasks().add_thread("maintenance",
                             [&maintenance](std::stop_token stop) { maintenance.run(stop); });
  if (auto* bot = application->bot()) {
    runtime.tasks().add_thread("telegram notifier",
                               [bot](std::stop_token stop) { bot->run_notifier(stop); });
    runtime.tasks().add_thread("telegram sender",
                               [bot](std::stop_token stop) { bot->run_sender(stop); });
    runtime.tasks().add_thread("telegram updates",
                               [bot](std::stop_token stop) { bot->run_updates(stop); });
    if (bot->long_polling()) {
      runtime.tasks().add_thread("telegram poller",
                                 [bot](std::stop_token stop) { bot->run_poller(stop); });
    }
    runtime.tasks().add_thread("telegram answers",
                               [bot](std::stop_token stop) { bot->run_answers(stop); });
  }
  auto server = std::make_unique<http::Server>(
      server_options(config),
      http::ServerThreads{runtime.io(), runtime.read_workers(), runtime.write_workers(),
                          runtime.connection_contexts()},
      application->router(), application->metrics(), application->websocket_acceptor());
  if (config.demo) {
    spdlog::info("demo mode: Mini App at http://{}:{}/app/, API docs at http://{}:{}/docs",
                 config.http_host, server->port(), config.http_host, server->port());
  }
  runtime.start();  // io threads, signals, then the tasks in the order added
  server->start();  // accepting

  // Serving, until the first signal or a task that fails.
  log_stop_reason(runtime.wait_for_stop());

  // The shutdown, in this order. A second signal from here on exits at once.
  spdlog::info("shutdown 1/5: stop accepting connections");
  server->request_stop();
  server->wait_until_drained();
  server.reset();
  spdlog::info("shutdown 2/5: HTTP requests and WebSockets drained");
  stop_tasks(runtime, config.shutdown_timeout);
  spdlog::info("shutdown 3/5: background tasks stopped");
  // Nothing writes any more: what the store still has queued commits as it closes.
  spdlog::info("shutdown 4/5: flushing logs");
  spdlog::default_logger()->flush();
  application.reset();
  spdlog::info("shutdown 5/5: store closed");
  runtime.stop();
  spdlog::info("stopped");
  return runtime.exit_code();
}

void run_migrate(const Config& config, bool status_only) {
  auto store = open_configured_store(config);
  if (status_only) {
    const int version = store->schema_version();
    const int latest = store->latest_known_version();
    std::cout << "database schema version " << version << "; this binary knows up to " << latest
              << (version < latest ? " (run `ticketbot migrate` to upgrade)" : "") << '\n';
    return;
  }
  const auto report = store->migrate();
  for (const auto& name : report.applied) std::cout << "applied " << name << '\n';
  std::cout << "database schema at version " << report.version_after
            << (report.applied.empty() ? " (already up to date)" : "") << '\n';
}

}  // namespace tb::app
