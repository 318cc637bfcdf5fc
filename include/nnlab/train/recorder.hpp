// Recorders turn a driver's events (optim/minimize.hpp) into series for figures and claims,
// without touching the loop. A recorder measures one number per event, every `every` steps (or
// every epoch), and hands the series over as an experiment::Line:
//
//   auto loss = train::loss_curve<double>(10);                 // batch loss every 10 steps
//   auto dist = train::distance_to<double>(theta_star, 10);    // ‖θ_k − θ*‖
//   optim::sgd_epochs(objective, sgd, theta, sampler, epochs, train::observe(loss, dist));
//   figure.lines = {loss.line(), dist.line()};
//
// Any callable that takes a StepEvent or an EpochEvent is an observer too; observe(a, b, …)
// passes each event to those of a, b, … that accept it, and asks the driver to stop if any of
// them returns Control::stop. In train::train, pass observe(…) as Observer::on_step.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/experiment/result.hpp"
#include "nnlab/optim/minimize.hpp"

namespace nnlab::train {

// y = measure(event) at x = the event's step (StepEvent) or epochs completed (EpochEvent).
template <class Event>
class Recorder {
 public:
  using Measure = std::function<double(const Event&)>;

  Recorder(std::string name, Measure measure, std::int64_t every = 1)
      : name_(std::move(name)), measure_(std::move(measure)), every_(every) {
    require(every >= 1, "recorder '{}': every must be ≥ 1, got {}", name_, every);
  }

  void operator()(const Event& e) {
    const std::int64_t x = position(e);
    if (x % every_ != 0) return;
    x_.push_back(double(x));
    y_.push_back(measure_(e));
  }

  const std::vector<double>& x() const { return x_; }
  const std::vector<double>& y() const { return y_; }
  experiment::Line line(std::string style = "lines") const { return {name_, x_, y_, {}, std::move(style)}; }

 private:
  static std::int64_t position(const Event& e) {
    if constexpr (requires { e.batch; })
      return e.step;
    else
      return e.epoch + 1;
  }

  std::string name_;
  Measure measure_;
  std::int64_t every_;
  std::vector<double> x_, y_;
};

template <class S>
using StepRecorder = Recorder<optim::StepEvent<S>>;
template <class S>
using EpochRecorder = Recorder<optim::EpochEvent<S>>;

// The (batch) loss L_B(θ_k) of each recorded step.
template <class S>
StepRecorder<S> loss_curve(std::int64_t every = 1) {
  return {"loss", [](const optim::StepEvent<S>& e) { return e.loss; }, every};
}

// ‖g_k‖₂, the norm of the (batch) gradient.
template <class S>
StepRecorder<S> grad_norm_curve(std::int64_t every = 1) {
  return {"‖g‖", [](const optim::StepEvent<S>& e) { return double(e.g.norm()); }, every};
}

// ‖θ_k − θ_ref‖₂, e.g. the distance to a known minimizer.
template <class S>
StepRecorder<S> distance_to(Vec<S> reference, std::int64_t every = 1) {
  return {"‖θ − θ*‖",
          [reference = std::move(reference)](const optim::StepEvent<S>& e) {
            return double((e.theta - reference).norm());
          },
          every};
}

// The learning rate of each recorded step.
template <class S>
StepRecorder<S> lr_curve(std::int64_t every = 1) {
  return {"learning rate", [](const optim::StepEvent<S>& e) { return e.lr; }, every};
}

// The mean batch loss of each epoch.
template <class S>
EpochRecorder<S> epoch_loss_curve() {
  return {"mean batch loss", [](const optim::EpochEvent<S>& e) { return e.mean_batch_loss; }};
}

// One observer from several: each event goes to every one that accepts it, in order.
template <class... Observers>
auto observe(Observers&... observers) {
  return [&observers...](const auto& event) {
    bool stop = false;
    ((stop = optim::detail::emit(observers, event) || stop), ...);
    return stop ? optim::Control::stop : optim::Control::proceed;
  };
}

}  // namespace nnlab::train
