// θ ← θ − η_t (g + λθ).
#include "nnlab/optim/sgd.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void SgdOptions::validate() const {
  detail::require_positive("sgd", "lr", lr);
  detail::require_nonnegative("sgd", "weight_decay", weight_decay);
}

template <class S>
void Sgd<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("sgd", theta, g);
  const S eta = S(lr()), lambda = S(options().weight_decay);
  theta.array() -= eta * (g.array() + lambda * theta.array());
  count_step();
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace nnlab::optim
