#include "nnlab/analysis/hessian.hpp"

#include <Eigen/Eigenvalues>
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <numeric>
#include <type_traits>

#include "nnlab/core/error.hpp"

namespace nnlab::analysis {

namespace {

// ---------------------------------------------------------------- streams over the basis
// Reorthogonalization is memory-bound: each pass reads the whole basis Q (D × k) once for k
// multiply-adds per row. The passes below walk Q in blocks of kRows rows, so that the columns of a
// block stay in L2 between the two uses of the fused pass; per-block partial sums are added in
// block order, so results do not depend on which thread ran which block.
constexpr Index kRows = 2048;

Index row_blocks(Index dim) { return (dim + kRows - 1) / kRows; }

// body(b) for every block b, on the pool if any, each under the caller's floating-point mode
// (flush-to-zero or not), whichever thread runs it.
template <class Body>
void for_each_block(ThreadPool* pool, Index blocks, const Body& body) {
  const unsigned csr = _mm_getcsr();
  const auto block = [&](std::size_t b) {
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(csr);
    body(Index(b));
    _mm_setcsr(saved);
  };
  if (pool && pool->size() > 1 && blocks > 1)
    pool->parallel_for(std::size_t(blocks), block);
  else
    for (Index b = 0; b < blocks; ++b) block(std::size_t(b));
}

// A standard normal vector, normal(rng) entry by entry: the random start of Lanczos and of power
// iteration. Box–Muller's log and cos take ~29 ns an entry (19 ms for the 669,706 parameters of
// 784-512-512-10, 0.65 ms of each of 30 Lanczos iterations on an AMD Zen 5), so blocks of rows
// run on the pool, each from a copy of rng advanced past the two draws of every entry before it:
// the bits drawn in order, and rng left where that order leaves it.
Vec<double> gaussian_start(Index dim, Rng& rng, ThreadPool* pool) {
  Vec<double> v(dim);
  for_each_block(pool, row_blocks(dim), [&](Index b) {
    Rng block = rng;
    block.advance(Rng::state_type(2 * b * kRows));
    for (Index i = b * kRows, end = std::min(i + kRows, dim); i < end; ++i) v[i] = normal(block);
  });
  rng.advance(Rng::state_type(2 * dim));
  return v;
}

// The kernels of the passes, on C ≤ 4 columns q_c of one row block at a time (so that each entry
// of w is loaded once per 4 columns), all sums in double. With AVX-512 or AVX2 a column's floats
// are widened a register (8 or 4 lanes) at a time; the plain loops are for builds with neither
// (one column at a time, they read a 30-column float basis at 3 GB/s on an Intel Xeon, the
// AVX-512 kernels at 12–15 GB/s).
#if defined(__AVX512F__) && defined(__AVX512VL__)
#define NNLAB_HESSIAN_SIMD
struct Lanes {
  using V = __m512d;
  static constexpr Index size = 8;
  static __mmask8 first(Index r) { return __mmask8((1u << r) - 1); }
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(double x) { return _mm512_set1_pd(x); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V load(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
  // The first r < size lanes, the others 0.
  static V load(const double* p, Index r) { return _mm512_maskz_loadu_pd(first(r), p); }
  static V load(const float* p, Index r) { return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(first(r), p)); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static void store(double* p, V v, Index r) { _mm512_mask_storeu_pd(p, first(r), v); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V fnmadd(V a, V b, V c) { return _mm512_fnmadd_pd(a, b, c); }
  static double sum(V v) { return _mm512_reduce_add_pd(v); }
};
#elif defined(__AVX2__) && defined(__FMA__)
#define NNLAB_HESSIAN_SIMD
struct Lanes {
  using V = __m256d;
  static constexpr Index size = 4;
  static __m256i first64(Index r) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static __m128i first32(Index r) { return _mm_cmpgt_epi32(_mm_set1_epi32(int(r)), _mm_setr_epi32(0, 1, 2, 3)); }
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(double x) { return _mm256_set1_pd(x); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static V load(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
  // The first r < size lanes, the others 0.
  static V load(const double* p, Index r) { return _mm256_maskload_pd(p, first64(r)); }
  static V load(const float* p, Index r) { return _mm256_cvtps_pd(_mm_maskload_ps(p, first32(r))); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static void store(double* p, V v, Index r) { _mm256_maskstore_pd(p, first64(r), v); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V fnmadd(V a, V b, V c) { return _mm256_fnmadd_pd(a, b, c); }
  static double sum(V v) {
    const __m128d half = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
  }
};
#endif

#ifdef NNLAB_HESSIAN_SIMD
// The passes read up to 4 columns and w side by side, each stream 2048 rows of a block before the
// next group's. With the hardware prefetcher alone the 30-column float passes read 12–14 GB/s on
// an AMD Zen 5 that streams one array at 31 GB/s; asking for each column's line 2 KB ahead took a
// copy of the projection kernel from 8 to 22–24 GB/s, and helps the AVX2 build there as much
// (docs/benchmarks.md, session 19; not yet measured on Zen 3 or Intel). Past a block's end it
// fetches the same column's next block, which the next block reads. w (and u) are not prefetched:
// every group after the first finds them in L1, and prefetching them too gained nothing.
template <class T>
void prefetch_ahead(const T* p) {
  _mm_prefetch(reinterpret_cast<const char*>(p) + 2048, _MM_HINT_T0);
}

// x_c = q_cᵀ w and, unless u is nullptr_t, y_c = q_cᵀ u, for c < C, over n rows.
template <int C, class B, class U>
void column_dots(const B* const* q, const double* w, const U* u, Index n, double* x, double* y) {
  using L = Lanes;
  constexpr bool with_u = !std::is_same_v<U, std::nullptr_t>;
  L::V ax[C], ay[C];
  for (int c = 0; c < C; ++c) ax[c] = ay[c] = L::zero();
  const auto step = [&](Index i, auto load) {
    const L::V wv = load(w + i);
    L::V uv = L::zero();
    if constexpr (with_u) uv = load(u + i);
    for (int c = 0; c < C; ++c) {
      const L::V qv = load(q[c] + i);
      ax[c] = L::fmadd(qv, wv, ax[c]);
      if constexpr (with_u) ay[c] = L::fmadd(qv, uv, ay[c]);
    }
  };
  Index i = 0;
  for (; i + L::size <= n; i += L::size) {
    for (int c = 0; c < C; ++c) prefetch_ahead(q[c] + i);
    step(i, [](const auto* p) { return L::load(p); });
  }
  if (i < n) step(i, [r = n - i](const auto* p) { return L::load(p, r); });
  for (int c = 0; c < C; ++c) {
    x[c] = L::sum(ax[c]);
    if constexpr (with_u) y[c] = L::sum(ay[c]);
  }
}

// w ← w − Σ_c h_c q_c over n rows.
template <int C, class B>
void subtract_columns(const B* const* q, const double* h, double* w, Index n) {
  using L = Lanes;
  L::V hv[C];
  for (int c = 0; c < C; ++c) hv[c] = L::set1(h[c]);
  Index i = 0;
  for (; i + L::size <= n; i += L::size) {
    for (int c = 0; c < C; ++c) prefetch_ahead(q[c] + i);
    L::V wv = L::load(w + i);
    for (int c = 0; c < C; ++c) wv = L::fnmadd(L::load(q[c] + i), hv[c], wv);
    L::store(w + i, wv);
  }
  if (i < n) {
    const Index r = n - i;
    L::V wv = L::load(w + i, r);
    for (int c = 0; c < C; ++c) wv = L::fnmadd(L::load(q[c] + i, r), hv[c], wv);
    L::store(w + i, wv, r);
  }
}
#else
template <class P, class R>
double dot(const P* q, const R* w, Index n) {
  double acc[16] = {};  // independent sums: vectorizable without reassociation
  Index i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) acc[l] += double(q[i + l]) * double(w[i + l]);
  for (int l = 0; i < n; ++i, ++l) acc[l] += double(q[i]) * double(w[i]);
  double s = 0;
  for (double a : acc) s += a;
  return s;
}

template <int C, class B, class U>
void column_dots(const B* const* q, const double* w, const U* u, Index n, double* x, double* y) {
  for (int c = 0; c < C; ++c) {
    x[c] = dot(q[c], w, n);
    if constexpr (!std::is_same_v<U, std::nullptr_t>) y[c] = dot(q[c], u, n);
  }
}

template <int C, class B>
void subtract_columns(const B* const* q, const double* h, double* w, Index n) {
  for (Index i = 0; i < n; ++i) {
    double wi = w[i];
    for (int c = 0; c < C; ++c) wi -= h[c] * double(q[c][i]);
    w[i] = wi;
  }
}
#endif

template <int C, class B>
void column_dots(const B* const* q, const double* w, Index n, double* x) {
  column_dots<C, B, std::nullptr_t>(q, w, nullptr, n, x, nullptr);
}

// f(std::integral_constant<int, C>{}, j) for the groups of C ≤ 4 columns j … j + C − 1 of 0 … k − 1.
template <class F>
void for_column_groups(Index k, const F& f) {
  Index j = 0;
  for (; j + 4 <= k; j += 4) f(std::integral_constant<int, 4>{}, j);
  switch (k - j) {
    case 3: f(std::integral_constant<int, 3>{}, j); break;
    case 2: f(std::integral_constant<int, 2>{}, j); break;
    case 1: f(std::integral_constant<int, 1>{}, j); break;
    default: break;
  }
}

// The orthonormal Lanczos vectors q_1 … q_m as the columns of one D × m matrix in precision B,
// and the passes of classical Gram–Schmidt over its first k columns.
template <class B>
class LanczosBasis {
 public:
  LanczosBasis(Index dim, Index capacity, ThreadPool* pool)
      : Q_(dim, capacity), pool_(pool), blocks_(row_blocks(dim)) {}

  Index dim() const { return Q_.rows(); }
  Mat<B>& matrix() { return Q_; }

  // Q_k ← B(w / s), and q ← the stored column in double: the product is taken of exactly the
  // vector the basis holds.
  void store(Index k, const Vec<double>& w, double s, Vec<double>& q) {
    B* col = Q_.col(k).data();
    q.resize(dim());
    for_each_block(pool_, blocks_, [&](Index b) {
      for (Index i = b * kRows, end = std::min(i + kRows, dim()); i < end; ++i) {
        col[i] = B(w[i] / s);
        q[i] = double(col[i]);
      }
    });
  }

  // Pass A, one read of Q_1..k: h = Q_kᵀ w, and g = Q_kᵀ q_k (q_k the last column), the measured
  // orthogonality of the newest vector against all before it (and its norm).
  void project(Index k, const Vec<double>& w, Vec<double>& h, Vec<double>& g) {
    partial_.resize(2 * k, blocks_);
    for_each_block(pool_, blocks_, [&](Index b) {
      const Index r0 = b * kRows, n = std::min(kRows, dim() - r0);
      const B* last = Q_.col(k - 1).data() + r0;
      for_column_groups(k, [&](auto group, Index j) {
        constexpr int C = decltype(group)::value;
        column_dots<C>(columns<C>(j, r0).data(), w.data() + r0, last, n, &partial_(j, b), &partial_(k + j, b));
      });
    });
    sum_blocks(0, k, h);
    sum_blocks(k, k, g);
  }

  // Pass B, one read of Q_1..k: w ← w − Q_k h, and ‖w‖², block by block while the block is in
  // cache; with h2 (the pass after a projection) also h2 = Q_kᵀ w, how far the result still is
  // from ⟂ Q_k, fused into the same read. Without it, the third pass (a second subtraction).
  double subtract(Index k, const Vec<double>& h, Vec<double>& w, Vec<double>* h2) {
    const Index norm_row = h2 ? k : 0;
    partial_.resize(norm_row + 1, blocks_);
    for_each_block(pool_, blocks_, [&](Index b) {
      const Index r0 = b * kRows, n = std::min(kRows, dim() - r0);
      double* wb = w.data() + r0;
      for_column_groups(k, [&](auto group, Index j) {
        constexpr int C = decltype(group)::value;
        subtract_columns<C>(columns<C>(j, r0).data(), h.data() + j, wb, n);
      });
      if (h2)
        for_column_groups(k, [&](auto group, Index j) {
          constexpr int C = decltype(group)::value;
          column_dots<C>(columns<C>(j, r0).data(), wb, n, &partial_(j, b));
        });
      column_dots<1>(&wb, wb, n, &partial_(norm_row, b));
    });
    if (h2) sum_blocks(0, k, *h2);
    return partial_.row(norm_row).sum();
  }

 private:
  // Rows r0… of the columns j … j + C − 1.
  template <int C>
  std::array<const B*, C> columns(Index j, Index r0) const {
    std::array<const B*, C> q;
    for (int c = 0; c < C; ++c) q[c] = Q_.col(j + c).data() + r0;
    return q;
  }

  void sum_blocks(Index row, Index k, Vec<double>& out) const {
    out.setZero(k);
    for (Index b = 0; b < blocks_; ++b) out += partial_.col(b).segment(row, k);
  }

  Mat<B> Q_;
  ThreadPool* pool_;
  Index blocks_;
  Mat<double> partial_;  // per-block partial sums, one column per block
};

// How far from ⟂ Q_k one pass of Gram–Schmidt may leave w, relative to ‖w‖, before a second pass is
// applied: 2⁻⁴⁰ ≈ 9e-13 for a double basis (one pass leaves 1e-16…1e-13 on network Hessians, more
// once Ritz values converge and w is mostly cancellation), 2⁻²⁴ ≈ 6e-8 for a float one, the rounding
// of its own entries. The test is the measured h₂ = Q_kᵀw itself ("twice is enough", Kahan–Parlett,
// with the second pass skipped only when it would change nothing the basis can hold).
template <class B>
constexpr double kept_error() {
  return std::is_same_v<B, float> ? 0x1p-24 : 0x1p-40;
}

template <class B>
Spectrum lanczos_in(const HvpFn& hvp, const Vec<double>& start, double start_norm, int iterations,
                    ThreadPool* pool) {
  const Index dim = start.size();
  const Index m_max = std::min<Index>(iterations, dim);
  LanczosBasis<B> basis(dim, m_max, pool);
  std::vector<double> alpha, beta;  // T's diagonal and off-diagonal; beta[j] couples q_j, q_{j+1}
  Vec<double> q, w, h, g, h2;
  basis.store(0, start, start_norm, q);
  double beta_last = 0;  // β_m, the norm of the part of H q_m outside the Krylov space
  double norm_T = 0;     // a lower bound on ‖H‖, the scale of "β_m = 0"
  double orthogonality = 0;
  int second_passes = 0;
  for (Index j = 0; j < m_max; ++j) {
    const Index k = j + 1;
    hvp(q, w);
    require(w.size() == dim, "Lanczos: the product has {} entries, the operator dimension is {}",
            w.size(), dim);
    // w ⟂ q_1 … q_k by classical Gram–Schmidt: h = Q_kᵀ w (α_k = h_k), then w − Q_k h.
    basis.project(k, w, h, g);
    g[j] -= 1;
    orthogonality = std::max(orthogonality, g.cwiseAbs().maxCoeff());
    alpha.push_back(h[j]);
    beta_last = std::sqrt(basis.subtract(k, h, w, &h2));
    // One pass loses orthogonality once Ritz values converge (w is then mostly cancellation):
    // a second pass whenever the first left more than the basis can hold.
    if (h2.norm() > kept_error<B>() * beta_last) {
      beta_last = std::sqrt(basis.subtract(k, h2, w, nullptr));
      alpha.back() += h2[j];
      ++second_passes;
    }
    norm_T = std::max({norm_T, std::abs(alpha.back()), beta_last});
    // The Krylov space is invariant: T_m's eigenvalues are eigenvalues of H, exactly.
    if (beta_last <= 1e-12 * norm_T) break;
    if (k < m_max) {
      beta.push_back(beta_last);
      basis.store(k, w, beta_last, q);
    }
  }
  const auto m = Index(alpha.size());
  Eigen::SelfAdjointEigenSolver<Mat<double>> eig;
  Vec<double> diag = Eigen::Map<const Vec<double>>(alpha.data(), m);
  Vec<double> off = m > 1 ? Vec<double>(Eigen::Map<const Vec<double>>(beta.data(), m - 1)) : Vec<double>();
  eig.computeFromTridiagonal(diag, off, Eigen::ComputeEigenvectors);
  require(eig.info() == Eigen::Success, "Lanczos: the tridiagonal eigensolver did not converge");
  Spectrum s;
  s.iterations = int(m);
  s.ritz_coordinates = eig.eigenvectors().rowwise().reverse();  // Eigen sorts ascending
  for (Index i = 0; i < m; ++i) {
    s.ritz_values.push_back(eig.eigenvalues()[m - 1 - i]);
    s.residual_bounds.push_back(beta_last * std::abs(s.ritz_coordinates(m - 1, i)));
  }
  s.orthogonality = orthogonality;
  s.second_passes = second_passes;
  Mat<B>& Q = basis.matrix();
  if (m < Q.cols()) Q.conservativeResize(Eigen::NoChange, m);
  s.basis = std::move(Q);
  return s;
}

}  // namespace

Spectrum lanczos(const HvpFn& hvp, Index dim, int iterations, Rng& rng, const LanczosOptions& options) {
  require(dim >= 1, "Lanczos needs an operator of dimension ≥ 1, got {}", dim);
  return lanczos(hvp, gaussian_start(dim, rng, options.pool), iterations, options);
}

Spectrum lanczos(const HvpFn& hvp, const Vec<double>& start, int iterations, const LanczosOptions& options) {
  require(iterations >= 1, "Lanczos needs at least 1 iteration, got {}", iterations);
  require(start.size() >= 1, "Lanczos needs an operator of dimension ≥ 1, got {}", start.size());
  const double start_norm = start.norm();
  require(start_norm > 0 && std::isfinite(start_norm), "Lanczos needs a nonzero finite start vector");
  if (options.basis == BasisPrecision::float32)
    return lanczos_in<float>(hvp, start, start_norm, iterations, options.pool);
  return lanczos_in<double>(hvp, start, start_norm, iterations, options.pool);
}

Vec<double> Spectrum::ritz_vector(std::size_t i) const {
  require(i < ritz_values.size(), "ritz_vector({}): there are only {} Ritz values", i, ritz_values.size());
  return std::visit(
      [&](const auto& Q) {
        using B = typename std::decay_t<decltype(Q)>::Scalar;
        const Vec<double> minus_s = -ritz_coordinates.col(Index(i));
        Vec<double> u = Vec<double>::Zero(Q.rows());
        for (Index r0 = 0; r0 < Q.rows(); r0 += kRows)  // u − Q(−s), a block of u in cache at a time
          for_column_groups(Q.cols(), [&](auto group, Index j) {
            constexpr int C = decltype(group)::value;
            const B* q[C];
            for (int c = 0; c < C; ++c) q[c] = Q.col(j + c).data() + r0;
            subtract_columns<C>(q, minus_s.data() + j, u.data() + r0, std::min(kRows, Q.rows() - r0));
          });
        return Vec<double>(u / u.norm());  // unit also when the basis is orthonormal only to ~1e-8
      },
      basis);
}

double residual(const HvpFn& hvp, const Spectrum& spectrum, std::size_t i) {
  const Vec<double> u = spectrum.ritz_vector(i);
  Vec<double> Hu;
  hvp(u, Hu);
  return (Hu - spectrum.ritz_values[i] * u).norm();
}

PowerIteration power_iteration(const HvpFn& hvp, Index dim, int iterations, Rng& rng) {
  require(dim >= 1, "power iteration needs dim ≥ 1, got {}", dim);
  return power_iteration(hvp, gaussian_start(dim, rng, nullptr), iterations);
}

PowerIteration power_iteration(const HvpFn& hvp, const Vec<double>& start, int iterations) {
  require(iterations >= 1, "power iteration needs iterations ≥ 1, got {}", iterations);
  const double start_norm = start.norm();
  require(start_norm > 0 && std::isfinite(start_norm), "power iteration: the start must be nonzero and finite");
  Vec<double> v = start / start_norm, Hv;
  PowerIteration p;
  for (int k = 1; k <= iterations; ++k) {
    hvp(v, Hv);
    p.eigenvalue = v.dot(Hv);
    p.residual = (Hv - p.eigenvalue * v).norm();
    p.iterations = k;
    const double norm = Hv.norm();
    require(norm > 0 && std::isfinite(norm), "power iteration: H maps the iterate of step {} to {}", k,
            norm > 0 ? "a non-finite vector" : "0");
    if (k < iterations) v = Hv / norm;
  }
  return p;
}

TraceEstimate hutchinson_trace(const HvpFn& hvp, Index dim, int probes, Rng& rng) {
  require(probes >= 1, "Hutchinson's trace estimate needs at least 1 probe, got {}", probes);
  std::vector<double> samples;
  Vec<double> z(dim), Hz;
  for (int i = 0; i < probes; ++i) {
    for (Index k = 0; k < dim; ++k) z[k] = (rng() >> 63) ? 1.0 : -1.0;
    hvp(z, Hz);
    samples.push_back(z.dot(Hz));
  }
  TraceEstimate t;
  t.probes = probes;
  t.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / probes;
  if (probes > 1) {
    double ss = 0;
    for (double x : samples) ss += (x - t.mean) * (x - t.mean);
    t.standard_error = std::sqrt(ss / (probes - 1) / probes);
  }
  return t;
}

SpectralDensity spectral_density(const HvpFn& hvp, Index dim, int iterations, int probes, Rng& rng,
                                 const LanczosOptions& options) {
  require(probes >= 1, "the spectral density needs at least 1 probe, got {}", probes);
  SpectralDensity d;
  d.dim = dim;
  d.iterations = iterations;
  Vec<double> z(dim);
  for (int l = 0; l < probes; ++l) {
    for (Index k = 0; k < dim; ++k) z[k] = (rng() >> 63) ? 1.0 : -1.0;
    const Spectrum s = lanczos(hvp, z, iterations, options);
    std::vector<double> weights;
    for (Index j = 0; j < s.ritz_coordinates.cols(); ++j) weights.push_back(std::pow(s.ritz_coordinates(0, j), 2));
    d.nodes.push_back(s.ritz_values);
    d.weights.push_back(std::move(weights));
  }
  return d;
}

experiment::Estimate SpectralDensity::moment(int k) const {
  Vec<double> per_probe(Index(nodes.size()));
  for (std::size_t l = 0; l < nodes.size(); ++l) {
    double m = 0;
    for (std::size_t j = 0; j < nodes[l].size(); ++j) m += weights[l][j] * std::pow(nodes[l][j], k);
    per_probe(Index(l)) = m;
  }
  if (per_probe.size() == 1) return {per_probe(0), 0};
  return experiment::mean_estimate(per_probe);
}

double SpectralDensity::mass(double lo, double hi) const {
  double total = 0;
  for (std::size_t l = 0; l < nodes.size(); ++l)
    for (std::size_t j = 0; j < nodes[l].size(); ++j)
      if (nodes[l][j] >= lo && nodes[l][j] < hi) total += weights[l][j];
  return total / double(nodes.size());
}

std::vector<double> SpectralDensity::smoothed(const std::vector<double>& t, double sigma) const {
  require(sigma > 0, "smoothed density: sigma must be > 0, got {}", sigma);
  const double norm = 1 / (sigma * std::sqrt(2 * std::numbers::pi) * double(nodes.size()));
  std::vector<double> out(t.size(), 0.0);
  for (std::size_t i = 0; i < t.size(); ++i)
    for (std::size_t l = 0; l < nodes.size(); ++l)
      for (std::size_t j = 0; j < nodes[l].size(); ++j) {
        const double u = (t[i] - nodes[l][j]) / sigma;
        out[i] += weights[l][j] * std::exp(-0.5 * u * u) * norm;
      }
  return out;
}

}  // namespace nnlab::analysis
