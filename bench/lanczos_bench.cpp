// The Lanczos of `nnlab hessian` (analysis::lanczos on train::NetworkObjective's fixed-θ H·v) on the
// 784-512-512-10 float32 MLP without dropout, in inference mode, on N random samples: the time of
// one iteration (its product plus the reorthogonalization of the new vector against the basis)
// beside the time of the products alone, with the basis in float (what the CLI uses for a float
// model) and in double. Counters: ms_per_iteration, ms_per_product and their ratio, and the last
// run's measured orthogonality and second Gram–Schmidt passes.
#include <benchmark/benchmark.h>

#include <chrono>

#include "nnlab/analysis/hessian.hpp"
#include "nnlab/train/objective.hpp"
#include "sheet_mlp.hpp"

namespace {

using namespace nnlab;

// args: samples, basis bits (32 or 64), threads, iterations
void BM_LanczosIteration(benchmark::State& state) {
  const Index N = state.range(0);
  const auto basis = state.range(1) == 32 ? analysis::BasisPrecision::float32 : analysis::BasisPrecision::float64;
  ThreadPool pool(int(state.range(2)));
  const int iterations = int(state.range(3));
  Rng rng = make_rng(5, 1);
  nn::Mlp<float> net = bench::sheet_mlp_without_dropout(rng);
  const data::Dataset<float> d = bench::random_fashion_mnist(N, rng);
  const train::NetworkObjective<float> objective(net, d, {.pool = &pool});
  double product_seconds = 0;
  const analysis::HvpFn hvp = [&, H = analysis::hvp_operator(objective, net.theta())](const Vec<double>& v,
                                                                                       Vec<double>& Hv) {
    const auto t0 = std::chrono::steady_clock::now();
    H(v, Hv);
    product_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  double lanczos_seconds = 0;
  std::int64_t steps = 0;
  analysis::Spectrum s;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    s = analysis::lanczos(hvp, net.num_params(), iterations, rng, {.basis = basis, .pool = &pool});
    lanczos_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    steps += s.iterations;
    benchmark::DoNotOptimize(s.ritz_values.data());
  }
  state.counters["ms_per_iteration"] = 1e3 * lanczos_seconds / double(steps);
  state.counters["ms_per_product"] = 1e3 * product_seconds / double(steps);
  state.counters["iteration_per_product"] = lanczos_seconds / product_seconds;
  state.counters["orthogonality"] = s.orthogonality;  // of the last run's basis
  state.counters["second_passes"] = s.second_passes;
}
BENCHMARK(BM_LanczosIteration)
    ->ArgNames({"samples", "basis", "threads", "iterations"})
    ->Args({1000, 32, 1, 30})
    ->Args({1000, 64, 1, 30})
    ->Args({128, 32, 1, 60})
    ->Args({128, 64, 1, 60})
    ->Args({1000, 32, 2, 30})
    ->Args({1000, 64, 2, 30})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
