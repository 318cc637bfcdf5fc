// Drivers run a first-order optimizer (anything with step(θ, g)) on an objective; every driver
// reports with the same Report and Status, and emits the same events:
//   minimize    deterministic: g_k = ∇L(θ_k), θ_{k+1} = step(θ_k, g_k) until ‖g_k‖ ≤ grad_tol,
//               |L_k − L_{k−1}| ≤ value_tol·max(1, |L_k|), k = max_iters, or L/g not finite;
//   sgd_epochs  stochastic: per step a batch from a BatchSampler, g = the batch gradient, for a
//               number of epochs of sampler.batches_per_epoch() steps; a non-finite batch loss
//               stops it at once, non-finite parameters at the end of an epoch.
// Observe, don't print: the callback receives a StepEvent for every evaluated iterate (before
// the step from it, so θ, g and the loss belong together) and, in sgd_epochs, an EpochEvent after
// each epoch; it is called with whichever of them it accepts, and if it returns Control::stop
// the driver stops with Status::interrupted. Recorders (train/recorder.hpp) turn events into
// series. No allocation per step: one gradient buffer per call.
//
// The step fused into backprop: when the objective can run the optimizer's step inside its
// gradient pass (FusedStepObjective: a network loss with an Optimizer) and the callback takes no
// StepEvent (which shows θ_k and g before the step, so needs the whole gradient while θ_k still
// exists), sgd_epochs lets it — bit-identical results, less memory traffic. A BatchEvent follows
// every step, fused or not. Any other objective or optimizer (penalized gradients, clipping,
// L-BFGS, …) and a callback that reads StepEvents get the plain path.
#pragma once
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <span>
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
  converged,    // a tolerance was met
  max_iters,    // the iteration (or epoch) budget ran out
  diverged,     // the loss or the gradient became NaN or Inf; θ is the iterate that produced it
  interrupted,  // the callback asked to stop; θ is the last iterate it saw (stopped at a
                // BatchEvent: the iterate after that step)
  stalled,      // a line-search driver found no acceptable step along a descent direction
                // (usually L at its rounding floor, short of grad_tol); θ is the last iterate
};

constexpr std::string_view to_string(Status s) {
  switch (s) {
    case Status::converged: return "converged";
    case Status::max_iters: return "max_iters";
    case Status::diverged: return "diverged";
    case Status::interrupted: return "interrupted";
    case Status::stalled: return "stalled";
  }
  return "unknown";
}

struct Stop {
  std::int64_t max_iters = 1000;
  double grad_tol = 1e-8;  // ‖∇L‖₂ ≤ grad_tol stops (0 disables)
  double value_tol = 0.0;  // |ΔL| ≤ value_tol·max(1, |L|) stops (0 disables)
};

// What every driver returns.
struct Report {
  Status status = Status::max_iters;
  std::int64_t iterations = 0;  // optimizer steps taken
  std::int64_t epochs = 0;      // epochs completed (sgd_epochs; 0 for deterministic drivers)
  double value = 0;             // minimize: L at the returned θ; sgd_epochs: the mean batch loss
                                // of the last completed epoch (or the offending loss if diverged)
  double grad_norm = std::numeric_limits<double>::quiet_NaN();  // ‖∇L‖₂ there (minimize only)
};

// Emitted once per evaluated iterate θ_k, before the step from it.
template <class S>
struct StepEvent {
  std::int64_t epoch;            // 0-based epoch of this step (0 for deterministic drivers)
  std::int64_t step;             // k: 0-based global step
  std::span<const Index> batch;  // the samples the gradient was taken on; empty = all of them
  const Vec<S>& theta;           // θ_k
  const Vec<S>& g;               // the (batch) gradient at θ_k
  double loss;                   // the (batch) loss at θ_k
  double lr;                     // the learning rate of the step from θ_k (NaN if none is known)
};

// Emitted after each step of sgd_epochs (θ has moved; the gradient may not have been kept whole).
template <class S>
struct BatchEvent {
  std::int64_t epoch;            // 0-based epoch of this step
  std::int64_t step;             // k: 0-based global step just taken
  std::span<const Index> batch;  // its samples
  double loss;                   // the batch loss at θ_k, before the step
  double lr;                     // the learning rate the step used (NaN if none is known)
};

