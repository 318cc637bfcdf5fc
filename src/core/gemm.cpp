#include "nnlab/core/gemm.hpp"

#include <xmmintrin.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "nnlab/core/packet.hpp"

namespace nnlab {

namespace {

using Eigen::internal::ploadu;
using Eigen::internal::pmadd;
using Eigen::internal::pset1;
using Eigen::internal::pstoreu;
using detail::load_first;
using detail::Packet;
using detail::packet_size;
using detail::store_first;

// C(rows × NR) (+)= Ap(MR packets × k) · B(k × NR). Ap is column-major with leading dimension lda
// (rows beyond `rows` readable up to MR packets); acc stays in registers. Narrow
// blocks split the k loop over U sets of accumulators, so that at least 8 independent
// multiply-add chains hide the FMA latency.
template <class S, int MR, int NR, bool prefetch_b>
void micro_kernel(Index k, const S* Ap, Index lda, const S* B, Index rsb, Index csb, S* C, Index ldc,
                  Index rows, bool accumulate, const S* bias) {
  using P = Packet<S>;
  constexpr Index W = packet_size<S>;
  constexpr int U = MR * NR >= 8 ? 1 : MR * NR >= 4 ? 2 : 4;
  // Every loop over u, i, j is unrolled by force: a loop left rolled indexes acc at run time,
  // which puts all accumulators on the stack around the k loop (~100 extra loads and stores per
  // block, a third of the time of a k = 32 block).
  P acc[U][MR][NR];
#pragma GCC unroll 4
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j)
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i)
        acc[u][i][j] = bias && u == 0 ? ploadu<P>(bias + i * W) : pset1<P>(S(0));
  Index p = 0;
  for (; p < k; p += U) {
    // Split sets u = 1.. take their step only while p + u < k, so a ragged k needs no second loop.
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) {
      if (u > 0 && p + u >= k) break;
      P a[MR];
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i) a[i] = ploadu<P>(Ap + (p + u) * lda + i * W);
      const S* b = B + (p + u) * rsb;
      // B's rows a long stride apart (prefetch_b): the hardware prefetchers do not follow them,
      // so fetch the line 8 steps ahead (1.1× on a weight gradient over 1000 samples,
      // bench/gemm_bench).
      if constexpr (prefetch_b)
        _mm_prefetch(reinterpret_cast<const char*>(b + 8 * rsb), _MM_HINT_T0);
#pragma GCC unroll 16
      for (int j = 0; j < NR; ++j) {
        const P bj = pset1<P>(b[j * csb]);
#pragma GCC unroll 4
        for (int i = 0; i < MR; ++i) acc[u][i][j] = pmadd(a[i], bj, acc[u][i][j]);
      }
    }
  }
#pragma GCC unroll 4
  for (int u = 1; u < U; ++u)
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j)
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i) acc[0][i][j] = Eigen::internal::padd(acc[0][i][j], acc[u][i][j]);
  if (rows == MR * W) {
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j)
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i) {
        S* c = C + j * ldc + i * W;
        pstoreu(c, accumulate ? Eigen::internal::padd(ploadu<P>(c), acc[0][i][j]) : acc[0][i][j]);
      }
    return;
  }
  // The last row block: the rows that exist, whole packets and then the first lanes of one.
  const Index whole = rows / W, rest = rows % W;
#pragma GCC unroll 16
  for (int j = 0; j < NR; ++j) {
    S* c = C + j * ldc;
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i) {
      const P& sum = acc[0][i][j];
      if (i < whole)
        pstoreu(c + i * W, accumulate ? Eigen::internal::padd(ploadu<P>(c + i * W), sum) : sum);
      else if (i == whole && rest > 0)
        store_first(c + i * W, accumulate ? Eigen::internal::padd(load_first(c + i * W, rest), sum) : sum, rest);
    }
  }
}

// The micro-kernel's shape: MR packets of rows × NR columns.
template <int MR, int NR>
struct Shape {};
constexpr int vector_registers = EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS;

