// E ← ρE + (1 − ρ) g̃²,  θ ← θ − η_t g̃ / (√E + ε).
#include "nnlab/optim/rmsprop.hpp"

#include "validate.hpp"

namespace nnlab::optim {

template <class S>
RmsProp<S>::RmsProp(Options options, std::optional<Schedule> lr_schedule)
    : options_(options), schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
  detail::require_positive("rmsprop", "lr", options.lr);
  detail::require_unit("rmsprop", "rho", options.rho);
  detail::require_positive("rmsprop", "eps", options.eps);
  detail::require_nonnegative("rmsprop", "weight_decay", options.weight_decay);
}

template <class S>
void RmsProp<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("rmsprop", theta, g, E_);
  const S eta = S(schedule_(t_)), rho = S(options_.rho), eps = S(options_.eps),
          lambda = S(options_.weight_decay);
  const auto g_tilde = g.array() + lambda * theta.array();
  E_.array() = rho * E_.array() + (S(1) - rho) * g_tilde.square();
  theta.array() -= eta * g_tilde / (E_.array().sqrt() + eps);
  ++t_;
}

template class RmsProp<float>;
template class RmsProp<double>;

}  // namespace nnlab::optim
