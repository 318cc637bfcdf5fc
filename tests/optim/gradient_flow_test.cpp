// gradient_flow against the closed form of a quadratic's flow, θ(t) = θ* + e^{−At}(θ₀ − θ*), and
// its fourth order; GradientPenalty's gradient against its closed form on a quadratic
// (∇(L + c‖∇L‖²) = (A + 2cA²)θ − (I + 2cA)b) and against central differences of its value.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/optim/gradient_flow.hpp"
#include "nnlab/optim/landscapes.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::optim {
namespace {

Vec<double> exact_flow(const Quadratic<double>& f, const Vec<double>& theta0, double t) {
  const Eigen::SelfAdjointEigenSolver<Mat<double>> eig(f.A());
  const Vec<double> star = f.A().ldlt().solve(f.b());
  const Vec<double> decay = (-t * eig.eigenvalues().array()).exp();
  return star + eig.eigenvectors() * decay.asDiagonal() * eig.eigenvectors().transpose() * (theta0 - star);
}

TEST(GradientFlow, MatchesTheClosedFormOfAQuadratic) {
  Rng rng(7);
  const auto f = Quadratic<double>::with_condition(6, 20, rng);
  const Vec<double> theta0 = Vec<double>::LinSpaced(6, -1, 2);
  const Vec<double> exact = exact_flow(f, theta0, 1.5);
  EXPECT_LT((gradient_flow(f, theta0, 1.5, 2000) - exact).norm(), 1e-12 * exact.norm() + 1e-12);
}

TEST(GradientFlow, ErrorFallsLikeTheFourthPowerOfTheStep) {
  Rng rng(8);
  const auto f = Quadratic<double>::with_condition(4, 10, rng);
  const Vec<double> theta0 = Vec<double>::Ones(4);
  const Vec<double> exact = exact_flow(f, theta0, 1.0);
  const double coarse = (gradient_flow(f, theta0, 1.0, 10) - exact).norm();
  const double fine = (gradient_flow(f, theta0, 1.0, 20) - exact).norm();
  EXPECT_NEAR(std::log2(coarse / fine), 4.0, 0.3);
}

TEST(GradientFlow, RefusesNoSteps) {
  Rng rng(9);
  const auto f = Quadratic<double>::with_condition(2, 2, rng);
  EXPECT_THROW(gradient_flow(f, Vec<double>::Zero(2), 1.0, 0), Error);
}

TEST(GradientPenalty, GradientOfAQuadraticsModifiedLossIsInClosedForm) {
  Rng rng(10);
  const auto f = Quadratic<double>::with_condition(5, 30, rng);
  const Quadratic<double>* terms[] = {&f};
  const double c = 0.05;
  const GradientPenalty<Quadratic<double>> modified(f, terms, c);
  const Vec<double> theta = Vec<double>::LinSpaced(5, -2, 1);
  const Mat<double>& A = f.A();
  const Vec<double> expected = (A + 2 * c * A * A) * theta - (Mat<double>::Identity(5, 5) + 2 * c * A) * f.b();
  Vec<double> g(5);
  modified.gradient(theta, g);
  EXPECT_LT((g - expected).norm(), 1e-10 * expected.norm());
}

TEST(GradientPenalty, GradientMatchesCentralDifferencesOnANonconvexFunction) {
  const Function2D<SixHumpCamelFormula> a;
  const Function2D<SixHumpCamelFormula>* terms[] = {&a, &a};
  const GradientPenalty<Function2D<SixHumpCamelFormula>> modified(a, terms, 0.1);
  Vec<double> theta(2), g(2);
  theta << 0.7, -0.4;
  modified.gradient(theta, g);
  for (Index i = 0; i < 2; ++i) {
    Vec<double> e = Vec<double>::Zero(2);
    e(i) = 1e-5;
    const double fd = (modified.value(theta + e) - modified.value(theta - e)) / 2e-5;
    EXPECT_NEAR(g(i), fd, 1e-7 * (1 + std::abs(fd)));
  }
}

}  // namespace
}  // namespace nnlab::optim