// Columns [0, n) of one row block: NR columns at a time, the rest by narrower blocks.
template <class S, int MR, int NR, bool prefetch_b>
void column_blocks(Index n, Index k, const S* Ap, Index lda, const S* B, Index rsb, Index csb,
                   S* C, Index ldc, Index rows, bool accumulate, const S* bias) {
  Index j = 0;
  for (; j + NR <= n; j += NR)
    micro_kernel<S, MR, NR, prefetch_b>(k, Ap, lda, B + j * csb, rsb, csb, C + j * ldc, ldc, rows,
                                        accumulate, bias);
  constexpr int narrower = NR > 4 ? NR / 2 : NR - 1;
  if constexpr (NR > 1)
    if (j < n)
      column_blocks<S, MR, narrower, prefetch_b>(n - j, k, Ap, lda, B + j * csb, rsb, csb,
                                                 C + j * ldc, ldc, rows, accumulate, bias);
}

// C (+)= A·B + b 1ᵀ for at most half a packet of rows (a network's 1-unit output layer) when B's
// columns are contiguous: each entry is a dot product of a row of A (packed contiguous in Ar) and
// a column of B, a packet of columns at a time: as many multiply-add chains as lanes hide the FMA
// latency, and one transpose turns the packets of partial sums into a packet of dot products.
template <class S>
void few_rows(const S* Ar, Index m, Index k, StridedView<S> B, S* C, Index ldc, bool accumulate,
              const S* bias, const Epilogue& epilogue) {
  using P = Packet<S>;
  constexpr Index W = packet_size<S>, NC = W;
  const Index n = B.cols, k_vec = k / W * W;
  const auto finish = [&](Index i, Index j, S dot) {
    S& c = C[i + j * ldc];
    if (bias) dot += bias[i];
    c = accumulate ? c + dot : dot;
  };
  for (Index j0 = 0; j0 < n; j0 += gemm_panel) {
    const Index j_end = std::min(n, j0 + gemm_panel);
    for (Index i = 0; i < m; ++i) {
      const S* a = Ar + i * k;
      Index j = j0;
      for (; j + NC <= j_end; j += NC) {
        const S* b = B.data + j * B.col_stride;
        P acc[NC];  // unrolled by force, as in micro_kernel, so that acc stays in registers
#pragma GCC unroll 16
        for (Index c = 0; c < NC; ++c) acc[c] = pset1<P>(S(0));
        for (Index p = 0; p < k_vec; p += W) {
          const P ap = ploadu<P>(a + p);
#pragma GCC unroll 16
          for (Index c = 0; c < NC; ++c) acc[c] = pmadd(ap, ploadu<P>(b + c * B.col_stride + p), acc[c]);
        }
        if (k_vec < k) {  // a ragged k: its end as the first lanes of one more packet
          const P ap = load_first(a + k_vec, k - k_vec);
#pragma GCC unroll 16
          for (Index c = 0; c < NC; ++c)
            acc[c] = pmadd(ap, load_first(b + c * B.col_stride + k_vec, k - k_vec), acc[c]);
        }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // the vector type's alignment, as in Eigen
        Eigen::internal::PacketBlock<P, NC> sums;
#pragma GCC diagnostic pop
#pragma GCC unroll 16
        for (Index c = 0; c < NC; ++c) sums.packet[c] = acc[c];
        Eigen::internal::ptranspose(sums);
        P dots = sums.packet[0];
#pragma GCC unroll 16
        for (Index c = 1; c < NC; ++c) dots = Eigen::internal::padd(dots, sums.packet[c]);
        if (ldc != 1) {  // C's row is strided: finish column by column
          alignas(64) S dot[NC];
          pstoreu(dot, dots);
          for (Index c = 0; c < NC; ++c) finish(i, j + c, dot[c]);
          continue;
        }
        if (bias) dots = Eigen::internal::padd(dots, pset1<P>(bias[i]));
        S* c = C + j;  // m = 1 here: C's row is contiguous
        pstoreu(c, accumulate ? Eigen::internal::padd(ploadu<P>(c), dots) : dots);
      }
      for (; j < j_end; ++j) {
        const S* b = B.data + j * B.col_stride;
        P acc = pset1<P>(S(0));
        for (Index p = 0; p < k_vec; p += W) acc = pmadd(ploadu<P>(a + p), ploadu<P>(b + p), acc);
        if (k_vec < k)
          acc = pmadd(load_first(a + k_vec, k - k_vec), load_first(b + k_vec, k - k_vec), acc);
        finish(i, j, Eigen::internal::predux(acc));
      }
    }
    if (epilogue) epilogue(j0, j_end - j0);
  }
}

