// Perturbed gradient descent (Jin, Ge, Netrapalli, Kakade & Jordan, "How to escape saddle points
// efficiently", ICML 2017, Algorithm 2): gradient descent θ ← θ − η∇L(θ) that, when the gradient
// is small (‖∇L‖ ≤ g_thres) and no perturbation happened in the last t_thres steps, remembers
// θ̃ = θ and jumps to θ̃ + ξ, ξ uniform in the ball of radius r. Near a strict saddle the
// perturbation has a component along the negative-curvature direction, which GD then amplifies
// geometrically, so PGD escapes where GD started exactly on the saddle stays forever (g = 0).
// If t_thres steps after a perturbation L has not decreased by f_thres below L(θ̃), θ̃ is
// (with high probability) an approximate second-order stationary point: the run ends there with
// Status::converged and θ = θ̃. The paper sets (η, g_thres, r, t_thres, f_thres) from the
// smoothness ℓ, the Hessian-Lipschitz constant ρ and the target ε; here they are options.
// stop.grad_tol and value_tol do not apply (a small gradient triggers a perturbation instead);
// stop.max_iters bounds the GD steps. StepEvents as in optim::minimize (lr = η), emitted for θ_k
// before the step from it; a perturbation emits a PerturbationEvent (θ̃ and the perturbed θ),
// after which the step is taken from the perturbed point. ξ is drawn from the caller's Rng.
// No allocation per step.
#pragma once
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/optim/minimize.hpp"

namespace nnlab::optim {

struct PerturbedGdOptions {
  double lr = 0.01;            // η
  double g_thres = 1e-3;       // perturb when ‖∇L‖ ≤ g_thres …
  std::int64_t t_thres = 100;  // … and the last perturbation is more than t_thres steps back
  double radius = 1e-2;        // r, the radius of the ball ξ is drawn from
  double f_thres = 1e-4;       // the decrease a perturbation must bring within t_thres steps
};

template <class S>
struct PerturbationEvent {
  std::int64_t step;       // k: the perturbation happens at θ_k, before its step
  const Vec<S>& anchor;    // θ̃ = θ_k
  const Vec<S>& theta;     // θ̃ + ξ
};

template <DifferentiableObjective F, class Callback = NoCallback>
Report perturbed_gd(const F& f, Vec<typename F::Scalar>& theta, Rng& rng, const Stop& stop = {},
                    const PerturbedGdOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim();
  require(theta.size() == D, "perturbed_gd: θ has size {} but the objective has dimension {}", theta.size(), D);
  require(opt.lr > 0 && opt.g_thres >= 0 && opt.t_thres >= 1 && opt.radius > 0 && opt.f_thres >= 0,
          "perturbed_gd: need lr > 0, g_thres ≥ 0, t_thres ≥ 1, radius > 0, f_thres ≥ 0; got {}, {}, {}, {}, {}",
          opt.lr, opt.g_thres, opt.t_thres, opt.radius, opt.f_thres);
  Vec<S> g(D), anchor(D), xi(D);
  double anchor_value = 0, anchor_grad_norm = 0;
  std::int64_t t_noise = -1;  // step of the last perturbation, −1 before the first
  for (std::int64_t k = 0;; ++k) {
    const double value = double(f.gradient(theta, g));
    const double grad_norm = double(g.norm());
    if (t_noise >= 0 && k - t_noise == opt.t_thres && !(value - anchor_value <= -opt.f_thres)) {
      theta = anchor;
      return {Status::converged, k, 0, anchor_value, anchor_grad_norm};
    }
    const bool stop_asked = detail::emit(callback, StepEvent<S>{0, k, {}, theta, g, value, opt.lr});
    if (!std::isfinite(value) || !std::isfinite(grad_norm)) return {Status::diverged, k, 0, value, grad_norm};
    if (stop_asked) return {Status::interrupted, k, 0, value, grad_norm};
    if (k == stop.max_iters) return {Status::max_iters, k, 0, value, grad_norm};
    if (grad_norm <= opt.g_thres && (t_noise < 0 || k - t_noise > opt.t_thres)) {
      anchor = theta, anchor_value = value, anchor_grad_norm = grad_norm, t_noise = k;
      // Uniform in the ball: a uniform direction (normalized Gaussian) at radius r·U^{1/D}.
      double norm = 0;
      do {
        for (Index i = 0; i < D; ++i) xi(i) = S(normal(rng));
        norm = double(xi.norm());
      } while (norm == 0);
      theta += S(opt.radius * std::pow(uniform01(rng), 1.0 / double(D)) / norm) * xi;
      detail::emit(callback, PerturbationEvent<S>{k, anchor, theta});
      f.gradient(theta, g);
    }
    theta -= S(opt.lr) * g;
  }
}

}  // namespace nnlab::optim
