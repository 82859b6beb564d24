// GET /statistics and the dashboard's stats.updated frame: API.md's statistics shape, with the
// extensions of docs/API.md.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "core/statistics.hpp"

namespace tb::wire {

boost::json::object statistics_json(const Statistics& statistics);
// {"type": "stats.updated", "statistics": {...}}
std::string stats_updated_frame(const Statistics& statistics);

}  // namespace tb::wire
