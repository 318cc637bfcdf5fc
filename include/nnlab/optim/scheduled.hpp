// What every first-order optimizer here shares: its options, the learning-rate schedule η(t) and
// the step counter t (step() calls since construction or reset()); step t runs at η_t = η(t),
// η(t) = options.lr when no schedule is given. Each optimizer derives from Scheduled<ItsOptions>
// and adds only its own state (v, G, E, m, …) and its step(), which ends with count_step().
//
// Every step is elementwise, so each optimizer also offers it in pieces, for the step fused into
// backprop (nn::Mlp::loss_gradient_step): begin_step(θ, g) sizes the state and fixes this step's
// scalars (η_t, bias corrections); update(θ, g, offset, len) steps θ[offset, offset + len) from
// the same range of g and of the state — disjoint ranges covering θ once, in any order, on any
// threads (under the same floating-point mode); end_step() advances t once. step(θ, g) is
// begin_step, update(θ, g, 0, D), end_step, and coordinate i gets the same arithmetic wherever
// the ranges fall: the updates are plain loops with an exact sqrt, whose vectorized body and
// scalar remainder compute alike (see CMakeLists.txt; Eigen expressions on segments would not).
#pragma once
#include <cstdint>
#include <optional>

#include "nnlab/optim/schedule.hpp"

namespace nnlab::optim {

// Options: the optimizer's options struct, with `double lr` (η, or the schedule's η₀) and
// `void validate() const` that throws nnlab::Error naming an out-of-range option.
template <class OptionsT>
class Scheduled {
 public:
  using Options = OptionsT;

  // Throws nnlab::Error on invalid options. A schedule, when given, replaces the constant
  // options.lr (which must still be valid: it is reported as η₀).
  explicit Scheduled(Options options = {}, std::optional<Schedule> lr_schedule = std::nullopt)
      : options_(options),
        schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
    options_.validate();
  }

  double lr() const { return schedule_(t_); }  // η of the next step
  std::int64_t steps() const { return t_; }
  void reset() { t_ = 0; }  // an optimizer with state hides this with one that also clears it
  void end_step() { count_step(); }
  const Options& options() const { return options_; }
  const Schedule& schedule() const { return schedule_; }

 protected:
  void count_step() { ++t_; }

 private:
  Options options_;
  Schedule schedule_;
  std::int64_t t_ = 0;
};

}  // namespace nnlab::optim
