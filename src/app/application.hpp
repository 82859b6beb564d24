#pragma once

#include <filesystem>
#include <memory>
#include <thread>

#include "api/endpoints.hpp"
#include "api/operations_routes.hpp"
#include "api/page_cache.hpp"
#include "app/config.hpp"
#include "app/logging.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/websocket.hpp"
#include "realtime/dashboard_feed.hpp"
#include "realtime/hub.hpp"
#include "realtime/websocket_endpoint.hpp"
#include "service/auth_service.hpp"
#include "service/auto_reply_service.hpp"
#include "service/canned_reply_service.hpp"
#include "service/category_service.hpp"
#include "service/event_follower.hpp"
#include "service/forecast_service.hpp"
#include "service/health_service.hpp"
#include "service/permission_table.hpp"
#include "service/rate_limiter.hpp"
#include "service/report_service.hpp"
#include "service/settings_service.hpp"
#include "service/statistics_service.hpp"
#include "service/ticket_service.hpp"
#include "service/undelivered_messages.hpp"
#include "service/user_service.hpp"
#include "store/store.hpp"
#include "telegram/telegram_bot.hpp"

namespace tb::app {

// Every module wired together, without the network: the store, the services, and the
// routing table that serves them. run_server puts an http::Server in front of it; tests use
// it in-process. All wiring is visible in its constructor.
class Application {
 public:
  Application(const Config& config, std::unique_ptr<store::Store> store, Clock clock = system_now);

  http::Router& router() { return router_; }
  http::Metrics& metrics() { return metrics_; }
  const api::Endpoints& endpoints() const { return endpoints_; }
  service::AuthService& auth() { return auth_; }
  service::TicketService& tickets() { return tickets_; }
  service::CategoryService& categories() { return categories_; }
  // What the server calls for each upgrade on /ws.
  http::WebSocketAcceptor websocket_acceptor();
  store::Store& store() { return *store_; }
  // Follows the event log into the hub and the caches until `stop`: the body of the
  // "event follower" task (run_server), or of a thread in tests.
  void follow_events(std::stop_token stop);
  // Moves where follow_events begins to the log's end now: what was logged before serving
  // (demo data seeded after the application was made) is history, not news for the hub.
  void skip_logged_events() { events_from_ = store_->event_log_bounds().last; }
  // Sends the dashboard's stats.updated pushes that ticket events schedule, until `stop`: the
  // body of the "dashboard feed" task.
  void push_statistics(std::stop_token stop) { dashboard_.run(stop); }
  // The Telegram bot, or nothing when it is off (no token, or TELEGRAM_MODE=off).
  telegram::TelegramBot* bot() { return bot_.get(); }

 private:
  // Applies an identity event (a person's rights, a logout, the permission table) to the
  // caches that hold what it changed.
  void forget_what_changed(const Event& event);

  std::unique_ptr<store::Store> store_;
  service::HealthService health_;
  service::PermissionTable permissions_;
  service::AuthService auth_;
  service::UserService users_;
  service::CategoryService categories_;
  service::AutoReplyService auto_replies_;
  service::CannedReplyService canned_replies_;
  service::SettingsService settings_;  // before tickets_, which reads it
  service::TicketService tickets_;
  service::StatisticsService statistics_;
  service::ForecastService forecasts_;
  service::UndeliveredMessages undelivered_;
  service::ReportService reports_;
  realtime::Hub hub_;
  realtime::DashboardFeed dashboard_;  // after the hub: stops before it
  service::RateLimiter login_limiter_;
  api::WebAssets assets_;
  http::Router router_;
  http::Metrics metrics_;
  api::Endpoints endpoints_;
  api::PageCache kept_pages_;
  std::unique_ptr<telegram::TelegramBot> bot_;
  realtime::EndpointOptions websocket_options_;
  // Where follow_events begins: the log's end when the application was made. The hub is no
  // durable consumer (its clients resume by themselves).
  std::int64_t events_from_ = 0;
};

// The life of the server in one sequence: opens the store, applies pending migrations,
// wires every module, serves until the first SIGINT/SIGTERM or a failed background task,
// then shuts down in a fixed order (stop accepting → drain HTTP and WebSockets → stop the
// tasks → flush → close the store). Returns the exit code: 0 after a clean shutdown, 1 when
// a task failed. Throws StoreConfigError / std::system_error for problems found at start-up.
int run_server(const Config& config);

// Applies pending migrations (or, with status_only, reports them) and prints the outcome.
void run_migrate(const Config& config, bool status_only);

// WEB_ROOT, or the web/ folder next to the executable, or ../share/ticketbot/web.
std::filesystem::path resolve_web_root(const Config& config);

}  // namespace tb::app
