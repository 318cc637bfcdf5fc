// Whole-workload benchmark: ONE epoch of real Fashion-MNIST training (60000 images, Debian's
// dataset-fashion-mnist) through nnlab::train::train, the path `nnlab train` takes. Network
// 784-512-512-10 relu, float32, inverted dropout keep p = 0.8 on the input and 0.5 on both hidden
// layers, softmax cross-entropy (mean), SGD lr 0.05 momentum 0.9 (PyTorch's heavy ball), batch 128,
// random reshuffling: ⌈60000/128⌉ = 469 steps, the last one of 96 samples. Argument: threads.
// BM_FashionMnistGeluEpoch: the same with GELU hidden units (the exact one, a Φ(a)).
// Each iteration starts from the same fresh initialization, so repetitions time identical work;
// the data load and the initialization are outside the timed region. bench/compare.py runs this
// beside the same epoch in PyTorch (bench/torch_workloads.py).
#include <benchmark/benchmark.h>

#include <exception>
#include <string>

#include "nnlab/core/thread_pool.hpp"
#include "nnlab/data/fashion_mnist.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/train/trainer.hpp"
#include "sheet_mlp.hpp"

namespace {

using namespace nnlab;

// Loaded once per process (about a second of gunzip), shared by every run.
const data::Dataset<float>& fashion_mnist_train() {
  static const data::Dataset<float> train = data::load_named<float>("fashion-mnist").train;
  return train;
}

void fashion_mnist_epoch(benchmark::State& state, nn::Activation hidden) {
  const int threads = int(state.range(0));
  const data::Dataset<float>* train_set = nullptr;
  try {
    train_set = &fashion_mnist_train();
  } catch (const std::exception& e) {
    state.SkipWithError((std::string("Fashion-MNIST not available: ") + e.what()).c_str());
    return;
  }
  ThreadPool pool(threads);
  const train::TrainOptions options{.batch = 128, .epochs = 1, .seed = 1};
  train::EpochRecord last;
  for (auto _ : state) {
    state.PauseTiming();
    nn::Mlp<float> net(bench::sheet_mlp_spec(hidden));
    Rng init_rng = make_rng(1, stream::init);
    net.init(init_rng);
    auto optimizer = optim::make_optimizer<float>("sgd", {.lr = 0.05, .momentum = 0.9});
    state.ResumeTiming();
    const train::TrainResult result = train::train(net, optimizer, *train_set, nullptr, options, &pool);
    benchmark::DoNotOptimize(net.theta().data());
    if (result.diverged() || result.epochs.empty()) {
      state.SkipWithError(("training diverged: " + result.message).c_str());
      return;
    }
    last = result.epochs.back();
  }
  // The work done, so the PyTorch side can be checked to do the same (≈ 0.7–0.8 after one epoch).
  state.counters["loss"] = last.loss;
  state.counters["running_accuracy"] = last.running_accuracy;
  state.counters["samples_per_s"] =
      benchmark::Counter(double(train_set->size()), benchmark::Counter::kIsIterationInvariantRate);
}
void BM_FashionMnistEpoch(benchmark::State& state) { fashion_mnist_epoch(state, nn::Activation::relu); }
BENCHMARK(BM_FashionMnistEpoch)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_FashionMnistGeluEpoch(benchmark::State& state) { fashion_mnist_epoch(state, nn::Activation::gelu); }
BENCHMARK(BM_FashionMnistGeluEpoch)
    ->ArgName("threads")
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Loading both Fashion-MNIST splits from Debian's gzip'd IDX files (70000 images as float).
void BM_LoadFashionMnist(benchmark::State& state) {
  for (auto _ : state) {
    try {
      const auto split = data::load_named<float>("fashion-mnist");
      benchmark::DoNotOptimize(split.train.X.data());
    } catch (const std::exception& e) {
      state.SkipWithError((std::string("Fashion-MNIST not available: ") + e.what()).c_str());
      return;
    }
  }
}
BENCHMARK(BM_LoadFashionMnist)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
