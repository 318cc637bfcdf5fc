// v ← μ v + (g + λθ),  θ ← θ − η_t v  (heavy ball, PyTorch form).
#include "nnlab/optim/momentum.hpp"

#include "validate.hpp"

namespace nnlab::optim {

template <class S>
Momentum<S>::Momentum(Options options, std::optional<Schedule> lr_schedule)
    : options_(options), schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
  detail::require_positive("momentum", "lr", options.lr);
  detail::require_unit("momentum", "momentum", options.momentum);
  detail::require_nonnegative("momentum", "weight_decay", options.weight_decay);
}

template <class S>
void Momentum<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("momentum", theta, g, v_);
  const S eta = S(schedule_(t_)), mu = S(options_.momentum), lambda = S(options_.weight_decay);
  v_.array() = mu * v_.array() + g.array() + lambda * theta.array();
  theta -= eta * v_;
  ++t_;
}

template class Momentum<float>;
template class Momentum<double>;

}  // namespace nnlab::optim
