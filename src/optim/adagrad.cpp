// G ← G + g̃²,  θ ← θ − η_t g̃ / (√G + ε).
#include "nnlab/optim/adagrad.hpp"

#include "validate.hpp"

namespace nnlab::optim {

template <class S>
AdaGrad<S>::AdaGrad(Options options, std::optional<Schedule> lr_schedule)
    : options_(options), schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
  detail::require_positive("adagrad", "lr", options.lr);
  detail::require_positive("adagrad", "eps", options.eps);
  detail::require_nonnegative("adagrad", "weight_decay", options.weight_decay);
}

template <class S>
void AdaGrad<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("adagrad", theta, g, G_);
  const S eta = S(schedule_(t_)), eps = S(options_.eps), lambda = S(options_.weight_decay);
  const auto g_tilde = g.array() + lambda * theta.array();
  G_.array() += g_tilde.square();
  theta.array() -= eta * g_tilde / (G_.array().sqrt() + eps);
  ++t_;
}

template class AdaGrad<float>;
template class AdaGrad<double>;

}  // namespace nnlab::optim
