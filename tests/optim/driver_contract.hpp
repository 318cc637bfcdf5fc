// What every second-order driver (L-BFGS, nonlinear CG, Newton) promises when the objective
// turns NaN or the watcher stops it, checked on the 2-d Rosenbrock function.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "local_objectives.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::optim::testing {

// solve(f, θ, watcher) runs the driver from θ with its default options. NaN at the start: diverged
// at once, θ untouched. NaN from the (h+1)-th evaluation on, wherever that falls (at an iterate, or
// inside a line search): always diverged, with θ finite — the last finite iterate, whose value is
// reported, or the iterate whose gradient call returned NaN. A stop at step `stop_at`: interrupted
// there, θ the iterate the watcher saw last and the reported value its value.
template <class Solve>
void expect_divergence_and_interruption_reported(const Solve& solve, std::int64_t stop_at) {
  const Rosenbrock<double> rosenbrock(2);
  const auto proceed = [](const StepEvent<double>&) { return Control::proceed; };
  const Poisoned<Rosenbrock<double>> nan_at_start{rosenbrock, 0};
  Vec<double> theta = rosenbrock.start();
  Report r = solve(nan_at_start, theta, proceed);
  EXPECT_EQ(r.status, Status::diverged);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(theta, rosenbrock.start());

  for (int h = 1; h <= 40; ++h) {
    const Poisoned<Rosenbrock<double>> nan_later{rosenbrock, h};
    theta = rosenbrock.start();
    r = solve(nan_later, theta, proceed);
    EXPECT_EQ(r.status, Status::diverged) << "h = " << h << ": " << to_string(r.status);
    EXPECT_TRUE(theta.allFinite()) << h;
    if (std::isfinite(r.value)) {
      EXPECT_EQ(r.value, rosenbrock.value(theta)) << h;
    }
  }

  theta = rosenbrock.start();
  Vec<double> seen;
  r = solve(rosenbrock, theta, [&](const StepEvent<double>& e) {
    seen = e.theta;
    return e.step == stop_at ? Control::stop : Control::proceed;
  });
  EXPECT_EQ(r.status, Status::interrupted);
  EXPECT_EQ(r.iterations, stop_at);
  EXPECT_EQ(theta, seen);
  EXPECT_EQ(r.value, rosenbrock.value(theta));
}

}  // namespace nnlab::optim::testing
