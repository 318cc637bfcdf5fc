#include "nnlab/train/trainer.hpp"

#include <xmmintrin.h>

#include <chrono>
#include <cmath>

#include "nnlab/core/error.hpp"

namespace nnlab::train {

FlushToZero::FlushToZero() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ | DAZ
FlushToZero::~FlushToZero() { _mm_setcsr(saved_); }

namespace {

using Clock = std::chrono::steady_clock;

template <class S>
void check_fit(const nn::Mlp<S>& net, const data::Dataset<S>& d, std::string_view which) {
  const auto& sizes = net.spec().sizes;
  require(d.inputs() == sizes.front(), "the {} data have {} features, but the network takes {} inputs",
          which, d.inputs(), sizes.front());
  require(d.outputs() == sizes.back(), "the {} data have {} targets per sample, but the network has {} outputs",
          which, d.outputs(), sizes.back());
  require(net.spec().loss != nn::Loss::cross_entropy || d.is_classification(),
          "cross-entropy loss needs class labels, but the {} data are a regression set", which);
}

// Copies the batch's columns of X and Y into preallocated buffers.
template <class S>
void gather(const data::Dataset<S>& d, std::span<const Index> batch, Mat<S>& X, Mat<S>& Y,
            std::vector<int>& labels) {
  X.resize(d.inputs(), Index(batch.size()));
  Y.resize(d.outputs(), Index(batch.size()));
  labels.clear();
  for (std::size_t j = 0; j < batch.size(); ++j) {
    X.col(Index(j)) = d.X.col(batch[j]);
    Y.col(Index(j)) = d.Y.col(batch[j]);
    if (d.is_classification()) labels.push_back(d.labels[std::size_t(batch[j])]);
  }
}

template <class S>
Index count_correct(const Mat<S>& y, const std::vector<int>& labels) {
  Index correct = 0;
  for (Index j = 0; j < y.cols(); ++j) {
    Index arg = 0;
    y.col(j).maxCoeff(&arg);
    correct += arg == labels[std::size_t(j)];
  }
  return correct;
}

}  // namespace

template <class S>
TrainResult train(nn::Mlp<S>& net, optim::Optimizer<S>& optimizer, const data::Dataset<S>& train_set,
                  std::type_identity_t<const data::Dataset<S>*> test_set, const TrainOptions& options, ThreadPool* pool,
                  const Observer& observer) {
  require(options.epochs >= 0, "epochs must be ≥ 0, got {}", options.epochs);
  require(options.batch >= 1, "batch size must be ≥ 1, got {}", options.batch);
  require(train_set.size() >= 1, "the training set is empty");
  check_fit(net, train_set, "training");
  if (test_set) check_fit(net, *test_set, "test");
  const Index batch = std::min(options.batch, train_set.size());

  FlushToZero ftz;
  optim::BatchSampler sampler(train_set.size(), batch, options.sampling,
                              make_rng(options.seed, stream::shuffle));
  Rng mask_rng = make_rng(options.seed, stream::dropout);
  nn::Cache<S> cache;
  Mat<S> X, Y;
  std::vector<int> labels;
  Vec<S> grad(net.num_params());
  Vec<S> last_good = net.theta();  // parameters after the last completed epoch
  TrainResult result;
  const Index steps = sampler.batches_per_epoch();

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    EpochRecord record{.epoch = epoch};
    const auto start = Clock::now();
    double loss_sum = 0;
    Index correct = 0, seen = 0;
    for (Index step = 0; step < steps; ++step) {
      gather(train_set, sampler.next(), X, Y, labels);
      const double loss = double(net.loss_and_gradient(X, Y, cache, grad, nn::Mode::train, &mask_rng, pool));
      if (!std::isfinite(loss)) {
        net.theta() = last_good;
        result.diverged = true;
        result.message = fmt::format(
            "training diverged: the loss became {} at epoch {}, step {} (learning rate {:g}); the "
            "parameters are reset to those after epoch {}",
            loss, epoch, step + 1, optimizer.lr(), epoch - 1);
        return result;
      }
      optimizer.step(net.theta(), grad);
      loss_sum += loss;
      if (train_set.is_classification()) correct += count_correct(cache.y(), labels);
      seen += X.cols();
      if (observer.on_step) observer.on_step(epoch, step + 1, steps, loss_sum / double(step + 1));
      if (observer.stop_requested && observer.stop_requested()) {
        net.theta() = last_good;
        result.interrupted = true;
        result.message = fmt::format(
            "interrupted at epoch {}, step {}; the parameters are reset to those after epoch {}",
            epoch, step + 1, epoch - 1);
        return result;
      }
    }
    record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    record.loss = loss_sum / double(steps);
    record.lr = optimizer.lr();
    if (train_set.is_classification()) record.running_accuracy = double(correct) / double(seen);
    if (!net.theta().allFinite()) {
      net.theta() = last_good;
      result.diverged = true;
      result.message = fmt::format("training diverged: parameters became non-finite in epoch {}", epoch);
      return result;
    }
    if (options.eval_train) {
      record.train_loss = net.dataset_loss(train_set.X, train_set.Y, options.eval_batch, pool);
      if (train_set.is_classification())
        record.train_accuracy = net.accuracy(train_set.X, train_set.labels, options.eval_batch, pool);
    }
    if (test_set) {
      record.test_loss = net.dataset_loss(test_set->X, test_set->Y, options.eval_batch, pool);
      if (test_set->is_classification())
        record.test_accuracy = net.accuracy(test_set->X, test_set->labels, options.eval_batch, pool);
    }
    last_good = net.theta();  // once per epoch: a copy per step would cost ~7% of a step
    result.epochs.push_back(record);
    if (observer.on_epoch) observer.on_epoch(record);
  }
  return result;
}

template TrainResult train<float>(nn::Mlp<float>&, optim::Optimizer<float>&, const data::Dataset<float>&,
                                  const data::Dataset<float>*, const TrainOptions&, ThreadPool*,
                                  const Observer&);
template TrainResult train<double>(nn::Mlp<double>&, optim::Optimizer<double>&,
                                   const data::Dataset<double>&, const data::Dataset<double>*,
                                   const TrainOptions&, ThreadPool*, const Observer&);

}  // namespace nnlab::train
