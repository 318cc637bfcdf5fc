// minimize / sgd_epochs: stopping rules, events, divergence, SGD on least squares.
#include "nnlab/optim/minimize.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "nnlab/optim/quadratic_cg.hpp"
#include "nnlab/optim/sgd.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

TEST(Minimize, StopsOnGradientToleranceAndReportsEvents) {
  const auto& q = testing::ill_conditioned_quadratic();
  Sgd<double> gd({.lr = 1 / q.L()});
  Vec<double> theta = q.start();
  struct Seen {
    double value, grad_norm, lr;
  };
  std::vector<Seen> events;
  const Report r = minimize(q, gd, theta, Stop{.max_iters = 100000, .grad_tol = 1e-6},
                            [&](const StepEvent<double>& e) {
                              events.push_back({e.loss, e.g.norm(), e.lr});
                              EXPECT_EQ(e.step + 1, Index(events.size()));
                              EXPECT_TRUE(e.batch.empty());
                            });
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_LE(r.grad_norm, 1e-6);
  EXPECT_EQ(gd.steps(), r.iterations);
  ASSERT_EQ(Index(events.size()), r.iterations + 1);
  EXPECT_EQ(events.back().value, r.value);
  EXPECT_EQ(events.front().lr, 1 / q.L());
  EXPECT_GT(events[r.iterations - 1].grad_norm, 1e-6);  // it did not stop late
  // GD with η ≤ 1/L decreases f monotonically.
  for (std::size_t k = 1; k < events.size(); ++k) EXPECT_LE(events[k].value, events[k - 1].value);
}

TEST(Minimize, MaxItersAndValueTolerance) {
  Rosenbrock<double> f(2);
  Sgd<double> gd({.lr = 1e-3});
  Vec<double> theta = f.start();
  const Report r = minimize(f, gd, theta, Stop{.max_iters = 10, .grad_tol = 0});
  EXPECT_EQ(r.status, Status::max_iters);
  EXPECT_EQ(r.iterations, 10);
  EXPECT_DOUBLE_EQ(r.value, f.value(theta));

  Sgd<double> gd2({.lr = 1e-3});
  theta = f.start();
  const Report v = minimize(f, gd2, theta, Stop{.max_iters = 1000000, .grad_tol = 0, .value_tol = 1e-9});
  EXPECT_EQ(v.status, Status::converged);
  EXPECT_LT(v.iterations, 1000000);
}

TEST(Minimize, ReportsDivergenceOnNaN) {
  // f = x² for |x| ≤ 1.5 and NaN outside; GD with η = 1.5 maps x to −2x: 1 → −2 → NaN.
  struct NanOutside {
    using Scalar = double;
    Index dim() const { return 1; }
    double value(const Vec<double>& x) const {
      return std::abs(x(0)) > 1.5 ? std::nan("") : x(0) * x(0);
    }
    double gradient(const Vec<double>& x, Vec<double>& g) const {
      g(0) = 2 * x(0);
      return value(x);
    }
  };
  Sgd<double> gd({.lr = 1.5});
  Vec<double> theta = Vec<double>::Ones(1);
  const Report r = minimize(NanOutside{}, gd, theta, Stop{.max_iters = 100, .grad_tol = 0});
  EXPECT_EQ(r.status, Status::diverged);
  EXPECT_EQ(r.iterations, 1);
  EXPECT_TRUE(std::isnan(r.value));
  EXPECT_EQ(theta(0), -2.0);
}

// SGD on L(θ) = (1/N) Σ ½(x_iᵀθ − y_i)² with random reshuffling and a cosine-annealed step
// reaches the least-squares solution: excess loss L(θ) − L(θ*) = ½ eᵀ(XXᵀ/N)e tiny against L(θ*).
TEST(SgdEpochs, ConvergesOnLeastSquares) {
  Rng rng = make_rng(11, stream::data);
  const auto f = LeastSquares<double>::synthetic(500, 5, 0.5, rng);
  const std::int64_t epochs = 40;
  BatchSampler sampler(500, 10, Sampling::reshuffle, make_rng(11, stream::shuffle));
  Sgd<double> sgd({.lr = 0.05},
                  Schedule::cosine(0.05, 0.0, epochs * sampler.batches_per_epoch()));
  Vec<double> theta = f.start();
  int step_events = 0;
  std::vector<double> epoch_losses;
  const Report r = sgd_epochs(f, sgd, theta, sampler, epochs, [&](const auto& e) {
    if constexpr (std::is_same_v<std::decay_t<decltype(e)>, StepEvent<double>>) ++step_events;
    if constexpr (std::is_same_v<std::decay_t<decltype(e)>, EpochEvent<double>>)
      epoch_losses.push_back(e.mean_batch_loss);
  });
  EXPECT_EQ(r.status, Status::max_iters);
  EXPECT_EQ(r.iterations, epochs * 50);
  EXPECT_EQ(r.epochs, epochs);
  EXPECT_EQ(step_events, epochs * 50);
  ASSERT_EQ(Index(epoch_losses.size()), epochs);
  EXPECT_LT(epoch_losses.back(), epoch_losses.front());
  const double excess = f.value(theta) - f.minimum();
  EXPECT_GE(excess, 0.0);
  EXPECT_LE(excess, 1e-4 * f.minimum());
  EXPECT_LE((theta - f.minimizer()).norm(), 1e-2 * f.minimizer().norm());
}

