// Heavy ball: convergence, the optimal rate (√κ−1)/(√κ+1), PyTorch's SGD(momentum) by hand,
// equivalence with Polyak's form at constant lr, option validation.
#include "nnlab/optim/momentum.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

using testing::centered;
using testing::ill_conditioned_quadratic;

// Polyak's optimal parameters for a quadratic with spectrum in [μ, L]:
// η = 4/(√L + √μ)², μ_m = ((√κ − 1)/(√κ + 1))².
MomentumOptions optimal_heavy_ball(double mu, double L) {
  const double r = (std::sqrt(L / mu) - 1) / (std::sqrt(L / mu) + 1);
  return {.lr = 4 / std::pow(std::sqrt(L) + std::sqrt(mu), 2), .momentum = r * r};
}

TEST(Momentum, ConvergesOnIllConditionedQuadratic) {
  const auto& q = ill_conditioned_quadratic();
  Momentum<double> hb(optimal_heavy_ball(q.mu(), q.L()));
  EXPECT_LE(testing::relative_error_after(hb, 2000), 1e-6);
}

// With the optimal parameters every eigen-mode's iteration matrix has spectral radius
// ρ = (√κ−1)/(√κ+1) (the extreme modes with a double root, giving ‖e_t‖ ~ t ρ^t), so the rate
// measured over steps [1000, 3000] is ρ·3^{1/2000} ≈ 1.00055ρ: within 1e-3 relative. ‖θ‖ reaches
// 1e-260 here, so the norm is taken with stableNorm (‖θ‖² would underflow).
TEST(Momentum, OptimalParametersReachAcceleratedRate) {
  const Quadratic<double> q = centered(ill_conditioned_quadratic());
  const double sqrt_kappa = std::sqrt(q.condition_number());
  const double rho = (sqrt_kappa - 1) / (sqrt_kappa + 1);
  Momentum<double> hb(optimal_heavy_ball(q.mu(), q.L()));
  Vec<double> theta = Vec<double>::Ones(q.dim()), g(q.dim());
  double norm_1000 = 0;
  for (int t = 1; t <= 3000; ++t) {
    q.gradient(theta, g);
    hb.step(theta, g);
    if (t == 1000) norm_1000 = theta.stableNorm();
  }
  ASSERT_GT(theta.stableNorm(), 0.0);
  const double measured = std::pow(theta.stableNorm() / norm_1000, 1.0 / 2000);
  EXPECT_NEAR(measured, rho, 1e-3 * rho);
  // Far faster than GD's best (κ−1)/(κ+1) = 0.980.
  EXPECT_LT(measured, 0.85);
}

// torch.optim.SGD(lr=0.1, momentum=0.9) on θ₀ = 1 with gradients 1, 2, 3:
// v₁ = 1, θ₁ = 0.9; v₂ = 2.9, θ₂ = 0.61; v₃ = 5.61, θ₃ = 0.049.
TEST(Momentum, MatchesPyTorchByHand) {
  Momentum<double> opt({.lr = 0.1, .momentum = 0.9});
  Vec<double> theta = Vec<double>::Ones(1), g(1);
  const double expected_v[] = {1.0, 2.9, 5.61}, expected_theta[] = {0.9, 0.61, 0.049};
  for (int t = 0; t < 3; ++t) {
    g(0) = t + 1;
    opt.step(theta, g);
    EXPECT_NEAR(opt.velocity()(0), expected_v[t], 1e-15);
    EXPECT_NEAR(theta(0), expected_theta[t], 1e-15);
  }
  // With weight decay 0.5 PyTorch adds λθ to g first: g̃₁ = 1 + 0.5 = 1.5, θ₁ = 0.85;
  // g̃₂ = 2 + 0.425 = 2.425, v₂ = 1.35 + 2.425 = 3.775, θ₂ = 0.85 − 0.3775 = 0.4725.
  Momentum<double> wd({.lr = 0.1, .momentum = 0.9, .weight_decay = 0.5});
  theta(0) = 1;
  g(0) = 1;
  wd.step(theta, g);
  EXPECT_NEAR(theta(0), 0.85, 1e-15);
  g(0) = 2;
  wd.step(theta, g);
  EXPECT_NEAR(theta(0), 0.4725, 1e-15);
}

// Polyak: w ← μw − ηg, θ ← θ + w. Same iterates as the PyTorch form when η is constant.
TEST(Momentum, EquivalentToPolyakFormAtConstantLr) {
  const auto& q = ill_conditioned_quadratic();
  const double eta = 0.01, mu = 0.8;
  Momentum<double> opt({.lr = eta, .momentum = mu});
  Vec<double> theta = q.start(), polyak = q.start(), w = Vec<double>::Zero(q.dim()), g(q.dim());
  for (int t = 0; t < 50; ++t) {
    q.gradient(theta, g);
    opt.step(theta, g);
    q.gradient(polyak, g);
    w = mu * w - eta * g;
    polyak += w;
    ASSERT_LE((theta - polyak).norm(), 1e-12 * polyak.norm()) << "step " << t;
  }
  EXPECT_LE((opt.velocity() * -eta - w).norm(), 1e-12 * w.norm());
}

TEST(Momentum, RejectsInvalidOptions) {
  EXPECT_THROW(Momentum<double>({.lr = 0.0}), Error);
  EXPECT_THROW(Momentum<double>({.lr = 0.1, .momentum = 1.0}), Error);
  EXPECT_THROW(Momentum<double>({.lr = 0.1, .momentum = -0.1}), Error);
  EXPECT_THROW(Momentum<double>({.lr = 0.1, .momentum = 0.9, .weight_decay = -1}), Error);
  Momentum<double> opt;
  Vec<double> a = Vec<double>::Zero(3), b = Vec<double>::Zero(2);
  opt.step(a, a);
  EXPECT_THROW(opt.step(b, b), Error);  // state sized for 3 parameters
  opt.reset();
  EXPECT_NO_THROW(opt.step(b, b));
}

}  // namespace
}  // namespace nnlab::optim
