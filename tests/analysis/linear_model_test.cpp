// OLS, ridge and the dropout closed form against independent oracles: normal equations,
// brute-force expectation over every dropout mask, finite differences, a gradient-only solver.
#include "nnlab/analysis/linear_model.hpp"
#include "nnlab/optim/quadratic_cg.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"

namespace nnlab::analysis {
namespace {

// X: N × D Gaussian with column j scaled by (j + 1), so diag(XᵀX) varies across features.
Mat<double> random_design(Index N, Index D, std::uint64_t seed) {
  Rng rng = make_rng(seed, stream::data);
  Mat<double> X(N, D);
  for (Index j = 0; j < D; ++j)
    for (Index i = 0; i < N; ++i) X(i, j) = double(j + 1) * normal(rng);
  return X;
}

Vec<double> random_vector(Index n, std::uint64_t seed) {
  Rng rng = make_rng(seed, stream::init);
  Vec<double> v(n);
  for (Index i = 0; i < n; ++i) v(i) = normal(rng);
  return v;
}

double relative(const Vec<double>& a, const Vec<double>& b) { return (a - b).norm() / b.norm(); }

TEST(LinearModel, OlsSolvesNormalEquations) {
  const Mat<double> X = random_design(40, 6, 1);
  const Vec<double> y = random_vector(40, 2);
  const Vec<double> w = ols(X, y);
  // Residual orthogonal to the column space: Xᵀ(y − Xw) = 0.
  EXPECT_LT((X.transpose() * (y - X * w)).norm(), 1e-10 * (X.transpose() * y).norm());
  const Vec<double> normal_solution = (X.transpose() * X).inverse() * X.transpose() * y;
  EXPECT_LT(relative(w, normal_solution), 1e-10);
}

TEST(LinearModel, OlsRejectsRankDeficientDesign) {
  Mat<double> X = random_design(20, 4, 3);
  X.col(3) = X.col(0) + 2 * X.col(1);
  try {
    ols(X, random_vector(20, 4));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ols(X, random_vector(19, 4)), Error);
}

TEST(LinearModel, RidgeWithPerFeaturePenalties) {
  const Mat<double> X = random_design(30, 5, 5);
  const Vec<double> y = random_vector(30, 6);
  Vec<double> lambda(5);
  lambda << 0.0, 0.5, 3.0, 10.0, 100.0;
  const Vec<double> w = ridge(X, y, lambda);
  Mat<double> M = X.transpose() * X;
  M.diagonal() += lambda;
  EXPECT_LT((M * w - X.transpose() * y).norm(), 1e-10 * (X.transpose() * y).norm());
  EXPECT_LT(relative(ridge(X, y, 0.0), ols(X, y)), 1e-12);
  lambda(2) = -1;
  EXPECT_THROW(ridge(X, y, lambda), Error);
}

TEST(LinearModel, ExpectedDropoutLossEqualsBruteForceOverAllMasks) {
  // N = 3 samples, D = 3 features: all 2^9 joint masks R with probability p^|R| (1−p)^(9−|R|).
  const Index N = 3, D = 3;
  const Mat<double> X = random_design(N, D, 7);
  const Vec<double> y = random_vector(N, 8), w = random_vector(D, 9);
  for (double p : {0.1, 0.5, 0.8, 1.0}) {
    double expectation = 0;
    for (int bits = 0; bits < (1 << (N * D)); ++bits) {
      Mat<double> R(N, D);
      int kept = 0;
      for (Index k = 0; k < N * D; ++k) {
        R(k / D, k % D) = (bits >> k) & 1;
        kept += (bits >> k) & 1;
      }
      const double probability = std::pow(p, kept) * std::pow(1 - p, double(N * D - kept));
      expectation += probability * dropout_sampled_loss(X, y, w, R);
    }
    EXPECT_NEAR(dropout_expected_loss(X, y, w, p), expectation, 1e-12 * expectation) << p;
  }
}

TEST(LinearModel, ExpectedLossGradientMatchesFiniteDifferences) {
  const Mat<double> X = random_design(25, 4, 10);
  const Vec<double> y = random_vector(25, 11), w = random_vector(4, 12);
  const double p = 0.3, h = 1e-5;
  const Vec<double> g = dropout_expected_loss_gradient(X, y, w, p);
  for (Index j = 0; j < 4; ++j) {
    Vec<double> plus = w, minus = w;
    plus(j) += h;
    minus(j) -= h;
    const double fd =
        (dropout_expected_loss(X, y, plus, p) - dropout_expected_loss(X, y, minus, p)) / (2 * h);
    EXPECT_NEAR(g(j), fd, 1e-7 * (1 + std::abs(fd))) << j;
  }
}

TEST(LinearModel, ClosedFormMinimizesExpectedLoss) {
  const Mat<double> X = random_design(50, 8, 13);
  const Vec<double> y = random_vector(50, 14);
  for (double p : {0.2, 0.5, 0.9}) {
    const Vec<double> w_star = dropout_closed_form(X, y, p);
    const DropoutExpectedLoss f{X, y, p};
    Vec<double> g0(8), g(8), w = Vec<double>::Zero(8);
    f.gradient(w, g0);
    f.gradient(w_star, g);
    EXPECT_LT(g.norm(), 1e-10 * g0.norm());
    const optim::Report cg = optim::quadratic_cg(f, w, {.max_iters = 200, .grad_tol = 1e-13 * g0.norm()});
    EXPECT_EQ(cg.status, optim::Status::converged) << cg.grad_norm;
    EXPECT_LE(cg.iterations, 8 + 2);  // D steps in exact arithmetic, a couple more in rounding
    EXPECT_LT(relative(w, w_star), 1e-9) << p;
  }
  // p = 1 keeps every unit: dropout is OLS.
  EXPECT_LT(relative(dropout_closed_form(X, y, 1.0), ols(X, y)), 1e-10);
  EXPECT_THROW(dropout_closed_form(X, y, 0.0), Error);
  EXPECT_THROW(dropout_closed_form(X, y, 1.5), Error);
}

TEST(LinearModel, DropoutIsRidgeWithPerFeaturePenalty) {
  const Mat<double> X = random_design(40, 6, 15);
  const Vec<double> y = random_vector(40, 16);
  for (double p : {0.1, 0.5, 0.95}) {
    const Vec<double> scaled = p * dropout_closed_form(X, y, p);
    EXPECT_LT(relative(scaled, ridge(X, y, dropout_ridge_penalty(X, p))), 1e-10) << p;
  }
}

TEST(LinearModel, LeastSquaresMapsOfSubsamplesAndBootstraps) {
  const Index N = 30, D = 4;
  const Mat<double> X = random_design(N, D, 17);
  const Vec<double> y = random_vector(N, 18);
  const Mat<double> A = least_squares_map(X, Vec<double>::Ones(N));
  EXPECT_LT(relative(A * y, ols(X, y)), 1e-10);
  EXPECT_LT((A * X - Mat<double>::Identity(D, D)).norm(), 1e-10);  // unbiased: AX = I
  // Subsample: the first 20 rows; bootstrap: row i counted (i mod 3) times.
  Vec<double> indicator = Vec<double>::Zero(N), counts(N);
  indicator.head(20).setOnes();
  for (Index i = 0; i < N; ++i) counts(i) = double(i % 3);
  EXPECT_LT(relative(least_squares_map(X, indicator) * y, ols(X.topRows(20), y.head(20))), 1e-10);
  Mat<double> Xb(N, D);
  Vec<double> yb(N);
  Index row = 0;
  for (Index i = 0; i < N; ++i)
    for (int c = 0; c < i % 3; ++c, ++row) Xb.row(row) = X.row(i), yb(row) = y(i);
  EXPECT_LT(relative(least_squares_map(X, counts) * y, ols(Xb.topRows(row), yb.head(row))), 1e-10);
  Vec<double> too_few = Vec<double>::Zero(N);
  too_few.head(3).setOnes();
  EXPECT_THROW(least_squares_map(X, too_few), Error);
}

TEST(LinearModel, QuadraticCgRejectsNonConvex) {
  struct Saddle {  // L = (−w₀² + w₁²)/2
    using Scalar = double;
    Index dim() const { return 2; }
    double value(const Vec<double>& w) const { return (-w(0) * w(0) + w(1) * w(1)) / 2; }
    double gradient(const Vec<double>& w, Vec<double>& g) const {
      g << -w(0), w(1);
      return value(w);
    }
  };
  Vec<double> w = Vec<double>::Ones(2);
  EXPECT_THROW(optim::quadratic_cg(Saddle{}, w, {.max_iters = 10, .grad_tol = 1e-10}), Error);
}

}  // namespace
}  // namespace nnlab::analysis
