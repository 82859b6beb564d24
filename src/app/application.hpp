#pragma once

#include <filesystem>

#include "app/config.hpp"

namespace tb::app {

// Log lines go to stdout: "2026-11-25T14:50:00.123Z info  message", times in UTC.
void setup_logging(const std::string& level);

// Opens the store, applies pending migrations, wires every module and serves until a
// signal. Throws StoreConfigError / std::system_error for problems found at start-up.
void run_server(const Config& config);

// Applies pending migrations (or, with status_only, reports them) and prints the outcome.
void run_migrate(const Config& config, bool status_only);

// WEB_ROOT, or the web/ folder next to the executable, or ../share/ticketbot/web.
std::filesystem::path resolve_web_root(const Config& config);

}  // namespace tb::app
