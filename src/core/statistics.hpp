// Ticket statistics as pure figures: the counts the store's rollups hold for a set of tickets,
// and the quantile sketch of their durations. No I/O; the store fills them, the service
// combines them, the wire writes them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/user.hpp"

namespace tb {

// A log-scaled histogram of durations in whole seconds, from which quantiles are read.
// A duration of d seconds falls in bucket floor(ln(d + 1) / ln(kGrowth)) — the same formula
// the SQLite migration 0012 uses in its triggers, so both must change together. A quantile
// is answered with the geometric middle of its bucket, so it is within kRelativeError of a
// true duration at that rank: |estimate - d| <= kRelativeError * (d + 1) seconds.
class DurationHistogram {
 public:
  static constexpr double kGrowth = 1.2;
  static constexpr double kRelativeError = 0.0955;  // sqrt(kGrowth) - 1, rounded up

  static int bucket_of(std::int64_t seconds);

  void add(int bucket, std::int64_t count);
  void merge(const DurationHistogram& other);
  std::int64_t count() const { return count_; }
  // The duration at rank ceil(q * count) (nearest rank, 0 < q <= 1), estimated; nothing when
  // there are no durations.
  std::optional<std::int64_t> quantile(double q) const;
  // Tickets per bucket, index = bucket; trailing empty buckets may be absent.
  const std::vector<std::int64_t>& buckets() const { return counts_; }

  friend bool operator==(const DurationHistogram& a, const DurationHistogram& b);

 private:
  std::vector<std::int64_t> counts_;
  std::int64_t count_ = 0;
};

// What a set of tickets adds up to, each ticket as it is now. "Finished" is resolved, or
// closed without being resolved; its time is the resolution's (else the closing's).
struct TicketCounts {
  static constexpr std::size_t kStatuses = 5;    // in TicketStatus order
  static constexpr std::size_t kPriorities = 4;  // in Priority order

  std::int64_t created = 0;  // tickets in the set
  std::array<std::int64_t, kStatuses> by_status{};
  std::array<std::int64_t, kPriorities> by_priority{};
  std::int64_t with_sla = 0;       // tickets with a first-response due time
  std::int64_t breached = 0;       // of those, answered (or finished, or still waiting) late
  std::int64_t finished = 0;       // resolved or closed now
  std::int64_t finished_once = 0;  // finished now, or reopened since
  std::int64_t reopened = 0;       // reopened at least once
  std::int64_t rated = 0;
  std::int64_t rating_sum = 0;
  DurationHistogram first_response{};  // created → first response by staff
  DurationHistogram resolution{};      // created → finished

  void add(const TicketCounts& other);
  // Tickets not finished: open, in progress or waiting.
  std::int64_t unfinished() const;
  friend bool operator==(const TicketCounts&, const TicketCounts&) = default;
};

// --- GET /statistics, as the service computes it and the wire writes it

struct CategoryFigures {
  std::optional<std::int64_t> category_id{};  // nothing: tickets without a category
  std::optional<std::string> name{};
  TicketCounts counts{};
};

struct AgentFigures {
  UserRef user{};
  TicketCounts counts{};  // the tickets assigned to them now
};

enum class StatisticsInterval { hour, day };

// Tickets created, and tickets finished, from `t` to the next point (or the period's end).
struct FlowPoint {
  Timestamp t{};
  std::int64_t created = 0;
  std::int64_t finished = 0;
};

struct Statistics {
  Timestamp from{};  // whole hours; the period is [from, to)
  Timestamp to{};
  std::string time_zone{};  // IANA name the days are counted in
  Timestamp now{};
  TicketCounts total{};         // the tickets created in the period, as they are now
  std::int64_t unassigned = 0;  // of those, unfinished and assigned to no one
  // Unfinished tickets now, whenever created.
  std::int64_t backlog_open = 0;
  std::optional<Timestamp> oldest_open_created_at{};
  std::vector<CategoryFigures> by_category{};
  std::vector<AgentFigures> agents{};
  StatisticsInterval interval = StatisticsInterval::day;
  std::vector<FlowPoint> points{};
};

// part / whole, nothing when whole is 0.
std::optional<double> ratio(std::int64_t part, std::int64_t whole);

}  // namespace tb
