// Noisy gradient descent, the unadjusted Langevin algorithm at temperature T (Roberts & Tweedie,
// Bernoulli 2, 1996; with minibatch gradients it is SGLD, Welling & Teh, ICML 2011):
//   θ_{k+1} = θ_k − h ∇L(θ_k) + √(2hT) ξ_k,   ξ_k ~ N(0, I) from the caller's Rng,
// the Euler–Maruyama discretization of dθ = −∇L dt + √(2T) dW, whose stationary law is
// ∝ exp(−L/T). On a quadratic with curvature λ along an eigenvector the chain is AR(1),
// θ' = (1 − hλ)θ + √(2hT)ξ, with stationary variance T/(λ(1 − hλ/2)), not the continuous T/λ:
// the discretization inflates it by 1/(1 − hλ/2) (stable for 0 < hλ < 2).
// It runs stop.max_iters steps; stop.grad_tol and value_tol do not apply (the noise keeps ‖∇L‖
// away from 0), so it ends with max_iters, or diverged (L or ∇L not finite), or interrupted.
// StepEvents as in optim::minimize (lr = h). Results depend only on the Rng's state: the same
// stream gives the same trajectory. No allocation per step.
#pragma once
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/optim/minimize.hpp"

namespace nnlab::optim {

struct NoisyGdOptions {
  double lr = 0.01;          // h
  double temperature = 1.0;  // T ≥ 0; T = 0 is plain GD
};

template <DifferentiableObjective F, class Callback = NoCallback>
Report noisy_gd(const F& f, Vec<typename F::Scalar>& theta, Rng& rng, const Stop& stop = {},
                const NoisyGdOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim();
  require(theta.size() == D, "noisy_gd: θ has size {} but the objective has dimension {}", theta.size(), D);
  require(opt.lr > 0 && std::isfinite(opt.lr) && opt.temperature >= 0 && std::isfinite(opt.temperature),
          "noisy_gd: need lr > 0 and temperature ≥ 0; got {}, {}", opt.lr, opt.temperature);
  const S h = S(opt.lr), sigma = S(std::sqrt(2 * opt.lr * opt.temperature));
  Vec<S> g(D);
  for (std::int64_t k = 0;; ++k) {
    const double value = double(f.gradient(theta, g));
    const double grad_norm = double(g.norm());
    const bool stop_asked = detail::emit(callback, StepEvent<S>{0, k, {}, theta, g, value, opt.lr});
    if (!std::isfinite(value) || !std::isfinite(grad_norm)) return {Status::diverged, k, 0, value, grad_norm};
    if (stop_asked) return {Status::interrupted, k, 0, value, grad_norm};
    if (k == stop.max_iters) return {Status::max_iters, k, 0, value, grad_norm};
    theta -= h * g;
    for (Index i = 0; i < D; ++i) theta(i) += sigma * S(normal(rng));
  }
}

}  // namespace nnlab::optim
