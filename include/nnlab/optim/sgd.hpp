// Gradient descent / stochastic gradient descent (Robbins & Monro 1951; Nocedal & Wright eq. 3.1
// with a fixed step):  θ ← θ − η_t (g + λθ),  g = ∇L(θ) or a batch estimate of it, λ = weight
// decay (L2 penalty ½λ‖θ‖² added to the loss). θ, g: D.
#pragma once
#include <cstdint>
#include <optional>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/schedule.hpp"

namespace nnlab::optim {

struct SgdOptions {
  double lr = 0.01;           // η > 0 (the schedule's η₀ when a schedule is given)
  double weight_decay = 0.0;  // λ ≥ 0
};

template <class S>
class Sgd {
 public:
  using Options = SgdOptions;

  // Throws nnlab::Error on lr ≤ 0 or weight_decay < 0. A schedule, when given, replaces the
  // constant options.lr.
  explicit Sgd(Options options = {}, std::optional<Schedule> lr_schedule = std::nullopt);

  // One step at η_t, t = steps(); θ updated in place, no allocation.
  void step(Vec<S>& theta, const Vec<S>& g);

  double lr() const { return schedule_(t_); }  // η of the next step
  std::int64_t steps() const { return t_; }
  void reset() { t_ = 0; }
  const Options& options() const { return options_; }
  const Schedule& schedule() const { return schedule_; }

 private:
  Options options_;
  Schedule schedule_;
  std::int64_t t_ = 0;
};

}  // namespace nnlab::optim
