// Kingma & Ba Algorithm 1 with the bias corrections folded into two scalars.
#include "nnlab/optim/adam.hpp"

#include <cmath>

#include "validate.hpp"

namespace nnlab::optim {

void AdamOptions::validate() const {
  detail::require_positive("adam", "lr", lr);
  detail::require_unit("adam", "beta1", beta1);
  detail::require_unit("adam", "beta2", beta2);
  detail::require_positive("adam", "eps", eps);
  detail::require_nonnegative("adam", "weight_decay", weight_decay);
}

template <class S>
void Adam<S>::begin_step(const Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("adam", theta, g, m_, v_);
  const Options& o = options();
  const double t = double(steps() + 1);  // the paper counts steps from 1
  // Bias corrections in double: 1 − β₂ᵗ is tiny for small t and loses digits in float.
  c_ = {S(lr()),
        S(o.beta1),
        S(o.beta2),
        S(o.eps),
        S(o.weight_decay),
        S(1.0 / (1.0 - std::pow(o.beta1, t))),
        S(1.0 / (1.0 - std::pow(o.beta2, t)))};
}

template <class S>
void Adam<S>::update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len) {
  detail::check_range("adam", theta, g, offset, len, m_, v_);
  const auto [eta, beta1, beta2, eps, lambda, c1, c2] = c_;
  S* th = theta.data() + offset;
  S* m = m_.data() + offset;
  S* v = v_.data() + offset;
  const S* gr = g.data() + offset;
  for (Index i = 0; i < len; ++i) {
    const S g_tilde = gr[i] + lambda * th[i];
    m[i] = beta1 * m[i] + (S(1) - beta1) * g_tilde;
    v[i] = beta2 * v[i] + (S(1) - beta2) * (g_tilde * g_tilde);
    th[i] -= eta * (c1 * m[i]) / (std::sqrt(c2 * v[i]) + eps);
  }
}

template <class S>
void Adam<S>::step(Vec<S>& theta, const Vec<S>& g) {
  begin_step(theta, g);
  update(theta, g, 0, theta.size());
  end_step();
}

template class Adam<float>;
template class Adam<double>;

}  // namespace nnlab::optim
