// The landscapes of the test-function zoo: exact derivatives against finite differences at random
// points (n-D functions in several dimensions), the Jet2 arithmetic, symmetric critical points,
// Ackley's cone point, and the monkey saddle being no extremum.
#include "nnlab/optim/landscapes.hpp"

#include <gtest/gtest.h>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/objective.hpp"
#include "zoo_checks.hpp"

namespace nnlab::optim {
namespace {

using testing::expect_derivatives_match;
using testing::uniform_point;

static_assert(HessianObjective<Himmelblau> && HvpObjective<Himmelblau>);
static_assert(HessianObjective<Rastrigin> && HvpObjective<StyblinskiTang> && HvpObjective<DoubleWell>);
static_assert(HessianObjective<Ackley> && HvpObjective<Ackley>);

template <class F>
void check_at_random_points(const F& f, double half_width, std::uint64_t seed) {
  Rng rng = make_rng(seed, 1);
  for (int trial = 0; trial < 5; ++trial) {
    SCOPED_TRACE(std::string(F::name) + " trial " + std::to_string(trial));
    expect_derivatives_match(f, uniform_point(f.dim(), half_width, rng), rng);
  }
}

TEST(Landscapes, TwoDimensionalDerivativesMatchFiniteDifferences) {
  check_at_random_points(Himmelblau{}, 5, 1);
  check_at_random_points(Beale{}, 4.5, 2);
  check_at_random_points(GoldsteinPrice{}, 2, 3);
  check_at_random_points(SixHumpCamel{}, 3, 4);
  check_at_random_points(SaddleXY{}, 2, 5);
  check_at_random_points(MonkeySaddle{}, 2, 6);
}

TEST(Landscapes, NDimensionalDerivativesMatchFiniteDifferences) {
  for (const Index n : {1, 2, 5}) {
    check_at_random_points(Rastrigin(n), 5.12, 10 + std::uint64_t(n));
    check_at_random_points(StyblinskiTang(n), 5, 20 + std::uint64_t(n));
    check_at_random_points(DoubleWell(n), 2, 30 + std::uint64_t(n));
    check_at_random_points(Ackley(n), 3, 40 + std::uint64_t(n));
  }
  EXPECT_THROW(Rastrigin(0), Error);
  EXPECT_THROW(Ackley(2).value(Vec<double>::Zero(3)), Error);
}

// Jet2 carries f, ∇f and ∇²f of a product exactly: x²y at (2, 3) = 12, ∇ = (2xy, x²) = (12, 4),
// ∇² = [[2y, 2x], [2x, 0]] = [[6, 4], [4, 0]].
TEST(Landscapes, Jet2IsExactSecondOrderForwardMode) {
  const Jet2 x = Jet2::x(2), y = Jet2::y(3);
  const Jet2 f = x * x * y;
  EXPECT_EQ(f.v, 12);
  EXPECT_EQ(f.gx, 12);
  EXPECT_EQ(f.gy, 4);
  EXPECT_EQ(f.hxx, 6);
  EXPECT_EQ(f.hxy, 4);
  EXPECT_EQ(f.hyy, 0);
  const Jet2 h = 3.0 - 2.0 * x + y * 0.5 - 1.0;
  EXPECT_EQ(h.v, 1.5 - 2);
  EXPECT_EQ(h.gx, -2);
  EXPECT_EQ(h.gy, 0.5);
}

// Ackley's minimum is a cone point: L(0) = 0, the minimal-norm subgradient 0, L > 0 on a small
// sphere around it, and the curvature there infinite (the Hessian's diagonal is +∞).
TEST(Landscapes, AckleyConePoint) {
  const Ackley f(3);
  const Vec<double> zero = Vec<double>::Zero(3);
  EXPECT_NEAR(f.value(zero), 0.0, 1e-15);
  Vec<double> g(3);
  f.gradient(zero, g);
  EXPECT_EQ(g.norm(), 0.0);
  EXPECT_TRUE(std::isinf(f.hessian(zero)(0, 0)));
  Rng rng = make_rng(7, 1);
  for (int trial = 0; trial < 20; ++trial) {
    Vec<double> u = uniform_point(3, 1, rng);
    u *= 1e-4 / u.norm();
    EXPECT_GT(f.value(u), 0.0);
    // Along a ray the slope at 0⁺ is ab/√n = 4/√3 (the cone), not 0.
    EXPECT_NEAR(f.value(u) / 1e-4, 4 / std::sqrt(3.0), 0.01);
  }
}

// f(t, 0) = t³ changes sign at the origin, so the degenerate critical point (H = 0) is neither a
// minimum nor a maximum: a monkey saddle.
TEST(Landscapes, MonkeySaddleIsNoExtremum) {
  const MonkeySaddle f;
  Vec<double> a(2), b(2);
  a << 1e-3, 0;
  b << -1e-3, 0;
  EXPECT_GT(f.value(a), 0.0);
  EXPECT_LT(f.value(b), 0.0);
  EXPECT_EQ(f.hessian(Vec<double>::Zero(2)).norm(), 0.0);
}

// Symmetries: Himmelblau's 9 points and the six-hump camel's point pairs under (x, y) → (−x, −y);
// DoubleWell's 3ⁿ points with index = the number of zero coordinates.
TEST(Landscapes, CriticalPointListsAreConsistent) {
  const SixHumpCamel camel;
  for (const CriticalPoint& p : camel.critical_points())
    EXPECT_NEAR(camel.value(-p.x), p.value, 1e-9 * std::max(1.0, std::abs(p.value)));
  EXPECT_EQ(Himmelblau{}.critical_points().size(), 9u);
  const DoubleWell w(3);
  const auto points = w.critical_points();
  EXPECT_EQ(points.size(), 27u);
  for (const CriticalPoint& p : points) {
    Index zeros = 0;
    for (Index i = 0; i < 3; ++i) zeros += p.x(i) == 0;
    EXPECT_EQ(p.inertia.negative, zeros);
    EXPECT_EQ(p.value, 0.25 * double(zeros));
  }
  // More points than the table holds: the global minimum and one point of each index.
  const auto st = StyblinskiTang(6).critical_points();
  ASSERT_EQ(st.size(), 7u);
  for (Index k = 0; k <= 6; ++k) EXPECT_EQ(st[std::size_t(k)].inertia.negative, k);
  EXPECT_NEAR(st[0].value, -39.16616570377141 * 6, 1e-10);
}

}  // namespace
}  // namespace nnlab::optim
