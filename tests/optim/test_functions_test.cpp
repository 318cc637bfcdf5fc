// Test problems: gradients and Hessians against central finite differences, the concepts they
// model, their known minimizers and minima, and the Rosenbrock Hessian at (1, 1).
#include "nnlab/optim/test_functions.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/objective.hpp"

namespace nnlab::optim {
namespace {

static_assert(HessianObjective<Quadratic<double>> && HvpObjective<Quadratic<float>>);
static_assert(HessianObjective<Rosenbrock<double>> && HvpObjective<Rosenbrock<double>>);
static_assert(StochasticObjective<LeastSquares<double>> && HessianObjective<LeastSquares<double>>);

struct ValueOnly {
  using Scalar = double;
  Index dim() const { return 1; }
  double value(const Vec<double>& x) const { return x(0); }
};
static_assert(Objective<ValueOnly> && !DifferentiableObjective<ValueOnly>);
static_assert(!StochasticObjective<Quadratic<double>>);

Vec<double> random_vector(Index n, Rng& rng) {
  Vec<double> v(n);
  for (Index i = 0; i < n; ++i) v(i) = normal(rng);
  return v;
}

// Central differences: error O(h²) ≈ 1e-10 for these smooth functions with h = 1e-5.
template <class F>
void expect_gradient_matches_fd(const F& f, const Vec<double>& x, double tol) {
  Vec<double> g(f.dim());
  const double value = f.gradient(x, g);
  EXPECT_NEAR(value, f.value(x), 1e-12 * std::max(1.0, std::abs(value)));
  const double h = 1e-5;
  for (Index i = 0; i < f.dim(); ++i) {
    Vec<double> xp = x, xm = x;
    xp(i) += h, xm(i) -= h;
    const double fd = (f.value(xp) - f.value(xm)) / (2 * h);
    EXPECT_NEAR(g(i), fd, tol * std::max(1.0, std::abs(fd))) << "coordinate " << i;
  }
}

// Hessian columns against central differences of the gradient; hvp against H v.
template <class F>
void expect_hessian_matches_fd(const F& f, const Vec<double>& x, double tol, Rng& rng) {
  const Mat<double> H = f.hessian(x);
  const double h = 1e-5;
  Vec<double> gp(f.dim()), gm(f.dim());
  for (Index i = 0; i < f.dim(); ++i) {
    Vec<double> xp = x, xm = x;
    xp(i) += h, xm(i) -= h;
    f.gradient(xp, gp), f.gradient(xm, gm);
    const Vec<double> fd = (gp - gm) / (2 * h);
    EXPECT_LE((H.col(i) - fd).norm(), tol * std::max(1.0, fd.norm())) << "column " << i;
  }
  const Vec<double> v = random_vector(f.dim(), rng);
  Vec<double> Hv;
  f.hvp(x, v, Hv);
  EXPECT_LE((Hv - H * v).norm(), 1e-12 * (H.norm() * v.norm()));
}

TEST(Quadratic, SpectrumAndMinimizer) {
  Rng rng = make_rng(1, 1);
  const auto q = Quadratic<double>::with_condition(20, 100.0, rng);
  EXPECT_NEAR(q.mu(), 1.0, 1e-12);
  EXPECT_NEAR(q.L(), 100.0, 1e-10);
  EXPECT_NEAR(q.condition_number(), 100.0, 1e-10);
  // Log-spaced: consecutive ratios all equal κ^{1/(D−1)}.
  for (Index i = 1; i < 20; ++i)
    EXPECT_NEAR(q.eigenvalues()(i) / q.eigenvalues()(i - 1), std::pow(100.0, 1.0 / 19), 1e-10);
  // A Q = Q Λ and QᵀQ = I.
  const Mat<double>& Q = q.eigenvectors();
  EXPECT_LE((q.A() * Q - Q * q.eigenvalues().asDiagonal()).norm(), 1e-11);
  EXPECT_LE((Q.transpose() * Q - Mat<double>::Identity(20, 20)).norm(), 1e-12);
  Vec<double> g(20);
  q.gradient(q.minimizer(), g);
  EXPECT_LE(g.norm(), 1e-11 * q.b().norm());
  EXPECT_NEAR(q.value(q.minimizer()), q.minimum(), 1e-12);
  // f(θ) − f* = ½(θ − θ*)ᵀA(θ − θ*) at any θ.
  const Vec<double> x = random_vector(20, rng), e = x - q.minimizer();
  EXPECT_NEAR(q.value(x) - q.minimum(), 0.5 * e.dot(q.A() * e), 1e-10 * q.value(x));
  expect_gradient_matches_fd(q, x, 1e-7);
  expect_hessian_matches_fd(q, x, 1e-6, rng);
}

TEST(Quadratic, RejectsNonSpdAndBadSizes) {
  Mat<double> A(2, 2);
  A << 1, 2, 2, 1;  // eigenvalues 3, −1
  EXPECT_THROW(Quadratic<double>(A, Vec<double>::Zero(2)), Error);
  A << 1, 0.5, 0, 1;
  EXPECT_THROW(Quadratic<double>(A, Vec<double>::Zero(2)), Error);
  EXPECT_THROW(Quadratic<double>(Mat<double>::Identity(2, 2), Vec<double>::Zero(3)), Error);
  Rng rng = make_rng(1, 1);
  EXPECT_THROW(Quadratic<double>::with_spectrum(5, 0.0, 1.0, rng), Error);
  EXPECT_THROW(Quadratic<double>::with_condition(5, 0.5, rng), Error);
  const auto q = Quadratic<double>::with_condition(3, 10, rng);
  EXPECT_THROW(q.value(Vec<double>::Zero(4)), Error);
}

TEST(Rosenbrock, KnownValuesGradientHessian) {
  const Rosenbrock<double> f2(2);
  EXPECT_EQ(f2.value(f2.minimizer()), 0.0);
  EXPECT_NEAR(f2.value(f2.start()), 24.2, 1e-12);  // 100·(1 − 1.44)² + 2.2² at (−1.2, 1)
  Mat<double> H_star(2, 2);
  H_star << 802, -400, -400, 200;
  EXPECT_EQ(f2.hessian(f2.minimizer()), H_star);
  Vec<double> g(2);
  f2.gradient(f2.minimizer(), g);
  EXPECT_EQ(g.norm(), 0.0);

  Rng rng = make_rng(2, 1);
  const Rosenbrock<double> f5(5);
  for (int trial = 0; trial < 3; ++trial) {
    const Vec<double> x = random_vector(5, rng);
    expect_gradient_matches_fd(f5, x, 1e-7);
    expect_hessian_matches_fd(f5, x, 1e-6, rng);
  }
  EXPECT_THROW(Rosenbrock<double>(1), Error);
}

TEST(LeastSquares, BatchGradientsAverageToFullGradient) {
  Rng rng = make_rng(3, 1);
  const auto f = LeastSquares<double>::synthetic(50, 4, 0.3, rng);
  const Vec<double> x = random_vector(4, rng);
  expect_gradient_matches_fd(f, x, 1e-7);
  expect_hessian_matches_fd(f, x, 1e-6, rng);

  std::vector<Index> all(50);
  std::iota(all.begin(), all.end(), Index(0));
  Vec<double> g_full(4), g_batch(4);
  const double full = f.gradient(x, g_full);
  EXPECT_NEAR(f.gradient(x, all, g_batch), full, 1e-12 * full);
  EXPECT_LE((g_batch - g_full).norm(), 1e-12 * g_full.norm());

  // Two halves: the full gradient is the mean of the two batch means.
  Vec<double> g_a(4), g_b(4);
  const double la = f.gradient(x, std::span<const Index>(all).first(25), g_a);
  const double lb = f.gradient(x, std::span<const Index>(all).last(25), g_b);
  EXPECT_NEAR(0.5 * (la + lb), full, 1e-12 * full);
  EXPECT_LE((0.5 * (g_a + g_b) - g_full).norm(), 1e-12 * g_full.norm());

  // θ* solves the normal equations.
  f.gradient(f.minimizer(), g_full);
  EXPECT_LE(g_full.norm(), 1e-12);
  EXPECT_NEAR(f.value(f.minimizer()), f.minimum(), 1e-14);

  const std::vector<Index> bad{50};
  EXPECT_THROW(f.gradient(x, bad, g_batch), Error);
}

}  // namespace
}  // namespace nnlab::optim
