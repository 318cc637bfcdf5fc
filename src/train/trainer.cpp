#include "nnlab/train/trainer.hpp"

#include <xmmintrin.h>

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/mpi.hpp"
#include "nnlab/train/data_parallel.hpp"
#include "nnlab/train/objective.hpp"

namespace nnlab::train {

FlushToZero::FlushToZero() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ | DAZ
FlushToZero::~FlushToZero() { _mm_setcsr(saved_); }

namespace {

using Clock = std::chrono::steady_clock;

template <class Derived>
Index count_correct(const Eigen::MatrixBase<Derived>& y, const std::vector<int>& labels) {
  Index correct = 0;
  for (Index j = 0; j < y.cols(); ++j) {
    Index arg = 0;
    y.col(j).maxCoeff(&arg);
    correct += arg == labels[std::size_t(j)];
  }
  return correct;
}

// The driver's callback: StepEvents only when with_step (they force the unfused path).
template <class S, bool with_step>
struct Events {
  const std::function<optim::Control(const optim::StepEvent<S>&)>& on_step;
  const std::function<optim::Control(const optim::BatchEvent<S>&)>& on_batch;
  const std::function<optim::Control(const optim::EpochEvent<S>&)>& on_epoch;
  optim::Control operator()(const optim::StepEvent<S>& e) const
    requires with_step
  {
    return on_step(e);
  }
  optim::Control operator()(const optim::BatchEvent<S>& e) const { return on_batch(e); }
  optim::Control operator()(const optim::EpochEvent<S>& e) const { return on_epoch(e); }
};

// Whether any rank asked to stop: a collective, so that all ranks stop at the same step.
optim::Control agree(optim::Control control, bool data_parallel) {
  if (!data_parallel) return control;
  double stop = control == optim::Control::stop ? 1 : 0;
  mpi::sum(std::span<double>(&stop, 1));
  return stop > 0 ? optim::Control::stop : optim::Control::proceed;
}

// A 64-bit FNV-1a hash of θ's bytes.
template <class S>
std::uint64_t hash_of(const Vec<S>& theta) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto* bytes = reinterpret_cast<const unsigned char*>(theta.data());
  for (std::size_t i = 0; i < std::size_t(theta.size()) * sizeof(S); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  return h;
}

// Throws the same mpi::AgreedError on every rank unless θ is the same bits on all ranks.
template <class S>
void require_same_theta(const Vec<S>& theta, int epoch) {
  const std::uint64_t mine = hash_of(theta);
  std::vector<std::byte> first(sizeof mine);
  std::memcpy(first.data(), &mine, sizeof mine);
  mpi::broadcast(first, 0);
  mpi::agreed([&] {
    require(std::memcmp(first.data(), &mine, sizeof mine) == 0,
            "data-parallel training: the parameters differ from rank 0's after epoch {}", epoch);
  });
}

template <class S, class Objective>
TrainResult run(nn::Mlp<S>& net, optim::Optimizer<S>& optimizer, const Objective& objective,
                const data::Dataset<S>& train_set, const data::Dataset<S>* test_set,
                const TrainOptions& options, Index batch, ThreadPool* pool, const Observer<S>& observer) {
  constexpr bool data_parallel = std::same_as<Objective, DataParallelObjective<S>>;
  // Rank 0 evaluates; the other ranks' records leave the evaluation at −1.
  const bool evaluate = !data_parallel || mpi::rank() == 0;
  optim::BatchSampler sampler(train_set.size(), batch, options.sampling,
                              make_rng(options.seed, stream::shuffle));
  const Index steps = sampler.batches_per_epoch();
  Vec<S> last_good = net.theta();  // parameters after the last completed epoch
  TrainResult result;
  auto start = Clock::now();
  Index correct = 0, seen = 0;
  const std::function<optim::Control(const optim::BatchEvent<S>&)> on_batch = [&](const optim::BatchEvent<S>& e) {
    if (train_set.is_classification()) {
      if constexpr (data_parallel)
        correct += count_correct(objective.shard_outputs(), objective.shard_labels());
      else
        correct += count_correct(objective.cache().y(), objective.batch_labels());
    }
    seen += Index(e.batch.size());
    return agree(observer.on_batch ? observer.on_batch(e) : optim::Control::proceed, data_parallel);
  };
  const std::function<optim::Control(const optim::EpochEvent<S>&)> on_epoch = [&](const optim::EpochEvent<S>& e) {
    EpochRecord record{.epoch = int(e.epoch + 1)};
    record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    record.loss = e.mean_batch_loss;
    record.lr = e.lr;
    if constexpr (data_parallel) {
      double total = double(correct);  // exact: counts below 2^53
      mpi::sum(std::span<double>(&total, 1));
      correct = Index(total);
      require_same_theta(net.theta(), record.epoch);
    }
    if (train_set.is_classification()) record.running_accuracy = double(correct) / double(seen);
    if (options.eval_train && evaluate) {
      record.train_loss = net.dataset_loss(train_set.X, train_set.Y, options.eval_batch, pool);
      if (train_set.is_classification())
        record.train_accuracy = net.accuracy(train_set.X, train_set.labels, options.eval_batch, pool);
    }
    if (test_set && evaluate) {
      record.test_loss = net.dataset_loss(test_set->X, test_set->Y, options.eval_batch, pool);
      if (test_set->is_classification())
        record.test_accuracy = net.accuracy(test_set->X, test_set->labels, options.eval_batch, pool);
    }
    last_good = net.theta();  // once per epoch: a copy per step would cost ~7% of a step
    result.epochs.push_back(record);
    const optim::Control control =
        agree(observer.on_epoch ? observer.on_epoch(e, record) : optim::Control::proceed, data_parallel);
    correct = seen = 0;
    start = Clock::now();
    return control;
  };
  // Without an on_step observer the driver fuses the optimizer step into backprop (not in
  // data-parallel training: the step needs the gradient summed over the ranks first).
  if (observer.on_step)
    result.report = optim::sgd_epochs(objective, optimizer, net.theta(), sampler, options.epochs,
                                      Events<S, true>{observer.on_step, on_batch, on_epoch});
  else
    result.report = optim::sgd_epochs(objective, optimizer, net.theta(), sampler, options.epochs,
                                      Events<S, false>{observer.on_step, on_batch, on_epoch});

  const auto& r = result.report;
  const int done = int(result.epochs.size());
  if (result.diverged()) {
    if (!net.theta().allFinite())
      result.message = fmt::format("training diverged: parameters became non-finite in epoch {}", r.epochs + 1);
    else
      result.message = fmt::format(
          "training diverged: the loss became {} at epoch {}, step {} (learning rate {:g}); the "
          "parameters are reset to those after epoch {}",
          r.value, r.epochs + 1, r.iterations - r.epochs * steps + 1, optimizer.lr(), done);
    net.theta() = last_good;
  } else if (result.interrupted()) {
    result.message = fmt::format(
        "interrupted at epoch {}, step {}; the parameters are reset to those after epoch {}",
        r.epochs + 1, r.iterations - r.epochs * steps, done);
    net.theta() = last_good;
  }
  return result;
}

}  // namespace

template <class S>
TrainResult train(nn::Mlp<S>& net, optim::Optimizer<S>& optimizer, const data::Dataset<S>& train_set,
                  std::type_identity_t<const data::Dataset<S>*> test_set, const TrainOptions& options,
                  ThreadPool* pool, const Observer<S>& observer) {
  require(options.epochs >= 0, "epochs must be ≥ 0, got {}", options.epochs);
  require(options.batch >= 1, "batch size must be ≥ 1, got {}", options.batch);
  require(train_set.size() >= 1, "the training set is empty");
  check_fit(net, train_set, "training");
  if (test_set) check_fit(net, *test_set, "test");
  const Index batch = std::min(options.batch, train_set.size());

  FlushToZero ftz;
  const ObjectiveOptions objective_options{.seed = options.seed, .chunk = options.eval_batch, .pool = pool};
  if (options.data_parallel)
    return run(net, optimizer, DataParallelObjective<S>(net, train_set, objective_options), train_set, test_set,
               options, batch, pool, observer);
  return run(net, optimizer, NetworkObjective<S>(net, train_set, objective_options), train_set, test_set,
             options, batch, pool, observer);
}

template TrainResult train<float>(nn::Mlp<float>&, optim::Optimizer<float>&, const data::Dataset<float>&,
                                  const data::Dataset<float>*, const TrainOptions&, ThreadPool*,
                                  const Observer<float>&);
template TrainResult train<double>(nn::Mlp<double>&, optim::Optimizer<double>&,
                                   const data::Dataset<double>&, const data::Dataset<double>*,
                                   const TrainOptions&, ThreadPool*, const Observer<double>&);

}  // namespace nnlab::train
