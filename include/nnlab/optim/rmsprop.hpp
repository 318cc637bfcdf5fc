// RMSProp (Tieleman & Hinton 2012, Coursera NN lecture 6e):
//   E ← ρ E + (1 − ρ) g̃ ⊙ g̃,  θ ← θ − η_t g̃ ⊘ (√E + ε),  g̃ = g + λθ.       θ, g, E: D.
// ρ = 0.9 as in the lecture (PyTorch's default alpha is 0.99); ε added outside the root as in
// PyTorch. No momentum or centering variants.
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/optim/scheduled.hpp"

namespace nnlab::optim {

struct RmsPropOptions {
  double lr = 1e-3;           // η > 0
  double rho = 0.9;           // ρ ∈ [0, 1), decay of the mean square
  double eps = 1e-8;          // ε > 0
  double weight_decay = 0.0;  // λ ≥ 0
  void validate() const;      // throws nnlab::Error naming an option out of its range
};

template <class S>
class RmsProp : public Scheduled<RmsPropOptions> {
 public:
  using Scheduled::Scheduled;

  // One step at η_t; E sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  // step() in pieces, for the step fused into backprop (see scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g);
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len);

  void reset() { Scheduled::reset(), E_.resize(0); }

 private:
  struct Coefficients {
    S eta, rho, eps, lambda;
  } c_{};  // this step's scalars, set by begin_step
  Vec<S> E_;  // running mean of squared gradients
};

}  // namespace nnlab::optim
