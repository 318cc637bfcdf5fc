// Nonlinear conjugate gradients (Nocedal & Wright, Numerical Optimization, 2nd ed., §5.2):
//   p_0 = −g_0,  θ_{k+1} = θ_k + α_k p_k  (α_k: strong Wolfe line search, c₂ = 0.1),
//   p_{k+1} = −g_{k+1} + β_{k+1} p_k  with
//     Fletcher–Reeves    β = g_{k+1}ᵀg_{k+1} / g_kᵀg_k                      (N&W Alg. 5.4, eq. 5.41a)
//     Polak–Ribière+     β = max(0, g_{k+1}ᵀ(g_{k+1} − g_k) / g_kᵀg_k)      (N&W eq. 5.44–5.45)
// Restarts (β = 0) every `restart_every` iterations and whenever successive gradients are far
// from orthogonal, |g_{k+1}ᵀg_k| ≥ ν‖g_{k+1}‖² (N&W eq. 5.52, ν = 0.1); a direction that is not
// a descent direction (possible for FR with an inexact line search) is replaced by −g.
// On a strictly convex quadratic with exact line searches both variants are linear CG and end
// in at most dim() iterations in exact arithmetic. First trial step: 1/‖g_0‖ capped at 1, then
// α_{k−1} g_{k−1}ᵀp_{k−1} / g_kᵀp_k (N&W eq. 3.60). Stopping rules, Report and StepEvents as in
// optim::minimize (lr = the accepted α); when the line search fails: Status::stalled, or
// diverged if it ended on NaN/Inf values (θ stays at the last finite iterate).
#pragma once
#include <algorithm>
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/line_search.hpp"

namespace nnlab::optim {

enum class CgBeta { fletcher_reeves, polak_ribiere_plus };

struct NonlinearCgOptions {
  CgBeta beta = CgBeta::polak_ribiere_plus;
  Index restart_every = 0;     // 0 = dim()
  double orthogonality = 0.1;  // ν of the restart test
  Wolfe line_search{.c2 = 0.1};
};

template <DifferentiableObjective F, class Callback = NoCallback>
Report nonlinear_cg(const F& f, Vec<typename F::Scalar>& theta, const Stop& stop = {},
                    const NonlinearCgOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim();
  require(theta.size() == D, "nonlinear_cg: θ has size {} but the objective has dimension {}", theta.size(), D);
  require(opt.restart_every >= 0 && opt.orthogonality > 0,
          "nonlinear_cg: need restart_every ≥ 0 and orthogonality > 0; got {}, {}",
          opt.restart_every, opt.orthogonality);
  const Index restart_every = opt.restart_every > 0 ? opt.restart_every : D;

  Vec<S> g(D), g_previous(D), p(D), theta_trial(D), g_trial(D);
  double value = double(f.gradient(theta, g)), previous = 0;
  p = -g;
  double alpha_previous = 0, slope_previous = 0;
  for (std::int64_t k = 0;; ++k) {
    const double grad_norm = double(g.norm());
    std::optional<Status> done = detail::descent_stop(k, value, previous, grad_norm, stop);
    LineSearchResult step;
    double slope = double(g.dot(p));
    if (!done) {
      if (!(slope < 0)) {
        p = -g;
        slope = -grad_norm * grad_norm;
      }
      const double alpha0 = k == 0 ? std::min(1.0, 1 / grad_norm) : alpha_previous * slope_previous / slope;
      step = wolfe_line_search(f, theta, p, value, slope, alpha0, theta_trial, g_trial, opt.line_search);
      if (!step.ok()) done = detail::failed_search(step);
    }
    if (const auto end = detail::end_iterate(callback, k, theta, g, value, step.step, done))
      return {*end, k, 0, value, grad_norm};

    theta.swap(theta_trial);
    g_previous.swap(g);
    g.swap(g_trial);
    previous = value;
    value = step.value;
    alpha_previous = step.step;
    slope_previous = slope;

    const double gg_previous = double(g_previous.squaredNorm()), gg = double(g.squaredNorm());
    const double g_dot_previous = double(g.dot(g_previous));
    double beta = opt.beta == CgBeta::fletcher_reeves ? gg / gg_previous
                                                       : std::max(0.0, (gg - g_dot_previous) / gg_previous);
    if ((k + 1) % restart_every == 0 || std::abs(g_dot_previous) >= opt.orthogonality * gg) beta = 0;
    p = -g + S(beta) * p;
  }
}

}  // namespace nnlab::optim
