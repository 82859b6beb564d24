#include "service/health_service.hpp"

#include <spdlog/spdlog.h>

namespace tb::service {

HealthReport HealthService::check() {
  HealthReport report;
  try {
    store_.ping();
    report.database_ok = true;
    report.database_full = store_.storage_full();
  } catch (const std::exception& error) {
    spdlog::error("health check: database: {}", error.what());
  }
  return report;
}

}  // namespace tb::service
