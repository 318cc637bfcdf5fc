// AdaGrad, diagonal version (Duchi, Hazan & Singer, JMLR 2011, eq. for diag(G_t)^{−1/2}):
//   G ← G + g̃ ⊙ g̃,  θ ← θ − η_t g̃ ⊘ (√G + ε),  g̃ = g + λθ.                 θ, g, G: D.
// Deviation: ε is added to √G (as in PyTorch) rather than δI inside the matrix root, so that
// coordinates with zero gradient so far take no step.
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/optim/scheduled.hpp"

namespace nnlab::optim {

struct AdaGradOptions {
  double lr = 0.01;           // η > 0
  double eps = 1e-10;         // ε > 0
  double weight_decay = 0.0;  // λ ≥ 0
  void validate() const;      // throws nnlab::Error naming an option out of its range
};

template <class S>
class AdaGrad : public Scheduled<AdaGradOptions> {
 public:
  using Scheduled::Scheduled;

  // One step at η_t; G sized on the first call, no allocation afterwards.
  void step(Vec<S>& theta, const Vec<S>& g);

  // step() in pieces, for the step fused into backprop (see scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g);
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len);

  void reset() { Scheduled::reset(), G_.resize(0); }

 private:
  struct Coefficients {
    S eta, eps, lambda;
  } c_{};  // this step's scalars, set by begin_step
  Vec<S> G_;  // running sum of squared gradients
};

}  // namespace nnlab::optim
