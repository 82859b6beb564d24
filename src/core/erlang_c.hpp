// Erlang C (the M/M/N queue): how many agents a queue of randomly arriving work needs so that a
// target share of it is answered within a target wait. Pure arithmetic, no I/O.
//
// The model: arrivals are Poisson, handling times exponential with mean `aht`, one FIFO queue,
// N interchangeable agents, nobody abandons. Offered load A = arrival rate × aht, in Erlangs.
#pragma once

#include <chrono>

namespace tb::erlang {

// Erlang B, the share of arrivals a system of `agents` servers without a queue would turn away
// at offered load `load`. Computed by the recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)),
// which never forms A^N or N! and so stays exact for loads in the thousands.
double erlang_b(int agents, double load);

// Erlang C, the probability that an arrival has to wait: C = N·B / (N − A·(1 − B)) for N > A;
// 1 when N ≤ A (the queue grows without bound), 0 when the load is 0.
double probability_of_waiting(int agents, double load);

// The share of arrivals answered within `target` of arriving:
// 1 − C(N, A) · exp(−(N − A) · target / aht); 0 when N ≤ A (the queue grows without bound), 1
// when the load is 0.
double service_level(int agents, double load, std::chrono::duration<double> target,
                     std::chrono::duration<double> aht);

// The least N > A whose service_level reaches `share` (0 < share < 1): 0 when the load is 0.
// Throws std::invalid_argument for a negative or non-finite load, a share outside (0, 1) or a
// non-positive aht.
int agents_needed(double load, double share, std::chrono::duration<double> target,
                  std::chrono::duration<double> aht);

}  // namespace tb::erlang
