// Adam: convergence, bias correction (first step of size lr in every coordinate), a second step
// by hand, float instantiation, option validation.
#include "nnlab/optim/adam.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

TEST(Adam, ConvergesOnIllConditionedQuadraticWithCosineSchedule) {
  Adam<double> opt({.lr = 0.01}, Schedule::cosine(0.01, 0.0, 2000));
  EXPECT_LE(testing::relative_error_after(opt, 2000), 1e-6);
}

// m̂₁ = g and v̂₁ = g², so Δθ = −η g/(|g| + ε): size η whatever the scale of g_i. Without the
// bias correction it would be η(1−β₁)/√(1−β₂) ≈ 3.16η.
TEST(Adam, FirstStepHasSizeLrInEveryCoordinate) {
  const double lr = 1e-3, eps = 1e-8;
  Adam<double> opt({.lr = lr, .eps = eps});
  Vec<double> theta = Vec<double>::Zero(5), g(5);
  g << 1e-3, -0.5, 7, -300, 2e4;
  opt.step(theta, g);
  for (Index i = 0; i < 5; ++i) {
    EXPECT_NEAR(std::abs(theta(i)), lr, lr * eps / std::abs(g(i)) * 1.01) << "coordinate " << i;
    EXPECT_EQ(std::signbit(theta(i)), !std::signbit(g(i)));
  }
}

// Second step with g₁ = 1, g₂ = 3 (β₁ = 0.9, β₂ = 0.999): m₂ = 0.09 + 0.3 = 0.39,
// v₂ = 0.000999 + 0.009 = 0.009999, m̂ = 0.39/0.19, v̂ = 0.009999/0.001999.
TEST(Adam, SecondStepByHand) {
  Adam<double> opt({.lr = 0.1, .eps = 1e-300});
  Vec<double> theta = Vec<double>::Zero(1), g = Vec<double>::Ones(1);
  opt.step(theta, g);
  g(0) = 3;
  opt.step(theta, g);
  const double m_hat = 0.39 / 0.19, v_hat = 0.009999 / (1 - 0.999 * 0.999);
  EXPECT_NEAR(theta(0), -0.1 - 0.1 * m_hat / std::sqrt(v_hat), 1e-14);
}

TEST(Adam, FloatMatchesDouble) {
  Adam<float> f({.lr = 0.01});
  Adam<double> d({.lr = 0.01});
  Vec<float> tf = Vec<float>::Zero(3);
  Vec<double> td = Vec<double>::Zero(3);
  for (int t = 0; t < 20; ++t) {
    Vec<double> g(3);
    g << 1 + t, -2.0 / (t + 1), 0.5;
    d.step(td, g);
    f.step(tf, Vec<float>(g.cast<float>()));
  }
  EXPECT_LE((tf.cast<double>() - td).norm(), 1e-5 * td.norm());
}

TEST(Adam, RejectsInvalidOptions) {
  EXPECT_THROW(Adam<double>({.lr = 0}), Error);
  EXPECT_THROW(Adam<double>({.lr = 1e-3, .beta1 = 1.0}), Error);
  EXPECT_THROW(Adam<double>({.lr = 1e-3, .beta1 = 0.9, .beta2 = -0.1}), Error);
  EXPECT_THROW(Adam<double>({.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 0}), Error);
  try {
    Adam<double>({.lr = 1e-3, .beta1 = 1.5});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("beta1"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("1.5"), std::string::npos);
  }
}

}  // namespace
}  // namespace nnlab::optim
