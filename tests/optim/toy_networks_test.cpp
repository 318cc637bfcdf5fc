// The deep scalar chain and matrix factorization: derivatives against finite differences, the
// conservation laws of gradient flow (exact identities of the gradient and a tiny-step integration),
// and the O(h) drift of balancedness under GD.
#include "nnlab/optim/toy_networks.hpp"

#include <Eigen/QR>
#include <gtest/gtest.h>

#include <cstdio>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/objective.hpp"
#include "zoo_checks.hpp"

namespace nnlab::optim {
namespace {

using testing::expect_derivatives_match;
using testing::uniform_point;

static_assert(HessianObjective<DeepChain> && HvpObjective<DeepChain>);
static_assert(HessianObjective<MatrixFactorization> && HvpObjective<MatrixFactorization>);

// M = Q₁ diag(σ) Q₂ᵀ with random orthogonal Q₁ (m × k), Q₂ (n × k).
Mat<double> matrix_with_singular_values(Index m, Index n, const Vec<double>& sigma, Rng& rng) {
  const auto orthonormal = [&](Index rows) {
    Mat<double> G(rows, rows);
    for (Index j = 0; j < rows; ++j)
      for (Index i = 0; i < rows; ++i) G(i, j) = normal(rng);
    const Mat<double> Q = Eigen::HouseholderQR<Mat<double>>(G).householderQ();
    return Q.leftCols(sigma.size()).eval();
  };
  return orthonormal(m) * sigma.asDiagonal() * orthonormal(n).transpose();
}

TEST(DeepChain, DerivativesMatchFiniteDifferences) {
  Rng rng = make_rng(1, 1);
  for (const Index N : {2, 3, 6}) {
    SCOPED_TRACE(N);
    const DeepChain f(N, 1.5);
    for (int trial = 0; trial < 3; ++trial) expect_derivatives_match(f, uniform_point(N, 1.3, rng), rng);
    // With zeros among the weights (the products are formed without division).
    Vec<double> w = uniform_point(N, 1.3, rng);
    w(0) = 0;
    expect_derivatives_match(f, w, rng);
  }
  EXPECT_THROW(DeepChain(1), Error);
}

// w_i ∂L/∂w_i = (P − y)P for every i, so d/dt (w_i² − w_j²) = −2(w_i g_i − w_j g_j) = 0 exactly.
TEST(DeepChain, GradientFlowConservesDifferencesOfSquares) {
  Rng rng = make_rng(2, 1);
  const DeepChain f(5);
  Vec<double> g(5);
  for (int trial = 0; trial < 10; ++trial) {
    const Vec<double> w = uniform_point(5, 1.5, rng);
    f.gradient(w, g);
    const double e = w.prod() - 1;
    for (Index i = 0; i < 5; ++i) EXPECT_NEAR(w(i) * g(i), e * w.prod(), 1e-14 * std::max(1.0, std::abs(e)));
  }
  // Integrated: RK4 with a tiny step to t = 2 keeps w_i² − w_j² to integration error, while L falls.
  Vec<double> w(5);
  w << 0.9, 1.1, 0.7, 1.3, 0.8;
  const Vec<double> c0 = w.array().square() - w(0) * w(0);
  const double L0 = f.value(w);
  const auto flow = [&](const Vec<double>& x) {
    Vec<double> d(5);
    f.gradient(x, d);
    return Vec<double>(-d);
  };
  const double dt = 1e-3;
  for (int k = 0; k < 2000; ++k) {
    const Vec<double> k1 = flow(w), k2 = flow(w + dt / 2 * k1), k3 = flow(w + dt / 2 * k2), k4 = flow(w + dt * k3);
    w += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  EXPECT_LE(((w.array().square() - w(0) * w(0)).matrix() - c0).norm(), 1e-10);
  EXPECT_LT(f.value(w), 1e-3 * L0);
}

// Near 0 the gradient is O(‖w‖^{N−1}): along w = ε(1, …, 1), ‖∇L‖ = √N ε^{N−1}|ε^N − 1|.
TEST(DeepChain, FlatnessAtTheOriginGrowsWithDepth) {
  const double eps = 0.1;
  for (const Index N : {2, 3, 4, 6}) {
    const DeepChain f(N);
    Vec<double> g(N);
    f.gradient(Vec<double>::Constant(N, eps), g);
    const double expected = std::sqrt(double(N)) * std::pow(eps, double(N - 1)) * (1 - std::pow(eps, double(N)));
    EXPECT_NEAR(g.norm(), expected, 1e-14);
  }
}

// Escape from near the origin slows with depth: from w = ε(1, …, 1) the balanced flow is
// ẇ = (1 − w^N) w^{N−1} ≈ w^{N−1}, so for N ≥ 3 leaving takes time ≈ ε^{−(N−2)}/(N−2) (for N = 2
// only log(1/ε)). GD with h = 0.01 and ε = 0.2, until L < 1/8 (P = ½): time within 20 % of that.
TEST(DeepChain, EscapeFromTheOriginSlowsWithDepth) {
  const double eps = 0.2, h = 0.01;
  double previous_time = 0;
  for (const Index N : {2, 3, 4, 5, 6}) {
    const DeepChain f(N);
    Vec<double> w = Vec<double>::Constant(N, eps), g(N);
    std::int64_t steps = 0;
    while (f.gradient(w, g) >= 0.125) {
      w -= h * g;
      ++steps;
    }
    const double time = h * double(steps);
    EXPECT_GT(time, 2 * previous_time) << N;
    if (N >= 3) {
      EXPECT_NEAR(time * double(N - 2) * std::pow(eps, double(N - 2)), 1.0, 0.2) << N;
    }
    previous_time = time;
  }
}

TEST(MatrixFactorization, DerivativesMatchFiniteDifferences) {
  Rng rng = make_rng(3, 1);
  const Vec<double> sigma = (Vec<double>(3) << 3, 2, 1).finished();
  const Mat<double> M = matrix_with_singular_values(4, 3, sigma, rng);
  for (const Index r : {1, 2, 3}) {
    SCOPED_TRACE(r);
    const MatrixFactorization f(M, r);
    for (int trial = 0; trial < 3; ++trial) expect_derivatives_match(f, uniform_point(f.dim(), 1.5, rng), rng);
  }
  EXPECT_THROW(MatrixFactorization(M, 4), Error);
  const Mat<double> repeated = matrix_with_singular_values(3, 3, (Vec<double>(2) << 2, 2).finished(), rng);
  EXPECT_THROW(MatrixFactorization(repeated, 1), Error);
}

// Uᵀ∇_U L = UᵀRV = (∇_V L)ᵀV, so d/dt(UᵀU − VᵀV) = −(Uᵀ∇_U + ∇_UᵀU) + (Vᵀ∇_V + ∇_VᵀV) = 0.
TEST(MatrixFactorization, GradientFlowConservesImbalance) {
  Rng rng = make_rng(4, 1);
  const Mat<double> M = matrix_with_singular_values(5, 4, (Vec<double>(3) << 3, 2, 1).finished(), rng);
  const MatrixFactorization f(M, 2);
  Vec<double> g(f.dim());
  for (int trial = 0; trial < 5; ++trial) {
    const Vec<double> theta = uniform_point(f.dim(), 1.5, rng);
    f.gradient(theta, g);
    const Mat<double> UtGU = f.U(theta).transpose() * f.U(g), GVtV = f.V(g).transpose() * f.V(theta);
    EXPECT_LE((UtGU - GVtV).norm(), 1e-13 * std::max(1.0, UtGU.norm()));
  }
}

// GD θ ← θ − h∇L changes UᵀU − VᵀV by exactly h²(VᵀRᵀRV − UᵀRRᵀU) per step, so to a fixed time
// T the drift is ≈ C·h: halving h halves it (ratio 2 up to O(h)).
TEST(MatrixFactorization, GradientDescentDriftsFromBalanceInProportionToTheStep) {
  Rng rng = make_rng(5, 1);
  const Mat<double> M = matrix_with_singular_values(4, 3, (Vec<double>(3) << 3, 2, 1).finished(), rng);
  const MatrixFactorization f(M, 2);
  const Vec<double> theta0 = 0.3 * uniform_point(f.dim(), 1, rng);
  const Mat<double> D0 = f.imbalance(theta0);

  // One step, exactly.
  Vec<double> g(f.dim());
  f.gradient(theta0, g);
  const double h = 0.05;
  const Mat<double> R = f.U(theta0) * f.V(theta0).transpose() - M;
  const Mat<double> predicted =
      D0 + h * h * (f.V(theta0).transpose() * R.transpose() * R * f.V(theta0) -
                    f.U(theta0).transpose() * R * R.transpose() * f.U(theta0));
  const Vec<double> theta1 = theta0 - h * g;
  EXPECT_LE((f.imbalance(theta1) - predicted).norm(), 1e-14 * std::max(1.0, D0.norm()));

  const auto drift = [&](double step) {
    Vec<double> theta = theta0;
    for (int k = 0; k < int(std::lround(4.0 / step)); ++k) {
      f.gradient(theta, g);
      theta -= step * g;
    }
    // T = 4 is past the fit of the top two components: L is near its minimum ½σ₃² = 0.5.
    EXPECT_LT(f.value(theta) - 0.5, 1e-3 * (f.value(theta0) - 0.5));
    return (f.imbalance(theta) - D0).norm();
  };
  const double d1 = drift(2e-3), d2 = drift(1e-3), d3 = drift(5e-4);
  std::printf("imbalance drift at T = 4: %.3e (h = 2e-3), %.3e (1e-3), %.3e (5e-4); ratios %.4f, %.4f\n", d1,
              d2, d3, d1 / d2, d2 / d3);
  EXPECT_GT(d1, 1e-6);
  EXPECT_NEAR(d1 / d2, 2.0, 0.02);
  EXPECT_NEAR(d2 / d3, 2.0, 0.01);
}

}  // namespace
}  // namespace nnlab::optim
