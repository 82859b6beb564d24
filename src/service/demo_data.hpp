#pragma once

#include "service/auth_service.hpp"
#include "store/store.hpp"

namespace tb::service {

// Fills an empty database (no categories, no tickets) with a believable support desk:
// four categories with SLAs, the demo staff assigned to them, a few dozen customers and a
// few hundred tickets with conversations over the past 90 days, in every status. Demo mode
// only; deterministic (a fixed seed), so every demo looks the same. Returns the tickets made.
// All in one transaction, which also marks the database as holding demo data
// (store::kDemoDataSetting in the settings table).
int seed_demo_data(store::Store& store, Timestamp now);

}  // namespace tb::service
