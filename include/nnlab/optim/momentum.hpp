// Heavy-ball momentum (Polyak 1964, eq. 9), in PyTorch's form (torch.optim.SGD, dampening 0):
//   v ← μ v + (g + λθ),   θ ← θ − η_t v.                                  θ, g, v: D.
// Polyak writes w ← μ w − η g, θ ← θ + w; with a constant η the two are the same iteration
// (w = −η v). With a schedule they differ: here a new η_t rescales the whole accumulated v,
// exactly as PyTorch does, so "SGD lr 0.05 momentum 0.9" means torch SGD(lr=0.05, momentum=0.9).
// Deviation from PyTorch: none (no dampening; the first step uses v = g, as PyTorch does since
// v₀ = 0 gives μ·0 + g).
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/optim/scheduled.hpp"

namespace nnlab::optim {

struct MomentumOptions {
  double lr = 0.01;           // η > 0
  double momentum = 0.9;      // μ ∈ [0, 1)
  double weight_decay = 0.0;  // λ ≥ 0
  void validate() const;      // throws nnlab::Error naming an option out of its range
};

template <class S>
class Momentum : public Scheduled<MomentumOptions> {
 public:
  using Scheduled::Scheduled;

  // One step at η_t; v sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  // step() in pieces, for the step fused into backprop (see scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g);
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len);

  void reset() { Scheduled::reset(), v_.resize(0); }
  const Vec<S>& velocity() const { return v_; }  // v (PyTorch's momentum_buffer)

 private:
  struct Coefficients {
    S eta, mu, lambda;
  } c_{};  // this step's scalars, set by begin_step
  Vec<S> v_;
};

}  // namespace nnlab::optim
