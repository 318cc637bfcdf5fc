// The shared gradient check every differentiable thing in nnlab passes: central differences
// in double, the largest relative error and where it occurred.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>

#include "nnlab/core/types.hpp"

namespace nnlab::testing {

struct CheckResult {
  double max_rel_error = 0;
  Index worst = -1;  // coordinate of the largest error
  double analytic = 0, numeric = 0;
};

// Compares analytic(θ) ∈ ℝ^D against central differences (f(θ + h e_i) − f(θ − h e_i)) / 2h of
// a vector function f: ℝ^D → ℝ^M flattened; the relative error is |a − n| / max(|a|, |n|, floor).
// For a scalar f this checks a gradient, for f = ∇E it checks a Hessian column by column.
inline CheckResult compare(const Vec<double>& analytic, const Vec<double>& numeric, double floor) {
  CheckResult r;
  for (Index i = 0; i < analytic.size(); ++i) {
    const double scale = std::max({std::abs(analytic[i]), std::abs(numeric[i]), floor});
    const double rel = std::abs(analytic[i] - numeric[i]) / scale;
    if (rel > r.max_rel_error || r.worst < 0) r = {rel, i, analytic[i], numeric[i]};
  }
  return r;
}

// Fourth-order central differences, (8(f(θ+h) − f(θ−h)) − (f(θ+2h) − f(θ−2h))) / 12h: truncation
// error O(h⁴), so a step near 1e-3 keeps both truncation and rounding near 1e-12 relative.
// Across a ReLU kink no step works: keep every pre-activation farther than 2h from zero.
inline Vec<double> numeric_gradient(const std::function<double(const Vec<double>&)>& f,
                                    const Vec<double>& theta, double h = 1e-3) {
  Vec<double> g(theta.size()), t = theta;
  const auto at = [&](Index i, double step) {
    t[i] = theta[i] + step;
    const double value = f(t);
    t[i] = theta[i];
    return value;
  };
  for (Index i = 0; i < theta.size(); ++i)
    g[i] = (8 * (at(i, h) - at(i, -h)) - (at(i, 2 * h) - at(i, -2 * h))) / (12 * h);
  return g;
}

// Directional derivative of a vector function F along v, by the same fourth-order stencil.
inline Vec<double> numeric_directional(const std::function<Vec<double>(const Vec<double>&)>& F,
                                       const Vec<double>& theta, const Vec<double>& v,
                                       double h = 1e-3) {
  return (8 * (F(theta + h * v) - F(theta - h * v)) - (F(theta + 2 * h * v) - F(theta - 2 * h * v))) /
         (12 * h);
}

}  // namespace nnlab::testing
