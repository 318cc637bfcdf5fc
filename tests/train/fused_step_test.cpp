// The optimizer step fused into backprop (nn::Mlp::loss_gradient_step, NetworkObjective::
// gradient_step, the trainer without an on_step observer) against the plain path — whole
// gradient, then optimizer.step(θ, g): θ and every batch loss must agree bit for bit, for every
// optimizer, float and double, with weight decay, a schedule and dropout, on 1 and 2 threads.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "nnlab/core/thread_pool.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/train/objective.hpp"
#include "nnlab/train/trainer.hpp"

namespace nnlab::train {
namespace {

// Odd sizes put every block of θ at an offset that is not a multiple of a SIMD packet, and the
// 130×203 products are large enough to run in row blocks (strided ranges, pool threads).
nn::MlpSpec wide_spec() {
  nn::MlpSpec spec;
  spec.sizes = {37, 203, 130, 3};
  spec.activations = {nn::Activation::relu, nn::Activation::tanh};
  spec.dropout = nn::DropoutKind::inverted;
  spec.keep = {0.8, 0.5, 0.7};
  return spec;
}

// A small net whose batches of ≥ 128 run in column chunks, and a tied one: both step after the
// whole gradient.
nn::MlpSpec chunked_spec() {
  nn::MlpSpec spec;
  spec.sizes = {37, 9, 3};
  spec.activations = {nn::Activation::tanh};
  return spec;
}
nn::MlpSpec tied_spec() {
  nn::MlpSpec spec;
  spec.sizes = {37, 20, 20, 20, 3};
  spec.activations = {nn::Activation::relu, nn::Activation::relu, nn::Activation::relu};
  spec.tying = nn::Tying::hidden;
  return spec;
}

// Labels of a random linear teacher on Gaussian inputs.
template <class S>
data::Dataset<S> teacher_data(Index n) {
  Rng rng = make_rng(3, stream::data);
  data::Dataset<S> d{Mat<S>(37, n), Mat<S>::Zero(3, n), {}, 3, "teacher"};
  Mat<double> A(3, 37);
  for (Index i = 0; i < A.size(); ++i) A.data()[i] = normal(rng);
  for (Index j = 0; j < n; ++j) {
    Vec<double> x(37);
    for (Index i = 0; i < 37; ++i) x[i] = normal(rng);
    Index c = 0;
    (A * x).maxCoeff(&c);
    d.X.col(j) = x.cast<S>();
    d.Y(c, j) = 1;
    d.labels.push_back(int(c));
  }
  return d;
}

optim::OptimizerConfig config_of(std::string_view name, Index steps) {
  const bool adaptive = name == "adagrad" || name == "rmsprop" || name == "adam";
  optim::OptimizerConfig c{.lr = adaptive ? 3e-3 : 0.05, .weight_decay = 1e-3};
  if (name == "sgd") c.momentum = 0.0;
  c.schedule = "cosine";
  c.horizon_steps = steps;
  return c;
}

template <class S>
struct Run {
  Vec<S> theta;
  std::vector<double> losses;  // every batch loss, then every epoch's mean
};

template <class S>
Run<S> train_run(const nn::MlpSpec& spec, const data::Dataset<S>& data, std::string_view name,
                 Index batch, bool plain, int threads) {
  nn::Mlp<S> net(spec);
  Rng init = make_rng(7, stream::init);
  net.init(init);
  const int epochs = 3;
  const Index steps = epochs * ((data.size() + batch - 1) / batch);
  auto opt = optim::make_optimizer<S>(name, config_of(name, steps));
  ThreadPool pool(threads);
  Run<S> run;
  Observer<S> observer;
  observer.on_batch = [&](const optim::BatchEvent<S>& e) {
    run.losses.push_back(e.loss);
    return optim::Control::proceed;
  };
  if (plain) observer.on_step = [](const optim::StepEvent<S>&) { return optim::Control::proceed; };
  const TrainResult r = train(net, opt, data, nullptr, {.batch = batch, .epochs = epochs, .seed = 11},
                              &pool, observer);
  EXPECT_FALSE(r.diverged()) << r.message;
  EXPECT_EQ(opt.steps(), steps);
  for (const EpochRecord& e : r.epochs) run.losses.push_back(e.loss);
  run.theta = net.theta();
  return run;
}

template <class S>
void expect_fused_equals_plain(const nn::MlpSpec& spec, Index batch) {
  const data::Dataset<S> data = teacher_data<S>(600);
  for (std::string_view name : optim::optimizer_names) {
    SCOPED_TRACE(std::string(name));
    const Run<S> plain = train_run<S>(spec, data, name, batch, true, 1);
    ASSERT_EQ(plain.losses.size(), std::size_t(3 * ((600 + batch - 1) / batch) + 3));
    for (int threads : {1, 2}) {
      SCOPED_TRACE(threads);
      const Run<S> fused = train_run<S>(spec, data, name, batch, false, threads);
      EXPECT_TRUE(fused.theta == plain.theta)
          << "max |Δθ| = " << (fused.theta - plain.theta).cwiseAbs().maxCoeff();
      EXPECT_TRUE(fused.losses == plain.losses);
    }
    // The run moved θ: a fused path that skipped steps would not match a plain one that took them.
    nn::Mlp<S> start(spec);
    Rng init = make_rng(7, stream::init);
    start.init(init);
    EXPECT_GT((plain.theta - start.theta()).cwiseAbs().maxCoeff(), S(1e-4));
  }
}

TEST(FusedStep, BitIdenticalToPlainStepFloat) { expect_fused_equals_plain<float>(wide_spec(), 100); }
TEST(FusedStep, BitIdenticalToPlainStepDouble) { expect_fused_equals_plain<double>(wide_spec(), 100); }
TEST(FusedStep, ChunkedBatchesStepAfterTheWholeGradient) {
  expect_fused_equals_plain<float>(chunked_spec(), 150);
}
TEST(FusedStep, TiedWeightsStepAfterTheWholeGradient) {
  expect_fused_equals_plain<double>(tied_spec(), 100);
}

// The ranges loss_gradient_step hands out: disjoint, covering θ once, each one's gradient final
// when it is handed out, and per block (more ranges than W's and b's), from both threads.
TEST(FusedStep, RangesCoverThetaOnceWithFinalGradients) {
  const data::Dataset<double> data = teacher_data<double>(100);
  nn::MlpSpec spec = wide_spec();
  spec.dropout = nn::DropoutKind::none;
  spec.keep.clear();
  nn::Mlp<double> net(spec);
  Rng init = make_rng(7, stream::init);
  net.init(init);
  nn::Cache<double> cache;
  Vec<double> reference;
  net.loss_and_gradient(data.X, data.Y, cache, reference);
  ThreadPool pool(2);
  std::mutex mutex;
  std::vector<std::pair<Index, Index>> ranges;
  Vec<double> g(net.num_params());
  bool final_when_handed_out = true;
  const nn::Mlp<double>::RangeStep step = [&](Index offset, Index len) {
    const bool final = g.segment(offset, len) == reference.segment(offset, len);
    const std::lock_guard lock(mutex);
    final_when_handed_out = final_when_handed_out && final;
    ranges.emplace_back(offset, len);
  };
  const double loss = net.loss_gradient_step(data.X, data.Y, cache, g, step, nn::Mode::eval, nullptr, &pool);
  EXPECT_EQ(loss, cache.loss);
  EXPECT_TRUE(g == reference);
  EXPECT_TRUE(final_when_handed_out);
  EXPECT_GT(ranges.size(), std::size_t(6));
  std::sort(ranges.begin(), ranges.end());
  Index next = 0;
  for (const auto& [offset, len] : ranges) {
    EXPECT_EQ(offset, next);
    next = offset + len;
  }
  EXPECT_EQ(next, net.num_params());
}

// A non-finite loss takes no step, as the plain driver does not.
TEST(FusedStep, NonFiniteLossTakesNoStep) {
  const data::Dataset<float> data = teacher_data<float>(100);
  nn::Mlp<float> net(wide_spec());
  Rng init = make_rng(7, stream::init);
  net.init(init);
  net.theta()[0] = std::numeric_limits<float>::infinity();
  const Vec<float> before = net.theta();
  auto opt = optim::make_optimizer<float>("adam", {.lr = 1e-3});
  const NetworkObjective<float> objective(net, data);
  const std::vector<Index> batch = {0, 1, 2, 3, 4, 5, 6, 7};
  Vec<float> g(net.num_params());
  const float loss = objective.gradient_step(net.theta(), batch, g, opt);
  EXPECT_FALSE(std::isfinite(loss));
  EXPECT_EQ(opt.steps(), 0);
  EXPECT_TRUE(net.theta().cwiseEqual(before).all());
}

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// No page churn: once the first epoch has sized every buffer, later epochs fault in no fresh
// pages. The buffers here (300 × 128 floats = 150 KiB, θ and the Adam state 1 MB) are above
// glibc's default mmap threshold, so a buffer freed and allocated again per step would fault
// ~40 pages each time — thousands over 2 epochs of 16 steps, on both threads.
TEST(FusedStep, LaterEpochsFaultInNoPages) {
  const data::Dataset<float> data = teacher_data<float>(2048);
  nn::MlpSpec spec = wide_spec();
  spec.sizes = {37, 300, 300, 3};
  nn::Mlp<float> net(spec);
  Rng init = make_rng(7, stream::init);
  net.init(init);
  auto opt = optim::make_optimizer<float>("adam", {.lr = 1e-3});
  ThreadPool pool(2);
  long before = 0;
  Observer<float> observer;
  observer.on_epoch = [&](const optim::EpochEvent<float>&, const EpochRecord& r) {
    if (r.epoch == 1) before = minor_faults();
    return optim::Control::proceed;
  };
  const TrainResult r = train(net, opt, data, nullptr, {.batch = 128, .epochs = 3}, &pool, observer);
  ASSERT_FALSE(r.diverged()) << r.message;
  EXPECT_LE(minor_faults() - before, 8) << "pages faulted in during epochs 2 and 3";
}

}  // namespace
}  // namespace nnlab::train
