// v ← μ v + g̃,  φ ← φ − η_t (g̃ + μ v),  g̃ = g + λφ  (Nesterov at the look-ahead point).
#include "nnlab/optim/nesterov.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void NesterovOptions::validate() const {
  detail::require_positive("nesterov", "lr", lr);
  detail::require_unit("nesterov", "momentum", momentum);
  detail::require_nonnegative("nesterov", "weight_decay", weight_decay);
}

template <class S>
void Nesterov<S>::step(Vec<S>& phi, const Vec<S>& g) {
  detail::prepare("nesterov", phi, g, v_);
  const S eta = S(lr()), mu = S(options().momentum), lambda = S(options().weight_decay);
  const auto g_tilde = g.array() + lambda * phi.array();
  v_.array() = mu * v_.array() + g_tilde;
  // Element i reads φ_i (inside g̃) before writing it, so the in-place update is safe.
  phi.array() -= eta * (g_tilde + mu * v_.array());
  count_step();
}

template class Nesterov<float>;
template class Nesterov<double>;

}  // namespace nnlab::optim
