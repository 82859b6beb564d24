#include "core/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace tb {

int DurationHistogram::bucket_of(std::int64_t seconds) {
  // As SQLite computes it in 0012_statistics.sql: ln(max(d, 0) + 1) / ln(1.2), truncated.
  const double value = static_cast<double>(std::max<std::int64_t>(seconds, 0)) + 1.0;
  return static_cast<int>(std::log(value) / std::log(kGrowth));
}

void DurationHistogram::add(int bucket, std::int64_t count) {
  if (bucket < 0 || count == 0) return;
  const auto index = static_cast<std::size_t>(bucket);
  if (counts_.size() <= index) counts_.resize(index + 1, 0);
  counts_[index] += count;
  count_ += count;
}

void DurationHistogram::merge(const DurationHistogram& other) {
  if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t bucket = 0; bucket < other.counts_.size(); ++bucket)
    counts_[bucket] += other.counts_[bucket];
  count_ += other.count_;
}

std::optional<std::int64_t> DurationHistogram::quantile(double q) const {
  if (count_ <= 0) return std::nullopt;
  const auto rank = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::ceil(q * static_cast<double>(count_))));
  std::int64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) {
      const double middle = std::pow(kGrowth, static_cast<double>(bucket) + 0.5) - 1.0;
      return static_cast<std::int64_t>(std::llround(middle));
    }
  }
  return std::nullopt;  // unreachable while count_ is the sum of counts_
}

bool operator==(const DurationHistogram& a, const DurationHistogram& b) {
  const auto& shorter = a.counts_.size() <= b.counts_.size() ? a.counts_ : b.counts_;
  const auto& longer = a.counts_.size() <= b.counts_.size() ? b.counts_ : a.counts_;
  return a.count_ == b.count_ && std::equal(shorter.begin(), shorter.end(), longer.begin()) &&
         std::all_of(longer.begin() + static_cast<std::ptrdiff_t>(shorter.size()), longer.end(),
                     [](std::int64_t count) { return count == 0; });
}

void TicketCounts::add(const TicketCounts& other) {
  created += other.created;
  for (std::size_t i = 0; i < kStatuses; ++i) by_status[i] += other.by_status[i];
  for (std::size_t i = 0; i < kPriorities; ++i) by_priority[i] += other.by_priority[i];
  with_sla += other.with_sla;
  breached += other.breached;
  finished += other.finished;
  finished_once += other.finished_once;
  reopened += other.reopened;
  rated += other.rated;
  rating_sum += other.rating_sum;
  first_response.merge(other.first_response);
  resolution.merge(other.resolution);
}

std::int64_t TicketCounts::unfinished() const {
  return by_status[0] + by_status[1] + by_status[2];  // open, in_progress, waiting
}

std::optional<double> ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace tb
