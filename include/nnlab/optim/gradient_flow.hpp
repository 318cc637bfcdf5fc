// Gradient flow and the modified losses of backward error analysis.
//   gradient_flow(F, θ₀, T, steps)  θ(T) for θ' = −∇F(θ), θ(0) = θ₀, by the classical fourth-order
//                                   Runge–Kutta method with `steps` equal steps dt = T/steps
//                                   (global error O(dt⁴); the lab that needs the flow chooses dt
//                                   so that this error lies far below what it measures).
//   GradientPenalty(L, {G_k}, c)    F(θ) = L(θ) + c·(1/K) Σ_k ‖∇G_k(θ)‖², with the exact gradient
//                                   ∇F = ∇L + c·(1/K) Σ_k 2 H_k ∇G_k (H_k = ∇²G_k, used only
//                                   through H·v). With K = 1, G = L and c = h/4 it is the modified
//                                   loss L̃_GD = L + (h/4)‖∇L‖² whose flow GD with step h follows
//                                   to O(h²) (Barrett & Dherin, ICLR 2021); with the m minibatch
//                                   losses L̂_k and c = h/4 it is SGD's L̃_SGD (Smith, Dherin,
//                                   Barrett & De, ICLR 2021), and with c = λ an explicit
//                                   regularizer.
#pragma once
#include <span>

#include "nnlab/core/error.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/optim/objective.hpp"

namespace nnlab::optim {

template <DifferentiableObjective F>
Vec<double> gradient_flow(const F& f, Vec<double> theta, double T, Index steps) {
  require(steps >= 1 && T >= 0, "gradient_flow: needs steps ≥ 1 and T ≥ 0, got {} and {}", steps, T);
  const double dt = T / double(steps);
  const Index D = theta.size();
  Vec<double> k1(D), k2(D), k3(D), k4(D), probe(D);
  for (Index s = 0; s < steps; ++s) {
    f.gradient(theta, k1);
    probe = theta - 0.5 * dt * k1;
    f.gradient(probe, k2);
    probe = theta - 0.5 * dt * k2;
    f.gradient(probe, k3);
    probe = theta - dt * k3;
    f.gradient(probe, k4);
    theta -= dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return theta;
}

template <HvpObjective F>
class GradientPenalty {
 public:
  using Scalar = double;

  // loss and every term must outlive the penalty and have the same dimension.
  GradientPenalty(const F& loss, std::span<const F* const> terms, double coefficient)
      : loss_(&loss), terms_(terms), c_(coefficient) {
    require(!terms.empty(), "GradientPenalty: needs at least one term");
    for (const F* t : terms)
      require(t->dim() == loss.dim(), "GradientPenalty: a term has dimension {}, the loss {}", t->dim(), loss.dim());
  }

  Index dim() const { return loss_->dim(); }

  // (1/K) Σ_k ‖∇G_k(θ)‖².
  double penalty(const Vec<double>& theta) const {
    Vec<double> g(dim());
    double sum = 0;
    for (const F* t : terms_) {
      t->gradient(theta, g);
      sum += g.squaredNorm();
    }
    return sum / double(terms_.size());
  }

  double value(const Vec<double>& theta) const {
    return double(loss_->value(theta)) + c_ * penalty(theta);
  }

  double gradient(const Vec<double>& theta, Vec<double>& g) const {
    const double L = double(loss_->gradient(theta, g));
    Vec<double> gk(dim()), Hg(dim());
    double sum = 0;
    for (const F* t : terms_) {
      t->gradient(theta, gk);
      sum += gk.squaredNorm();
      t->hvp(theta, gk, Hg);
      g += (2 * c_ / double(terms_.size())) * Hg;
    }
    return L + c_ * sum / double(terms_.size());
  }

 private:
  const F* loss_;
  std::span<const F* const> terms_;
  double c_;
};

}  // namespace nnlab::optim
