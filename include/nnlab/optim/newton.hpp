// Damped Newton: θ_{k+1} = θ_k + α_k p_k with H p_k = −g_k and α_k from Armijo backtracking
// starting at the Newton step α = 1 (Nocedal & Wright, Numerical Optimization, 2nd ed., §3.3–3.4
// and ch. 7). The Newton system is solved one of two ways:
//   dense        (HessianObjective) Cholesky of H + τI, τ = 0 when H is positive definite, else
//                raised until the factorization succeeds — the Levenberg shift of N&W Alg. 3.3
//                ("Cholesky with added multiple of the identity"), with β scaled to H's largest
//                entry so the rule is unit-free; p is then a descent direction always;
//   matrix-free  (HvpObjective) Newton-CG, N&W Alg. 7.1: linear CG on H p = −g by H·v products,
//                stopped when ‖Hp + g‖ ≤ min(forcing, √‖g‖)·‖g‖ (superlinear, quadratic as
//                ‖g‖ → 0), and truncated at the first direction d with dᵀHd ≤ 0: p is the CG
//                iterate so far, or −g if that happens at once (a descent direction either way).
// Near a strict minimizer α = 1 is accepted and convergence is quadratic; on a quadratic the
// dense solve lands on the minimizer in one step. Stopping rules, Report and StepEvents as in
// optim::minimize (lr = the accepted α); when backtracking fails: Status::stalled, or diverged if
// it ended on NaN/Inf values (θ stays at the last finite iterate); diverged also when H (or H·v)
// is not finite.
// Allocation: buffers are set up once; the dense path gets H by value from f.hessian each step.
#pragma once
#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/line_search.hpp"

namespace nnlab::optim {

struct NewtonOptions {
  bool matrix_free = false;  // Newton-CG by H·v even when a dense Hessian is available
  double forcing = 0.5;      // CG tolerance min(forcing, √‖g‖)·‖g‖ (N&W: 0.5)
  Index max_cg_iters = 0;    // CG iterations per Newton step; 0 = dim()
  double shift_beta = 1e-3;  // first Levenberg shift, relative to max |H_ij| (N&W Alg. 3.3's β)
  Armijo line_search{};
};

template <DifferentiableObjective F, class Callback = NoCallback>
  requires HessianObjective<F> || HvpObjective<F>
Report newton(const F& f, Vec<typename F::Scalar>& theta, const Stop& stop = {},
              const NewtonOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim();
  require(theta.size() == D, "newton: θ has size {} but the objective has dimension {}", theta.size(), D);
  require(opt.forcing > 0 && opt.forcing < 1 && opt.max_cg_iters >= 0 && opt.shift_beta > 0,
          "newton: need 0 < forcing < 1, max_cg_iters ≥ 0, shift_beta > 0; got {}, {}, {}",
          opt.forcing, opt.max_cg_iters, opt.shift_beta);
  require(HvpObjective<F> || !opt.matrix_free, "newton: matrix_free needs an objective with hvp");
  const bool dense = HessianObjective<F> && !(HvpObjective<F> && opt.matrix_free);

  Vec<S> g(D), p(D), theta_trial(D);
  Mat<S> H, H_shifted;
  Eigen::LLT<Mat<S>> llt(dense ? D : 0);  // constructed in place: a copy would read its unset info
  Vec<S> z, r, d, Hd;  // Newton-CG
  if (dense) {
    H.resize(D, D), H_shifted.resize(D, D);
  } else {
    z.resize(D), r.resize(D), d.resize(D), Hd.resize(D);
  }

  // p = −(H + τI)⁻¹ g with the first τ of 0 (or β − min H_ii), then doubling from β, that makes
  // H + τI positive definite; false if H is not finite.
  const auto dense_direction = [&] {
    if constexpr (HessianObjective<F>) {
      H = f.hessian(theta);
      if (!H.allFinite()) return false;
      const double scale = double(H.cwiseAbs().maxCoeff());
      const double beta = opt.shift_beta * (scale > 0 ? scale : 1.0);
      const double min_diagonal = double(H.diagonal().minCoeff());
      for (double tau = min_diagonal > 0 ? 0 : beta - min_diagonal;; tau = std::max(2 * tau, beta)) {
        H_shifted = H;
        H_shifted.diagonal().array() += S(tau);
        llt.compute(H_shifted);
        if (llt.info() == Eigen::Success) break;
      }
      p = llt.solve(g);
      p = -p;
    }
    return true;
  };
  // N&W Alg. 7.1: CG on H p = −g from p = 0, truncated at non-positive curvature; false if H·v
  // is not finite.
  const auto cg_direction = [&](double grad_norm) {
    if constexpr (HvpObjective<F>) {
      const double tol = std::min(opt.forcing, std::sqrt(grad_norm)) * grad_norm;
      const Index max_cg = opt.max_cg_iters > 0 ? opt.max_cg_iters : D;
      z.setZero();
      r = g;
      d = -g;
      double rr = double(r.squaredNorm());
      for (Index j = 0; j < max_cg; ++j) {
        f.hvp(theta, d, Hd);
        const double dHd = double(d.dot(Hd));
        if (!std::isfinite(dHd)) return false;
        if (dHd <= 0) {
          if (j == 0) z = d;
          break;
        }
        const S a = S(rr / dHd);
        z += a * d;
        r += a * Hd;
        const double rr_next = double(r.squaredNorm());
        if (std::sqrt(rr_next) <= tol) break;
        d = -r + S(rr_next / rr) * d;
        rr = rr_next;
      }
      p = z;
    }
    return true;
  };

  return detail::armijo_descent(
      f, theta, g, p, theta_trial, stop, opt.line_search,
      [&](double grad_norm) { return dense ? dense_direction() : cg_direction(grad_norm); }, callback);
}

}  // namespace nnlab::optim
