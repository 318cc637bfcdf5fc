// θ ← θ − η_t (g + λθ).
#include "nnlab/optim/sgd.hpp"

#include "validate.hpp"

namespace nnlab::optim {

template <class S>
Sgd<S>::Sgd(Options options, std::optional<Schedule> lr_schedule)
    : options_(options), schedule_(lr_schedule.value_or(Schedule::constant(options.lr))) {
  detail::require_positive("sgd", "lr", options.lr);
  detail::require_nonnegative("sgd", "weight_decay", options.weight_decay);
}

template <class S>
void Sgd<S>::step(Vec<S>& theta, const Vec<S>& g) {
  detail::prepare("sgd", theta, g);
  const S eta = S(schedule_(t_)), lambda = S(options_.weight_decay);
  theta.array() -= eta * (g.array() + lambda * theta.array());
  ++t_;
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace nnlab::optim