// The W × W block at src (rows src_stride apart) transposed through registers into dst (rows
// dst_stride apart): W packet loads, W packet stores.
template <class S>
void transpose_block(const S* src, Index src_stride, S* dst, Index dst_stride) {
  using P = Packet<S>;
  constexpr Index W = packet_size<S>;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // the vector type's alignment, as in Eigen
  Eigen::internal::PacketBlock<P, W> block;
#pragma GCC diagnostic pop
#pragma GCC unroll 16
  for (Index r = 0; r < W; ++r) block.packet[r] = ploadu<P>(src + r * src_stride);
  Eigen::internal::ptranspose(block);
#pragma GCC unroll 16
  for (Index c = 0; c < W; ++c) pstoreu(dst + c * dst_stride, block.packet[c]);
}

// Ap = A in row blocks of R rows (R a multiple of the packet), each block k × R contiguous with
// its rows beyond m zero: element (i, p) at (i / R)·R·k + p·R + i mod R. A micro-kernel then reads
// its slice of A as one sequential stream. Read in place, a 128-row block of a 512-row W has its
// columns 2 KB apart (float), which fall into 2 of L1's 64 sets and 32 of L2's 1024: the block's
// slice could not stay in either cache between the column blocks that reuse it. A row-major A (a
// transposed weight matrix) is transposed in blocks of W × W (transpose_block): copied element by
// element, its 512×512 float Wᵀ took longer than the product it feeds.
template <class S, Index R>
void pack(StridedView<S> A, S* Ap) {
  using P = Packet<S>;
  constexpr Index W = packet_size<S>;
  const Index m = A.rows, k = A.cols;
  if (m == 0) return;  // nothing to copy, and no column of A to prefetch
  const auto at = [&](Index i, Index p) { return Ap + (i / R) * R * k + p * R + i % R; };
  const Index m_padded = (m + R - 1) / R * R;
  constexpr Index line = 64 / Index(sizeof(S));
  if (A.row_stride == 1) {  // column-major: each block's column is a copy of R contiguous rows
    // Column by column through all the blocks, so that each column's m rows are read as one
    // contiguous run. Block by block, each read was one line (with AVX2) a column stride away,
    // where the hardware prefetchers do not follow: in the 1-thread epoch on an AMD Zen 3, gemm's
    // own code took 9% of the time, most of it waiting in this copy; W·Z on a batch of 128 now
    // takes 0.85–0.93× the time (bench/gemm_bench.cpp's shapes, both versions alternated in one
    // process).
    const Index whole = m / R * R;
    for (Index p = 0; p < k; ++p) {
      const S* a = A.data + p * A.col_stride;
      // The next columns are a long stride away, often on another page: fetch them 8 ahead.
      if (p + 8 < k) {
        const S* ahead = a + 8 * A.col_stride;
        for (Index r = 0; r < m; r += line)
          _mm_prefetch(reinterpret_cast<const char*>(ahead + r), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(ahead + m - 1), _MM_HINT_T0);
      }
      for (Index i0 = 0; i0 < whole; i0 += R) {
        S* out = at(i0, p);
#pragma GCC unroll 8
        for (Index r = 0; r < R; r += W) pstoreu(out + r, ploadu<P>(a + i0 + r));
      }
      if (whole < m) {  // the last block: no library call per column (a memmove call cost 12%)
        S* out = at(whole, p);
        Index r = 0;
        for (; r + W <= m - whole; r += W) pstoreu(out + r, ploadu<P>(a + whole + r));
        if (r < m - whole) {
          pstoreu(out + r, load_first(a + whole + r, m - whole - r));
          r += W;
        }
        for (; r < R; r += W) pstoreu(out + r, pset1<P>(S(0)));
      }
    }
    return;
  }
  Index m_blocks = 0, k_blocks = 0;  // rows and columns done by whole W × W blocks
  if (A.col_stride == 1) {
    m_blocks = m / W * W;
    k_blocks = k / W * W;
    for (Index i0 = 0; i0 < m_blocks; i0 += W)
      for (Index p0 = 0; p0 < k_blocks; p0 += W)
        transpose_block(A.data + i0 * A.row_stride + p0, A.row_stride, at(i0, p0), R);
  }
  for (Index p = 0; p < k; ++p) {
    for (Index i = p < k_blocks ? m_blocks : 0; i < m; ++i)
      *at(i, p) = A.data[i * A.row_stride + p * A.col_stride];
    // the last block's rows past m
    if (m < m_padded) std::fill(at(m, p), at(m, p) + (m_padded - m), S(0));
  }
}

}  // namespace

