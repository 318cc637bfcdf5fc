// L-BFGS: Rosenbrock's minimum in 2-D, 10-D and 100-D, the skip rule, the gain of memory on an
// ill-conditioned quadratic, divergence and interruption.
#include "nnlab/optim/lbfgs.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "driver_contract.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

// From the classical start (−1.2, 1, −1.2, 1, …), m = 10, strong Wolfe with c₂ = 0.9; measured
// 38 (2-D), 87 (10-D) and 541 (100-D) iterations; the budgets are about twice that, as counts on
// Rosenbrock move with rounding (see nonlinear_cg_test.cpp).
TEST(Lbfgs, ReachesRosenbrocksMinimum) {
  struct Case {
    Index n;
    std::int64_t budget;
  };
  for (const Case c : {Case{2, 80}, Case{10, 200}, Case{100, 1100}}) {
    const Rosenbrock<double> f(c.n);
    Vec<double> theta = f.start();
    const Report r = lbfgs(f, theta, {.max_iters = 100000, .grad_tol = 1e-10});
    SCOPED_TRACE(::testing::Message() << "n = " << c.n);
    EXPECT_EQ(r.status, Status::converged) << to_string(r.status);
    EXPECT_LE((theta - f.minimizer()).lpNorm<Eigen::Infinity>(), 1e-8);
    EXPECT_LE(r.iterations, c.budget) << "measured: " << r.iterations;
  }
}

// With every pair skipped (ε = 1 ≥ any cosine of s and y) the direction is −g: each step is
// parallel to the gradient, and on the κ = 100 quadratic the run is as slow as steepest descent
// with a line search (~850 iterations against ~80). With the default ε the pairs are used and
// steps leave the gradient's line.
TEST(Lbfgs, SkippingEveryPairLeavesSteepestDescent) {
  const auto& q = testing::ill_conditioned_quadratic();
  const Stop stop{.max_iters = 5000, .grad_tol = 1e-8};
  const auto run = [&](double curvature_eps, double& min_cosine) {
    Vec<double> theta = q.start(), previous_theta, previous_g;
    min_cosine = 1;
    const Report r = lbfgs(q, theta, stop, {.curvature_eps = curvature_eps}, [&](const StepEvent<double>& e) {
      if (e.step > 0) {  // cosine between the step taken from θ_{k−1} and −g_{k−1}
        const Vec<double> s = e.theta - previous_theta;
        min_cosine = std::min(min_cosine, -s.dot(previous_g) / (s.norm() * previous_g.norm()));
      }
      previous_theta = e.theta, previous_g = e.g;
    });
    EXPECT_EQ(r.status, Status::converged);
    return r.iterations;
  };
  double cosine_skip = 0, cosine_used = 0;
  const std::int64_t skip = run(1.0, cosine_skip), used = run(1e-10, cosine_used);
  EXPECT_GT(cosine_skip, 1 - 1e-12);
  EXPECT_LT(cosine_used, 0.9);
  EXPECT_GT(skip, 5 * used) << "skip all: " << skip << ", default: " << used;
}

// More memory, fewer iterations on the D = 20, κ = 100 quadratic: measured 135 (m = 1), 98 (3),
// 99 (5), 82 (10), 68 (20). With the inexact Wolfe search (c₂ = 0.9) and the scaling γ_k, L-BFGS
// is not linear CG, so even m ≥ D does not end in D steps; steepest descent needs ~850.
TEST(Lbfgs, MemoryPaysOnAnIllConditionedQuadratic) {
  const auto& q = testing::ill_conditioned_quadratic();
  const auto iterations = [&](Index m) {
    Vec<double> theta = q.start();
    const Report r = lbfgs(q, theta, {.max_iters = 5000, .grad_tol = 1e-8}, {.memory = m});
    EXPECT_EQ(r.status, Status::converged);
    EXPECT_LE((theta - q.minimizer()).norm(), 1e-8 * q.minimizer().norm());
    return r.iterations;
  };
  const std::int64_t m1 = iterations(1), m20 = iterations(20);
  EXPECT_LE(m20, 4 * q.dim()) << m20;
  EXPECT_LT(1.5 * double(m20), double(m1)) << "m = 1: " << m1 << ", m = 20: " << m20;
}

TEST(Lbfgs, ReportsDivergenceAndInterruption) {
  testing::expect_divergence_and_interruption_reported(
      [](const auto& f, Vec<double>& theta, const auto& watcher) {
        return lbfgs(f, theta, {}, {}, watcher);
      },
      4);
}

TEST(Lbfgs, WorksInFloat) {
  const Rosenbrock<float> f(2);
  Vec<float> theta = f.start();
  const Report r = lbfgs(f, theta, {.max_iters = 200, .grad_tol = 1e-3});
  EXPECT_EQ(r.status, Status::converged) << to_string(r.status);
  EXPECT_LE((theta - f.minimizer()).lpNorm<Eigen::Infinity>(), 1e-3f);
}

}  // namespace
}  // namespace nnlab::optim
