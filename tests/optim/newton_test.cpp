// Damped Newton: one step on a quadratic, quadratic convergence on a strictly convex
// non-quadratic, independence of conditioning, Rosenbrock, no attraction to a saddle,
// divergence and interruption.
#include "nnlab/optim/newton.hpp"

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "driver_contract.hpp"
#include "local_objectives.hpp"
#include "nnlab/optim/lbfgs.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

using testing::ExpResidual;

// With the exact Hessian the Newton step from any point of a quadratic is θ* − θ, and Armijo
// accepts α = 1 at once (f(θ*) − f(θ) = ½gᵀp ≤ c₁gᵀp).
TEST(Newton, SolvesAQuadraticInOneStep) {
  const auto& q = testing::ill_conditioned_quadratic();
  Vec<double> theta = q.start();
  std::vector<double> lrs;
  const Report r = newton(q, theta, {.max_iters = 10, .grad_tol = 1e-9}, {},
                          [&](const StepEvent<double>& e) { lrs.push_back(e.lr); });
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_EQ(r.iterations, 1);
  EXPECT_LE((theta - q.minimizer()).norm(), 1e-12 * q.minimizer().norm());
  ASSERT_EQ(lrs.size(), 2u);
  EXPECT_EQ(lrs[0], 1.0);
  EXPECT_TRUE(std::isnan(lrs[1]));  // the last iterate takes no step
}

// The solve follows the objective's capabilities: with only H·v it is Newton-CG, with only a dense
// Hessian the Cholesky solve (and asking for matrix_free is an error); each gives the same run as
// the corresponding choice on an objective that has both.
TEST(Newton, SolvesWithWhatTheObjectiveOffers) {
  const auto f = ExpResidual<double>::make();
  struct HvpOnly {
    using Scalar = double;
    const ExpResidual<double>& f;
    Index dim() const { return f.dim(); }
    double value(const Vec<double>& x) const { return f.value(x); }
    double gradient(const Vec<double>& x, Vec<double>& g) const { return f.gradient(x, g); }
    void hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const { f.hvp(x, v, Hv); }
  };
  struct HessianOnly {
    using Scalar = double;
    const ExpResidual<double>& f;
    Index dim() const { return f.dim(); }
    double value(const Vec<double>& x) const { return f.value(x); }
    double gradient(const Vec<double>& x, Vec<double>& g) const { return f.gradient(x, g); }
    Mat<double> hessian(const Vec<double>& x) const { return f.hessian(x); }
  };
  static_assert(HvpObjective<HvpOnly> && !HessianObjective<HvpOnly>);
  static_assert(HessianObjective<HessianOnly> && !HvpObjective<HessianOnly>);
  const Stop stop{.max_iters = 50, .grad_tol = 1e-12};
  const auto run = [&](const auto& objective, const NewtonOptions& options) {
    Vec<double> theta = Vec<double>::Zero(3);
    const Report r = newton(objective, theta, stop, options);
    EXPECT_EQ(r.status, Status::converged);
    EXPECT_LE((theta - f.minimizer()).norm(), 1e-12);
    return r.iterations;
  };
  EXPECT_EQ(run(HvpOnly{f}, {}), run(f, {.matrix_free = true}));
  EXPECT_EQ(run(HessianOnly{f}, {}), run(f, {}));
  EXPECT_NE(run(f, {}), run(f, {.matrix_free = true}));  // the two solves do differ
  Vec<double> theta = Vec<double>::Zero(3);
  EXPECT_THROW(newton(HessianOnly{f}, theta, stop, {.matrix_free = true}), Error);
}

// Errors e_k = ‖θ_k − θ*‖ of a run, read from the step events.
template <class Driver>
std::vector<double> errors_of(const ExpResidual<double>& f, Driver&& run) {
  std::vector<double> errors;
  Vec<double> theta = Vec<double>::Zero(3);
  const Vec<double> star = f.minimizer();
  const Report r = run(theta, [&](const StepEvent<double>& e) { errors.push_back((e.theta - star).norm()); });
  EXPECT_EQ(r.status, Status::converged);
  return errors;
}

