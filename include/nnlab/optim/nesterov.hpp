// Nesterov accelerated gradient in Sutskever et al.'s momentum form (ICML 2013, eq. 3–4):
//   w ← μ w − η ∇L(θ + μ w),  θ ← θ + w.
// Implemented at the look-ahead point φ = θ + μw, where only ∇L(φ) is needed (Bengio et al. 2013,
// "Advances in optimizing recurrent networks", eq. 7; torch.optim.SGD(nesterov=True)):
//   v ← μ v + (g + λφ),  φ ← φ − η_t (g + λφ + μ v),  g = ∇L(φ),  v = −w/η.      φ, g, v: D.
// With a constant η the iterates φ_t equal θ_t + μ w_t of Sutskever's form exactly (φ₀ = θ₀ since
// w₀ = 0); the vector this optimizer updates is φ.
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/optim/scheduled.hpp"

namespace nnlab::optim {

struct NesterovOptions {
  double lr = 0.01;           // η > 0
  double momentum = 0.9;      // μ ∈ [0, 1)
  double weight_decay = 0.0;  // λ ≥ 0
  void validate() const;      // throws nnlab::Error naming an option out of its range
};

template <class S>
class Nesterov : public Scheduled<NesterovOptions> {
 public:
  using Scheduled::Scheduled;

  // One step at η_t; v sized on the first call, no allocation afterwards.
  void step(Vec<S>& phi, const Vec<S>& g);

  // step() in pieces, for the step fused into backprop (see scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g);
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len);

  void reset() { Scheduled::reset(), v_.resize(0); }

 private:
  struct Coefficients {
    S eta, mu, lambda;
  } c_{};  // this step's scalars, set by begin_step
  Vec<S> v_;
};

}  // namespace nnlab::optim
