// Nonlinear CG (Fletcher–Reeves, Polak–Ribière+): finite termination on a quadratic with exact
// line searches, Rosenbrock's minimum, divergence and interruption.
#include "nnlab/optim/nonlinear_cg.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "driver_contract.hpp"
#include "nnlab/optim/quadratic_cg.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

// With exact line searches on a strictly convex quadratic both β formulas coincide with linear
// CG (N&W §5.2), which ends in ≤ D iterations in exact arithmetic. A tight c₂ = 1e-6 makes the
// Wolfe search exact (the cubic is exact on a parabola) and the periodic restart is moved out of
// the way, since rounding makes linear CG itself take a few more than D = 20 steps on this
// κ = 100 quadratic (measured to ‖g‖ ≤ 1e-8: linear CG 24, FR 24, PR+ 25; with the defaults,
// c₂ = 0.1 and a restart every D steps, both take 91).
TEST(NonlinearCg, TerminatesLikeLinearCgOnAQuadraticWithExactLineSearches) {
  const auto& q = testing::ill_conditioned_quadratic();
  const Stop stop{.max_iters = 200, .grad_tol = 1e-8};
  Vec<double> theta = q.start();
  const Report linear = quadratic_cg(q, theta, stop);
  ASSERT_EQ(linear.status, Status::converged);
  for (const CgBeta beta : {CgBeta::fletcher_reeves, CgBeta::polak_ribiere_plus}) {
    theta = q.start();
    const Report r = nonlinear_cg(q, theta, stop, {.beta = beta, .restart_every = 1000, .line_search = {.c1 = 1e-7, .c2 = 1e-6}});
    SCOPED_TRACE(::testing::Message() << "beta = " << int(beta) << ", linear CG: " << linear.iterations);
    EXPECT_EQ(r.status, Status::converged);
    EXPECT_LE(std::abs(r.iterations - linear.iterations), 3) << "measured: " << r.iterations;
    EXPECT_LE(r.iterations, 2 * q.dim());
    EXPECT_LE((theta - q.minimizer()).norm(), 1e-8 * q.minimizer().norm());
  }
}

// From the classical start, with the default strong Wolfe search (c₂ = 0.1), both variants reach
// (1, …, 1) to 1e-8. Measured: PR+ 35 (2-D), 186 (10-D), 1021 (100-D); FR 35 and 163. Plain
// FR can crawl with tiny steps for many iterations (N&W §5.2); the restarts prevent that here.
// The path through Rosenbrock's valley is sensitive to rounding (10-D PR+ takes 260 iterations
// in the sanitizer build), so the budgets are about twice the counts measured with -march=native.
TEST(NonlinearCg, ReachesRosenbrocksMinimum) {
  struct Case {
    Index n;
    CgBeta beta;
    std::int64_t budget;
  };
  for (const Case c : {Case{2, CgBeta::polak_ribiere_plus, 80}, Case{10, CgBeta::polak_ribiere_plus, 400},
                       Case{100, CgBeta::polak_ribiere_plus, 2000},
                       Case{2, CgBeta::fletcher_reeves, 80}, Case{10, CgBeta::fletcher_reeves, 400}}) {
    const Rosenbrock<double> f(c.n);
    Vec<double> theta = f.start();
    const Report r = nonlinear_cg(f, theta, {.max_iters = 100000, .grad_tol = 1e-10}, {.beta = c.beta});
    SCOPED_TRACE(::testing::Message() << "n = " << c.n << ", beta = " << int(c.beta));
    EXPECT_EQ(r.status, Status::converged) << to_string(r.status);
    EXPECT_LE((theta - f.minimizer()).lpNorm<Eigen::Infinity>(), 1e-8);
    EXPECT_LE(r.iterations, c.budget) << "measured: " << r.iterations;
  }
}

TEST(NonlinearCg, ReportsDivergenceAndInterruption) {
  testing::expect_divergence_and_interruption_reported(
      [](const auto& f, Vec<double>& theta, const auto& watcher) {
        return nonlinear_cg(f, theta, {}, {}, watcher);
      },
      4);
}

TEST(NonlinearCg, WorksInFloat) {
  Rng rng = make_rng(4, stream::data);
  const auto q = Quadratic<float>::with_condition(8, 100.0, rng);
  Vec<float> theta = q.start();
  const Report r = nonlinear_cg(q, theta, {.max_iters = 100, .grad_tol = 1e-4});
  EXPECT_EQ(r.status, Status::converged) << to_string(r.status);
  EXPECT_LE((theta - q.minimizer()).norm(), 1e-4f * q.minimizer().norm());
}

}  // namespace
}  // namespace nnlab::optim
