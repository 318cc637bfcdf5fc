// G ← G + g̃²,  θ ← θ − η_t g̃ / (√G + ε).
#include "nnlab/optim/adagrad.hpp"

#include <cmath>

#include "validate.hpp"

namespace nnlab::optim {

void AdaGradOptions::validate() const {
  detail::require_positive("adagrad", "lr", lr);
  detail::require_positive("adagrad", "eps", eps);
  detail::require_nonnegative("adagrad", "weight_decay", weight_decay);
}

template <class S>
void AdaGrad<S>::begin_step(const Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("adagrad", theta, g, G_);
  c_ = {S(lr()), S(options().eps), S(options().weight_decay)};
}

template <class S>
void AdaGrad<S>::update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len) {
  detail::check_range("adagrad", theta, g, offset, len, G_);
  const auto [eta, eps, lambda] = c_;
  S* th = theta.data() + offset;
  S* G = G_.data() + offset;
  const S* gr = g.data() + offset;
  for (Index i = 0; i < len; ++i) {
    const S g_tilde = gr[i] + lambda * th[i];
    G[i] += g_tilde * g_tilde;
    th[i] -= eta * g_tilde / (std::sqrt(G[i]) + eps);
  }
}

template <class S>
void AdaGrad<S>::step(Vec<S>& theta, const Vec<S>& g) {
  begin_step(theta, g);
  update(theta, g, 0, theta.size());
  end_step();
}

template class AdaGrad<float>;
template class AdaGrad<double>;

}  // namespace nnlab::optim