template <class S>
void copy_column_major(StridedView<S> B, S* dst) {
  constexpr Index W = packet_size<S>;
  const Index k = B.rows, n = B.cols;
  const bool row_major = B.col_stride == 1;
  const Index k_blocks = row_major ? k / W * W : 0, n_blocks = row_major ? n / W * W : 0;
  // W rows at a time, block after block along them: the blocks read each line of B whole, once.
  for (Index p0 = 0; p0 < k_blocks; p0 += W)
    for (Index j0 = 0; j0 < n_blocks; j0 += W)
      transpose_block(B.data + p0 * B.row_stride + j0, B.row_stride, dst + j0 * k + p0, k);
  for (Index j = 0; j < n; ++j)
    for (Index p = j < n_blocks ? k_blocks : 0; p < k; ++p)
      dst[j * k + p] = B.data[p * B.row_stride + j * B.col_stride];
}

template <class S>
void gemm(StridedView<S> A, StridedView<S> B, S* C, Index ldc, bool accumulate, const S* bias,
          const Epilogue& epilogue) {
  constexpr Index W = packet_size<S>;
  const Index m = A.rows, k = A.cols, n = B.cols;
  eigen_assert(B.rows == k);
  // Few rows, each a dot product along B's contiguous columns, when they are at least a packet
  // long: shorter, the lanes would be mostly the masked-off end, against one FMA per column and k
  // in a micro-kernel (few_rows took 3/4 of a float 2-8-8-1 tanh step).
  if (2 * m <= W && k >= W && B.row_stride == 1) {
    thread_local std::vector<S> rows;
    rows.resize(std::size_t(m * k));
    for (Index i = 0; i < m; ++i)
      for (Index p = 0; p < k; ++p) rows[std::size_t(i * k + p)] = A.data[i * A.row_stride + p * A.col_stride];
    few_rows(rows.data(), m, k, B, C, ldc, accumulate, bias, epilogue);
    return;
  }
  if (m == 1 && n > 1 && B.col_stride == 1 && ldc == 1 && !bias && !epilogue) {
    // One row times a row-major B: transposed, Cᵀ = Bᵀ Aᵀ is a column-major product of n rows.
    gemm(StridedView<S>{B.data, n, k, 1, B.row_stride},
         StridedView<S>{A.data, k, 1, A.col_stride, A.row_stride}, C, n, accumulate);
    return;
  }
  // A is packed into row blocks of up to R rows (see pack), m·k copies against m·n·k multiply-adds,
  // into a buffer that stays allocated for the next call: when its layout requires it, when it is
  // misaligned and more than one panel of columns reads it (a packet load that straddles two lines
  // made a 128×1000·512 product 1.17× slower, bench/gemm_bench, Intel Xeon), and when it is larger
  // than L1 and more than two panels read it. With one or two panels the copy costs about what it
  // saves (a 64×64·4096 double Δ·Zᵀ lost 24%). The buffer is aligned to a packet (a 64-byte line
  // with AVX-512). Row block i0's slice from p0 starts at
  // (i0 / block)·block_stride + i0 mod block + p0·lda.
  constexpr Index R = (vector_registers >= 32 ? 4 : 2) * W;
  const S* Ap = A.data;
  Index lda = A.col_stride, block = R, block_stride = R;
  const bool aligned = reinterpret_cast<std::uintptr_t>(A.data) % sizeof(Packet<S>) == 0 &&
                       A.col_stride % W == 0;
  if (A.row_stride != 1 || m % W != 0 || (!aligned && n > gemm_panel) ||
      (n > 2 * gemm_panel && m * k * Index(sizeof(S)) > 32 * 1024)) {
    // Fewer than R rows go in blocks of one or two packets (the tallest micro-kernel that reads
    // them), not in one block padded to R: a float 8 × 256 δ took 64 values a column, 8× its size.
    const Index packets = (m + W - 1) / W;
    block = packets >= R / W ? R : packets >= 2 ? 2 * W : W;
    thread_local std::vector<S, Eigen::aligned_allocator<S>> packed;
    packed.resize(std::size_t((m + block - 1) / block * block * k));
    if (block == W)
      pack<S, W>(A, packed.data());
    else if (block == 2 * W)
      pack<S, 2 * W>(A, packed.data());
    else
      pack<S, R>(A, packed.data());
    Ap = packed.data();
    lda = block;
    block_stride = block * k;
  }
  if (bias && m % W != 0) {  // the last row block reads whole packets of the bias too
    thread_local std::vector<S, Eigen::aligned_allocator<S>> padded;
    padded.assign(std::size_t((m + W - 1) / W * W), S(0));
    std::copy(bias, bias + m, padded.begin());
    bias = padded.data();
  }
  // A row-major B (the Δ·Zᵀ of a weight gradient) puts each step's values on a new line. Over a
  // long k, where a panel's lines outnumber L1's and its rows a power-of-two stride apart crowd
  // into few sets, and for more than two row blocks to reuse it, each panel is packed column by
  // column (copy_column_major): on 1000 samples 1.09–1.30× in float (bench/gemm_bench, AMD Zen 3), on a
  // batch of 128 0.93×. Otherwise the kernel prefetches B's rows (see micro_kernel).
  const bool row_major_b = B.col_stride == 1 && B.row_stride >= W;
  const bool pack_b = row_major_b && m > 2 * R && k > 256;
  const bool prefetch_b = row_major_b && !pack_b;
  // Slices of at most gemm_depth along k, so that a block's rows of A and columns of B
  // stay in L2 and L1 however long k is; slices after the first accumulate, without the bias.
  // In each, panels of gemm_panel columns, each finished (all row blocks, then in the last
  // slice the epilogue) while it is in L1. Row blocks as wide as the registers allow: with 32
  // (AVX-512) 4, 2, 1 packets × 6, 12, 16 columns, with 16 (AVX2) 2, 1 packets × 6, 12; the
  // accumulators leave registers for A and B.
  for (Index p0 = 0; p0 == 0 || p0 < k; p0 += gemm_depth) {  // once even if k = 0: C = b 1ᵀ
    const Index kc = std::min(gemm_depth, k - p0);
    const bool first = p0 == 0, last = p0 + kc == k;
    for (Index j0 = 0; j0 < n; j0 += gemm_panel) {
      const Index nc = std::min(gemm_panel, n - j0);
      const S* b = B.data + j0 * B.col_stride + p0 * B.row_stride;
      Index rsb = B.row_stride, csb = B.col_stride;
      if (pack_b) {
        thread_local std::vector<S, Eigen::aligned_allocator<S>> panel;
        panel.resize(std::size_t(kc * nc));
        copy_column_major(StridedView<S>{b, kc, nc, rsb, 1}, panel.data());
        b = panel.data();
        rsb = 1;
        csb = kc;
      }
      for (Index i0 = 0; i0 < m;) {
        const Index rows_left = m - i0, packets = (rows_left + W - 1) / W;
        const auto run = [&]<int MR, int NR>(Shape<MR, NR>) {
          const auto kernel = prefetch_b ? column_blocks<S, MR, NR, true> : column_blocks<S, MR, NR, false>;
          const Index rows = std::min(rows_left, MR * W);
          // (with k = 0 Ap may be null, and no offset may be added to it)
          const S* a = k == 0 ? Ap : Ap + (i0 / block) * block_stride + i0 % block + p0 * lda;
          kernel(nc, kc, a, lda, b, rsb, csb, C + i0 + j0 * ldc, ldc, rows, accumulate || !first,
                 bias && first ? bias + i0 : nullptr);
          i0 += rows;
        };
        if constexpr (vector_registers >= 32) {
          if (packets >= 4)
            run(Shape<4, 6>{});
          else if (packets >= 2)
            run(Shape<2, 12>{});
          else
            run(Shape<1, 16>{});
        } else {
          if (packets >= 2)
            run(Shape<2, 6>{});
          else
            run(Shape<1, 12>{});
        }
      }
      if (epilogue && last) epilogue(j0, nc);
    }
  }
}

template void gemm<float>(StridedView<float>, StridedView<float>, float*, Index, bool, const float*,
                          const Epilogue&);
template void gemm<double>(StridedView<double>, StridedView<double>, double*, Index, bool,
                           const double*, const Epilogue&);
template void copy_column_major<float>(StridedView<float>, float*);
template void copy_column_major<double>(StridedView<double>, double*);

}  // namespace nnlab
