// nnlab::gemm against Eigen's GEMM on the products of small and mid-size networks, side by side:
// every product of Mlp's passes runs nnlab::gemm, which should be at least as fast on each shape.
// Args: m, n, k, form (0: C = A·B, 1: C = A·Bᵀ, 2: C = Aᵀ·B), kernel (0: Eigen, 1: nnlab::gemm).
#include <benchmark/benchmark.h>

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
  // Stored operands: A is m×k (form 0, 1) or k×m (form 2); B is k×n (form 0, 2) or n×k (form 1).
  Mat<S> A = form == 2 ? Mat<S>::Random(k, m) : Mat<S>::Random(m, k);
  Mat<S> B = form == 1 ? Mat<S>::Random(n, k) : Mat<S>::Random(k, n);
  Mat<S> C(m, n);
  for (auto _ : state) {
    if (ours) {
      const auto a = form == 2 ? strided_view(A.transpose()) : strided_view(A);
      const auto b = form == 1 ? strided_view(B.transpose()) : strided_view(B);
      gemm(a, b, C.data(), m, false);
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
    b->Args({32, 256, 32, 0, kernel});
    b->Args({32, 32, 256, 1, kernel});
    b->Args({32, 256, 32, 2, kernel});
    // The output layer of one chunk of 128 columns: fewer rows than a packet.
    b->Args({1, 128, 32, 0, kernel});
    b->Args({1, 32, 128, 1, kernel});
    b->Args({4, 128, 32, 0, kernel});
    // Odd sizes: a partial packet of rows and of columns.
    b->Args({20, 100, 30, 0, kernel});
    b->Args({50, 70, 40, 2, kernel});
    // The Fashion-MNIST MLP's output layer on a batch of 128.
    b->Args({10, 128, 512, 0, kernel});
    b->Args({10, 512, 128, 1, kernel});
    b->Args({64, 128, 64, 0, kernel});
    // One row block (of 4) of the Fashion-MNIST MLP's large products on a batch of 128:
    // forward W·Z, gradient Δ·Zᵀ, backward Wᵀ·Δ.
    b->Args({128, 128, 784, 0, kernel});
    b->Args({128, 784, 128, 1, kernel});
    b->Args({128, 128, 512, 2, kernel});
    // A long k: a full-batch gradient over 4096 samples.
    b->Args({64, 64, 4096, 1, kernel});
    // One row block of the same products on 1000 samples (Hessian analysis, bench row (d)).
    b->Args({128, 1000, 784, 0, kernel});
    b->Args({128, 784, 1000, 1, kernel});
    b->Args({128, 1000, 512, 2, kernel});
  }
}

BENCHMARK(BM_Gemm<float>)->Apply(shapes)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gemm<double>)->Apply(shapes)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
