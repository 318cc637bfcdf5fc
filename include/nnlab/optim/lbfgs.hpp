// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., §7.2): θ_{k+1} =
// θ_k − α_k H_k g_k, where H_k g_k comes from the two-loop recursion (N&W Alg. 7.4) over the
// last m pairs s_i = θ_{i+1} − θ_i, y_i = g_{i+1} − g_i, ρ_i = 1/(y_iᵀs_i), started from
// H_k⁰ = γ_k I with γ_k = sᵀy / yᵀy of the newest pair (eq. 7.20); α_k from a strong Wolfe line
// search (c₂ = 0.9) that tries α = 1 first (N&W Alg. 7.5). A pair with too little curvature,
// sᵀy ≤ ε‖s‖‖y‖ (possible only through rounding under the Wolfe conditions), is skipped so H_k
// stays positive definite; with no pairs the step is −g with a first trial of 1/‖g‖ capped at 1.
// Stopping rules, Report and StepEvents as in optim::minimize (lr = the accepted α); when the
// line search fails: Status::stalled, or diverged if it ended on NaN/Inf values (θ stays at the
// last finite iterate). Memory: 2m + 4 vectors of dim(), allocated once.
#pragma once
#include <algorithm>
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/line_search.hpp"

namespace nnlab::optim {

struct LbfgsOptions {
  Index memory = 10;             // m, the number of (s, y) pairs kept (N&W: 3 to 20)
  double curvature_eps = 1e-10;  // ε of the skip rule sᵀy ≤ ε‖s‖‖y‖
  Wolfe line_search{};
};

template <DifferentiableObjective F, class Callback = NoCallback>
Report lbfgs(const F& f, Vec<typename F::Scalar>& theta, const Stop& stop = {},
             const LbfgsOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim(), m = opt.memory;
  require(theta.size() == D, "lbfgs: θ has size {} but the objective has dimension {}", theta.size(), D);
  require(m > 0 && opt.curvature_eps >= 0, "lbfgs: need memory > 0 and curvature_eps ≥ 0; got {}, {}",
          m, opt.curvature_eps);

  Vec<S> g(D), p(D), theta_trial(D), g_trial(D);
  Mat<S> s(D, m), y(D, m);                 // pair i lives in column (oldest + i) % m
  Vec<double> rho(m), a(m);
  Index oldest = 0, pairs = 0;
  double gamma = 1;

  // p = −H_k g by the two-loop recursion (N&W Alg. 7.4).
  const auto direction = [&] {
    p = g;
    for (Index i = pairs - 1; i >= 0; --i) {
      const Index j = (oldest + i) % m;
      a(j) = rho(j) * double(s.col(j).dot(p));
      p -= S(a(j)) * y.col(j);
    }
    p *= S(gamma);
    for (Index i = 0; i < pairs; ++i) {
      const Index j = (oldest + i) % m;
      const double b = rho(j) * double(y.col(j).dot(p));
      p += S(a(j) - b) * s.col(j);
    }
    p = -p;
  };

  double value = double(f.gradient(theta, g)), previous = 0;
  for (std::int64_t k = 0;; ++k) {
    const double grad_norm = double(g.norm());
    std::optional<Status> done = detail::descent_stop(k, value, previous, grad_norm, stop);
    LineSearchResult step;
    if (!done) {
      direction();
      double slope = double(g.dot(p));
      if (!(slope < 0)) {  // only through rounding: forget the pairs
        pairs = 0, gamma = 1;
        p = -g;
        slope = -grad_norm * grad_norm;
      }
      const double alpha0 = pairs == 0 ? std::min(1.0, 1 / grad_norm) : 1.0;
      step = wolfe_line_search(f, theta, p, value, slope, alpha0, theta_trial, g_trial, opt.line_search);
      if (!step.ok()) done = detail::failed_search(step);
    }
    if (const auto end = detail::end_iterate(callback, k, theta, g, value, step.step, done))
      return {*end, k, 0, value, grad_norm};

    // The new pair from the iterates as stored, so s is exactly the step taken; it replaces the
    // oldest pair once m are kept.
    const auto s_new = theta_trial - theta;
    const auto y_new = g_trial - g;
    const double sy = double(s_new.dot(y_new)), yy = double(y_new.squaredNorm());
    if (sy > opt.curvature_eps * std::sqrt(double(s_new.squaredNorm()) * yy)) {
      const Index j = (oldest + pairs) % m;
      s.col(j) = s_new;
      y.col(j) = y_new;
      rho(j) = 1 / sy;
      gamma = sy / yy;
      if (pairs < m) ++pairs;
      else oldest = (oldest + 1) % m;
    }
    theta.swap(theta_trial);
    g.swap(g_trial);
    previous = value;
    value = step.value;
  }
}

}  // namespace nnlab::optim
