// AdaGrad, diagonal version (Duchi, Hazan & Singer, JMLR 2011, eq. for diag(G_t)^{−1/2}):
//   G ← G + g̃ ⊙ g̃,  θ ← θ − η_t g̃ ⊘ (√G + ε),  g̃ = g + λθ.                 θ, g, G: D.
// Deviation: ε is added to √G (as in PyTorch) rather than δI inside the matrix root, so that
// coordinates with zero gradient so far take no step.
#pragma once
#include <cstdint>
#include <optional>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/schedule.hpp"

namespace nnlab::optim {

struct AdaGradOptions {
  double lr = 0.01;           // η > 0
  double eps = 1e-10;         // ε > 0
  double weight_decay = 0.0;  // λ ≥ 0
};

template <class S>
class AdaGrad {
 public:
  using Options = AdaGradOptions;

  explicit AdaGrad(Options options = {}, std::optional<Schedule> lr_schedule = std::nullopt);

  // One step at η_t; G sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  double lr() const { return schedule_(t_); }
  std::int64_t steps() const { return t_; }
  void reset() { t_ = 0, G_.resize(0); }
  const Options& options() const { return options_; }
  const Schedule& schedule() const { return schedule_; }

 private:
  Options options_;
  Schedule schedule_;
  std::int64_t t_ = 0;
  Vec<S> G_;  // running sum of squared gradients
};

}  // namespace nnlab::optim
