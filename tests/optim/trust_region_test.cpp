// Trust-region Newton-CG (Steihaug): Rosenbrock's minimum in 2-D and 100-D, negative curvature
// used (boundary steps from next to a maximum, down to a minimum), one step on a quadratic,
// radius updates and statuses.
#include "nnlab/optim/trust_region.hpp"

#include <gtest/gtest.h>

#include "local_objectives.hpp"
#include "nnlab/optim/landscapes.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

TEST(TrustRegion, ReachesRosenbrocksMinimum) {
  for (const Index n : {2, 100}) {
    SCOPED_TRACE(n);
    const Rosenbrock<double> f(n);
    Vec<double> theta = f.start();
    const Report r = trust_region(f, theta, {.max_iters = 2000, .grad_tol = 1e-10});
    EXPECT_EQ(r.status, Status::converged);
    EXPECT_LE((theta - f.minimizer()).norm(), 1e-9 * std::sqrt(double(n)));
    std::printf("trust_region Rosenbrock n=%ld: %ld iterations\n", long(n), long(r.iterations));
  }
}

// Next to Himmelblau's maximum H is negative definite: the first CG direction −g has negative
// curvature, so the first step goes to the boundary, ‖p‖ = Δ₀; the run ends at a minimum.
TEST(TrustRegion, UsesNegativeCurvature) {
  const Himmelblau f;
  Vec<double> theta(2);
  theta << -0.2, -0.9;
  ASSERT_EQ(inertia(f.hessian(theta)).index(), 2);
  std::vector<Vec<double>> iterates;
  std::vector<double> radii;
  const Report r = trust_region(f, theta, {.max_iters = 200, .grad_tol = 1e-10}, {.initial_radius = 0.1},
                                [&](const StepEvent<double>& e) {
                                  iterates.push_back(e.theta);
                                  radii.push_back(e.lr);
                                });
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_LT(f.value(theta), 1e-18);
  EXPECT_EQ(inertia(f.hessian(theta)).index(), 0);
  ASSERT_GE(iterates.size(), 2u);
  EXPECT_NEAR((iterates[1] - iterates[0]).norm(), 0.1, 1e-12);
  EXPECT_EQ(radii[0], 0.1);

  // Near the double well's saddle (0, 1) the model has negative curvature in x: TR leaves it.
  const DoubleWell w(2);
  theta << 1e-6, 1.0;
  EXPECT_EQ(trust_region(w, theta, {.max_iters = 200, .grad_tol = 1e-12}).status, Status::converged);
  EXPECT_NEAR(std::abs(theta(0)), 1.0, 1e-12);
}

// A quadratic inside the region: one full Newton-CG step (CG to the tolerance) and done.
TEST(TrustRegion, SolvesAWellConditionedQuadraticInsideTheRegion) {
  const auto& q = testing::ill_conditioned_quadratic();
  Vec<double> theta = q.start();
  const Report r = trust_region(q, theta, {.max_iters = 200, .grad_tol = 1e-9}, {.initial_radius = 1e3});
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_LE((theta - q.minimizer()).norm(), 1e-8 * q.minimizer().norm());
}

TEST(TrustRegion, Statuses) {
  // Unbounded below: the radius doubles to its cap and L falls without end.
  Vec<double> theta(2);
  theta << 0.5, 1e-3;
  Report r = trust_region(testing::Saddle{}, theta, {.max_iters = 30});
  EXPECT_EQ(r.status, Status::max_iters);
  EXPECT_LT(r.value, -1e5);
  // Exactly on the saddle: g = 0, converged at once.
  theta.setZero();
  r = trust_region(testing::Saddle{}, theta);
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_EQ(r.iterations, 0);
  // NaN values after the first evaluation: every trial is rejected, the radius shrinks to the
  // rounding of θ, and the run stalls.
  const auto f = testing::ExpResidual<double>::make();
  const testing::Poisoned<testing::ExpResidual<double>> poisoned{f, 1};
  theta = Vec<double>::Zero(3);
  r = trust_region(poisoned, theta, {.max_iters = 1000});
  EXPECT_EQ(r.status, Status::stalled);
  EXPECT_EQ(theta, Vec<double>::Zero(3));
  EXPECT_THROW(trust_region(f, theta, {}, {.eta = 0.5}), Error);
}

}  // namespace
}  // namespace nnlab::optim
