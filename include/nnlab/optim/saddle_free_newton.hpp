// Saddle-free Newton (Dauphin, Pascanu, Gulcehre, Cho, Ganguli & Bengio, "Identifying and
// attacking the saddle point problem in high-dimensional non-convex optimization", NIPS 2014):
// Newton's step with the Hessian's eigenvalues replaced by their absolute values,
//   p_k = −(|H_k| + δ_k I)⁻¹ g_k,   |H| = Q|Λ|Qᵀ  for  H = QΛQᵀ  (dense eigen-decomposition),
// then θ_{k+1} = θ_k + α_k p_k with α_k from Armijo backtracking starting at 1. Along an eigenvector
// of positive curvature the step is Newton's; along one of negative curvature Newton's step points
// uphill, toward the saddle (a saddle is a fixed point that attracts Newton), while |λ| rescales
// the same gradient component but keeps its sign, so the step goes downhill, away from it. δ_k =
// damping·max|λ_i| (damping if H = 0) keeps the solve finite where |H| is singular (Dauphin et al.
// add a damping term too, chosen per step; here it is one option). Started exactly at a
// critical point (g = 0) it does not move: it is repelled by saddles, it does not find an escape
// direction on its own. Dense only (HessianObjective): the exact version of the paper's
// Krylov-subspace approximation, for small D. Stopping rules, Report and StepEvents as in newton
// (lr = the accepted α); stalled when the backtracking fails; diverged when H is not finite.
// Allocation: buffers are set up once; per iteration the Hessian f.hessian returns by value and a
// workspace of Eigen's eigensolver.
#pragma once
#include <Eigen/Eigenvalues>

#include <cmath>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/line_search.hpp"

namespace nnlab::optim {

struct SaddleFreeNewtonOptions {
  double damping = 1e-8;  // δ relative to max|λ_i|
  Armijo line_search{};
};

template <HessianObjective F, class Callback = NoCallback>
Report saddle_free_newton(const F& f, Vec<typename F::Scalar>& theta, const Stop& stop = {},
                          const SaddleFreeNewtonOptions& opt = {}, Callback&& callback = {}) {
  using S = typename F::Scalar;
  const Index D = f.dim();
  require(theta.size() == D, "saddle_free_newton: θ has size {} but the objective has dimension {}",
          theta.size(), D);
  require(opt.damping > 0 && std::isfinite(opt.damping), "saddle_free_newton: need damping > 0, got {}",
          opt.damping);
  Vec<S> g(D), p(D), q(D), theta_trial(D), lambda(D);
  Eigen::SelfAdjointEigenSolver<Mat<S>> eig(D);

  // p = −Q (|Λ| + δ)⁻¹ Qᵀ g; false if H is not finite.
  const auto direction = [&] {
    const Mat<S> H = f.hessian(theta);
    if (!H.allFinite()) return false;
    eig.compute(H);
    const double largest = double(eig.eigenvalues().cwiseAbs().maxCoeff());
    const S delta = S(opt.damping * (largest > 0 ? largest : 1.0));
    lambda = eig.eigenvalues().cwiseAbs().array() + delta;
    q.noalias() = eig.eigenvectors().transpose() * g;
    q.array() /= lambda.array();
    p.noalias() = eig.eigenvectors() * q;
    p = -p;
    return true;
  };

  return detail::armijo_descent(f, theta, g, p, theta_trial, stop, opt.line_search,
                                [&](double) { return direction(); }, callback);
}

}  // namespace nnlab::optim