// gradient_step(θ, batch, g, opt) leaves θ and g as gradient(θ, batch, g) then opt.step(θ, g)
// would, bit for bit, with the step taken inside the gradient pass; no step for a non-finite loss.
template <class F, class Opt>
concept FusedStepObjective =
    StochasticObjective<F> && requires(const F& f, Vec<typename F::Scalar>& theta,
                                       std::span<const Index> batch, Vec<typename F::Scalar>& g,
                                       Opt& opt) {
      { f.gradient_step(theta, batch, g, opt) } -> std::convertible_to<typename F::Scalar>;
    };

// Emitted after each epoch of sgd_epochs.
template <class S>
struct EpochEvent {
  std::int64_t epoch;      // 0-based epoch just completed
  std::int64_t steps;      // global steps so far
  double mean_batch_loss;  // the mean of its batch losses
  const Vec<S>& theta;     // θ after the epoch
  double lr;               // the learning rate of the next step
};

enum class Control { proceed, stop };

struct NoCallback {};

namespace detail {
// Calls callback(event) if it accepts the event; true if it asked to stop.
template <class Callback, class Event>
bool emit(Callback& callback, const Event& event) {
  if constexpr (std::invocable<Callback&, const Event&>) {
    if constexpr (std::same_as<std::invoke_result_t<Callback&, const Event&>, Control>)
      return callback(event) == Control::stop;
    else
      callback(event);
  }
  return false;
}

template <class Opt>
double lr_of(const Opt& opt) {
  if constexpr (requires { opt.lr(); })
    return double(opt.lr());
  else
    return std::numeric_limits<double>::quiet_NaN();
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
    const bool stop_asked =
        detail::emit(callback, StepEvent<S>{0, k, {}, theta, g, value, detail::lr_of(opt)});
    if (!std::isfinite(value) || !std::isfinite(grad_norm))
      return {Status::diverged, k, 0, value, grad_norm};
    const bool small_gradient = grad_norm <= stop.grad_tol;
    const bool small_change = k > 0 && stop.value_tol > 0 &&
                              std::abs(value - previous) <= stop.value_tol * std::max(1.0, std::abs(value));
    if (small_gradient || small_change) return {Status::converged, k, 0, value, grad_norm};
    if (stop_asked) return {Status::interrupted, k, 0, value, grad_norm};
    if (k == stop.max_iters) return {Status::max_iters, k, 0, value, grad_norm};
    previous = value;
    opt.step(theta, g);
  }
}

// Runs `epochs` epochs of sampler.batches_per_epoch() steps each.
template <StochasticObjective F, FirstOrderOptimizer<typename F::Scalar> Opt,
          class Callback = NoCallback>
Report sgd_epochs(const F& f, Opt& opt, Vec<typename F::Scalar>& theta, BatchSampler& sampler,
                  std::int64_t epochs, Callback&& callback = {}) {
  using S = typename F::Scalar;
  require(sampler.num_samples() == f.num_samples(),
          "sgd_epochs: sampler draws from {} samples but the objective has {}",
          sampler.num_samples(), f.num_samples());
  constexpr bool fused =
      FusedStepObjective<F, Opt> && !std::invocable<Callback&, const StepEvent<S>&>;
  Vec<S> g(f.dim());
  std::int64_t step = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    double sum = 0;
    const Index n = sampler.batches_per_epoch();
    for (Index b = 0; b < n; ++b) {
      const std::span<const Index> batch = sampler.next();
      const double lr = detail::lr_of(opt);
      double loss;
      if constexpr (fused) {
        loss = double(f.gradient_step(theta, batch, g, opt));
        if (!std::isfinite(loss)) return {Status::diverged, step, epoch, loss};
      } else {
        loss = double(f.gradient(theta, batch, g));
        if (!std::isfinite(loss)) return {Status::diverged, step, epoch, loss};
        if (detail::emit(callback, StepEvent<S>{epoch, step, batch, theta, g, loss, lr}))
          return {Status::interrupted, step, epoch, mean};
        opt.step(theta, g);
      }
      ++step;
      sum += loss;
      if (detail::emit(callback, BatchEvent<S>{epoch, step - 1, batch, loss, lr}))
        return {Status::interrupted, step, epoch, mean};
    }
    if (!theta.allFinite()) return {Status::diverged, step, epoch, sum / double(n)};
    mean = sum / double(n);
    if (detail::emit(callback, EpochEvent<S>{epoch, step, mean, theta, detail::lr_of(opt)}))
      return {Status::interrupted, step, epoch + 1, mean};
  }
  return {Status::max_iters, step, epochs, mean};
}

}  // namespace nnlab::optim