// Quadratic convergence (N&W Thm. 3.5): e_{k+1} ≤ C e_k² near θ*, so the digits double. Measured
// on f = Σ e^{r_i} − r_i (r = Aθ − b) from θ = 0 (e_0 ≈ 2.3): e_{k+1}/e_k² stays below 2 once
// e_k < 0.5 (a linearly convergent method has e_{k+1}/e_k² → ∞). Ratios are taken while e_{k+1}
// is above the rounding floor of 1e-13.
TEST(Newton, ConvergesQuadraticallyOnAStrictlyConvexNonQuadratic) {
  const auto f = ExpResidual<double>::make();
  const std::vector<double> e = errors_of(f, [&](Vec<double>& theta, auto&& callback) {
    return newton(f, theta, {.max_iters = 50, .grad_tol = 1e-13}, {}, callback);
  });
  int ratios = 0;
  for (std::size_t k = 0; k + 1 < e.size(); ++k) {
    if (e[k] < 0.5 && e[k + 1] > 1e-13) {
      EXPECT_LE(e[k + 1] / (e[k] * e[k]), 2.0) << "k = " << k << ", e_k = " << e[k];
      ++ratios;
    }
  }
  EXPECT_GE(ratios, 2);
  EXPECT_LE(e.size(), 12u);
  EXPECT_LE(e.back(), 1e-13);
}

// Newton-CG with forcing η_k = min(0.5, √‖g_k‖) converges superlinearly (N&W Thm. 7.2): the
// contraction e_{k+1}/e_k falls towards 0 (measured 0.48, 0.048, 1.6e-5 once e_k < 0.01), where a
// linearly convergent method would keep it about constant.
TEST(Newton, NewtonCgConvergesSuperlinearly) {
  const auto f = ExpResidual<double>::make();
  const std::vector<double> e = errors_of(f, [&](Vec<double>& theta, auto&& callback) {
    return newton(f, theta, {.max_iters = 50, .grad_tol = 1e-13}, {.matrix_free = true}, callback);
  });
  std::vector<double> contraction;
  for (std::size_t k = 0; k + 1 < e.size(); ++k)
    if (e[k] < 0.01 && e[k + 1] > 1e-13) contraction.push_back(e[k + 1] / e[k]);
  ASSERT_GE(contraction.size(), 3u);
  for (std::size_t j = 1; j < contraction.size(); ++j) EXPECT_LT(contraction[j], 0.2 * contraction[j - 1]) << j;
  EXPECT_LT(contraction.back(), 1e-3);
  EXPECT_LE(e.back(), 1e-13);
}

// Newton's iterates are affine invariant (N&W §3.3; Boyd & Vandenberghe §9.5.1): on
// f(θ) = F(Aθ − b) with F(u) = Σ e^{u_i} − u_i they are the iterates of F from u_0 = −b, mapped
// back, whatever A, so the iterations to ‖Aθ − b‖∞ ≤ 1e-8 do not change with the condition number
// κ of the Hessian AᵀA at θ* (A SPD with spectrum √κ·[1/√κ, 1]); L-BFGS's grow with κ.
// Measured (D = 10, κ = 1, 1e2, 1e4, 1e6): Newton 6, 6, 6, 6; L-BFGS 11, 47, 140, 670.
TEST(Newton, IterationsDoNotDependOnConditioning) {
  const Index D = 10;
  const Vec<double> b = Vec<double>::LinSpaced(D, -1.0, 1.0);
  std::vector<std::int64_t> newton_iterations, lbfgs_iterations;
  for (const double kappa : {1.0, 1e2, 1e4, 1e6}) {
    Rng rng = make_rng(5, stream::data);
    const Mat<double> A = Quadratic<double>::with_spectrum(D, 1.0, std::sqrt(kappa), rng).A();
    const ExpResidual<double> f{A, b};
    // The first iterate with ‖Aθ − b‖∞ ≤ 1e-8 (the run stops there).
    const auto first_accurate = [&](auto&& run) {
      std::int64_t hit = -1;
      Vec<double> theta = Vec<double>::Zero(D);
      run(theta, [&](const StepEvent<double>& e) {
        if ((A * e.theta - b).lpNorm<Eigen::Infinity>() > 1e-8) return Control::proceed;
        hit = e.step;
        return Control::stop;
      });
      return hit;
    };
    newton_iterations.push_back(first_accurate([&](Vec<double>& theta, auto&& callback) {
      newton(f, theta, {.max_iters = 100, .grad_tol = 0}, {}, callback);
    }));
    lbfgs_iterations.push_back(first_accurate([&](Vec<double>& theta, auto&& callback) {
      lbfgs(f, theta, {.max_iters = 100000, .grad_tol = 0}, {}, callback);
    }));
  }
  for (std::size_t i = 0; i < newton_iterations.size(); ++i) {
    EXPECT_GT(newton_iterations[i], 0);
    EXPECT_LE(std::abs(newton_iterations[i] - newton_iterations[0]), 1) << "κ index " << i;
    EXPECT_GT(lbfgs_iterations[i], 0);
  }
  EXPECT_GT(lbfgs_iterations.back(), 10 * lbfgs_iterations.front());
}

