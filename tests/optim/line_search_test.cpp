// Line searches: the returned step meets the conditions (checked by evaluating φ and φ' anew),
// the evaluation count is the true one, and each failure has its own status.
#include "nnlab/optim/line_search.hpp"

#include <Eigen/Cholesky>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "local_objectives.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::optim {
namespace {

// Counts the objective's evaluations, to check LineSearchResult::evaluations.
template <class F>
struct Counted {
  using Scalar = typename F::Scalar;
  const F& f;
  mutable int values = 0, gradients = 0;
  Index dim() const { return f.dim(); }
  Scalar value(const Vec<Scalar>& x) const { return ++values, f.value(x); }
  Scalar gradient(const Vec<Scalar>& x, Vec<Scalar>& g) const { return ++gradients, f.gradient(x, g); }
};

// φ(α), φ'(α) evaluated independently of the line search.
struct Phi {
  double value, slope;
};
template <class F>
Phi phi(const F& f, const Vec<double>& theta, const Vec<double>& p, double alpha) {
  Vec<double> g(f.dim());
  const double value = f.gradient(Vec<double>(theta + alpha * p), g);
  return {value, g.dot(p)};
}

// From Rosenbrock's classical start along −g (‖g‖ ≈ 232) and along the Newton direction, with
// first trials far too short (bracketing must expand), about right, and far too long (zoom must
// cut back), for the quasi-Newton c₂ = 0.9 and the CG c₂ = 0.1.
TEST(WolfeLineSearch, ReturnsAStepMeetingBothStrongWolfeConditions) {
  for (const Index n : {2, 10}) {
    const Rosenbrock<double> rosenbrock(n);
    const Counted f{rosenbrock};
    const Vec<double> theta = rosenbrock.start();
    Vec<double> g(n), theta_trial(n), g_trial(n);
    const double value = rosenbrock.gradient(theta, g);
    const Vec<double> newton = -rosenbrock.hessian(theta).llt().solve(g);
    for (const Vec<double>& p : {Vec<double>(-g), newton}) {
      const double slope = g.dot(p);
      ASSERT_LT(slope, 0);
      for (const double alpha0 : {1e-6, 1e-3, 1.0, 100.0}) {
        for (const double c2 : {0.1, 0.9}) {
          const Wolfe wolfe{.c1 = 1e-4, .c2 = c2};
          f.gradients = 0;
          const LineSearchResult r =
              wolfe_line_search(f, theta, p, value, slope, alpha0, theta_trial, g_trial, wolfe);
          SCOPED_TRACE(::testing::Message() << "n = " << n << ", α₀ = " << alpha0 << ", c₂ = " << c2);
          ASSERT_EQ(r.status, LineSearchStatus::ok) << to_string(r.status);
          EXPECT_GT(r.step, 0);
          EXPECT_EQ(r.evaluations, f.gradients);
          const Phi at = phi(rosenbrock, theta, p, r.step);
          EXPECT_LE(at.value, value + wolfe.c1 * r.step * slope);    // sufficient decrease
          EXPECT_LE(std::abs(at.slope), -wolfe.c2 * slope);          // strong curvature
          EXPECT_DOUBLE_EQ(r.value, at.value);
          EXPECT_DOUBLE_EQ(r.slope, at.slope);
          EXPECT_EQ((theta_trial - (theta + r.step * p)).norm(), 0.0);
          EXPECT_DOUBLE_EQ(g_trial.dot(p), at.slope);
        }
      }
    }
  }
}

// On a quadratic φ is a parabola and the cubic through (φ, φ') at two points is exact: a tight
// c₂ is met in few evaluations at the exact minimizer α* = −gᵀp / pᵀAp.
TEST(WolfeLineSearch, CubicInterpolationIsExactOnAQuadratic) {
  Rng rng = make_rng(7, stream::data);
  const auto q = Quadratic<double>::with_condition(10, 100.0, rng);
  const Vec<double> theta = q.start();
  Vec<double> g(10), theta_trial(10), g_trial(10);
  const double value = q.gradient(theta, g);
  const Vec<double> p = -g;
  const double exact = g.squaredNorm() / p.dot(q.A() * p);
  for (const double alpha0 : {1e-3 * exact, 0.3 * exact, 5 * exact}) {
    const LineSearchResult r = wolfe_line_search(q, theta, p, value, g.dot(p), alpha0, theta_trial,
                                                 g_trial, {.c1 = 1e-9, .c2 = 1e-8});
    ASSERT_EQ(r.status, LineSearchStatus::ok);
    EXPECT_NEAR(r.step, exact, 1e-10 * exact);
    EXPECT_LE(r.evaluations, 14);  // ≈ log₂(1000) expansions + 1–2 interpolations from 1e-3·α*
  }
}

// Backtracking returns the first α₀ρ^j meeting Armijo: that step does, the one before did not.
TEST(ArmijoBacktracking, ReturnsTheFirstStepOfTheSequenceWithSufficientDecrease) {
  const Rosenbrock<double> rosenbrock(2);
  const Counted f{rosenbrock};
  const Vec<double> theta = rosenbrock.start();
  Vec<double> g(2), theta_trial(2);
  const double value = rosenbrock.gradient(theta, g);
  const Vec<double> p = -g;
  const Armijo armijo{.c1 = 1e-4, .rho = 0.5};
  const LineSearchResult r = armijo_backtracking(f, theta, p, value, g.dot(p), 1.0, theta_trial, armijo);
  ASSERT_EQ(r.status, LineSearchStatus::ok);
  EXPECT_EQ(r.evaluations, f.values);
  EXPECT_EQ(r.step, std::pow(0.5, double(r.evaluations - 1)));
  EXPECT_GT(r.evaluations, 5);  // α = 1 along a gradient of norm 232 is far too long
  const auto sufficient = [&](double alpha) {
    return rosenbrock.value(theta + alpha * p) <= value + armijo.c1 * alpha * g.dot(p);
  };
  EXPECT_TRUE(sufficient(r.step));
  EXPECT_FALSE(sufficient(r.step / armijo.rho));
  EXPECT_DOUBLE_EQ(r.value, rosenbrock.value(theta_trial));
}

// f = x² for |x| ≤ 1.5, NaN beyond: a trial in the NaN region counts as too long, and both
// searches come back with a finite step that meets their conditions.
TEST(LineSearch, NonFiniteTrialValuesMeanTheStepIsTooLong) {
  struct NanOutside {
    using Scalar = double;
    Index dim() const { return 1; }
    double value(const Vec<double>& x) const {
      return std::abs(x(0)) > 1.5 ? std::numeric_limits<double>::quiet_NaN() : x(0) * x(0);
    }
    double gradient(const Vec<double>& x, Vec<double>& g) const {
      g(0) = 2 * x(0);
      return value(x);
    }
  };
  const NanOutside f;
  const Vec<double> theta = Vec<double>::Constant(1, 1.0), p = Vec<double>::Constant(1, -1.0);
  Vec<double> theta_trial(1), g_trial(1);
  const LineSearchResult w = wolfe_line_search(f, theta, p, 1.0, -2.0, 8.0, theta_trial, g_trial);
  ASSERT_EQ(w.status, LineSearchStatus::ok);
  EXPECT_TRUE(std::isfinite(w.value));
  EXPECT_EQ(w.value, f.value(theta_trial));
  EXPECT_LE(w.value, 1.0 - 1e-4 * w.step * 2);  // sufficient decrease, φ'(0) = −2
  EXPECT_EQ(w.slope, -2 * theta_trial(0));      // φ'(α) = 2x·(−1)
  EXPECT_LE(std::abs(w.slope), 0.9 * 2);        // strong curvature, c₂ = 0.9
  const LineSearchResult a = armijo_backtracking(f, theta, p, 1.0, -2.0, 8.0, theta_trial);
  ASSERT_EQ(a.status, LineSearchStatus::ok);
  // α = 8, 4 land in the NaN region, α = 2 on x = −1 (no decrease), α = 1 on the minimizer.
  EXPECT_EQ(a.step, 1.0);
  EXPECT_EQ(a.evaluations, 4);
}

// Each way to fail has its status: an ascent direction (nothing evaluated); a claimed slope that
// L does not have (at Rosenbrock's minimizer, where f = 0 and every step increases it, so the
// step shrinks to rounding); a budget too small; and an objective that is NaN everywhere.
TEST(LineSearch, ReportsEachFailure) {
  const Rosenbrock<double> f(4);
  const Vec<double> star = f.minimizer();
  Vec<double> g(4), theta_trial(4), g_trial(4);
  const double value = f.gradient(star, g);
  ASSERT_EQ(value, 0.0);
  const Vec<double> p = Vec<double>::Ones(4);

  EXPECT_EQ(wolfe_line_search(f, star, p, value, +1.0, 1.0, theta_trial, g_trial).status,
            LineSearchStatus::not_descent);
  EXPECT_EQ(armijo_backtracking(f, star, p, value, 0.0, 1.0, theta_trial).status,
            LineSearchStatus::not_descent);

  const LineSearchResult w = wolfe_line_search(f, star, p, value, -1.0, 1.0, theta_trial, g_trial);
  EXPECT_EQ(w.status, LineSearchStatus::step_too_small) << to_string(w.status);
  const LineSearchResult a = armijo_backtracking(f, star, p, value, -1.0, 1.0, theta_trial);
  EXPECT_EQ(a.status, LineSearchStatus::step_too_small) << to_string(a.status);
  EXPECT_LT(a.step * p.norm(), 1e-15 * star.norm());

  const LineSearchResult budget =
      wolfe_line_search(f, star, p, value, -1.0, 1.0, theta_trial, g_trial, {.max_evaluations = 3});
  EXPECT_EQ(budget.status, LineSearchStatus::max_evaluations);
  EXPECT_EQ(budget.evaluations, 3);

  const testing::Poisoned<Rosenbrock<double>> nan{f, 0};
  EXPECT_EQ(wolfe_line_search(nan, star, p, value, -1.0, 1.0, theta_trial, g_trial).status,
            LineSearchStatus::non_finite);
  EXPECT_EQ(armijo_backtracking(nan, star, p, value, -1.0, 1.0, theta_trial).status,
            LineSearchStatus::non_finite);
}

}  // namespace
}  // namespace nnlab::optim
