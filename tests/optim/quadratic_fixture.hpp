// Shared test problem for the optimizer tests: the ill-conditioned quadratic κ = 100, D = 20
// (eigenvalues log-spaced in [1, 100]), and a helper that runs an optimizer on it from θ = 0 and
// returns ‖θ − θ*‖ / ‖θ*‖.
#pragma once
#include <gtest/gtest.h>

#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::optim::testing {

inline const Quadratic<double>& ill_conditioned_quadratic() {
  static const Quadratic<double> q = [] {
    Rng rng = make_rng(2024, stream::data);
    return Quadratic<double>::with_condition(20, 100.0, rng);
  }();
  return q;
}

// Quadratic with the same A and b = 0, so θ* = 0 and the error is θ itself (no cancellation,
// so rates can be measured down to 1e-300).
inline Quadratic<double> centered(const Quadratic<double>& q) {
  return Quadratic<double>(q.A(), Vec<double>::Zero(q.dim()));
}

template <class Opt>
double relative_error_after(Opt& opt, std::int64_t max_iters) {
  const Quadratic<double>& q = ill_conditioned_quadratic();
  Vec<double> theta = q.start();
  const Report report = minimize(q, opt, theta, Stop{.max_iters = max_iters, .grad_tol = 1e-12});
  EXPECT_NE(report.status, Status::diverged);
  return (theta - q.minimizer()).norm() / q.minimizer().norm();
}

}  // namespace nnlab::optim::testing
