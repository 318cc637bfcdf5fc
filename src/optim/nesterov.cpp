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
void Nesterov<S>::begin_step(const Vec<S>& phi, const Vec<S>& g) {
  detail::prepare("nesterov", phi, g, v_);
  c_ = {S(lr()), S(options().momentum), S(options().weight_decay)};
}

template <class S>
void Nesterov<S>::update(Vec<S>& phi, const Vec<S>& g, Index offset, Index len) {
  detail::check_range("nesterov", phi, g, offset, len, v_);
  const auto [eta, mu, lambda] = c_;
  S* ph = phi.data() + offset;
  S* v = v_.data() + offset;
  const S* gr = g.data() + offset;
  for (Index i = 0; i < len; ++i) {
    const S g_tilde = gr[i] + lambda * ph[i];
    v[i] = mu * v[i] + g_tilde;
    ph[i] -= eta * (g_tilde + mu * v[i]);
  }
}

template <class S>
void Nesterov<S>::step(Vec<S>& phi, const Vec<S>& g) {
  begin_step(phi, g);
  update(phi, g, 0, phi.size());
  end_step();
}

template class Nesterov<float>;
template class Nesterov<double>;

}  // namespace nnlab::optim
