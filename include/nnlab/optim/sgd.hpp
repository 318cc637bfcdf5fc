// Gradient descent / stochastic gradient descent (Robbins & Monro 1951; Nocedal & Wright eq. 3.1
// with a fixed step):  θ ← θ − η_t (g + λθ),  g = ∇L(θ) or a batch estimate of it, λ = weight
// decay (L2 penalty ½λ‖θ‖² added to the loss). θ, g: D.
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/optim/scheduled.hpp"

namespace nnlab::optim {

struct SgdOptions {
  double lr = 0.01;           // η > 0 (the schedule's η₀ when a schedule is given)
  double weight_decay = 0.0;  // λ ≥ 0
  void validate() const;      // throws nnlab::Error naming an option out of its range
};

template <class S>
class Sgd : public Scheduled<SgdOptions> {
 public:
  using Scheduled::Scheduled;

  // One step at η_t, t = steps(); θ updated in place, no allocation.
  void step(Vec<S>& theta, const Vec<S>& g);

  // step() in pieces, for the step fused into backprop (see scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g);
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len);

 private:
  struct Coefficients {
    S eta, lambda;
  } c_{};  // this step's scalars, set by begin_step
};

}  // namespace nnlab::optim
