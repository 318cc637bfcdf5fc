// What is optimized, separated from how (as ensmallen does it): an objective L(θ) over one flat
// parameter vector θ ∈ R^D. Capabilities are layered concepts, so an optimizer asks for exactly
// what it uses: value → gradient → Hessian-vector product → dense Hessian (small D only).
// A stochastic objective is a mean over N samples, L(θ) = (1/N) Σ_i ℓ_i(θ), whose gradient can be
// taken over a batch B ⊂ {0..N−1}: (1/|B|) Σ_{i∈B} ∇ℓ_i(θ); the batch of all N samples is GD.
#pragma once
#include <concepts>
#include <span>

#include "nnlab/core/types.hpp"

namespace nnlab::optim {

// L(θ), θ ∈ R^dim().
template <class F>
concept Objective = requires(const F& f, const Vec<typename F::Scalar>& theta) {
  typename F::Scalar;
  { f.dim() } -> std::convertible_to<Index>;
  { f.value(theta) } -> std::convertible_to<typename F::Scalar>;
};

// gradient(θ, g) overwrites g with ∇L(θ) (g must already have size dim()) and returns L(θ).
template <class F>
concept DifferentiableObjective =
    Objective<F> && requires(const F& f, const Vec<typename F::Scalar>& theta,
                             Vec<typename F::Scalar>& g) {
      { f.gradient(theta, g) } -> std::convertible_to<typename F::Scalar>;
    };

// hvp(θ, v, Hv) overwrites Hv with ∇²L(θ)·v, matrix-free.
template <class F>
concept HvpObjective =
    DifferentiableObjective<F> && requires(const F& f, const Vec<typename F::Scalar>& theta,
                                           const Vec<typename F::Scalar>& v,
                                           Vec<typename F::Scalar>& Hv) { f.hvp(theta, v, Hv); };

// The dense D × D Hessian ∇²L(θ); only sensible for small D.
template <class F>
concept HessianObjective =
    DifferentiableObjective<F> && requires(const F& f, const Vec<typename F::Scalar>& theta) {
      { f.hessian(theta) } -> std::convertible_to<Mat<typename F::Scalar>>;
    };

// L(θ) = (1/N) Σ_i ℓ_i(θ): gradient(θ, batch, g) overwrites g with the batch mean
// (1/|B|) Σ_{i∈B} ∇ℓ_i(θ) and returns the batch mean loss (1/|B|) Σ_{i∈B} ℓ_i(θ).
template <class F>
concept StochasticObjective =
    Objective<F> && requires(const F& f, const Vec<typename F::Scalar>& theta,
                             std::span<const Index> batch, Vec<typename F::Scalar>& g) {
      { f.num_samples() } -> std::convertible_to<Index>;
      { f.gradient(theta, batch, g) } -> std::convertible_to<typename F::Scalar>;
    };

}  // namespace nnlab::optim
