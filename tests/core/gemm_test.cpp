// gemm against Eigen's product on every operand layout, on shapes that exercise full and
// partial packets of rows, every column-block width and the split k loop of narrow blocks.
#include "nnlab/core/gemm.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <stdexcept>
#include <tuple>
#include <type_traits>
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
                      // Few rows over a k shorter than a packet (not by dot products), by dot
                      // products over a ragged k into a C whose rows are strided (m > 1), and A in
                      // blocks of one or two packets, not padded to a whole row block.
                      std::tuple{8, 40, 2}, std::tuple{8, 40, 8}, std::tuple{4, 37, 7},
                      std::tuple{5, 40, 21}, std::tuple{12, 100, 300}, std::tuple{24, 50, 300}));

// C inside a larger matrix: the leading dimension is not the row count, and the rows around C
// stay as they were.
// The rows of the larger matrix around C stay as they were, also where C's last packet of rows is
// partial (stored, and with accumulate loaded, by masked instructions) and on the dot-product path.
template <class S>
void check_block_of_a_larger_matrix(Index m, Index k, bool accumulate) {
  Mat<S> big = Mat<S>::Constant(m + 29, 20, S(7));
  const Mat<S> A = Mat<S>::Random(m, k), B = Mat<S>::Random(k, 20);
  const Mat<S> C0 = big.middleRows(3, m);
  gemm(strided_view(A), strided_view(B), big.data() + 3, big.outerStride(), accumulate);
  EXPECT_TRUE(big.topRows(3).isConstant(S(7))) << m << "×20, k = " << k;
  EXPECT_TRUE(big.bottomRows(26).isConstant(S(7))) << m << "×20, k = " << k;
  const Mat<S> C = big.middleRows(3, m);
  expect_product(C, A, B, C0, accumulate, (std::is_same_v<S, float> ? 1e-6 : 1e-15) * double(k));
}

TEST(Gemm, WritesOnlyItsBlockOfALargerMatrix) {
  for (auto [m, k] : {std::pair{21, 9}, std::pair{5, 9}, std::pair{5, 40}, std::pair{37, 3}})
    for (bool accumulate : {false, true}) {
      check_block_of_a_larger_matrix<float>(m, k, accumulate);
      check_block_of_a_larger_matrix<double>(m, k, accumulate);
    }
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
// the end of its allocation (ReadsAndWritesNothingPastItsOperands checks the masked loads there).
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

// S values that end where a page with no access begins: a read or write past them faults.
template <class S>
class BeforeAGuardPage {
 public:
  explicit BeforeAGuardPage(Index n) {
    const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
    size_ = (std::size_t(n) * sizeof(S) + page - 1) / page * page + page;
    base_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) throw std::runtime_error("mmap failed");
    char* guard = static_cast<char*>(base_) + size_ - page;
    mprotect(guard, page, PROT_NONE);
    data_ = reinterpret_cast<S*>(guard) - n;
  }
  ~BeforeAGuardPage() { munmap(base_, size_); }
  BeforeAGuardPage(const BeforeAGuardPage&) = delete;
  BeforeAGuardPage& operator=(const BeforeAGuardPage&) = delete;
  S* data() { return data_; }

 private:
  void* base_ = nullptr;
  std::size_t size_ = 0;
  S* data_ = nullptr;
};

// A, B and C each end right before a page with no access, so that a masked load or store that
// reached past their last value would fault: A packed with a ragged last row block, B's last column
// read by dot products over a ragged k, C's partial last packet of rows loaded and stored.
template <class S>
void check_guarded(Index m, Index n, Index k) {
  BeforeAGuardPage<S> a(m * k), b(k * n), c(m * n);
  Eigen::Map<Mat<S>> A(a.data(), m, k), B(b.data(), k, n), C(c.data(), m, n);
  A.setRandom();
  B.setRandom();
  C.setRandom();
  const Mat<S> C0 = C;
  gemm(StridedView<S>{A.data(), m, k, 1, m}, StridedView<S>{B.data(), k, n, 1, k}, C.data(), m, true);
  expect_product(Mat<S>(C), Mat<S>(A), Mat<S>(B), C0, true, (std::is_same_v<S, float> ? 1e-6 : 1e-15) * double(k));
}

TEST(Gemm, ReadsAndWritesNothingPastItsOperands) {
  for (auto [m, n, k] : {std::tuple{70, 60, 20}, std::tuple{21, 20, 9}, std::tuple{1, 40, 21},
                         std::tuple{5, 40, 21}, std::tuple{3, 50, 5}}) {
    check_guarded<float>(m, n, k);
    check_guarded<double>(m, n, k);
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
// ragged last row block (of four packets in double: 29 rows), and with k in three slices; in float
// also a few rows over a k shorter than a packet (not by dot products).
template <class S>
void check_bias_and_epilogue(Index m, Index n, Index k) {
  const Mat<S> A = Mat<S>::Random(m, k), B = Mat<S>::Random(k, n);
  const Vec<S> b = Vec<S>::Random(m);
  const Mat<double> expected = (A.template cast<double>() * B.template cast<double>()).colwise() + b.template cast<double>();
  const double tolerance = (std::is_same_v<S, float> ? 1e-6 : 1e-15) * double(k + 1);
  Mat<S> C = Mat<S>::Zero(m, n);
  Index next = 0;  // the first column no epilogue has seen yet
  auto check_panel = [&](Index col0, Index cols) {
    ASSERT_EQ(col0, next);
    ASSERT_GT(cols, 0);
    next = col0 + cols;
    const double error =
        (C.middleCols(col0, cols).template cast<double>() - expected.middleCols(col0, cols)).cwiseAbs().maxCoeff();
    EXPECT_LT(error, tolerance) << m << "×" << n << ", columns " << col0 << "+" << cols;
  };
  gemm(strided_view(A), strided_view(B), C.data(), m, false, b.data(), check_panel);
  EXPECT_EQ(next, n) << m << "×" << n;
}

TEST(Gemm, AddsTheBiasAndCallsTheEpilogueOnFinishedPanels) {
  for (auto [m, n, k] : {std::tuple{32, 100, 7}, std::tuple{1, 100, 32}, std::tuple{3, 53, 11},
                         std::tuple{13, 97, 5}, std::tuple{24, 60, 1025}, std::tuple{29, 50, 9},
                         std::tuple{3, 50, 5}}) {
    check_bias_and_epilogue<float>(m, n, k);
    check_bias_and_epilogue<double>(m, n, k);
  }
}

}  // namespace
}  // namespace nnlab
