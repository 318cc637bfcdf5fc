// Gradient descent: convergence on κ = 100, the exact contraction (κ−1)/(κ+1) of the step
// 2/(L+μ), divergence above 2/L, weight decay, option validation.
#include "nnlab/optim/sgd.hpp"

#include <gtest/gtest.h>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

using testing::centered;
using testing::ill_conditioned_quadratic;

TEST(Sgd, ConvergesOnIllConditionedQuadratic) {
  const auto& q = ill_conditioned_quadratic();
  Sgd<double> gd({.lr = 2.0 / (q.L() + q.mu())});
  EXPECT_LE(testing::relative_error_after(gd, 5000), 1e-6);
}

// e_{t+1} = (I − ηA) e_t; with η = 2/(L+μ) the extreme eigen-components are multiplied by
// ±(L−μ)/(L+μ), so a start on them contracts ‖e‖ by exactly (κ−1)/(κ+1) every step.
TEST(Sgd, StepTwoOverLPlusMuContractsAtKappaRate) {
  const Quadratic<double> q = centered(ill_conditioned_quadratic());
  const double kappa = q.condition_number();
  const double rate = (kappa - 1) / (kappa + 1);
  Sgd<double> gd({.lr = 2.0 / (q.L() + q.mu())});
  const Mat<double>& Q = q.eigenvectors();
  Vec<double> theta = Q.col(0) + 3.0 * Q.col(q.dim() - 1), g(q.dim());
  for (int t = 0; t < 200; ++t) {
    const double before = theta.norm();
    q.gradient(theta, g);
    gd.step(theta, g);
    ASSERT_NEAR(theta.norm() / before, rate, 1e-6) << "step " << t;
  }
}

TEST(Sgd, StepAboveTwoOverLDivergesAndMinimizeSaysSo) {
  const auto& q = ill_conditioned_quadratic();
  Sgd<double> gd({.lr = 2.1 / q.L()});
  Vec<double> theta = q.start();
  const Report report = minimize(q, gd, theta, Stop{.max_iters = 100000, .grad_tol = 1e-12});
  EXPECT_EQ(report.status, Status::diverged);
  EXPECT_LT(report.iterations, 100000);
  // And the step just below 2/L still converges.
  Sgd<double> stable({.lr = 1.9 / q.L()});
  EXPECT_LE(testing::relative_error_after(stable, 20000), 1e-6);
}

TEST(Sgd, WeightDecayAddsLambdaTheta) {
  Sgd<double> gd({.lr = 0.1, .weight_decay = 0.5});
  Vec<double> theta(2), g(2);
  theta << 1.0, -2.0;
  g << 0.3, 0.4;
  gd.step(theta, g);
  // θ − η(g + λθ) = (1 − 0.1·(0.3 + 0.5), −2 − 0.1·(0.4 − 1.0))
  EXPECT_DOUBLE_EQ(theta(0), 0.92);
  EXPECT_DOUBLE_EQ(theta(1), -1.94);
  EXPECT_EQ(gd.steps(), 1);
}

TEST(Sgd, FollowsItsSchedule) {
  Sgd<float> gd({.lr = 1.0}, Schedule::step(1.0, 2, 0.5));
  Vec<float> theta = Vec<float>::Zero(1), g = Vec<float>::Ones(1);
  for (int t = 0; t < 4; ++t) gd.step(theta, g);
  EXPECT_FLOAT_EQ(theta(0), -(1 + 1 + 0.5 + 0.5));
  EXPECT_DOUBLE_EQ(gd.lr(), 0.25);
}

TEST(Sgd, RejectsInvalidOptionsAndSizes) {
  EXPECT_THROW(Sgd<double>({.lr = 0.0}), Error);
  EXPECT_THROW(Sgd<double>({.lr = -1e-3}), Error);
  EXPECT_THROW(Sgd<double>({.lr = 0.1, .weight_decay = -1}), Error);
  try {
    Sgd<double>({.lr = -0.5});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("-0.5"), std::string::npos) << e.what();
  }
  Sgd<double> gd;
  Vec<double> theta = Vec<double>::Zero(3), g = Vec<double>::Zero(2);
  EXPECT_THROW(gd.step(theta, g), Error);
}

}  // namespace
}  // namespace nnlab::optim
