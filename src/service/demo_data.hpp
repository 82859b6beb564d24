#pragma once

#include "service/auth_service.hpp"
#include "store/store.hpp"

namespace tb::service {

// Fills an empty database (no categories, no tickets) with a believable support desk: four
// categories with SLAs and different volumes, the demo staff and four more agents of different
// pace (away once seeded, so new tickets go to the demo people), 120 customers writing in
// English or Russian, and 90 days of tickets arriving as a desk's do (busy weekday afternoons
// Moscow time, quiet nights and weekends, growing) with their conversations, resolutions,
// reopenings, SLA breaches and ratings, in every status. Demo mode only; deterministic for a
// given `now` (a fixed seed). Returns the tickets made.
// All in one transaction, which also marks the database as holding demo data
// (store::kDemoDataSetting in the settings table).
int seed_demo_data(store::Store& store, Timestamp now);

}  // namespace tb::service
