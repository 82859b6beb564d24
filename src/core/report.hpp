// Ticket reports (GET /reports/tickets): what a report covers, what it is called, what goes
// into it, and the rules every file format keeps (the spreadsheet formula guard, the PDF's
// row cap). Pure: the formats live in src/reports/, the reading in service/ and store/.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ticket.hpp"
#include "core/user.hpp"

namespace tb {

enum class ReportFormat { csv, xlsx, pdf };

std::optional<ReportFormat> parse_report_format(std::string_view name);
std::string_view report_format_name(ReportFormat format);  // also the file extension
std::string_view report_content_type(ReportFormat format);

// Tickets created from `from` (inclusive) to `to` (exclusive).
struct ReportPeriod {
  Timestamp from{};
  Timestamp to{};
};

// The default period when the caller names none: the 30 days up to now, like /statistics.
inline constexpr std::chrono::days kDefaultReportDays{30};

// A bound of the period as the caller wrote it: a day ("2026-11-30") or an instant
// ("2026-11-30T12:00:00Z"). A day as `to` includes that whole day (its next midnight is the
// bound); as `from` it starts at its midnight (UTC). Nothing when the text is neither.
enum class PeriodBound { from, to };
std::optional<Timestamp> parse_period_bound(std::string_view text, PeriodBound bound);

// Which tickets a report holds: created in the period, optionally of one category or status.
struct ReportFilter {
  ReportPeriod period;
  std::optional<std::int64_t> category_id;
  std::optional<TicketStatus> status;
};

// "tickets-2026-11-01-2026-11-30.csv": the first and the last day the period touches (UTC).
std::string report_filename(ReportFormat format, const ReportPeriod& period);

// The figures at the head of a report, for the tickets the filter selects (statuses as they
// are now). Only `days[].resolved` looks beyond tickets created in the period: it counts the
// tickets of the filter's category and status resolved on that day, whenever created.
struct ReportSummary {
  struct CategoryCount {
    std::optional<std::int64_t> category_id;  // none: tickets without a category
    std::string name;
    std::int64_t tickets = 0;
  };
  struct AgentCount {
    UserRef agent;
    std::int64_t assigned = 0;  // tickets of the period assigned to them now
    std::int64_t resolved = 0;  // of those, resolved or closed after a resolution
  };
  struct Day {
    Timestamp day{};  // midnight UTC
    std::int64_t created = 0;
    std::int64_t resolved = 0;
  };
  std::int64_t tickets = 0;
  std::array<std::int64_t, 5> by_status{};    // indexed by TicketStatus
  std::array<std::int64_t, 4> by_priority{};  // indexed by Priority
  std::vector<CategoryCount> by_category;     // most tickets first
  std::vector<AgentCount> by_agent;           // most assigned first
  std::vector<Day> days;                      // every day of the period, oldest first
};

// Fills in the days of the period that had no ticket created or resolved, so a chart of
// `summary.days` has one point per day.
void fill_report_days(ReportSummary& summary, const ReportPeriod& period);

// The next page of the report's tickets in id order; an empty page when there are no more.
using TicketPageSource = std::function<std::vector<Ticket>()>;

// Everything a report file is made from.
struct ReportContents {
  ReportFilter filter;
  ReportSummary summary;
  std::map<std::int64_t, std::string> category_names;
  Timestamp generated_at{};
  TicketPageSource next_page;
};

// The name of a category for a report: "#7" for one deleted since.
std::string report_category_name(const ReportContents& contents, std::int64_t category_id);
// The name of the ticket's category: "" when it has none.
std::string report_category_name(const ReportContents& contents, const Ticket& ticket);
// What a report calls a category it no longer finds: "#7".
std::string missing_category_name(std::int64_t category_id);

// A text cell that a spreadsheet would run as a formula (it begins with = + - @, or with a
// tab or carriage return that some spreadsheets skip) gets a leading apostrophe, as OWASP
// recommends against CSV injection; any other text comes back as it was.
std::string guard_formula(std::string_view text);

// Seconds from `start` to `end`, when both are known and in order.
std::optional<std::int64_t> seconds_between(std::optional<Timestamp> start,
                                            std::optional<Timestamp> end);

// The PDF holds the summary, the chart and the first kPdfTicketRows tickets: a PDF of every
// ticket of a busy quarter would run to thousands of pages nobody reads (and libharu keeps
// the whole document in memory until it is saved). CSV and XLSX hold them all.
inline constexpr std::size_t kPdfTicketRows = 2000;

}  // namespace tb
