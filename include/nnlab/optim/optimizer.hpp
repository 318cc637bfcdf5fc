// A first-order optimizer chosen at run time by name, for the CLI and the labs:
//   make_optimizer<S>("adam", {.lr = 1e-3, .schedule = "cosine", .horizon_steps = 1000})
// Names: sgd, momentum, nesterov, adagrad, rmsprop, adam (see each header for its update rule).
// "sgd" with momentum > 0 is heavy ball in PyTorch's form, so "sgd, lr 0.05, momentum 0.9" means
// torch.optim.SGD(lr=0.05, momentum=0.9).
// Every one of them, with any weight decay and schedule, can be fused into backprop: its step is
// elementwise, so it also runs in pieces (begin_step / update on ranges / end_step, see
// scheduled.hpp), bit-identical to step(). sgd_epochs does so on a network objective unless its
// callback needs θ and g before the step (optim/minimize.hpp; when it falls back: there).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/adagrad.hpp"
#include "nnlab/optim/adam.hpp"
#include "nnlab/optim/momentum.hpp"
#include "nnlab/optim/nesterov.hpp"
#include "nnlab/optim/rmsprop.hpp"
#include "nnlab/optim/sgd.hpp"

namespace nnlab::optim {

inline constexpr std::array<std::string_view, 6> optimizer_names = {
    "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"};

// Unset options take the optimizer's default; setting one the optimizer does not use (e.g. beta1
// for sgd) is an error, so a mistyped recipe never runs silently with different settings.
struct OptimizerConfig {
  double lr = 0.01;
  std::optional<double> momentum = std::nullopt;  // sgd: > 0 turns on heavy ball; momentum/nesterov default 0.9
  std::optional<double> beta1 = std::nullopt;  // adam
  std::optional<double> beta2 = std::nullopt;  // adam
  std::optional<double> rho = std::nullopt;    // rmsprop
  std::optional<double> eps = std::nullopt;    // adagrad, rmsprop, adam
  double weight_decay = 0.0;
  std::string schedule = "constant";  // Schedule::parse spelling
  std::int64_t horizon_steps = 0;     // run length in steps (plain "cosine" anneals over it)
  std::int64_t steps_per_epoch = 1;   // unit of K and T in "step:K:GAMMA" and "cosine:T"
};

template <class S>
class Optimizer {
 public:
  using Variant = std::variant<Sgd<S>, Momentum<S>, Nesterov<S>, AdaGrad<S>, RmsProp<S>, Adam<S>>;

  template <class O>
    requires std::constructible_from<Variant, O>
  explicit Optimizer(O optimizer) : impl_(std::move(optimizer)) {}

  void step(Vec<S>& theta, const Vec<S>& g) {
    std::visit([&](auto& o) { o.step(theta, g); }, impl_);
  }
  // step() in pieces, for the step fused into backprop (the protocol of scheduled.hpp).
  void begin_step(const Vec<S>& theta, const Vec<S>& g) {
    std::visit([&](auto& o) { o.begin_step(theta, g); }, impl_);
  }
  void update(Vec<S>& theta, const Vec<S>& g, Index offset, Index len) {
    std::visit([&](auto& o) { o.update(theta, g, offset, len); }, impl_);
  }
  void end_step() {
    std::visit([](auto& o) { o.end_step(); }, impl_);
  }
  double lr() const {
    return std::visit([](const auto& o) { return o.lr(); }, impl_);
  }
  std::int64_t steps() const {
    return std::visit([](const auto& o) { return o.steps(); }, impl_);
  }
  void reset() {
    std::visit([](auto& o) { o.reset(); }, impl_);
  }
  std::string_view name() const { return optimizer_names[impl_.index()]; }
  // The name and every option, e.g. "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, ...)".
  std::string describe() const;
  const Variant& variant() const { return impl_; }

 private:
  Variant impl_;
};

// Throws nnlab::Error for an unknown name (listing the valid ones), an option the optimizer does
// not use, an invalid value, or a malformed schedule.
template <class S>
Optimizer<S> make_optimizer(std::string_view name, const OptimizerConfig& config);

}  // namespace nnlab::optim
