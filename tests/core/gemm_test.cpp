// gemm against Eigen's product on every operand layout, on shapes that exercise full and
// partial packets of rows, every column-block width and the split k loop of narrow blocks.
#include "nnlab/core/gemm.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace nnlab {
namespace {

// Relative to the product's scale Σ|a||b|, so that cancellation cannot hide an error.
template <class S>
void expect_product(const Mat<S>& C, const Mat<S>& A, const Mat<S>& B, const Mat<S>& C0, bool accumulate,
                    double tolerance) {
  const Mat<double> Ad = A.template cast<double>(), Bd = B.template cast<double>();
  const Mat<double> C0d = accumulate ? Mat<double>(C0.template cast<double>()) : Mat<double>::Zero(C.rows(), C.cols());
  const Mat<double> exact = Ad * Bd + C0d;
  const Mat<double> scale = Ad.cwiseAbs() * Bd.cwiseAbs() + C0d.cwiseAbs();
  for (Index j = 0; j < C.cols(); ++j)
    for (Index i = 0; i < C.rows(); ++i)
      ASSERT_LE(std::abs(double(C(i, j)) - exact(i, j)), tolerance * (scale(i, j) + 1e-300))
          << "C(" << i << "," << j << ") of " << C.rows() << "×" << C.cols() << ", k = " << A.cols();
}

template <class S>
void check_all_layouts(Index m, Index n, Index k, double tolerance) {
  const Mat<S> A = Mat<S>::Random(m, k), B = Mat<S>::Random(k, n), C0 = Mat<S>::Random(m, n);
  const Mat<S> At = A.transpose(), Bt = B.transpose();
  for (bool accumulate : {false, true}) {
    Mat<S> first;
    for (int form = 0; form < 4; ++form) {  // A or Aᵀ stored, B or Bᵀ stored
      const auto a = form & 1 ? strided_view(At.transpose()) : strided_view(A);
      const auto b = form & 2 ? strided_view(Bt.transpose()) : strided_view(B);
      Mat<S> C = C0;
      gemm(a, b, C.data(), C.outerStride(), accumulate);
      expect_product(C, A, B, C0, accumulate, tolerance);
      // Copying A or B to packed buffers moves values, not sums: with more rows than the dot
      // product path takes (half a packet, at most 8), every layout gives the same bits.
      if (form == 0) {
        first = C;
      } else if (m > 8) {
        ASSERT_EQ(C, first) << "form " << form << " of " << m << "×" << n << ", k = " << k;
      }
    }
  }
}

class GemmShapes : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(GemmShapes, MatchesDoublePrecisionProduct) {
  const auto [m, n, k] = GetParam();
  check_all_layouts<double>(m, n, k, 1e-15 * k);
  check_all_layouts<float>(m, n, k, 1e-6 * k);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, GemmShapes,
    ::testing::Values(std::tuple{32, 256, 32}, std::tuple{32, 32, 256}, std::tuple{32, 2, 256},
                      std::tuple{32, 256, 2}, std::tuple{32, 256, 1}, std::tuple{1, 7, 3},
                      std::tuple{17, 29, 13}, std::tuple{40, 13, 9}, std::tuple{70, 31, 5},
                      std::tuple{100, 1, 50}, std::tuple{16, 25, 64}, std::tuple{8, 3, 1},
                      std::tuple{1, 128, 32}, std::tuple{1, 32, 128}, std::tuple{1, 61, 19},
                      std::tuple{3, 50, 13}, std::tuple{7, 9, 17}, std::tuple{1, 1, 1},
                      std::tuple{40, 30, 1100}, std::tuple{10, 7, 515}, std::tuple{64, 48, 512},
                      std::tuple{50, 100, 600}, std::tuple{133, 61, 520},
                      // A larger than L1 and read by more than two panels (packed in row blocks,
                      // whole and ragged), a row-major B over a long k (packed by columns, on
                      // AVX-512 in float only for m > 128; ragged panels and W × W blocks).
                      std::tuple{96, 150, 300}, std::tuple{40, 130, 300}, std::tuple{136, 68, 300},
                      std::tuple{32, 9, 0}, std::tuple{3, 5, 0},
                      // Few rows over a k shorter than a packet (in float not by dot products),
                      // and A in blocks of one or two packets, not padded to a whole row block.
                      std::tuple{8, 40, 2}, std::tuple{8, 40, 8}, std::tuple{4, 37, 7},
                      std::tuple{12, 100, 300}, std::tuple{24, 50, 300}));

// C inside a larger matrix: the leading dimension is not the row count, and the rows around C
// stay as they were.
TEST(Gemm, WritesOnlyItsBlockOfALargerMatrix) {
  Mat<double> big = Mat<double>::Constant(50, 20, 7.0);
  const Mat<double> A = Mat<double>::Random(21, 9), B = Mat<double>::Random(9, 20);
  gemm(strided_view(A), strided_view(B), big.data() + 3, big.outerStride(), false);
  EXPECT_TRUE(big.topRows(3).isConstant(7.0));
  EXPECT_TRUE(big.bottomRows(26).isConstant(7.0));
  EXPECT_LT((big.middleRows(3, 21) - A * B).cwiseAbs().maxCoeff(), 1e-14);
}

// A whose columns do not start on a packet boundary (a weight matrix at an odd offset of θ) is
// copied to an aligned buffer when several panels of columns read it, and read in place when one
// does: both give the product.
TEST(Gemm, ReadsAMisalignedA) {
  for (auto [m, n, k] : {std::tuple{64, 100, 37}, std::tuple{64, 40, 37}, std::tuple{48, 130, 600}}) {
    const Mat<double> storage = Mat<double>::Random(m * k + 1, 1);
    const Eigen::Map<const Mat<double>> A(storage.data() + 1, m, k);
    const Mat<double> B = Mat<double>::Random(k, n), C0 = Mat<double>::Random(m, n);
    for (bool accumulate : {false, true}) {
      Mat<double> C = C0;
      gemm(strided_view(A), strided_view(B), C.data(), m, accumulate);
      expect_product(C, Mat<double>(A), B, C0, accumulate, 1e-15 * k);
    }
  }
}

// A as Mlp passes it: a row block of a taller W or Δ, so that its leading dimension (here 512 rows,
// 2 KB in float) is not its row count; packed (large, more than two panels) or read in place
// (one panel), with the bits of a compact copy of A. A block at an odd row is misaligned and
// packed where its compact copy, one or two panels wide, is read in place: the bits of both paths.
// 70 rows end in a partial block of the packed copy; the last 70 rows of the taller matrix end at
// the end of its allocation, where a sanitizer build would catch a read past A's rows.
TEST(Gemm, ReadsARowBlockOfATallerMatrix) {
  for (auto [row0, m, n, k] : {std::tuple{128, 128, 150, 300}, std::tuple{128, 128, 40, 300},
                               std::tuple{128, 64, 150, 20}, std::tuple{1, 128, 60, 20},
                               std::tuple{512 - 70, 70, 150, 300}, std::tuple{1, 70, 60, 20}}) {
    const Mat<float> tall = Mat<float>::Random(512, k);
    const Mat<float> A = tall.middleRows(row0, m), B = Mat<float>::Random(k, n), C0 = Mat<float>::Random(m, n);
    for (bool accumulate : {false, true}) {
      Mat<float> C = C0;
      gemm(strided_view(tall.middleRows(row0, m)), strided_view(B), C.data(), m, accumulate);
      expect_product(C, A, B, C0, accumulate, 1e-6 * k);
      Mat<float> C_compact = C0;
      gemm(strided_view(A), strided_view(B), C_compact.data(), m, accumulate);
      EXPECT_EQ(C, C_compact) << "rows " << row0 << "..+" << m << ", n = " << n << ", k = " << k;
    }
  }
}

// copy_column_major moves every value to its place and writes nothing past k·n: a row-major B
// (rows a stride apart, as the Zᵀ of a weight gradient) in whole and ragged W × W blocks, a
// column-major B with a leading dimension larger than its rows, and a B with neither stride 1.
template <class S>
void check_column_major_copy(Index k, Index n) {
  const S guard = S(-7.5);
  std::vector<S> dst;
  const auto copy = [&](StridedView<S> B) {
    dst.assign(std::size_t(k * n + 3), guard);
    copy_column_major(B, dst.data());
    for (std::size_t i = std::size_t(k * n); i < dst.size(); ++i) EXPECT_EQ(dst[i], guard) << k << "×" << n;
    return Eigen::Map<const Mat<S>>(dst.data(), k, n);
  };
  const Mat<S> stored = Mat<S>::Random(n + 5, k + 3);  // Bᵀ is its top-left n × k block
  const auto Bt = stored.topLeftCorner(n, k);
  EXPECT_EQ(copy(strided_view(Bt.transpose())), Mat<S>(Bt.transpose())) << k << "×" << n << " row-major";
  const Mat<S> tall = Mat<S>::Random(k + 7, n);
  EXPECT_EQ(copy(strided_view(tall.topRows(k))), tall.topRows(k)) << k << "×" << n << " column-major";
  const Mat<S> wide = Mat<S>::Random(2 * k, 3 * n);  // every other row of every third column
  const StridedView<S> neither{wide.data(), k, n, 2, 3 * wide.rows()};
  Mat<S> expected(k, n);
  for (Index j = 0; j < n; ++j)
    for (Index p = 0; p < k; ++p) expected(p, j) = wide(2 * p, 3 * j);
  EXPECT_EQ(copy(neither), expected) << k << "×" << n << " strided";
}

TEST(Gemm, CopiesAMatrixColumnMajor) {
  for (auto [k, n] : {std::pair{128, 784}, std::pair{1000, 50}, std::pair{13, 21}, std::pair{16, 16},
                      std::pair{7, 3}, std::pair{1, 9}, std::pair{0, 5}, std::pair{6, 0}}) {
    check_column_major_copy<float>(k, n);
    check_column_major_copy<double>(k, n);
  }
}

// The bias starts every column, and the epilogue sees each panel of columns exactly once, after
// the panel is final: on full packets of rows, on fewer rows than a packet (dot products), on a
// ragged last row block, and with k in three slices.
TEST(Gemm, AddsTheBiasAndCallsTheEpilogueOnFinishedPanels) {
  for (auto [m, n, k] : {std::tuple{32, 100, 7}, std::tuple{1, 100, 32}, std::tuple{3, 53, 11},
                         std::tuple{13, 97, 5}, std::tuple{24, 60, 1025}}) {
    const Mat<double> A = Mat<double>::Random(m, k), B = Mat<double>::Random(k, n);
    const Vec<double> b = Vec<double>::Random(m);
    const Mat<double> expected = (A * B).colwise() + b;
    Mat<double> C = Mat<double>::Zero(m, n);
    Index next = 0;  // the first column no epilogue has seen yet
    auto check_panel = [&](Index col0, Index cols) {
      ASSERT_EQ(col0, next);
      ASSERT_GT(cols, 0);
      next = col0 + cols;
      const double error = (C.middleCols(col0, cols) - expected.middleCols(col0, cols)).cwiseAbs().maxCoeff();
      EXPECT_LT(error, 1e-15 * double(k)) << m << "×" << n << ", columns " << col0 << "+" << cols;
    };
    gemm(strided_view(A), strided_view(B), C.data(), m, false, b.data(), check_panel);
    EXPECT_EQ(next, n) << m << "×" << n;
  }
}

}  // namespace
}  // namespace nnlab
