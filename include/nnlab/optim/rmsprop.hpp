// RMSProp (Tieleman & Hinton 2012, Coursera NN lecture 6e):
//   E ← ρ E + (1 − ρ) g̃ ⊙ g̃,  θ ← θ − η_t g̃ ⊘ (√E + ε),  g̃ = g + λθ.       θ, g, E: D.
// ρ = 0.9 as in the lecture (PyTorch's default alpha is 0.99); ε added outside the root as in
// PyTorch. No momentum or centering variants.
#pragma once
#include <cstdint>
#include <optional>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/schedule.hpp"

namespace nnlab::optim {

struct RmsPropOptions {
  double lr = 1e-3;           // η > 0
  double rho = 0.9;           // ρ ∈ [0, 1), decay of the mean square
  double eps = 1e-8;          // ε > 0
  double weight_decay = 0.0;  // λ ≥ 0
};

template <class S>
class RmsProp {
 public:
  using Options = RmsPropOptions;

  explicit RmsProp(Options options = {}, std::optional<Schedule> lr_schedule = std::nullopt);

  // One step at η_t; E sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  double lr() const { return schedule_(t_); }
  std::int64_t steps() const { return t_; }
  void reset() { t_ = 0, E_.resize(0); }
  const Options& options() const { return options_; }
  const Schedule& schedule() const { return schedule_; }

 private:
  Options options_;
  Schedule schedule_;
  std::int64_t t_ = 0;
  Vec<S> E_;  // running mean of squared gradients
};

}  // namespace nnlab::optim
