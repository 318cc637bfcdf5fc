// Noisy GD (unadjusted Langevin): on a quadratic the stationary variance per coordinate is that of
// the discrete AR(1) chain, T/(λ(1 − hλ/2)), not the continuous T/λ; T = 0 is GD; reproducible.
#include "nnlab/optim/noisy_gd.hpp"

#include <gtest/gtest.h>

#include "nnlab/optim/sgd.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::optim {
namespace {

// L = ½ Σ λ_i θ_i², O(D) per gradient (a dense Quadratic would cost D² per step).
struct DiagonalQuadratic {
  using Scalar = double;
  Vec<double> lambda;
  Index dim() const { return lambda.size(); }
  double value(const Vec<double>& x) const { return 0.5 * (lambda.array() * x.array().square()).sum(); }
  double gradient(const Vec<double>& x, Vec<double>& g) const {
    g = (lambda.array() * x.array()).matrix();
    return value(x);
  }
};

// L = ½θᵀAθ with A = diag(λ): 1000 coordinates with λ = 1 and 1000 with λ = 0.2, h = 0.5, T = 0.1.
// After a burn-in of 400 steps (ρ^{2k} = 0.9^{800} for the slow half), 10 snapshots 150 steps
// apart (correlation ≤ 0.9^{150} ≈ 1e-7) give n = 10⁴ near-independent N(0, σ²) draws per λ;
// the sample variance has SE σ²√(2/n) = 1.4 %. At hλ = 0.5 the discrete variance is 4/3 of
// T/λ, 23 SE apart; the test asks for 4 SE around the discrete value.
TEST(NoisyGd, StationaryVarianceIsTheDiscreteChains) {
  const Index half = 1000;
  Vec<double> lambda(2 * half);
  lambda.head(half).setConstant(1.0);
  lambda.tail(half).setConstant(0.2);
  const DiagonalQuadratic q{lambda};
  const double h = 0.5, T = 0.1;
  Rng rng = make_rng(1, 7);
  Vec<double> theta = Vec<double>::Zero(2 * half);
  double sum_fast = 0, sum_slow = 0;
  int snapshots = 0;
  const Report r = noisy_gd(q, theta, rng, {.max_iters = 400 + 9 * 150}, {.lr = h, .temperature = T},
                            [&](const StepEvent<double>& e) {
                              if (e.step < 400 || (e.step - 400) % 150 != 0) return;
                              sum_fast += e.theta.head(half).squaredNorm();
                              sum_slow += e.theta.tail(half).squaredNorm();
                              ++snapshots;
                            });
  EXPECT_EQ(r.status, Status::max_iters);
  ASSERT_EQ(snapshots, 10);
  const double n = double(snapshots * half);
  for (const auto& [sum, l] : {std::pair{sum_fast, 1.0}, std::pair{sum_slow, 0.2}}) {
    const double discrete = T / (l * (1 - h * l / 2)), continuous = T / l;
    const double variance = sum / n, se = discrete * std::sqrt(2 / n);
    std::printf("λ = %.1f: variance %.5f, discrete %.5f, continuous %.5f, SE %.5f\n", l, variance, discrete,
                continuous, se);
    EXPECT_NEAR(variance, discrete, 4 * se);
    if (l == 1.0) {
      EXPECT_GT(std::abs(variance - continuous), 10 * se);
    }
  }
}

TEST(NoisyGd, ZeroTemperatureIsGradientDescentAndStreamsReproduce) {
  Rng rng_q = make_rng(2, 1);
  const auto q = Quadratic<double>::with_condition(5, 10, rng_q);
  Vec<double> a = Vec<double>::Ones(5), b = a;
  Rng rng = make_rng(3, 1);
  noisy_gd(q, a, rng, {.max_iters = 50}, {.lr = 0.05, .temperature = 0});
  Sgd<double> gd(SgdOptions{.lr = 0.05});
  minimize(q, gd, b, {.max_iters = 50, .grad_tol = 0});
  EXPECT_EQ(a, b);

  const auto run = [&](std::uint64_t seed) {
    Rng r = make_rng(seed, 1);
    Vec<double> theta = Vec<double>::Ones(5);
    noisy_gd(q, theta, r, {.max_iters = 100}, {.lr = 0.05, .temperature = 0.3});
    return theta;
  };
  EXPECT_EQ(run(4), run(4));
  EXPECT_NE(run(4), run(5));
  Vec<double> theta = Vec<double>::Ones(5);
  EXPECT_THROW(noisy_gd(q, theta, rng, {}, {.lr = 0.05, .temperature = -1}), Error);
}

}  // namespace
}  // namespace nnlab::optim
