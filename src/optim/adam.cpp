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
void Adam<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("adam", theta, g, m_, v_);
  const Options& o = options();
  const double t = double(steps() + 1);  // the paper counts steps from 1
  const S eta = S(lr()), beta1 = S(o.beta1), beta2 = S(o.beta2), eps = S(o.eps),
          lambda = S(o.weight_decay);
  // Bias corrections in double: 1 − β₂ᵗ is tiny for small t and loses digits in float.
  const S c1 = S(1.0 / (1.0 - std::pow(o.beta1, t)));
  const S c2 = S(1.0 / (1.0 - std::pow(o.beta2, t)));
  const auto g_tilde = g.array() + lambda * theta.array();
  m_.array() = beta1 * m_.array() + (S(1) - beta1) * g_tilde;
  v_.array() = beta2 * v_.array() + (S(1) - beta2) * g_tilde.square();
  theta.array() -= eta * (c1 * m_.array()) / ((c2 * v_.array()).sqrt() + eps);
  count_step();
}

template class Adam<float>;
template class Adam<double>;

}  // namespace nnlab::optim
