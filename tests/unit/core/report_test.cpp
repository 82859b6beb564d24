#include "core/report.hpp"

#include <gtest/gtest.h>

namespace tb {
namespace {

using namespace std::chrono;

Timestamp at(int y, unsigned m, unsigned d, int hour = 0) {
  return Timestamp(sys_days(year(y) / month(m) / day(d))) + hours(hour);
}

TEST(ReportPeriod, ADayAsToIncludesTheWholeDay) {
  EXPECT_EQ(parse_period_bound("2026-11-01", PeriodBound::from), at(2026, 11, 1));
  EXPECT_EQ(parse_period_bound("2026-11-30", PeriodBound::to), at(2026, 12, 1));
  EXPECT_EQ(parse_period_bound("2026-12-31", PeriodBound::to), at(2027, 1, 1));
}

TEST(ReportPeriod, AnInstantIsTakenAsWritten) {
  EXPECT_EQ(parse_period_bound("2026-11-30T12:00:00Z", PeriodBound::to), at(2026, 11, 30, 12));
  EXPECT_EQ(parse_period_bound("2026-11-30T23:59:59Z", PeriodBound::from),
            at(2026, 11, 30, 23) + minutes(59) + seconds(59));
}

TEST(ReportPeriod, RefusesWhatIsNeitherADayNorAUtcInstant) {
  for (const std::string_view text :
       {"", "2026-11", "2026-13-01", "2026-02-30", "26-11-01", "2026/11/01", "2026-11-01T12:00:00",
        "2026-11-01T12:00:00+03:00", "2026-11-01T24:00:00Z", "2026-11-01 12:00:00Z", "+026-11-01",
        "2026-11-01x"}) {
    EXPECT_FALSE(parse_period_bound(text, PeriodBound::from)) << text;
  }
}

TEST(ReportFilename, NamesTheFirstAndLastDayTouched) {
  EXPECT_EQ(report_filename(ReportFormat::csv, {at(2026, 11, 1), at(2026, 12, 1)}),
            "tickets-2026-11-01-2026-11-30.csv");
  EXPECT_EQ(report_filename(ReportFormat::xlsx, {at(2026, 11, 1, 9), at(2026, 11, 1, 10)}),
            "tickets-2026-11-01-2026-11-01.xlsx");
  EXPECT_EQ(report_filename(ReportFormat::pdf, {at(2026, 11, 1), at(2026, 11, 3, 1)}),
            "tickets-2026-11-01-2026-11-03.pdf");
}

TEST(ReportFormat, NamesAndContentTypes) {
  EXPECT_EQ(parse_report_format("xlsx"), ReportFormat::xlsx);
  EXPECT_FALSE(parse_report_format("XLSX"));
  EXPECT_FALSE(parse_report_format("doc"));
  EXPECT_EQ(report_content_type(ReportFormat::pdf), "application/pdf");
  EXPECT_TRUE(report_content_type(ReportFormat::csv).starts_with("text/csv; charset=utf-8"));
}

TEST(FormulaGuard, PrefixesWhatASpreadsheetWouldRun) {
  EXPECT_EQ(guard_formula("=1+2"), "'=1+2");
  EXPECT_EQ(guard_formula("+7 999"), "'+7 999");
  EXPECT_EQ(guard_formula("-2"), "'-2");
  EXPECT_EQ(guard_formula("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(guard_formula("\t=cmd"), "'\t=cmd");
  EXPECT_EQ(guard_formula("Счёт = 5"), "Счёт = 5");
  EXPECT_EQ(guard_formula(""), "");
}

TEST(ReportDays, EveryDayOfThePeriodGetsAPoint) {
  ReportSummary summary;
  summary.days.push_back({.day = at(2026, 11, 2), .created = 3, .resolved = 1});
  fill_report_days(summary, {at(2026, 11, 1, 12), at(2026, 11, 4)});
  ASSERT_EQ(summary.days.size(), 3u);
  EXPECT_EQ(summary.days[0].day, at(2026, 11, 1));
  EXPECT_EQ(summary.days[0].created, 0);
  EXPECT_EQ(summary.days[1].created, 3);
  EXPECT_EQ(summary.days[1].resolved, 1);
  EXPECT_EQ(summary.days[2].day, at(2026, 11, 3));
}

TEST(ReportDurations, OnlyWhenBothEndsAreKnownAndInOrder) {
  EXPECT_EQ(seconds_between(at(2026, 11, 1), at(2026, 11, 1, 2)), 7200);
  EXPECT_FALSE(seconds_between(at(2026, 11, 1), std::nullopt));
  EXPECT_FALSE(seconds_between(at(2026, 11, 2), at(2026, 11, 1)));
}

}  // namespace
}  // namespace tb
