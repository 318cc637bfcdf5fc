// make_optimizer: name + OptimizerConfig → one of the first-order optimizers.
#include "nnlab/optim/optimizer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {

namespace {

void reject(std::string_view name, std::string_view option, const std::optional<double>& value) {
  require(!value.has_value(), "optimizer '{}' does not use option {} (got {})", name, option,
          value.value_or(0.0));
}

}  // namespace

template <class S>
std::string Optimizer<S>::describe() const {
  struct Visitor {
    std::string head;
    std::string operator()(const Sgd<S>& o) const {
      return fmt::format("sgd({}, weight_decay={})", head, o.options().weight_decay);
    }
    std::string operator()(const Momentum<S>& o) const {
      return fmt::format("momentum({}, momentum={}, weight_decay={})", head, o.options().momentum,
                         o.options().weight_decay);
    }
    std::string operator()(const Nesterov<S>& o) const {
      return fmt::format("nesterov({}, momentum={}, weight_decay={})", head, o.options().momentum,
                         o.options().weight_decay);
    }
    std::string operator()(const AdaGrad<S>& o) const {
      return fmt::format("adagrad({}, eps={}, weight_decay={})", head, o.options().eps,
                         o.options().weight_decay);
    }
    std::string operator()(const RmsProp<S>& o) const {
      return fmt::format("rmsprop({}, rho={}, eps={}, weight_decay={})", head, o.options().rho,
                         o.options().eps, o.options().weight_decay);
    }
    std::string operator()(const Adam<S>& o) const {
      return fmt::format("adam({}, beta1={}, beta2={}, eps={}, weight_decay={})", head,
                         o.options().beta1, o.options().beta2, o.options().eps,
                         o.options().weight_decay);
    }
  };
  const double lr0 = std::visit([](const auto& o) { return o.options().lr; }, impl_);
  const std::string schedule =
      std::visit([](const auto& o) { return o.schedule().describe(); }, impl_);
  return std::visit(Visitor{fmt::format("lr={}, schedule={}", lr0, schedule)}, impl_);
}

template <class S>
Optimizer<S> make_optimizer(std::string_view name, const OptimizerConfig& c) {
  const Schedule lr = Schedule::parse(c.schedule, c.lr, c.horizon_steps, c.steps_per_epoch);
  if (name == "sgd" || name == "momentum" || name == "nesterov") {
    reject(name, "beta1", c.beta1), reject(name, "beta2", c.beta2);
    reject(name, "rho", c.rho), reject(name, "eps", c.eps);
    if (name == "sgd" && c.momentum.value_or(0.0) == 0.0)
      return Optimizer<S>(Sgd<S>({.lr = c.lr, .weight_decay = c.weight_decay}, lr));
    const double mu = c.momentum.value_or(MomentumOptions{}.momentum);
    if (name == "nesterov")
      return Optimizer<S>(
          Nesterov<S>({.lr = c.lr, .momentum = mu, .weight_decay = c.weight_decay}, lr));
    return Optimizer<S>(
        Momentum<S>({.lr = c.lr, .momentum = mu, .weight_decay = c.weight_decay}, lr));
  }
  if (name == "adagrad") {
    reject(name, "momentum", c.momentum), reject(name, "beta1", c.beta1);
    reject(name, "beta2", c.beta2), reject(name, "rho", c.rho);
    return Optimizer<S>(AdaGrad<S>(
        {.lr = c.lr, .eps = c.eps.value_or(AdaGradOptions{}.eps), .weight_decay = c.weight_decay},
        lr));
  }
  if (name == "rmsprop") {
    reject(name, "momentum", c.momentum), reject(name, "beta1", c.beta1);
    reject(name, "beta2", c.beta2);
    const RmsPropOptions d;
    return Optimizer<S>(RmsProp<S>({.lr = c.lr,
                                    .rho = c.rho.value_or(d.rho),
                                    .eps = c.eps.value_or(d.eps),
                                    .weight_decay = c.weight_decay},
                                   lr));
  }
  if (name == "adam") {
    reject(name, "momentum", c.momentum), reject(name, "rho", c.rho);
    const AdamOptions d;
    return Optimizer<S>(Adam<S>({.lr = c.lr,
                                 .beta1 = c.beta1.value_or(d.beta1),
                                 .beta2 = c.beta2.value_or(d.beta2),
                                 .eps = c.eps.value_or(d.eps),
                                 .weight_decay = c.weight_decay},
                                lr));
  }
  fail("unknown optimizer '{}' (valid: {})", name, fmt::join(optimizer_names, ", "));
}

template class Optimizer<float>;
template class Optimizer<double>;
template Optimizer<float> make_optimizer<float>(std::string_view, const OptimizerConfig&);
template Optimizer<double> make_optimizer<double>(std::string_view, const OptimizerConfig&);

}  // namespace nnlab::optim
