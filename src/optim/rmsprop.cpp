// E ← ρE + (1 − ρ) g̃²,  θ ← θ − η_t g̃ / (√E + ε).
#include "nnlab/optim/rmsprop.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void RmsPropOptions::validate() const {
  detail::require_positive("rmsprop", "lr", lr);
  detail::require_unit("rmsprop", "rho", rho);
  detail::require_positive("rmsprop", "eps", eps);
  detail::require_nonnegative("rmsprop", "weight_decay", weight_decay);
}

template <class S>
void RmsProp<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("rmsprop", theta, g, E_);
  const S eta = S(lr()), rho = S(options().rho), eps = S(options().eps),
          lambda = S(options().weight_decay);
  const auto g_tilde = g.array() + lambda * theta.array();
  E_.array() = rho * E_.array() + (S(1) - rho) * g_tilde.square();
  theta.array() -= eta * g_tilde / (E_.array().sqrt() + eps);
  count_step();
}

template class RmsProp<float>;
template class RmsProp<double>;

}  // namespace nnlab::optim
