#include "core/erlang_c.hpp"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

namespace tb::erlang {
namespace {

using Seconds = std::chrono::duration<double>;

// Erlang C from its textbook definition, as sums of A^k / k! in long double: an evaluation
// independent of the B recursion, usable while the terms do not overflow (A, N below ~150).
double waiting_by_definition(int agents, double load) {
  long double term = 1, sum = 0;  // term = A^k / k!
  for (int k = 0; k < agents; ++k) {
    sum += term;
    term *= load / (k + 1);
  }
  const long double tail = term * agents / (agents - load);
  return static_cast<double>(tail / (sum + tail));
}

TEST(ErlangC, MatchesTheExactValueOfWolframsBasicExample) {
  // Wolfram Language ErlangC[3, 2] (reference page, "Basic example"): 3 servers at 2 Erlangs;
  // by hand B(3, 2) = 4/19, so C = 3·(4/19) / (3 − 2·15/19) = 4/9.
  EXPECT_NEAR(probability_of_waiting(3, 2.0), 4.0 / 9.0, 1e-12);
}

TEST(ErlangC, MatchesTheTextbookMmmExample) {
  // An M/M/m exercise: 120 customers an hour, 3 minutes each (A = 6 Erlangs), 10 servers; "from
  // the Erlang C curve, it follows that the probability of waiting is about 0.10" (a question
  // on the Erlang C curve, quoted in huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1).
  EXPECT_NEAR(probability_of_waiting(10, 6.0), 0.10, 0.005);
}

TEST(ErlangC, StaffsTheClassic8020ExampleWithFourteenAgents) {
  // The usual 80/20 staffing exercise: 100 calls per half hour, 3 minutes handling (A = 10
  // Erlangs), 80% to be answered within 20 s. 13 agents reach 79.6%, short of it; 14 reach 88.8%
  // (C(13, 10) and C(14, 10) as the definition gives them, see AgreesWithTheDefinition...).
  const Seconds target(20), aht(180);
  EXPECT_NEAR(service_level(13, 10.0, target, aht), 0.7956, 0.0005);
  EXPECT_NEAR(service_level(14, 10.0, target, aht), 0.8884, 0.0005);
  EXPECT_EQ(agents_needed(10.0, 0.8, target, aht), 14);
}

TEST(ErlangC, AgreesWithTheDefinitionAcrossLoads) {
  for (const double load : {0.3, 1.0, 2.5, 7.0, 20.0, 48.0, 90.0}) {
    for (int agents = static_cast<int>(load) + 1; agents < load + 25; ++agents) {
      EXPECT_NEAR(probability_of_waiting(agents, load), waiting_by_definition(agents, load), 1e-9)
          << agents << " agents at " << load << " Erlangs";
    }
  }
}

TEST(ErlangC, ServiceLevelIsOneMinusTheWaitingTail) {
  // 360 calls per half hour, 4 minutes each (A = 48), 55 agents, target 15 s: the example worked
  // step by step in "The Erlang-C Formula" pages; SL = 1 − C·e^(−(N−A)·t/AHT).
  const double waiting = probability_of_waiting(55, 48.0);
  EXPECT_NEAR(service_level(55, 48.0, Seconds(15), Seconds(240)),
              1 - waiting * std::exp(-(55 - 48) * 15.0 / 240.0), 1e-12);
  EXPECT_NEAR(waiting, waiting_by_definition(55, 48.0), 1e-12);
}

TEST(ErlangC, NoLoadNeedsNobody) {
  EXPECT_EQ(agents_needed(0.0, 0.8, Seconds(60), Seconds(600)), 0);
  EXPECT_EQ(probability_of_waiting(0, 0.0), 0.0);
  EXPECT_EQ(service_level(0, 0.0, Seconds(60), Seconds(600)), 1.0);
}

TEST(ErlangC, AnOverloadedQueueAlwaysWaits) {
  EXPECT_EQ(probability_of_waiting(5, 5.0), 1.0);
  EXPECT_EQ(probability_of_waiting(4, 5.5), 1.0);
  EXPECT_EQ(service_level(5, 5.0, Seconds(60), Seconds(600)), 0.0);
}

TEST(ErlangC, StaysFiniteAndMinimalAtLoadsInTheThousands) {
  // A^N / N! overflows a double from N ≈ 170; the recursion never forms it.
  for (const double load : {150.0, 400.0, 1000.0, 3000.0}) {
    const Seconds target(20), aht(180);
    const int agents = agents_needed(load, 0.8, target, aht);
    EXPECT_GT(agents, load);
    EXPECT_LT(agents, load + 4 * std::sqrt(load) + 5) << "square-root staffing bounds it";
    EXPECT_GE(service_level(agents, load, target, aht), 0.8);
    EXPECT_LT(service_level(agents - 1, load, target, aht), 0.8) << "the least that suffices";
    const double waiting = probability_of_waiting(agents, load);
    EXPECT_TRUE(std::isfinite(waiting));
    EXPECT_GT(waiting, 0.0);
    EXPECT_LT(waiting, 1.0);
  }
}

TEST(ErlangC, AStricterTargetNeverNeedsFewerAgents) {
  const Seconds aht(600);
  int previous = 0;
  for (const double share : {0.5, 0.7, 0.8, 0.9, 0.95, 0.99}) {
    const int agents = agents_needed(12.5, share, Seconds(300), aht);
    EXPECT_GE(agents, previous) << share;
    previous = agents;
  }
  EXPECT_GE(agents_needed(12.5, 0.8, Seconds(30), aht),
            agents_needed(12.5, 0.8, Seconds(900), aht));
}

TEST(ErlangC, RefusesMeaninglessInputs) {
  EXPECT_THROW(agents_needed(-1.0, 0.8, Seconds(60), Seconds(600)), std::invalid_argument);
  EXPECT_THROW(agents_needed(NAN, 0.8, Seconds(60), Seconds(600)), std::invalid_argument);
  EXPECT_THROW(agents_needed(1.0, 1.0, Seconds(60), Seconds(600)), std::invalid_argument);
  EXPECT_THROW(agents_needed(1.0, 0.0, Seconds(60), Seconds(600)), std::invalid_argument);
  EXPECT_THROW(agents_needed(1.0, 0.8, Seconds(60), Seconds(0)), std::invalid_argument);
}

}  // namespace
}  // namespace tb::erlang
