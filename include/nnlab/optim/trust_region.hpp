// Trust-region Newton with the Steihaug–Toint truncated CG (Nocedal & Wright, Numerical
// Optimization, 2nd ed., Alg. 4.1 and Alg. 7.2; Steihaug, SIAM J. Numer. Anal. 20, 1983).
// Each iteration minimizes the model m(p) = L + gᵀp + ½pᵀHp over ‖p‖ ≤ Δ approximately, by CG on
// Hp = −g from p = 0 with H·v products only (HvpObjective), stopped
//   at relative residual ‖Hp + g‖ ≤ min(forcing, √‖g‖)·‖g‖ (superlinear, quadratic as ‖g‖ → 0),
//   on the boundary when a CG iterate would leave the region,
//   on the boundary along d when a direction of non-positive curvature dᵀHd ≤ 0 appears: the
//   model decreases without bound along d, which is how the method uses negative curvature
//   (p = z + τd with τ ≥ 0 and ‖p‖ = Δ; from z = 0, d = −g, that is the Cauchy point on the
//   boundary).
// Then ρ = (L(θ) − L(θ + p)) / (m(0) − m(p)) decides: the step is taken if ρ > eta; Δ is quartered
// if ρ < ¼ (a NaN/Inf trial value counts as ρ = −∞) and doubled, up to max_radius, if ρ > ¾ and
// the step reached the boundary. ‖∇L‖ → 0 from any start under the usual assumptions (N&W ch. 4);
// Steihaug's CG does not guarantee a point with ∇²L ⪰ 0, but negative curvature the CG meets is
// followed to the boundary, so saddles do not attract it the way they attract Newton's iteration.
// Started exactly on a critical point (g = 0) it stops at once.
// Stopping rules and Report as in optim::minimize; iterations count trust-region iterations,
// rejected steps included. StepEvents per iteration with lr = the radius Δ_k used from θ_k (a
// rejected step repeats θ). Status::stalled when Δ falls below the rounding of θ (no step can be
// resolved); diverged when L, ∇L or H·v is not finite at an iterate. No allocation per iteration.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/line_search.hpp"

namespace nnlab::optim {

struct TrustRegionOptions {
  double initial_radius = 1.0;  // Δ₀
  double max_radius = 1e3;      // Δ̂
  double eta = 1e-3;            // accept the step if ρ > eta (N&W: η ∈ [0, ¼))
  double forcing = 0.5;         // CG tolerance min(forcing, √‖g‖)·‖g‖
  Index max_cg_iters = 0;       // 0 = dim()
};

template <HvpObjective F, class Callback = NoCallback>
Report trust_region(const F& f, Vec<typename F::Scalar>& theta, const Stop& stop = {},
                    const TrustRegionOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim();
  require(theta.size() == D, "trust_region: θ has size {} but the objective has dimension {}", theta.size(), D);
  require(opt.initial_radius > 0 && opt.max_radius >= opt.initial_radius && opt.eta >= 0 && opt.eta < 0.25 &&
              opt.forcing > 0 && opt.forcing < 1 && opt.max_cg_iters >= 0,
          "trust_region: need 0 < initial_radius ≤ max_radius, 0 ≤ eta < ¼, 0 < forcing < 1, "
          "max_cg_iters ≥ 0; got {}, {}, {}, {}, {}",
          opt.initial_radius, opt.max_radius, opt.eta, opt.forcing, opt.max_cg_iters);
  const Index max_cg = opt.max_cg_iters > 0 ? opt.max_cg_iters : D;
  Vec<S> g(D), p(D), r(D), d(D), Hd(D), theta_trial(D);
  double radius = opt.initial_radius;

  // τ ≥ 0 with ‖z + τd‖ = Δ (z inside the region).
  const auto to_boundary = [&](const Vec<S>& z, const Vec<S>& dir) {
    const double dd = double(dir.squaredNorm()), zd = double(z.dot(dir));
    const double zz = double(z.squaredNorm());
    const double tau = (-zd + std::sqrt(std::max(0.0, zd * zd + dd * (radius * radius - zz)))) / dd;
    return S(tau);
  };
  // Steihaug CG into p; returns false if H·v is not finite; `boundary` says whether p reached it.
  bool boundary = false;
  const auto steihaug = [&](double grad_norm) {
    const double tol = std::min(opt.forcing, std::sqrt(grad_norm)) * grad_norm;
    p.setZero();
    r = g;
    d = -g;
    boundary = false;
    double rr = double(r.squaredNorm());
    for (Index j = 0; j < max_cg; ++j) {
      f.hvp(theta, d, Hd);
      const double dHd = double(d.dot(Hd));
      if (!std::isfinite(dHd)) return false;
      if (dHd <= 0) {
        p += to_boundary(p, d) * d;
        boundary = true;
        return true;
      }
      const S alpha = S(rr / dHd);
      if (double((p + alpha * d).norm()) >= radius) {
        p += to_boundary(p, d) * d;
        boundary = true;
        return true;
      }
      p += alpha * d;
      r += alpha * Hd;
      const double rr_next = double(r.squaredNorm());
      if (std::sqrt(rr_next) <= tol) return true;
      d = -r + S(rr_next / rr) * d;
      rr = rr_next;
    }
    return true;
  };

  // The value test compares the last two accepted iterates (NaN before the first acceptance: no
  // test); after a rejected step it repeats the test already passed.
  double value = double(f.gradient(theta, g)), previous = std::numeric_limits<double>::quiet_NaN();
  for (std::int64_t k = 0;; ++k) {
    const double grad_norm = double(g.norm());
    std::optional<Status> done = detail::descent_stop(k, value, previous, grad_norm, stop);
    if (!done && radius <= 4 * std::numeric_limits<S>::epsilon() * std::max(1.0, double(theta.norm())))
      done = Status::stalled;
    double trial_value = 0, predicted = 0;
    if (!done) {
      if (steihaug(grad_norm)) {
        f.hvp(theta, p, Hd);
        predicted = -(double(g.dot(p)) + 0.5 * double(p.dot(Hd)));
        if (!std::isfinite(predicted)) done = Status::diverged;
      } else {
        done = Status::diverged;
      }
    }
    const bool stop_asked = detail::emit(callback, StepEvent<S>{0, k, {}, theta, g, value, radius});
    if (done == Status::diverged || done == Status::converged) return {*done, k, 0, value, grad_norm};
    if (stop_asked) return {Status::interrupted, k, 0, value, grad_norm};
    if (done) return {*done, k, 0, value, grad_norm};

    theta_trial = theta + p;
    trial_value = double(f.value(theta_trial));
    const double rho = std::isfinite(trial_value) && predicted > 0 ? (value - trial_value) / predicted
                                                                     : -std::numeric_limits<double>::infinity();
    if (rho < 0.25)
      radius *= 0.25;
    else if (rho > 0.75 && boundary)
      radius = std::min(2 * radius, opt.max_radius);
    if (rho > opt.eta) {
      theta.swap(theta_trial);
      previous = value;
      value = double(f.gradient(theta, g));
    }
  }
}

}  // namespace nnlab::optim
