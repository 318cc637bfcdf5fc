// Activations and their derivative products on one hidden layer of the tiny net (32 × 256):
// the elementwise part of a step, next to the products measured in gemm_bench. Arguments a in
// [−3, 3]; the counter per_value is the time per value (docs/benchmarks.md lists them).
#include <benchmark/benchmark.h>

#include "nnlab/nn/activation.hpp"

namespace {
using namespace nnlab;

void set_counters(benchmark::State& state, nn::Activation h, Index values) {
  state.SetItemsProcessed(state.iterations() * values);
  state.counters["per_value"] = benchmark::Counter(
      double(values), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.SetLabel(nn::to_string(h));
}

template <class S>
void BM_Activate(benchmark::State& state) {
  const auto h = nn::Activation(state.range(0));
  Mat<S> a = Mat<S>::Random(32, 256) * S(3), z;
  for (auto _ : state) {
    nn::activate(h, a, z);
    benchmark::DoNotOptimize(z.data());
  }
  set_counters(state, h, a.size());
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
  set_counters(state, h, a.size());
}

// g ⊙ h''(a), the R-operator's (Hessian-vector products).
template <class S>
void BM_TimesSecondDerivative(benchmark::State& state) {
  const auto h = nn::Activation(state.range(0));
  Mat<S> a = Mat<S>::Random(32, 256) * S(3), z, g = Mat<S>::Random(32, 256), out;
  nn::activate(h, a, z);
  for (auto _ : state) {
    nn::times_second_derivative(h, a, z, g, out);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, h, a.size());
}

void activations(benchmark::internal::Benchmark* b) {
  for (int h = 0; h <= int(nn::Activation::gelu); ++h) b->Arg(h);
}

BENCHMARK(BM_Activate<float>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Activate<double>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimesDerivative<float>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimesDerivative<double>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimesSecondDerivative<float>)->Apply(activations)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TimesSecondDerivative<double>)->Apply(activations)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
