// Engine micro-benchmarks (Google Benchmark): one training step of the Fashion-MNIST MLP
// 784-512-512-10 (float32, batch 128, inverted dropout, SGD momentum) at 1 and 2 threads;
// a full-batch GD step of a tiny 2-32-32-1 tanh net on 256 points (float32 and float64); and
// one gradient vs one Hessian-vector product on the MLP (from scratch, and at a fixed θ as
// Lanczos repeats it), on 128 and on 1000 samples; one rank's compute in a data-parallel step,
// per shard size.
// bench/compare.py runs these beside PyTorch on the same workloads and prints the ratios.
#include <benchmark/benchmark.h>

#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/train/trainer.hpp"
#include "sheet_mlp.hpp"

namespace {

using namespace nnlab;

void BM_MnistMlpTrainStep(benchmark::State& state) {
  const int threads = int(state.range(0));
  nn::Mlp<float> net(bench::sheet_mlp_spec());
  Rng rng = make_rng(1, 1);
  net.init(rng);
  ThreadPool pool(threads);
  Mat<float> X, T;
  bench::random_batch(784, 10, 128, X, T, rng);
  auto opt = optim::make_optimizer<float>("sgd", {.lr = 0.05, .momentum = 0.9});
  nn::Cache<float> cache;
  Vec<float> grad;
  train::FlushToZero ftz;
  for (auto _ : state) {
    net.loss_and_gradient(X, T, cache, grad, nn::Mode::train, &rng, &pool);
    opt.step(net.theta(), grad);
    benchmark::DoNotOptimize(net.theta().data());
  }
}
BENCHMARK(BM_MnistMlpTrainStep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class S>
void BM_TinyTanhGdStep(benchmark::State& state) {
  ThreadPool pool(int(state.range(0)));
  nn::MlpSpec spec;
  spec.sizes = {2, 32, 32, 1};
  spec.activations = {nn::Activation::tanh, nn::Activation::tanh};
  spec.loss = nn::Loss::mse;
  nn::Mlp<S> net(spec);
  Rng rng = make_rng(2, 1);
  net.init(rng);
  Mat<S> X(2, 256), T(1, 256);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(normal(rng));
  T = X.row(0).array().sin().matrix();
  auto opt = optim::make_optimizer<S>("sgd", {.lr = 0.1});
  nn::Cache<S> cache;
  Vec<S> grad;
  for (auto _ : state) {
    net.loss_and_gradient(X, T, cache, grad, nn::Mode::eval, nullptr, &pool);
    opt.step(net.theta(), grad);
    benchmark::DoNotOptimize(net.theta().data());
  }
  state.SetLabel(std::to_string(state.range(0)) + " thread" + (state.range(0) > 1 ? "s" : ""));
}
BENCHMARK(BM_TinyTanhGdStep<float>)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_TinyTanhGdStep<double>)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Gradient vs HVP on the same MLP and batch (no dropout, eval mode): the ratio of the two. Arg 0:
// one gradient; 1: one H·v from scratch (Mlp::hvp: the R-operator recomputes forward and δ but
// not ∂E/∂W); 2: one H·v at a fixed θ (Mlp::hvp_prepared after one hvp_prepare, the product that
// Lanczos, power iteration and Hutchinson repeat: the R-passes alone, the same bits).
void gradient_vs_hvp(benchmark::State& state, Index batch) {
  const auto kind = state.range(0);
  Rng rng = make_rng(3, 1);
  const nn::Mlp<float> net = bench::sheet_mlp_without_dropout(rng);
  Mat<float> X, T;
  bench::random_batch(784, 10, batch, X, T, rng);
  Vec<float> v = Vec<float>::Random(net.num_params()), grad, Hv;
  nn::Cache<float> cache;
  nn::RBuffers<float> r;
  if (kind == 2) net.hvp_prepare(X, T, cache);
  for (auto _ : state) {
    if (kind == 2)
      net.hvp_prepared(T, v, cache, r, Hv);
    else if (kind == 1)
      net.hvp(X, T, v, cache, Hv);
    else
      net.loss_and_gradient(X, T, cache, grad);
    benchmark::DoNotOptimize(grad.data());
    benchmark::DoNotOptimize(Hv.data());
  }
  state.SetLabel(kind == 2 ? "hvp at fixed theta" : kind == 1 ? "hvp" : "gradient");
}

void BM_MnistMlpGradientVsHvp(benchmark::State& state) { gradient_vs_hvp(state, 128); }
BENCHMARK(BM_MnistMlpGradientVsHvp)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// The same on the 1000 samples of `nnlab hessian`'s default --first: the product Lanczos repeats.
void BM_MnistMlpGradientVsHvp1000(benchmark::State& state) { gradient_vs_hvp(state, 1000); }
BENCHMARK(BM_MnistMlpGradientVsHvp1000)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// One rank's compute in a data-parallel step of the default recipe (Adam, inverted dropout): the
// gradient of its shard of `shard` columns of a batch of 128 (Mlp::shard_loss_and_gradient, the
// whole batch's masks drawn), then the full optimizer step every rank takes, at 1 thread. The
// compute term of the cost model in docs/data-parallel.md.
void BM_DataParallelRankStep(benchmark::State& state) {
  const Index shard = state.range(0);
  nn::Mlp<float> net(bench::sheet_mlp_spec());
  Rng rng = make_rng(1, 1);
  net.init(rng);
  Mat<float> X, T;
  bench::random_batch(784, 10, 128, X, T, rng);
  auto opt = optim::make_optimizer<float>("adam", {.lr = 1e-3});
  nn::Cache<float> cache;
  Vec<float> grad;
  train::FlushToZero ftz;
  for (auto _ : state) {
    net.shard_loss_and_gradient(X, T, 0, shard, cache, grad, nn::Mode::train, &rng);
    opt.step(net.theta(), grad);
    benchmark::DoNotOptimize(net.theta().data());
  }
}
BENCHMARK(BM_DataParallelRankStep)->RangeMultiplier(2)->Range(2, 128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