// From the classical start (−1.2, 1) Newton with backtracking reaches (1, 1): measured 22
// iterations with the dense Hessian, 64 with Newton-CG (whose early steps, cut short by the
// forcing term or by negative curvature, are closer to steepest descent); 10-D Newton-CG: 119.
TEST(Newton, ReachesRosenbrocksMinimum) {
  struct Case {
    Index n;
    bool matrix_free;
    std::int64_t budget;
  };
  for (const Case c : {Case{2, false, 30}, Case{2, true, 80}, Case{10, true, 150}}) {
    const Rosenbrock<double> f(c.n);
    Vec<double> theta = f.start();
    const Report r = newton(f, theta, {.max_iters = 1000, .grad_tol = 1e-10}, {.matrix_free = c.matrix_free});
    SCOPED_TRACE(::testing::Message() << "n = " << c.n << ", matrix_free = " << c.matrix_free);
    EXPECT_EQ(r.status, Status::converged) << to_string(r.status);
    EXPECT_LE((theta - f.minimizer()).lpNorm<Eigen::Infinity>(), 1e-8);
    EXPECT_LE(r.iterations, c.budget) << "measured: " << r.iterations;
  }
}

// Newton is a local method: in 10-D, from the same start, the dense Newton iterates fall into the
// chained Rosenbrock's other local minimizer near (−1, 1, …, 1) (it exists for 4 ≤ n ≤ 30; Kok &
// Sandrock, Evol. Comput. 17, 2009), where f ≈ 3.99 and the Hessian is positive definite.
TEST(Newton, FindsTheOtherLocalMinimizerOfRosenbrockIn10D) {
  const Rosenbrock<double> f(10);
  Vec<double> theta = f.start();
  const Report r = newton(f, theta, {.max_iters = 100, .grad_tol = 1e-10});
  EXPECT_EQ(r.status, Status::converged) << to_string(r.status);
  EXPECT_LT(theta(0), -0.9);
  EXPECT_GT(r.value, 3.9);
  EXPECT_GT(Eigen::SelfAdjointEigenSolver<Mat<double>>(f.hessian(theta)).eigenvalues().minCoeff(), 0.0);
}

// On f = x² − y² the pure Newton step from anywhere lands on the saddle (0, 0). The modified
// Newton direction is a descent direction (Levenberg shift, or CG truncated at negative
// curvature), so f falls at every step and the iterates move away from the saddle.
TEST(Newton, IsNotAttractedToASaddle) {
  const testing::Saddle f;
  for (const bool matrix_free : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "matrix_free = " << matrix_free);
    Vec<double> theta{{0.5}, {0.1}};
    std::vector<double> values, distances;
    const Report r = newton(f, theta, {.max_iters = 8, .grad_tol = 1e-12}, {.matrix_free = matrix_free},
                            [&](const StepEvent<double>& e) {
                              values.push_back(e.loss);
                              distances.push_back(e.theta.norm());
                              if (e.step < 8) {
                                EXPECT_GT(e.lr, 0.0);
                              }
                            });
    EXPECT_EQ(r.status, Status::max_iters);
    ASSERT_EQ(values.size(), 9u);
    for (std::size_t k = 1; k < values.size(); ++k) {
      EXPECT_LT(values[k], values[k - 1]) << k;
      EXPECT_GT(distances[k], 0.05) << k;
    }
    EXPECT_GT(distances.back(), 10 * distances.front());
  }
}

TEST(Newton, ReportsDivergenceAndInterruption) {
  testing::expect_divergence_and_interruption_reported(
      [](const auto& f, Vec<double>& theta, const auto& watcher) {
        return newton(f, theta, {}, {}, watcher);
      },
      3);
}

// Float: the same driver on the float quadratic, to float accuracy.
TEST(Newton, WorksInFloat) {
  Rng rng = make_rng(3, stream::data);
  const auto q = Quadratic<float>::with_condition(8, 100.0, rng);
  Vec<float> theta = q.start();
  for (const bool matrix_free : {false, true}) {
    theta = q.start();
    const Report r = newton(q, theta, {.max_iters = 20, .grad_tol = 1e-4}, {.matrix_free = matrix_free});
    EXPECT_EQ(r.status, Status::converged);
    EXPECT_LE((theta - q.minimizer()).norm(), 1e-4f * q.minimizer().norm());
  }
}

}  // namespace
}  // namespace nnlab::optim
