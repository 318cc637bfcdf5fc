// AdaGrad: convergence, two steps by hand, option validation.
#include "nnlab/optim/adagrad.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

TEST(AdaGrad, ConvergesOnIllConditionedQuadratic) {
  // On a deterministic problem Σg² converges, so the per-coordinate steps stay bounded below and
  // the convergence is linear.
  AdaGrad<double> opt({.lr = 1.0});
  EXPECT_LE(testing::relative_error_after(opt, 20000), 1e-6);
}

// g = (3, −4) twice: G₁ = (9, 16), step −η(1, −1); G₂ = (18, 32), step −η(3/√18, −4/√32).
TEST(AdaGrad, TwoStepsByHand) {
  AdaGrad<double> opt({.lr = 0.5, .eps = 1e-300});
  Vec<double> theta = Vec<double>::Zero(2), g(2);
  g << 3, -4;
  opt.step(theta, g);
  EXPECT_DOUBLE_EQ(theta(0), -0.5);
  EXPECT_DOUBLE_EQ(theta(1), 0.5);
  opt.step(theta, g);
  EXPECT_DOUBLE_EQ(theta(0), -0.5 - 0.5 * 3 / std::sqrt(18.0));
  EXPECT_DOUBLE_EQ(theta(1), 0.5 + 0.5 * 4 / std::sqrt(32.0));
}

TEST(AdaGrad, RejectsInvalidOptions) {
  EXPECT_THROW(AdaGrad<double>({.lr = 0}), Error);
  EXPECT_THROW(AdaGrad<double>({.lr = 0.1, .eps = 0}), Error);
  EXPECT_THROW(AdaGrad<double>({.lr = 0.1, .eps = 1e-10, .weight_decay = -1}), Error);
}

}  // namespace
}  // namespace nnlab::optim
