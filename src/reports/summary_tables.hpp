// The label / count tables of a report's summary, shared by the formats that show them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/report.hpp"

namespace tb::reports {

using CountRows = std::vector<std::pair<std::string, std::int64_t>>;

CountRows status_rows(const ReportSummary& summary);    // every status, in the status order
CountRows priority_rows(const ReportSummary& summary);  // every priority, lowest first
CountRows category_rows(const ReportSummary& summary);  // most tickets first; "(none)"

}  // namespace tb::reports
