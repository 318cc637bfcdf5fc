// Kingma & Ba Algorithm 1 with the bias corrections folded into two scalars.
#include "nnlab/optim/adam.hpp"

#include <cmath>

#include "validate.hpp"

namespace nnlab::optim {

template <class S>
Adam<S>::Adam(Options options, std::optional<Schedule> lr_schedule)
    : options_(options), schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
  detail::require_positive("adam", "lr", options.lr);
  detail::require_unit("adam", "beta1", options.beta1);
  detail::require_unit("adam", "beta2", options.beta2);
  detail::require_positive("adam", "eps", options.eps);
  detail::require_nonnegative("adam", "weight_decay", options.weight_decay);
}

template <class S>
void Adam<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("adam", theta, g, m_, v_);
  const double t = double(t_ + 1);
  const S eta = S(schedule_(t_)), beta1 = S(options_.beta1), beta2 = S(options_.beta2),
          eps = S(options_.eps), lambda = S(options_.weight_decay);
  // Bias corrections in double: 1 − β₂ᵗ is tiny for small t and loses digits in float.
  const S c1 = S(1.0 / (1.0 - std::pow(options_.beta1, t)));
  const S c2 = S(1.0 / (1.0 - std::pow(options_.beta2, t)));
  const auto g_tilde = g.array() + lambda * theta.array();
  m_.array() = beta1 * m_.array() + (S(1) - beta1) * g_tilde;
  v_.array() = beta2 * v_.array() + (S(1) - beta2) * g_tilde.square();
  theta.array() -= eta * (c1 * m_.array()) / ((c2 * v_.array()).sqrt() + eps);
  ++t_;
}

template class Adam<float>;
template class Adam<double>;

}  // namespace nnlab::optim
