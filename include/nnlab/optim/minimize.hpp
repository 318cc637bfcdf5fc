// Drivers that run a first-order optimizer (anything with step(θ, g)) on an objective:
//   minimize    deterministic: g_k = ∇L(θ_k), θ_{k+1} = step(θ_k, g_k) until ‖g_k‖ ≤ grad_tol,
//               |L_k − L_{k−1}| ≤ value_tol·max(1, |L_k|), k = max_iters, or L/g not finite;
//   sgd_epochs  stochastic: per step a batch from a BatchSampler, g = batch-mean gradient.
// Observe, don't print: the callback receives events (IterationEvent; StepEvent and EpochEvent),
// called with whichever of them it accepts. θ: D; one gradient buffer is allocated per call.
#pragma once
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/optim/batch_sampler.hpp"
#include "nnlab/optim/objective.hpp"

namespace nnlab::optim {

template <class O, class S>
concept FirstOrderOptimizer = requires(O& opt, Vec<S>& theta, const Vec<S>& g) {
  opt.step(theta, g);
};

enum class Status {
  converged,  // a tolerance was met
  max_iters,  // the iteration (or epoch) budget ran out
  diverged,   // the loss or the gradient became NaN or Inf; θ is the iterate that produced it
};

constexpr std::string_view to_string(Status s) {
  switch (s) {
    case Status::converged: return "converged";
    case Status::max_iters: return "max_iters";
    case Status::diverged: return "diverged";
  }
  return "unknown";
}

struct Stop {
  std::int64_t max_iters = 1000;
  double grad_tol = 1e-8;  // ‖∇L‖₂ ≤ grad_tol stops (0 disables)
  double value_tol = 0.0;  // |ΔL| ≤ value_tol·max(1, |L|) stops (0 disables)
};

struct Report {
  Status status;
  std::int64_t iterations;  // optimizer steps taken
  double value;             // L at the returned θ
  double grad_norm;         // ‖∇L‖₂ at the returned θ
};

// Emitted once per evaluated iterate θ_k, before the step from it.
struct IterationEvent {
  std::int64_t iteration;
  double value;
  double grad_norm;
};

struct NoCallback {};

namespace detail {
template <class Callback, class Event>
void emit(Callback& callback, const Event& event) {
  if constexpr (std::invocable<Callback&, const Event&>) callback(event);
}
}  // namespace detail

template <DifferentiableObjective F, FirstOrderOptimizer<typename F::Scalar> Opt,
          class Callback = NoCallback>
Report minimize(const F& f, Opt& opt, Vec<typename F::Scalar>& theta, const Stop& stop = {},
                Callback&& callback = {}) {
  using S = typename F::Scalar;
  Vec<S> g(f.dim());
  double previous = 0;
  for (std::int64_t k = 0;; ++k) {
    const double value = double(f.gradient(theta, g));
    const double grad_norm = double(g.norm());
    detail::emit(callback, IterationEvent{k, value, grad_norm});
    if (!std::isfinite(value) || !std::isfinite(grad_norm))
      return {Status::diverged, k, value, grad_norm};
    const bool small_gradient = grad_norm <= stop.grad_tol;
    const bool small_change = k > 0 && stop.value_tol > 0 &&
                              std::abs(value - previous) <= stop.value_tol * std::max(1.0, std::abs(value));
    if (small_gradient || small_change) return {Status::converged, k, value, grad_norm};
    if (k == stop.max_iters) return {Status::max_iters, k, value, grad_norm};
    previous = value;
    opt.step(theta, g);
  }
}

// Emitted after each SGD step; batch_loss is the batch-mean loss at θ before the step.
struct StepEvent {
  std::int64_t epoch;  // 0-based epoch of this step
  std::int64_t step;   // 0-based global step
  double batch_loss;
};

// Emitted after each epoch; mean_batch_loss averages that epoch's batch losses.
struct EpochEvent {
  std::int64_t epoch;  // 0-based epoch just completed
  std::int64_t steps;  // global steps so far
  double mean_batch_loss;
};

struct SgdReport {
  Status status;  // max_iters when every epoch ran, diverged on NaN/Inf
  std::int64_t epochs;
  std::int64_t steps;
  double mean_batch_loss;  // of the last completed (or interrupted) epoch
};

// Runs `epochs` epochs of sampler.batches_per_epoch() steps each.
template <StochasticObjective F, FirstOrderOptimizer<typename F::Scalar> Opt,
          class Callback = NoCallback>
SgdReport sgd_epochs(const F& f, Opt& opt, Vec<typename F::Scalar>& theta, BatchSampler& sampler,
                     std::int64_t epochs, Callback&& callback = {}) {
  using S = typename F::Scalar;
  require(sampler.num_samples() == f.num_samples(),
          "sgd_epochs: sampler draws from {} samples but the objective has {}",
          sampler.num_samples(), f.num_samples());
  Vec<S> g(f.dim());
  std::int64_t step = 0;
  double mean = 0;
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    double sum = 0;
    const Index n = sampler.batches_per_epoch();
    for (Index b = 0; b < n; ++b) {
      const double loss = double(f.gradient(theta, sampler.next(), g));
      if (!std::isfinite(loss) || !g.allFinite())
        return {Status::diverged, epoch, step, loss};
      opt.step(theta, g);
      sum += loss;
      detail::emit(callback, StepEvent{epoch, step++, loss});
    }
    mean = sum / double(n);
    detail::emit(callback, EpochEvent{epoch, step, mean});
  }
  return {Status::max_iters, epochs, step, mean};
}

}  // namespace nnlab::optim
