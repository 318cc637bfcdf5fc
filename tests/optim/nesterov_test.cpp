// Nesterov: convergence, equivalence with Sutskever et al.'s form, option validation.
#include "nnlab/optim/nesterov.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

using testing::ill_conditioned_quadratic;

TEST(Nesterov, ConvergesOnIllConditionedQuadratic) {
  const auto& q = ill_conditioned_quadratic();
  const double sqrt_kappa = std::sqrt(q.condition_number());
  // Nesterov's constant-momentum scheme for strongly convex f: η = 1/L, μ = (√κ−1)/(√κ+1).
  Nesterov<double> opt({.lr = 1 / q.L(), .momentum = (sqrt_kappa - 1) / (sqrt_kappa + 1)});
  EXPECT_LE(testing::relative_error_after(opt, 2000), 1e-6);
}

// Sutskever et al. 2013: w ← μw − η∇f(θ + μw), θ ← θ + w. Our iterate is φ = θ + μw.
TEST(Nesterov, EquivalentToSutskeverForm) {
  const auto& q = ill_conditioned_quadratic();
  const double eta = 0.01, mu = 0.9;
  Nesterov<double> opt({.lr = eta, .momentum = mu});
  Vec<double> phi = q.start(), theta = q.start(), w = Vec<double>::Zero(q.dim()), g(q.dim());
  for (int t = 0; t < 50; ++t) {
    q.gradient(phi, g);
    opt.step(phi, g);
    q.gradient(theta + mu * w, g);
    w = mu * w - eta * g;
    theta += w;
    ASSERT_LE((phi - (theta + mu * w)).norm(), 1e-12 * phi.norm()) << "step " << t;
  }
}

// torch.optim.SGD(lr=0.1, momentum=0.9, nesterov=True), θ₀ = 1, gradients 1, 2:
// v₁ = 1, θ₁ = 1 − 0.1(1 + 0.9) = 0.81; v₂ = 2.9, θ₂ = 0.81 − 0.1(2 + 2.61) = 0.349.
TEST(Nesterov, MatchesPyTorchByHand) {
  Nesterov<double> opt({.lr = 0.1, .momentum = 0.9});
  Vec<double> theta = Vec<double>::Ones(1), g = Vec<double>::Ones(1);
  opt.step(theta, g);
  EXPECT_NEAR(theta(0), 0.81, 1e-15);
  g(0) = 2;
  opt.step(theta, g);
  EXPECT_NEAR(theta(0), 0.349, 1e-15);
}

TEST(Nesterov, RejectsInvalidOptions) {
  EXPECT_THROW(Nesterov<double>({.lr = -1}), Error);
  EXPECT_THROW(Nesterov<double>({.lr = 0.1, .momentum = 1.5}), Error);
  EXPECT_THROW(Nesterov<double>({.lr = 0.1, .momentum = 0.5, .weight_decay = -0.1}), Error);
}

}  // namespace
}  // namespace nnlab::optim
