// θ ← θ − η_t (g + λθ).
#include "nnlab/optim/sgd.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void SgdOptions::validate() const {
  detail::require_positive("sgd", "lr", lr);
  detail::require_nonnegative("sgd", "weight_decay", weight_decay);
}

template <class S>
void Sgd<S>::begin_step(const Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("sgd", theta, g);
  c_ = {S(lr()), S(options().weight_decay)};
}

template <class S>
void Sgd<S>::update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len) {
  detail::check_range("sgd", theta, g, offset, len);
  const auto [eta, lambda] = c_;
  S* th = theta.data() + offset;
  const S* gr = g.data() + offset;
  for (Index i = 0; i < len; ++i) th[i] -= eta * (gr[i] + lambda * th[i]);
}

template <class S>
void Sgd<S>::step(Vec<S>& theta, const Vec<S>& g) {
  begin_step(theta, g);
  update(theta, g, 0, theta.size());
  end_step();
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace nnlab::optim
