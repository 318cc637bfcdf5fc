// RMSProp: convergence (with a decaying schedule), first step by hand, option validation.
#include "nnlab/optim/rmsprop.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

// Near the minimum E ∝ g², so a constant-lr step has size ≈ η/√(1−ρ)-ish whatever ‖g‖ is and the
// iterates hover at distance O(η); reaching 1e-6 needs η → 0, here by cosine annealing.
TEST(RmsProp, ConvergesOnIllConditionedQuadraticWithCosineSchedule) {
  RmsProp<double> opt({.lr = 0.01}, Schedule::cosine(0.01, 0.0, 2000));
  EXPECT_LE(testing::relative_error_after(opt, 2000), 1e-6);
  RmsProp<double> constant({.lr = 0.01});
  EXPECT_GT(testing::relative_error_after(constant, 2000), 1e-4);
}

// E₁ = (1 − ρ)g², so the first step is −η g/(√(1−ρ)|g| + ε) = −η sign(g)/√(1−ρ) for ε → 0.
TEST(RmsProp, FirstStepByHand) {
  RmsProp<double> opt({.lr = 0.01, .rho = 0.9, .eps = 1e-300});
  Vec<double> theta = Vec<double>::Zero(3), g(3);
  g << 2, -0.001, 50;
  opt.step(theta, g);
  const double size = 0.01 / std::sqrt(0.1);
  EXPECT_NEAR(theta(0), -size, 1e-15);
  EXPECT_NEAR(theta(1), size, 1e-15);
  EXPECT_NEAR(theta(2), -size, 1e-15);
}

TEST(RmsProp, RejectsInvalidOptions) {
  EXPECT_THROW(RmsProp<double>({.lr = -1}), Error);
  EXPECT_THROW(RmsProp<double>({.lr = 0.1, .rho = 1.0}), Error);
  EXPECT_THROW(RmsProp<double>({.lr = 0.1, .rho = 0.9, .eps = -1}), Error);
}

}  // namespace
}  // namespace nnlab::optim
