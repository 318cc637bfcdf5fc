// G ← G + g̃²,  θ ← θ − η_t g̃ / (√G + ε).
#include "nnlab/optim/adagrad.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void AdaGradOptions::validate() const {
  detail::require_positive("adagrad", "lr", lr);
  detail::require_positive("adagrad", "eps", eps);
  detail::require_nonnegative("adagrad", "weight_decay", weight_decay);
}

template <class S>
void AdaGrad<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("adagrad", theta, g, G_);
  const S eta = S(lr()), eps = S(options().eps), lambda = S(options().weight_decay);
  const auto g_tilde = g.array() + lambda * theta.array();
  G_.array() += g_tilde.square();
  theta.array() -= eta * g_tilde / (G_.array().sqrt() + eps);
  count_step();
}

template class AdaGrad<float>;
template class AdaGrad<double>;

}  // namespace nnlab::optim
