// C (+)= A·B for every product of a network's passes. Eigen's general GEMM packs both operands
// and zeroes C first; on a 32×32 layer with a batch of 256 that costs as long as multiplying.
// This kernel packs A only when its layout requires it or several panels of columns reread an A
// larger than L1, and B only when it is row-major over a long k; it reads them where they lie
// otherwise, and keeps a block of C of MR packets × NR columns in registers across a slice of k. Measured against Eigen 3.4
// (bench/gemm_bench.cpp): 1.7× on the tiny net's shapes, 1.4–1.6× on the Fashion-MNIST MLP's
// (float, ~200 GFLOP/s of a 210 peak), and as fast or faster on every other shape there.
#pragma once
#include "nnlab/core/types.hpp"

namespace nnlab {

// A strided view of a matrix: element (i, j) is data[i·row_stride + j·col_stride].
template <class Scalar>
struct StridedView {
  const Scalar* data;
  Index rows, cols, row_stride, col_stride;
};

// Called on each panel of C's columns [col0, col0 + cols) as soon as it is final, while it is
// still in L1: the place for a layer's activation. It must not call gemm itself: gemm's buffers
// (packed A and B, a padded bias) are one per thread, and a nested call would overwrite them. A
// non-owning reference to a callable (the callable must outlive the call), so that passing a
// lambda never allocates.
class Epilogue {
 public:
  Epilogue() = default;
  template <class F>
  Epilogue(F& f)  // NOLINT(google-explicit-constructor): a lambda converts implicitly
      : object_(&f), call_([](void* o, Index col0, Index cols) { (*static_cast<F*>(o))(col0, cols); }) {}
  explicit operator bool() const { return call_ != nullptr; }
  void operator()(Index col0, Index cols) const { call_(object_, col0, cols); }

 private:
  void* object_ = nullptr;
  void (*call_)(void*, Index, Index) = nullptr;
};
// Columns per panel: a multiple of every column-block width of the kernel.
inline constexpr Index gemm_panel = 48;
// The longest slice of k taken at once (see gemm.cpp).
inline constexpr Index gemm_depth = 512;

// C = A·B + b 1ᵀ, or C += A·B + b 1ᵀ when accumulate, with b = bias (m entries) or 0 if null.
// C is column-major, m×n, with leading dimension ldc; A is m×k, B is k×n. Runs on the calling
// thread; the summation order depends only on the shapes, so results are reproducible.
// Products with at most half a SIMD packet of rows run as dot products when B's columns are
// contiguous, and transposed when m = 1 and B is row-major.
template <class Scalar>
void gemm(StridedView<Scalar> A, StridedView<Scalar> B, Scalar* C, Index ldc, bool accumulate,
          const Scalar* bias = nullptr, const Epilogue& epilogue = {});

// dst (B.rows × B.cols, column-major, leading dimension B.rows) = B. A row-major B is transposed
// in W × W register blocks. For a row-major B that several products read (the Zᵀ of a weight
// gradient split into row blocks, see src/nn/product.hpp), and for gemm's own panels of one.
template <class Scalar>
void copy_column_major(StridedView<Scalar> B, Scalar* dst);

// A StridedView of any Eigen expression with direct access (Matrix, Map, their Transpose).
template <class Expr>
StridedView<typename Expr::Scalar> strided_view(const Expr& e) {
  const bool row_major = Expr::IsRowMajor;
  return {e.data(), e.rows(), e.cols(), row_major ? e.outerStride() : e.innerStride(),
          row_major ? e.innerStride() : e.outerStride()};
}

}  // namespace nnlab
