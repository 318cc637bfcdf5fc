// v ← μ v + (g + λθ),  θ ← θ − η_t v  (heavy ball, PyTorch form).
#include "nnlab/optim/momentum.hpp"

#include "validate.hpp"

namespace nnlab::optim {

void MomentumOptions::validate() const {
  detail::require_positive("momentum", "lr", lr);
  detail::require_unit("momentum", "momentum", momentum);
  detail::require_nonnegative("momentum", "weight_decay", weight_decay);
}

template <class S>
void Momentum<S>::begin_step(const Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("momentum", theta, g, v_);
  c_ = {S(lr()), S(options().momentum), S(options().weight_decay)};
}

template <class S>
void Momentum<S>::update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len) {
  detail::check_range("momentum", theta, g, offset, len, v_);
  const auto [eta, mu, lambda] = c_;
  S* th = theta.data() + offset;
  S* v = v_.data() + offset;
  const S* gr = g.data() + offset;
  for (Index i = 0; i < len; ++i) {
    v[i] = mu * v[i] + gr[i] + lambda * th[i];
    th[i] -= eta * v[i];
  }
}

template <class S>
void Momentum<S>::step(Vec<S>& theta, const Vec<S>& g) {
  begin_step(theta, g);
  update(theta, g, 0, theta.size());
  end_step();
}

template class Momentum<float>;
template class Momentum<double>;

}  // namespace nnlab::optim
