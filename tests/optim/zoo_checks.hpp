// Checks shared by the tests of the test-function zoo: exact derivatives against the shared
// fourth-order finite differences (tests/support/gradient_check.hpp), and a listed critical point
// against what Newton on ∇L finds next to it.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "nnlab/core/rng.hpp"
#include "nnlab/optim/critical_points.hpp"
#include "support/gradient_check.hpp"

namespace nnlab::optim::testing {

inline Vec<double> uniform_point(Index n, double half_width, Rng& rng) {
  Vec<double> x(n);
  for (Index i = 0; i < n; ++i) x(i) = half_width * (2 * uniform01(rng) - 1);
  return x;
}

// value() = gradient()'s return; ∇L, each column of ∇²L and H·v against central differences, with
// relative errors floored at 1e-3 of the largest entry (so a near-zero entry does not count).
template <class F>
void expect_derivatives_match(const F& f, const Vec<double>& x, Rng& rng, double tol = 1e-7) {
  const Index D = f.dim();
  Vec<double> g(D);
  const double value = f.gradient(x, g);
  EXPECT_NEAR(value, f.value(x), 1e-13 * std::max(1.0, std::abs(value)));
  const Vec<double> numeric = nnlab::testing::numeric_gradient([&](const Vec<double>& t) { return f.value(t); }, x);
  const auto rg = nnlab::testing::compare(g, numeric, 1e-3 * std::max(1e-8, numeric.cwiseAbs().maxCoeff()));
  EXPECT_LE(rg.max_rel_error, tol) << "gradient coordinate " << rg.worst << ": " << rg.analytic << " vs "
                                   << rg.numeric;
  const Mat<double> H = f.hessian(x);
  ASSERT_EQ(H.rows(), D);
  EXPECT_LE((H - H.transpose()).norm(), 1e-12 * std::max(1.0, H.norm()));
  const auto grad = [&](const Vec<double>& t) {
    Vec<double> gt(D);
    f.gradient(t, gt);
    return gt;
  };
  const double floor = 1e-3 * std::max(1e-8, H.cwiseAbs().maxCoeff());
  for (Index j = 0; j < D; ++j) {
    const Vec<double> column = nnlab::testing::numeric_directional(grad, x, Vec<double>::Unit(D, j));
    const auto rh = nnlab::testing::compare(H.col(j), column, floor);
    EXPECT_LE(rh.max_rel_error, tol) << "Hessian (" << rh.worst << ", " << j << "): " << rh.analytic
                                     << " vs " << rh.numeric;
  }
  Vec<double> v(D), Hv;
  for (Index i = 0; i < D; ++i) v(i) = normal(rng);
  f.hvp(x, v, Hv);
  EXPECT_LE((Hv - H * v).norm(), 1e-12 * std::max(1.0, H.norm() * v.norm()));
}

// Newton on ∇L from the listed point lands next to it (the listed digits are right), with ∇L ≈ 0
// there, L = the listed value and the Hessian's inertia as listed. Returns the refined point.
template <class F>
Vec<double> expect_critical_point(const F& f, const CriticalPoint& p, const std::string& where) {
  SCOPED_TRACE(where + " " + p.kind);
  const Vec<double> x = refine_critical_point(f, p.x);
  EXPECT_LE((x - p.x).norm(), 1e-9 * std::max(1.0, p.x.norm()));
  const Mat<double> H = f.hessian(x);
  Vec<double> g(f.dim());
  f.gradient(x, g);
  EXPECT_LE(g.norm(), 1e-11 * std::max(1.0, H.norm()) * std::max(1.0, x.norm()));
  EXPECT_NEAR(f.value(x), p.value, 1e-10 * std::max(1.0, std::abs(p.value)));
  const Inertia in = inertia(H);
  EXPECT_EQ(in, p.inertia) << "inertia (−, 0, +) = (" << in.negative << ", " << in.zero << ", "
                           << in.positive << ")";
  return x;
}

}  // namespace nnlab::optim::testing
