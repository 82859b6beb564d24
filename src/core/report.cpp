#include "core/report.hpp"

#include <algorithm>
#include <charconv>

namespace tb {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// A fixed-width run of digits at `at` in `text`; nothing when any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  const char* first = text.data() + at;
  const auto [end, error] = std::from_chars(first, first + count, value);
  if (error != std::errc() || end != first + count) return std::nullopt;
  return value;
}

// "YYYY-MM-DD" at the start of `text`, a real calendar day.
std::optional<sys_days> date_prefix(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  if (!year || !month || !day) return std::nullopt;
  const year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                            std::chrono::day(*day)};
  if (!date.ok()) return std::nullopt;
  return sys_days(date);
}

// "THH:MM:SSZ" after the date.
std::optional<std::chrono::seconds> time_suffix(std::string_view text) {
  if (text.size() != 10 || text[0] != 'T' || text[3] != ':' || text[6] != ':' || text[9] != 'Z')
    return std::nullopt;
  const auto hours = digits(text, 1, 2);
  const auto minutes = digits(text, 4, 2);
  const auto seconds = digits(text, 7, 2);
  if (!hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 59)
    return std::nullopt;
  return std::chrono::hours(*hours) + std::chrono::minutes(*minutes) +
         std::chrono::seconds(*seconds);
}

std::string day_text(sys_days day) {
  const year_month_day date(day);
  char text[16];
  const auto written = std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(date.year()),
                                     unsigned(date.month()), unsigned(date.day()));
  return std::string(text, static_cast<std::size_t>(written));
}

}  // namespace

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  for (const auto format : {ReportFormat::csv, ReportFormat::xlsx, ReportFormat::pdf}) {
    if (report_format_name(format) == name) return format;
  }
  return std::nullopt;
}

std::string_view report_format_name(ReportFormat format) {
  switch (format) {
    case ReportFormat::csv: return "csv";
    case ReportFormat::xlsx: return "xlsx";
    case ReportFormat::pdf: return "pdf";
  }
  return "csv";
}

std::string_view report_content_type(ReportFormat format) {
  switch (format) {
    case ReportFormat::csv: return "text/csv; charset=utf-8; header=present";
    case ReportFormat::xlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ReportFormat::pdf: return "application/pdf";
  }
  return "application/octet-stream";
}

std::optional<Timestamp> parse_period_bound(std::string_view text, PeriodBound bound) {
  const auto day = date_prefix(text);
  if (!day) return std::nullopt;
  if (text.size() == 10) {
    return Timestamp(bound == PeriodBound::to ? *day + days(1) : *day);
  }
  const auto time = time_suffix(text.substr(10));
  if (!time) return std::nullopt;
  return Timestamp(*day) + *time;
}

std::string report_filename(ReportFormat format, const ReportPeriod& period) {
  const auto first = std::chrono::floor<days>(period.from);
  // The last day touched: `to` is exclusive, so a period ending at midnight ends the day before.
  const auto last = std::max(first, std::chrono::floor<days>(period.to - std::chrono::seconds(1)));
  // Appended piece by piece: g++ 12 reports a -Wrestrict false positive on the `+` chain.
  std::string name = "tickets-";
  name.append(day_text(first)).append("-").append(day_text(last)).append(".");
  name.append(report_format_name(format));
  return name;
}

void fill_report_days(ReportSummary& summary, const ReportPeriod& period) {
  std::map<sys_days, ReportSummary::Day> by_day;
  for (const auto& day : summary.days) by_day[std::chrono::floor<days>(day.day)] = day;
  summary.days.clear();
  const auto first = std::chrono::floor<days>(period.from);
  for (auto day = first; Timestamp(day) < period.to; day += days(1)) {
    auto found = by_day.find(day);
    summary.days.push_back(
        found != by_day.end()
            ? found->second
            : ReportSummary::Day{.day = Timestamp(day), .created = 0, .resolved = 0});
  }
}

std::string missing_category_name(std::int64_t category_id) {
  std::string name = "#";
  name += std::to_string(category_id);
  return name;
}

std::string report_category_name(const ReportContents& contents, std::int64_t category_id) {
  const auto found = contents.category_names.find(category_id);
  return found != contents.category_names.end() ? found->second
                                                : missing_category_name(category_id);
}

std::string report_category_name(const ReportContents& contents, const Ticket& ticket) {
  return ticket.category_id ? report_category_name(contents, *ticket.category_id) : "";
}

std::string guard_formula(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    std::string guarded = "'";
    guarded += text;
    return guarded;
  }
  return std::string(text);
}

std::optional<std::int64_t> seconds_between(std::optional<Timestamp> start,
                                            std::optional<Timestamp> end) {
  if (!start || !end || *end < *start) return std::nullopt;
  return (*end - *start).count();
}

}  // namespace tb
