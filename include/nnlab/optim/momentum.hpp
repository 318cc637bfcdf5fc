// Heavy-ball momentum (Polyak 1964, eq. 9), in PyTorch's form (torch.optim.SGD, dampening 0):
//   v ← μ v + (g + λθ),   θ ← θ − η_t v.                                  θ, g, v: D.
// Polyak writes w ← μ w − η g, θ ← θ + w; with a constant η the two are the same iteration
// (w = −η v). With a schedule they differ: here a new η_t rescales the whole accumulated v,
// exactly as PyTorch does, so "SGD lr 0.05 momentum 0.9" means torch SGD(lr=0.05, momentum=0.9).
// Deviation from PyTorch: none (no dampening; the first step uses v = g, as PyTorch does since
// v₀ = 0 gives μ·0 + g).
#pragma once
#include <cstdint>
#include <optional>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/schedule.hpp"

namespace nnlab::optim {

struct MomentumOptions {
  double lr = 0.01;           // η > 0
  double momentum = 0.9;      // μ ∈ [0, 1)
  double weight_decay = 0.0;  // λ ≥ 0
};

template <class S>
class Momentum {
 public:
  using Options = MomentumOptions;

  explicit Momentum(Options options = {}, std::optional<Schedule> lr_schedule = std::nullopt);

  // One step at η_t; v sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  double lr() const { return schedule_(t_); }
  std::int64_t steps() const { return t_; }
  void reset() { t_ = 0, v_.resize(0); }
  const Options& options() const { return options_; }
  const Schedule& schedule() const { return schedule_; }
  const Vec<S>& velocity() const { return v_; }  // v (PyTorch's momentum_buffer)

 private:
  Options options_;
  Schedule schedule_;
  std::int64_t t_ = 0;
  Vec<S> v_;
};

}  // namespace nnlab::optim
