// v ← μ v + g̃,  φ ← φ − η_t (g̃ + μ v),  g̃ = g + λφ  (Nesterov at the look-ahead point).
#include "nnlab/optim/nesterov.hpp"

#include "validate.hpp"

namespace nnlab::optim {

template <class S>
Nesterov<S>::Nesterov(Options options, std::optional<Schedule> lr_schedule)
    : options_(options), schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
  detail::require_positive("nesterov", "lr", options.lr);
  detail::require_unit("nesterov", "momentum", options.momentum);
  detail::require_nonnegative("nesterov", "weight_decay", options.weight_decay);
}

template <class S>
void Nesterov<S>::step(Vec<S>& phi, const Vec<S>& g) {
  detail::prepare("nesterov", phi, g, v_);
  const S eta = S(schedule_(t_)), mu = S(options_.momentum), lambda = S(options_.weight_decay);
  const auto g_tilde = g.array() + lambda * phi.array();
  v_.array() = mu * v_.array() + g_tilde;
  // Element i reads φ_i (inside g̃) before writing it, so the in-place update is safe.
  phi.array() -= eta * (g_tilde + mu * v_.array());
  ++t_;
}

template class Nesterov<float>;
template class Nesterov<double>;

}  // namespace nnlab::optim