TEST(SgdEpochs, StopsOnDivergence) {
  Rng rng = make_rng(12, stream::data);
  const auto f = LeastSquares<double>::synthetic(100, 3, 0.1, rng);
  BatchSampler sampler(100, 100, Sampling::reshuffle, make_rng(12, stream::shuffle));
  Sgd<double> sgd({.lr = 100.0});
  Vec<double> theta = Vec<double>::Ones(3);
  const Report r = sgd_epochs(f, sgd, theta, sampler, 100000);
  EXPECT_EQ(r.status, Status::diverged);
  EXPECT_LT(r.epochs, 100000);
  BatchSampler wrong(99, 10, Sampling::reshuffle, make_rng(1, 1));
  EXPECT_THROW(sgd_epochs(f, sgd, theta, wrong, 1), Error);
}

// A step event carries the iterate θ_k, the batch, and the batch gradient at θ_k; the learning
// rate is the one of the step from θ_k (a schedule changes it per step).
TEST(SgdEpochs, StepEventsCarryTheIterateItsBatchAndItsGradient) {
  Rng rng = make_rng(13, stream::data);
  const auto f = LeastSquares<double>::synthetic(60, 4, 0.3, rng);
  BatchSampler sampler(60, 7, Sampling::reshuffle, make_rng(13, stream::shuffle));
  Sgd<double> sgd({.lr = 0.1}, Schedule::cosine(0.1, 0.0, 3 * sampler.batches_per_epoch()));
  Vec<double> theta = f.start(), g(4);
  Vec<double> previous;
  std::int64_t steps = 0;
  const Report r = sgd_epochs(f, sgd, theta, sampler, 3, [&](const StepEvent<double>& e) {
    const double loss = f.gradient(e.theta, e.batch, g);
    EXPECT_EQ(e.loss, loss);
    EXPECT_EQ((e.g - g).norm(), 0.0);
    EXPECT_EQ(e.lr, sgd.lr());
    EXPECT_EQ(e.epoch, steps / sampler.batches_per_epoch());
    if (previous.size() > 0) {
      EXPECT_GT((e.theta - previous).norm(), 0.0);  // the step happened
    }
    previous = e.theta;
    EXPECT_EQ(e.step, steps++);
  });
  EXPECT_EQ(r.status, Status::max_iters);
  EXPECT_EQ(steps, 3 * sampler.batches_per_epoch());
}

// Control::stop from a step or an epoch callback ends the run as interrupted, before the step.
TEST(Drivers, CallbackCanStopTheRun) {
  Rng rng = make_rng(14, stream::data);
  const auto f = LeastSquares<double>::synthetic(40, 3, 0.3, rng);
  BatchSampler sampler(40, 10, Sampling::reshuffle, make_rng(14, stream::shuffle));
  Sgd<double> sgd({.lr = 0.05});
  Vec<double> theta = f.start();
  const Report r = sgd_epochs(f, sgd, theta, sampler, 10, [](const StepEvent<double>& e) {
    return e.step == 6 ? Control::stop : Control::proceed;
  });
  EXPECT_EQ(r.status, Status::interrupted);
  EXPECT_EQ(r.iterations, 6);
  EXPECT_EQ(r.epochs, 1);
  EXPECT_EQ(sgd.steps(), 6);

  Sgd<double> sgd2({.lr = 0.05});
  const Report e = sgd_epochs(f, sgd2, theta, sampler, 10, [](const EpochEvent<double>& ev) {
    return ev.epoch == 2 ? Control::stop : Control::proceed;
  });
  EXPECT_EQ(e.status, Status::interrupted);
  EXPECT_EQ(e.epochs, 3);
  EXPECT_EQ(e.iterations, 12);

  const auto& q = testing::ill_conditioned_quadratic();
  Sgd<double> gd({.lr = 1 / q.L()});
  Vec<double> x = q.start();
  const Report m = minimize(q, gd, x, Stop{.max_iters = 1000, .grad_tol = 0},
                            [](const StepEvent<double>& ev) { return ev.step == 3 ? Control::stop : Control::proceed; });
  EXPECT_EQ(m.status, Status::interrupted);
  EXPECT_EQ(m.iterations, 3);
}

// Linear CG minimizes a D = 20 quadratic of condition 100 in about D iterations (exactly D in
// exact arithmetic; rounding costs a few more), where gradient descent with its best constant
// step needs ~κ ln(1/tol) ≈ 2000; every iterate's event is emitted.
TEST(QuadraticCg, TerminatesInAboutDimIterations) {
  const auto& q = testing::ill_conditioned_quadratic();
  Vec<double> theta = q.start();
  std::int64_t events = 0;
  const Report r = quadratic_cg(q, theta, {.max_iters = 100, .grad_tol = 1e-10},
                                [&](const StepEvent<double>& e) { EXPECT_EQ(e.step, events++); });
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_LE(r.iterations, 2 * 20);
  EXPECT_EQ(events, r.iterations + 1);
  EXPECT_LE((theta - q.minimizer()).norm(), 1e-9 * q.minimizer().norm());
  Vec<double> x = q.start();
  EXPECT_EQ(quadratic_cg(q, x, {.max_iters = 3, .grad_tol = 0}).status, Status::max_iters);
}

}  // namespace
}  // namespace nnlab::optim
