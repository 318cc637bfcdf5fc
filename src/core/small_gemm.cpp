#include "nnlab/core/small_gemm.hpp"

#include <algorithm>
#include <vector>

namespace nnlab {

namespace {

using Eigen::internal::ploadu;
using Eigen::internal::pmadd;
using Eigen::internal::pset1;
using Eigen::internal::pstoreu;

template <class S>
using Packet = typename Eigen::internal::packet_traits<S>::type;
template <class S>
constexpr Index packet_size = Eigen::internal::unpacket_traits<Packet<S>>::size;

// C(rows × NR) (+)= Ap(MR packets × k) · B(k × NR). Ap is column-major with leading dimension lda
// (a multiple of the packet size, rows beyond `rows` readable); acc stays in registers. Narrow
// blocks split the k loop over U sets of accumulators, so that at least 8 independent
// multiply-add chains hide the FMA latency.
template <class S, int MR, int NR>
void micro_kernel(Index k, const S* Ap, Index lda, const S* B, Index rsb, Index csb, S* C, Index ldc,
                  Index rows, bool accumulate, const S* bias) {
  using P = Packet<S>;
  constexpr Index W = packet_size<S>;
  constexpr int U = MR * NR >= 8 ? 1 : MR * NR >= 4 ? 2 : 4;
  P acc[U][MR][NR];
  for (int u = 0; u < U; ++u)
    for (int j = 0; j < NR; ++j)
      for (int i = 0; i < MR; ++i)
        acc[u][i][j] = bias && u == 0 ? ploadu<P>(bias + i * W) : pset1<P>(S(0));
  const auto step = [&](Index p, P (&c)[MR][NR]) {
    P a[MR];
    for (int i = 0; i < MR; ++i) a[i] = ploadu<P>(Ap + p * lda + i * W);
    const S* b = B + p * rsb;
    for (int j = 0; j < NR; ++j) {
      const P bj = pset1<P>(b[j * csb]);
      for (int i = 0; i < MR; ++i) c[i][j] = pmadd(a[i], bj, c[i][j]);
    }
  };
  Index p = 0;
  for (; p + U <= k; p += U)
    for (int u = 0; u < U; ++u) step(p + u, acc[u]);
  for (; p < k; ++p) step(p, acc[0]);
  for (int u = 1; u < U; ++u)
    for (int j = 0; j < NR; ++j)
      for (int i = 0; i < MR; ++i) acc[0][i][j] = Eigen::internal::padd(acc[0][i][j], acc[u][i][j]);
  if (rows == MR * W) {
    for (int j = 0; j < NR; ++j)
      for (int i = 0; i < MR; ++i) {
        S* c = C + j * ldc + i * W;
        pstoreu(c, accumulate ? Eigen::internal::padd(ploadu<P>(c), acc[0][i][j]) : acc[0][i][j]);
      }
    return;
  }
  alignas(64) S col[MR * W];  // the last row block: store the rows that exist
  for (int j = 0; j < NR; ++j) {
    for (int i = 0; i < MR; ++i) pstoreu(col + i * W, acc[0][i][j]);
    S* c = C + j * ldc;
    for (Index r = 0; r < rows; ++r) c[r] = accumulate ? c[r] + col[r] : col[r];
  }
}

// Columns [0, n) of one row block: NR columns at a time, the rest by narrower blocks.
template <class S, int MR, int NR>
void column_blocks(Index n, Index k, const S* Ap, Index lda, const S* B, Index rsb, Index csb,
                   S* C, Index ldc, Index rows, bool accumulate, const S* bias) {
  Index j = 0;
  for (; j + NR <= n; j += NR)
    micro_kernel<S, MR, NR>(k, Ap, lda, B + j * csb, rsb, csb, C + j * ldc, ldc, rows, accumulate,
                            bias);
  constexpr int narrower = NR > 4 ? NR / 2 : NR - 1;
  if constexpr (NR > 1)
    if (j < n)
      column_blocks<S, MR, narrower>(n - j, k, Ap, lda, B + j * csb, rsb, csb, C + j * ldc, ldc,
                                     rows, accumulate, bias);
}

}  // namespace

template <class S>
void small_gemm(StridedView<S> A, StridedView<S> B, S* C, Index ldc, bool accumulate, const S* bias,
                const Epilogue& epilogue) {
  constexpr Index W = packet_size<S>;
  const Index m = A.rows, k = A.cols, n = B.cols;
  eigen_assert(B.rows == k);
  // A must be column-major with whole packets of rows; otherwise copy it (m·k elements against
  // m·n·k multiply-adds) into a zero-padded buffer that stays allocated for the next call.
  const Index lda_padded = (m + W - 1) / W * W;
  const S* Ap = A.data;
  Index lda = A.col_stride;
  if (A.row_stride != 1 || m % W != 0) {
    thread_local std::vector<S> packed;
    packed.resize(std::size_t(lda_padded * k));
    for (Index p = 0; p < k; ++p) {
      S* col = packed.data() + p * lda_padded;
      for (Index i = 0; i < m; ++i) col[i] = A.data[i * A.row_stride + p * A.col_stride];
      std::fill(col + m, col + lda_padded, S(0));
    }
    Ap = packed.data();
    lda = lda_padded;
  }
  if (bias && m % W != 0) {  // the last row block reads whole packets of the bias too
    thread_local std::vector<S> padded;
    padded.assign(std::size_t(lda_padded), S(0));
    std::copy(bias, bias + m, padded.begin());
    bias = padded.data();
  }
  // Panels of small_gemm_panel columns, each finished (all row blocks, then the epilogue) while
  // it is in L1. Row blocks of 4, 2, 1 packets; 24 accumulators leave registers for A and B.
  for (Index j0 = 0; j0 < n; j0 += small_gemm_panel) {
    const Index nc = std::min(small_gemm_panel, n - j0);
    const S* b = B.data + j0 * B.col_stride;
    for (Index i0 = 0; i0 < m;) {
      const Index rows_left = m - i0, packets = (rows_left + W - 1) / W;
      const auto run = [&](auto kernel, Index rows) {
        kernel(nc, k, Ap + i0, lda, b, B.row_stride, B.col_stride, C + i0 + j0 * ldc, ldc, rows,
               accumulate, bias ? bias + i0 : nullptr);
        i0 += rows;
      };
      if (packets >= 4)
        run(column_blocks<S, 4, 6>, std::min(rows_left, 4 * W));
      else if (packets >= 2)
        run(column_blocks<S, 2, 12>, std::min(rows_left, 2 * W));
      else
        run(column_blocks<S, 1, 16>, std::min(rows_left, W));
    }
    if (epilogue) epilogue(j0, nc);
  }
}

template <class S>
bool prefer_small_gemm(Index m, Index n, Index k) {
  return m >= packet_size<S> && double(m) * double(n) * double(k) < 2e6;
}

template void small_gemm<float>(StridedView<float>, StridedView<float>, float*, Index, bool,
                                const float*, const Epilogue&);
template void small_gemm<double>(StridedView<double>, StridedView<double>, double*, Index, bool,
                                 const double*, const Epilogue&);
template bool prefer_small_gemm<float>(Index, Index, Index);
template bool prefer_small_gemm<double>(Index, Index, Index);

}  // namespace nnlab
