// Linear conjugate gradients for a strictly convex quadratic known only through its gradient
// (Hestenes & Stiefel 1952; Nocedal & Wright, Numerical Optimization, Alg. 5.2). The curvature
// along a direction d comes from a gradient difference, H d = ∇L(θ + d) − ∇L(θ), exact for a
// quadratic up to rounding, so any DifferentiableObjective that is a quadratic can be minimized
// without forming H; in exact arithmetic it terminates in at most dim() iterations.
// Stops when ‖∇L‖ ≤ stop.grad_tol (converged) or after stop.max_iters iterations; a direction
// of non-positive curvature means the objective is not a strictly convex quadratic: Error.
// Emits a StepEvent per iterate, like every driver (optim/minimize.hpp).
#pragma once
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/minimize.hpp"

namespace nnlab::optim {

template <DifferentiableObjective F, class Callback = NoCallback>
Report quadratic_cg(const F& f, Vec<typename F::Scalar>& theta, const Stop& stop,
                    Callback&& callback = {}) {
  using S = typename F::Scalar;
  require(stop.max_iters >= 0, "quadratic_cg: max_iters must be ≥ 0, got {}", stop.max_iters);
  Vec<S> g(f.dim()), g_next(f.dim()), d, probe;
  double value = double(f.gradient(theta, g));
  d = -g;
  double gg = double(g.squaredNorm());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::int64_t k = 0;; ++k) {
    const double grad_norm = std::sqrt(gg);
    if (detail::emit(callback, StepEvent<S>{0, k, {}, theta, g, value, nan}))
      return {Status::interrupted, k, 0, value, grad_norm};
    if (!std::isfinite(value) || !std::isfinite(grad_norm)) return {Status::diverged, k, 0, value, grad_norm};
    if (grad_norm <= stop.grad_tol) return {Status::converged, k, 0, value, grad_norm};
    if (k == stop.max_iters) return {Status::max_iters, k, 0, value, grad_norm};
    probe = theta + d;
    f.gradient(probe, g_next);
    const double curvature = double(d.dot(g_next - g));
    require(curvature > 0,
            "quadratic_cg: non-positive curvature dᵀHd = {} at iteration {}: the objective is not "
            "a strictly convex quadratic",
            curvature, k);
    theta += S(gg / curvature) * d;
    // The gradient recomputed rather than updated by −αHd, so rounding does not accumulate.
    value = double(f.gradient(theta, g));
    const double gg_next = double(g.squaredNorm());
    d = -g + S(gg_next / gg) * d;
    gg = gg_next;
  }
}

}  // namespace nnlab::optim
