// v ← μ v + (g + λθ),  θ ← θ − η_t v  (heavy ball, PyTorch form).
#include "nnlab/optim/momentum.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void MomentumOptions::validate() const {
  detail::require_positive("momentum", "lr", lr);
  detail::require_unit("momentum", "momentum", momentum);
  detail::require_nonnegative("momentum", "weight_decay", weight_decay);
}

template <class S>
void Momentum<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("momentum", theta, g, v_);
  const S eta = S(lr()), mu = S(options().momentum), lambda = S(options().weight_decay);
  v_.array() = mu * v_.array() + g.array() + lambda * theta.array();
  theta -= eta * v_;
  count_step();
}

template class Momentum<float>;
template class Momentum<double>;

}  // namespace nnlab::optim
