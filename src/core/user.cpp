#include "core/user.hpp"

#include <algorithm>

namespace tb {
namespace {

void put2(char* at, unsigned value) {
  at[0] = static_cast<char>('0' + value / 10);
  at[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

void append_timestamp(std::string& out, Timestamp time) {
  // By hand rather than with fmt's chrono formatting, which parses its format string and
  // goes through the locale machinery each time: this runs several times per listed row.
  const auto days = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date(days);
  const std::chrono::hh_mm_ss clock(time - days);
  const int year = std::clamp(static_cast<int>(date.year()), 0, 9999);
  char text[20] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0',
                   'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z'};
  put2(text, static_cast<unsigned>(year / 100));
  put2(text + 2, static_cast<unsigned>(year % 100));
  put2(text + 5, static_cast<unsigned>(date.month()));
  put2(text + 8, static_cast<unsigned>(date.day()));
  put2(text + 11, static_cast<unsigned>(clock.hours().count()));
  put2(text + 14, static_cast<unsigned>(clock.minutes().count()));
  put2(text + 17, static_cast<unsigned>(clock.seconds().count()));
  out.append(text, sizeof(text));
}

std::string format_timestamp(Timestamp time) {
  std::string text;
  text.reserve(20);
  append_timestamp(text, time);
  return text;
}

}  // namespace tb
