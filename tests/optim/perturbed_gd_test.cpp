// Perturbed GD: started exactly on a strict saddle, where GD stays, it escapes to a minimum and
// ends there with the escape test; reproducible from the stream; its events.
#include "nnlab/optim/perturbed_gd.hpp"

#include <gtest/gtest.h>

#include "nnlab/optim/landscapes.hpp"
#include "nnlab/optim/sgd.hpp"
#include "nnlab/optim/toy_networks.hpp"

namespace nnlab::optim {
namespace {

// The double well Σ¼(x_i² − 1)² has a strict saddle at (0, 1) (Hessian diag(−1, 2)) and its
// maximum at (0, 0); ∇L = 0 at both, so GD started there never moves.
TEST(PerturbedGd, EscapesAStrictSaddleWhereGdStays) {
  const DoubleWell f(2);
  for (const double y : {1.0, 0.0}) {
    Vec<double> start(2);
    start << 0, y;
    Vec<double> theta = start, g(2);
    Sgd<double> gd(SgdOptions{.lr = 0.1});
    for (int k = 0; k < 5000; ++k) {
      f.gradient(theta, g);
      gd.step(theta, g);
    }
    EXPECT_EQ(theta, start);

    Rng rng = make_rng(1, 1);
    theta = start;
    int perturbations = 0;
    const Report r = perturbed_gd(f, theta, rng, {.max_iters = 5000}, {.lr = 0.1, .g_thres = 1e-3, .t_thres = 200},
                                  [&](const PerturbationEvent<double>& e) {
                                    ++perturbations;
                                    EXPECT_LE((e.theta - e.anchor).norm(), 1e-2);
                                  });
    EXPECT_EQ(r.status, Status::converged);
    // Both coordinates at ±1: a minimum (index 0), L ≈ 0.
    EXPECT_NEAR(std::abs(theta(0)), 1.0, 1e-3);
    EXPECT_NEAR(std::abs(theta(1)), 1.0, 1e-3);
    EXPECT_LT(r.value, 1e-6);
    EXPECT_EQ(inertia(f.hessian(theta)).index(), 0);
    // One perturbation to escape (from the maximum both coordinates are unstable, so it goes
    // straight to a minimum too), then one at the minimum that fails the escape test.
    EXPECT_EQ(perturbations, 2);
  }
}

// The same stream gives the same run; another stream another escape route (the sign of x is the
// sign of the perturbation's first coordinate).
TEST(PerturbedGd, IsReproducibleFromItsStream) {
  const DoubleWell f(2);
  const auto run = [&](std::uint64_t seed) {
    Rng rng = make_rng(seed, 1);
    Vec<double> theta(2);
    theta << 0, 1;
    perturbed_gd(f, theta, rng, {.max_iters = 5000}, {.lr = 0.1});
    return theta;
  };
  EXPECT_EQ(run(3), run(3));
  int positive = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) positive += run(seed)(0) > 0;
  EXPECT_GT(positive, 0);
  EXPECT_LT(positive, 20);
}

// The deep chain's origin (N = 3) is a degenerate saddle: H = 0 and L = ½ − w₁w₂w₃, so from a
// perturbation of size r the flow needs time ~1/r to leave. A large ball escapes within t_thres
// steps (time 100) and reaches P = 1; a small one does not, and PGD ends "converged" at the origin: its
// certificate (no decrease after a random kick) is second-order, and a degenerate saddle passes it.
TEST(PerturbedGd, DegenerateSaddleOfADeepChain) {
  const DeepChain f(3);
  const auto run = [&](double radius, Vec<double>& theta) {
    Rng rng = make_rng(5, 1);
    theta = Vec<double>::Zero(3);
    return perturbed_gd(f, theta, rng, {.max_iters = 20000},
                        {.lr = 0.1, .g_thres = 1e-3, .t_thres = 1000, .radius = radius, .f_thres = 1e-3});
  };
  Vec<double> theta;
  Report r = run(0.5, theta);
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_NEAR(theta.prod(), 1.0, 1e-3);
  r = run(1e-3, theta);
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_EQ(theta, Vec<double>::Zero(3));
  EXPECT_EQ(r.value, 0.5);
  EXPECT_EQ(r.iterations, 1000);
}

}  // namespace
}  // namespace nnlab::optim
