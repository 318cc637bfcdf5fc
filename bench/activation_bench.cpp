// Activations and their derivative products on one hidden layer of the tiny net (32 × 256):
// the elementwise part of a step, next to the products measured in gemm_bench.
#include <benchmark/benchmark.h>

#include "nnlab/nn/activation.hpp"

namespace {
using namespace nnlab;

template <class S>
void BM_Activate(benchmark::State& state) {
  const auto h = nn::Activation(state.range(0));
  Mat<S> a = Mat<S>::Random(32, 256) * S(3), z;
  for (auto _ : state) {
    nn::activate(h, a, z);
    benchmark::DoNotOptimize(z.data());
  }
  state.SetItemsProcessed(state.iterations() * a.size());
  state.SetLabel(nn::to_string(h));
}

template <class S>
void BM_TimesDerivative(benchmark::State& state) {
  const auto h = nn::Activation(state.range(0));
  Mat<S> a = Mat<S>::Random(32, 256) * S(3), z, g = Mat<S>::Random(32, 256), out;
  nn::activate(h, a, z);
  for (auto _ : state) {
    nn::times_derivative(h, a, z, g, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * a.size());
  state.SetLabel(nn::to_string(h));
}

void activations(benchmark::internal::Benchmark* b) {
  for (int h = 0; h <= int(nn::Activation::gelu); ++h) b->Arg(h);
}

BENCHMARK(BM_Activate<float>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Activate<double>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimesDerivative<float>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimesDerivative<double>)->Apply(activations)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
