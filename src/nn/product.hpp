// The products of the layer passes, shared by src/nn/layer.cpp and src/nn/mlp.cpp (internal, not
// installed): out (+)= lhs · rhs through nnlab::gemm, split into row blocks on a pool when large.
// Both splits here depend only on the shapes, so results are bit-identical for any thread count.
#pragma once
#include <xmmintrin.h>

#include <algorithm>
#include <vector>

#include "nnlab/core/gemm.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/core/types.hpp"

namespace nnlab::nn::detail {

// body(0 .. parts−1) on the pool, each under the caller's floating-point mode (flush-to-zero or
// not), whichever thread takes it, so that results do not depend on the thread count.
template <class Body>
void run_parts(ThreadPool* pool, Index parts, const Body& body) {
  const unsigned csr = _mm_getcsr();
  const auto part = [&](std::size_t i) {
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(csr);
    body(Index(i));
    _mm_setcsr(saved);
  };
  if (pool)
    pool->parallel_for(std::size_t(parts), part);
  else
    for (Index i = 0; i < parts; ++i) part(std::size_t(i));
}

// body(begin, end) over [0, n): on a pool, one part per thread when n ≥ 2¹⁵, part boundaries at
// multiples of `granule` (columns, for a matrix of `granule` rows). Only for element-wise work,
// whose results cannot depend on the split (run_parts carries the floating-point mode).
template <class Body>
void run_in_parts(ThreadPool* pool, Index n, const Body& body, Index granule = 1) {
  const Index parts = pool && n >= (Index(1) << 15) ? pool->size() : 1;
  if (parts == 1) {
    body(Index(0), n);
    return;
  }
  const Index units = (n + granule - 1) / granule;
  run_parts(pool, parts, [&](Index t) {
    const Index begin = units * t / parts * granule, end = std::min(n, units * (t + 1) / parts * granule);
    if (begin < end) body(begin, end);
  });
}

// Row blocks of a product of `flops` with `rows` rows of out: large products split into up to 4
// blocks that run on the pool; the split depends only on the shapes.
inline Index row_blocks(Index rows, double flops) {
  return flops < 4e6 ? 1 : std::clamp<Index>(rows / 64, 1, 4);
}

// Called on a block of out — rows [r0, r0 + nr) of columns [j0, j0 + nc) — as soon as it is
// final, on the thread that computed it, while it is in cache (a non-owning reference, as
// Epilogue is). The fused optimizer step runs here. Like an Epilogue it must not call gemm or
// product.
class BlockDone {
 public:
  BlockDone() = default;
  template <class F>
  BlockDone(F& f)  // NOLINT(google-explicit-constructor): a lambda converts implicitly
      : object_(&f),
        call_([](void* o, Index r0, Index nr, Index j0, Index nc) { (*static_cast<F*>(o))(r0, nr, j0, nc); }) {}
  explicit operator bool() const { return call_ != nullptr; }
  void operator()(Index r0, Index nr, Index j0, Index nc) const { call_(object_, r0, nr, j0, nc); }

 private:
  void* object_ = nullptr;
  void (*call_)(void*, Index, Index, Index, Index) = nullptr;
};

// The column-major copy of a row-major rhs that product() splits into row blocks: one buffer per
// thread and scalar type, whichever product instantiates it.
template <class S>
std::vector<S, Eigen::aligned_allocator<S>>& rhs_columns() {
  thread_local std::vector<S, Eigen::aligned_allocator<S>> columns;
  return columns;
}

// out (+)= lhs · rhs (+ bias 1ᵀ if bias), then epilogue(j0, nc) on each range of out's columns
// once it is final: panel by panel while the panel is in L1 when the product is one block, at
// the end when it runs in row blocks. Either way the result is the same bit for bit whichever
// thread runs which block.
template <class Out, class Lhs, class Rhs>
void product(Out&& out, const Lhs& lhs, const Rhs& rhs, ThreadPool* pool, bool accumulate = false,
             const typename Lhs::Scalar* bias = nullptr, const Epilogue& epilogue = {},
             const BlockDone& done = {}) {
  const Index rows = out.rows(), n = out.cols(), k = lhs.cols();
  const Index blocks = row_blocks(rows, 2.0 * double(rows) * double(n) * double(k));
  if (blocks == 1) {
    auto panel = [&](Index j0, Index nc) {
      if (epilogue) epilogue(j0, nc);
      done(0, rows, j0, nc);
    };
    gemm(strided_view(lhs), strided_view(rhs), out.data(), out.outerStride(), accumulate, bias,
         done ? Epilogue(panel) : epilogue);
    return;
  }
  // A row-major rhs (the Zᵀ of a weight gradient Δ·Zᵀ) is copied column-major once for all the
  // row blocks that read it: in place each step of k reads a new line, on a batch of 128 two
  // or three KB away, and gemm may transpose its panels once per block over a long k. The same
  // sums in the same order, so the same bits: every block has more than 8 rows (blocks > 1
  // needs rows ≥ 128), where gemm takes no path that depends on B's layout (its dot products
  // serve at most half a packet of rows, 8 floats on AVX-512). The copy (a buffer kept per
  // thread) up to 16 MB; beyond, each block's gemm reads or packs its panels of rhs.
  using S = typename Lhs::Scalar;
  StridedView<S> b = strided_view(rhs);
  if (b.col_stride == 1 && b.row_stride > 1 && double(k) * double(n) * sizeof(S) <= 16 << 20) {
    auto& columns = rhs_columns<S>();
    columns.resize(std::size_t(k * n));
    run_in_parts(  // in parts of whole 16-column groups, where the copy's blocks fall as in one piece
        pool, k * n,
        [&](Index begin, Index end) {
          const Index j0 = begin / k, nc = end / k - j0;
          copy_column_major(StridedView<S>{b.data + j0 * b.col_stride, k, nc, b.row_stride, 1},
                            columns.data() + j0 * k);
        },
        16 * k);
    b = {columns.data(), k, n, 1, k};
  }
  const Index step = ((rows + blocks - 1) / blocks + 15) / 16 * 16;  // multiples of 16 rows
  run_parts(pool, blocks, [&](Index i) {
    const Index r0 = i * step, nr = std::min(step, rows - r0);
    if (nr <= 0) return;
    eigen_assert(nr > 8);  // see the copy above
    auto panel = [&](Index j0, Index nc) { done(r0, nr, j0, nc); };
    gemm(strided_view(lhs.middleRows(r0, nr)), b, out.data() + r0,
         out.outerStride(), accumulate, bias ? bias + r0 : nullptr,
         done ? Epilogue(panel) : Epilogue());
  });
  if (epilogue) epilogue(0, n);
}

}  // namespace nnlab::nn::detail
