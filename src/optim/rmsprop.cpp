// E ← ρE + (1 − ρ) g̃²,  θ ← θ − η_t g̃ / (√E + ε).
#include "nnlab/optim/rmsprop.hpp"

#include <cmath>

#include "validate.hpp"

namespace nnlab::optim {

void RmsPropOptions::validate() const {
  detail::require_positive("rmsprop", "lr", lr);
  detail::require_unit("rmsprop", "rho", rho);
  detail::require_positive("rmsprop", "eps", eps);
  detail::require_nonnegative("rmsprop", "weight_decay", weight_decay);
}

template <class S>
void RmsProp<S>::begin_step(const Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("rmsprop", theta, g, E_);
  c_ = {S(lr()), S(options().rho), S(options().eps), S(options().weight_decay)};
}

template <class S>
void RmsProp<S>::update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len) {
  detail::check_range("rmsprop", theta, g, offset, len, E_);
  const auto [eta, rho, eps, lambda] = c_;
  S* th = theta.data() + offset;
  S* E = E_.data() + offset;
  const S* gr = g.data() + offset;
  for (Index i = 0; i < len; ++i) {
    const S g_tilde = gr[i] + lambda * th[i];
    E[i] = rho * E[i] + (S(1) - rho) * (g_tilde * g_tilde);
    th[i] -= eta * g_tilde / (std::sqrt(E[i]) + eps);
  }
}

template <class S>
void RmsProp<S>::step(Vec<S>& theta, const Vec<S>& g) {
  begin_step(theta, g);
  update(theta, g, 0, theta.size());
  end_step();
}

template class RmsProp<float>;
template class RmsProp<double>;

}  // namespace nnlab::optim
