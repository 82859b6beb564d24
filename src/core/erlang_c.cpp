#include "core/erlang_c.hpp"

#include <cmath>
#include <stdexcept>

namespace tb::erlang {

double erlang_b(int agents, double load) {
  double blocking = 1.0;
  for (int n = 1; n <= agents; ++n) blocking = load * blocking / (n + load * blocking);
  return blocking;
}

namespace {

// C from B for N > A, so the work of the recursion can be shared while N grows.
double waiting_from_blocking(int agents, double load, double blocking) {
  return agents * blocking / (agents - load * (1.0 - blocking));
}

double service_level_from_waiting(int agents, double load, double waiting,
                                  std::chrono::duration<double> target,
                                  std::chrono::duration<double> aht) {
  return 1.0 - waiting * std::exp(-(agents - load) * target.count() / aht.count());
}

}  // namespace

double probability_of_waiting(int agents, double load) {
  if (load <= 0) return 0.0;
  if (agents <= load) return 1.0;
  return waiting_from_blocking(agents, load, erlang_b(agents, load));
}

double service_level(int agents, double load, std::chrono::duration<double> target,
                     std::chrono::duration<double> aht) {
  if (load <= 0) return 1.0;
  if (agents <= load) return 0.0;
  return service_level_from_waiting(agents, load, probability_of_waiting(agents, load), target,
                                    aht);
}

int agents_needed(double load, double share, std::chrono::duration<double> target,
                  std::chrono::duration<double> aht) {
  if (!std::isfinite(load) || load < 0) throw std::invalid_argument("load must be finite, ≥ 0");
  if (!(share > 0 && share < 1)) throw std::invalid_argument("share must be in (0, 1)");
  if (!(aht.count() > 0)) throw std::invalid_argument("aht must be positive");
  if (load == 0) return 0;
  // B is carried along as N grows (one recursion step per N), so the search costs O(N) in all.
  // Each added agent raises the service level, and far above A it tends to 1, so this ends;
  // for A in the thousands it takes a few times √A steps past A.
  double blocking = 1.0;
  int agents = 0;
  while (true) {
    ++agents;
    blocking = load * blocking / (agents + load * blocking);
    if (agents <= load) continue;
    const double waiting = waiting_from_blocking(agents, load, blocking);
    if (service_level_from_waiting(agents, load, waiting, target, aht) >= share) return agents;
  }
}

}  // namespace tb::erlang
