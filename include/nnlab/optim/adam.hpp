// Adam (Kingma & Ba, ICLR 2015, Algorithm 1), t = 1, 2, …:
//   m ← β₁ m + (1 − β₁) g̃,  v ← β₂ v + (1 − β₂) g̃ ⊙ g̃,
//   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ),  θ ← θ − η_t m̂ ⊘ (√v̂ + ε),  g̃ = g + λθ.   θ, g, m, v: D.
// Weight decay is the L2 term added to the gradient (torch.optim.Adam), not AdamW's decoupled
// decay. So the first step is −η g̃/(|g̃| + ε): size η in every coordinate with g̃ ≠ 0.
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/optim/scheduled.hpp"

namespace nnlab::optim {

struct AdamOptions {
  double lr = 1e-3;           // η > 0
  double beta1 = 0.9;         // β₁ ∈ [0, 1)
  double beta2 = 0.999;       // β₂ ∈ [0, 1)
  double eps = 1e-8;          // ε > 0
  double weight_decay = 0.0;  // λ ≥ 0
  void validate() const;      // throws nnlab::Error naming an option out of its range
};

template <class S>
class Adam : public Scheduled<AdamOptions> {
 public:
  using Scheduled::Scheduled;

  // One step at η_t (t = steps()); m and v sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  // step() in pieces, for the step fused into backprop (see scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g);
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len);

  void reset() { Scheduled::reset(), m_.resize(0), v_.resize(0); }

 private:
  struct Coefficients {
    S eta, beta1, beta2, eps, lambda, c1, c2;
  } c_{};  // this step's scalars, set by begin_step
  Vec<S> m_, v_;  // biased first and second moment estimates
};

}  // namespace nnlab::optim
