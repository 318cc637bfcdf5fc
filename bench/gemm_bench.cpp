// nnlab::gemm against Eigen's GEMM on the products of small and mid-size networks, side by side:
// every product of Mlp's passes runs nnlab::gemm, which should be at least as fast on each shape.
// Args: m, n, k, form (0: C = A·B, 1: C = A·Bᵀ, 2: C = Aᵀ·B), kernel (0: Eigen, 1: nnlab::gemm),
// and optionally the rows of the stored matrix whose first m rows A is (its leading dimension in
// form 0 and 1: Mlp runs a layer's product in row blocks of its 512-row W, Δ or C).
#include <benchmark/benchmark.h>

#include <algorithm>

#include "nnlab/core/allocator.hpp"
#include "nnlab/core/gemm.hpp"

namespace {
using namespace nnlab;

template <class S>
void BM_Gemm(benchmark::State& state) {
  keep_freed_memory();  // else Eigen maps its packing buffers afresh on every product (allocator.hpp)
  const Index m = state.range(0), n = state.range(1), k = state.range(2);
  const int form = int(state.range(3));
  const bool ours = state.range(4) == 1;
  const Index stored = std::max(m, state.range(5));
  // Stored operands: A is m×k (form 0, 1) or k×m (form 2); B is k×n (form 0, 2) or n×k (form 1).
  Mat<S> A_stored = form == 2 ? Mat<S>::Random(k, stored) : Mat<S>::Random(stored, k);
  Mat<S> C_stored(stored, n);
  auto A = form == 2 ? A_stored.block(0, 0, k, m) : A_stored.block(0, 0, m, k);
  Mat<S> B = form == 1 ? Mat<S>::Random(n, k) : Mat<S>::Random(k, n);
  auto C = C_stored.topRows(m);
  for (auto _ : state) {
    if (ours) {
      const auto a = form == 2 ? strided_view(A.transpose()) : strided_view(A);
      const auto b = form == 1 ? strided_view(B.transpose()) : strided_view(B);
      gemm(a, b, C.data(), C.outerStride(), false);
    } else if (form == 0) {
      C.noalias() = A * B;
    } else if (form == 1) {
      C.noalias() = A * B.transpose();
    } else {
      C.noalias() = A.transpose() * B;
    }
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  state.counters["GF/s"] =
      benchmark::Counter(2.0 * double(m * n * k), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(ours ? "nnlab" : "eigen");
}

void shapes(benchmark::internal::Benchmark* b) {
  // The tiny 2-32-32-1 net on 256 points: forward W·Z, gradient Δ·Zᵀ, backward Wᵀ·Δ.
  for (int kernel : {0, 1}) {
    b->Args({32, 256, 32, 0, kernel, 0});
    b->Args({32, 32, 256, 1, kernel, 0});
    b->Args({32, 256, 32, 2, kernel, 0});
    // The output layer of one chunk of 128 columns: fewer rows than a packet.
    b->Args({1, 128, 32, 0, kernel, 0});
    b->Args({1, 32, 128, 1, kernel, 0});
    b->Args({4, 128, 32, 0, kernel, 0});
    // Odd sizes: a partial packet of rows and of columns.
    b->Args({20, 100, 30, 0, kernel, 0});
    b->Args({50, 70, 40, 2, kernel, 0});
    // The Fashion-MNIST MLP's output layer on a batch of 128.
    b->Args({10, 128, 512, 0, kernel, 0});
    b->Args({10, 512, 128, 1, kernel, 0});
    b->Args({64, 128, 64, 0, kernel, 0});
    // One row block (of 4) of the Fashion-MNIST MLP's large products on a batch of 128:
    // forward W·Z, gradient Δ·Zᵀ, backward Wᵀ·Δ.
    b->Args({128, 128, 784, 0, kernel, 0});
    b->Args({128, 784, 128, 1, kernel, 0});
    b->Args({128, 128, 512, 2, kernel, 0});
    // A long k: a full-batch gradient over 4096 samples.
    b->Args({64, 64, 4096, 1, kernel, 0});
    // One row block of the same products on 1000 samples (Hessian analysis, bench row (d)).
    b->Args({128, 1000, 784, 0, kernel, 0});
    b->Args({128, 784, 1000, 1, kernel, 0});
    b->Args({128, 1000, 512, 2, kernel, 0});
    // The same row blocks as Mlp runs them: rows of a 512-row W, Δ or C (a 2 KB leading dimension
    // in float, whose columns fall into few of the caches' sets).
    b->Args({128, 1000, 784, 0, kernel, 512});
    b->Args({128, 784, 1000, 1, kernel, 512});
    b->Args({128, 1000, 512, 0, kernel, 512});
    b->Args({128, 512, 1000, 1, kernel, 512});
    b->Args({128, 128, 784, 0, kernel, 512});
  }
}

BENCHMARK(BM_Gemm<float>)->Apply(shapes)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gemm<double>)->Apply(shapes)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
