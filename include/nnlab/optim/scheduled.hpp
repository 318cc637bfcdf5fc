// What every first-order optimizer here shares: its options, the learning-rate schedule η(t) and
// the step counter t (step() calls since construction or reset()); step t runs at η_t = η(t),
// η(t) = options.lr when no schedule is given. Each optimizer derives from Scheduled<ItsOptions>
// and adds only its own state (v, G, E, m, …) and its step(), which ends with count_step().
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
