// Saddle-free Newton: where Newton's iteration converges to a saddle, SFN (same start) goes to a
// minimum; on a strictly convex problem it is Newton (quadratic convergence); status handling.
#include "nnlab/optim/saddle_free_newton.hpp"

#include <Eigen/LU>
#include <gtest/gtest.h>

#include "local_objectives.hpp"
#include "nnlab/optim/landscapes.hpp"

namespace nnlab::optim {
namespace {

// The pure Newton iteration θ ← θ − H⁻¹g, the fixed point iteration of ∇L = 0.
template <class F>
Vec<double> plain_newton(const F& f, Vec<double> theta, int iterations) {
  Vec<double> g(f.dim());
  for (int k = 0; k < iterations; ++k) {
    f.gradient(theta, g);
    theta -= f.hessian(theta).lu().solve(g);
  }
  return theta;
}

// Double well from (0.3, 1.2): in x the curvature 3x² − 1 < 0, so Newton heads for the critical
// point x = 0 and lands on the saddle (0, 1) (index 1); SFN goes downhill in x, to (1, 1).
TEST(SaddleFreeNewton, EscapesWhereNewtonConvergesToTheSaddle) {
  const DoubleWell f(2);
  Vec<double> start(2);
  start << 0.3, 1.2;
  const Vec<double> newton_end = plain_newton(f, start, 30);
  EXPECT_LE(newton_end.norm() - 1.0, 1e-12);
  EXPECT_NEAR(newton_end(0), 0.0, 1e-12);
  EXPECT_EQ(inertia(f.hessian(newton_end)).index(), 1);

  Vec<double> theta = start;
  const Report r = saddle_free_newton(f, theta, {.max_iters = 50, .grad_tol = 1e-12});
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_NEAR(theta(0), 1.0, 1e-12);
  EXPECT_NEAR(theta(1), 1.0, 1e-12);
  EXPECT_EQ(inertia(f.hessian(theta)).index(), 0);

  // Himmelblau next to its maximum: Newton returns to the maximum, SFN reaches a minimum (L = 0).
  const Himmelblau h;
  Vec<double> near_max(2);
  near_max << -0.2, -0.9;
  EXPECT_EQ(inertia(h.hessian(plain_newton(h, near_max, 30))).index(), 2);
  theta = near_max;
  EXPECT_EQ(saddle_free_newton(h, theta, {.max_iters = 100, .grad_tol = 1e-10}).status, Status::converged);
  EXPECT_LT(h.value(theta), 1e-20);
}

// On a strictly convex function |H| = H: the steps are Newton's and converge quadratically; at an
// exact critical point (g = 0) it does not move.
TEST(SaddleFreeNewton, IsNewtonWhereTheHessianIsPositiveDefinite) {
  const auto f = testing::ExpResidual<double>::make();
  Vec<double> theta = Vec<double>::Zero(3);
  std::vector<double> errors;
  const Report r = saddle_free_newton(f, theta, {.max_iters = 50, .grad_tol = 1e-13}, {},
                                      [&](const StepEvent<double>& e) { errors.push_back((e.theta - f.minimizer()).norm()); });
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_LE((theta - f.minimizer()).norm(), 1e-12);
  // Quadratic convergence: e_{k+1} ≤ C e_k² over the last steps before rounding.
  ASSERT_GE(errors.size(), 4u);
  const std::size_t n = errors.size();
  EXPECT_LT(errors[n - 2], 10 * errors[n - 3] * errors[n - 3]);

  Vec<double> saddle = Vec<double>::Zero(2);
  const Report at_saddle = saddle_free_newton(SaddleXY{}, saddle);
  EXPECT_EQ(at_saddle.status, Status::converged);
  EXPECT_EQ(at_saddle.iterations, 0);
}

// Unbounded below along y: SFN follows −y off to infinity, and the run ends by the budget with L
// falling, not by a false convergence; a NaN Hessian is divergence.
TEST(SaddleFreeNewton, StatusOnUnboundedAndPoisonedObjectives) {
  Vec<double> theta(2);
  theta << 0.5, 1e-3;
  const Report r = saddle_free_newton(SaddleXY{}, theta, {.max_iters = 20});
  EXPECT_EQ(r.status, Status::max_iters);
  EXPECT_LT(r.value, -1e3);
  EXPECT_NEAR(theta(0), 0.0, 1e-12);

  const auto f = testing::ExpResidual<double>::make();
  const testing::Poisoned<testing::ExpResidual<double>> poisoned{f, 1};
  theta = Vec<double>::Zero(3);
  EXPECT_EQ(saddle_free_newton(poisoned, theta).status, Status::diverged);
}

}  // namespace
}  // namespace nnlab::optim
