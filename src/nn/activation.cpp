// h, h', h'' for each activation. GELU is the exact one, h(a) = a Φ(a):
//   h' = Φ(a) + a φ(a),  h'' = φ(a)(2 − a²).
// Softplus h = log(1 + eᵃ) is evaluated as max(a,0) + log1p(e^{−|a|}) to avoid overflow.
#include "nnlab/nn/activation.hpp"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <type_traits>

#include "nnlab/core/error.hpp"
#include "exp_reduction.hpp"
#include "vector_activation.hpp"

namespace nnlab::nn {

namespace {
constexpr std::string_view names[] = {"identity", "relu", "sigmoid", "tanh", "softplus", "gelu"};

template <class S>
S phi(S a) {  // standard normal density
  return S(0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2) * std::exp(-a * a / 2);
}
template <class S>
S Phi(S a) {  // standard normal distribution function
  return S(0.5) * std::erfc(-a / S(std::numbers::sqrt2));
}
template <class S>
S sigmoid(S a) {
  return S(1) / (S(1) + std::exp(-a));
}

// tanh for double. Eigen 3.4 vectorizes tanh only for float, std::tanh costs ~10× more per
// element, and 1 − 2/(e^{2x} + 1) through Eigen's exp costs two divisions. Here one formula for
// every x, with one division and no cancellation:
//   tanh|x| = −m/(2 + m),  m = e^{−2|x|} − 1,
// and |x| clamped at 20, where tanh rounds to 1. Within 3 ulp of std::tanh (tests/nn); NaN stays
// NaN, so that a diverging run still reaches the loss's check.
#if defined(__AVX512F__)
// m from a table of 2^{j/16} (two registers, looked up by vpermt2pd): −2|x| = (k/16) ln2 − 2r with
// k = 16n + j, |r| ≤ ln2/64, so with u = 2ⁿ T_j,
//   m = 2ⁿ T_j (1 + δ_j) e^{−2r} − 1 = (u − 1) + u (δ_j − r q(r))   (one FMA),
// where q(r) = (1 − e^{−2r})/r = 2 Σ_{i<7} (−2r)^i/(i+1)! (remainder < 6e-17 relative), δ_j =
// (2^{j/16} − T_j)/T_j is what T_j loses to rounding, relative (the dropped δ_j r q is < 3e-18
// relative). u − 1 is exact wherever it cancels. Working with r = s/2 folds the 2 of −2|x| into
// constants. 8 lanes at a time, 23 vector operations: 3.5 µs per 8192 values on an AMD Zen 5, 9%
// less than adding 2ⁿ (T_j,lo − T_j r q) to u − 1 (two operations more, the same largest error;
// side by side, medians); a table of 2^{j/8} and a degree-8 polynomial took 6% more than that form.
void tanh_double(const double* x, double* z, Index n) {
  alignas(64) static constexpr double two_j16[16] = {
      0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
      0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
      0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
      0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
  alignas(64) static constexpr double delta[16] = {  // δ_j, rounded
      0.0, 0x1.79aa65d837b6dp-54, -0x1.01b15eaa59348p-55, 0x1.68efde3a8a894p-54,
      0x1.34d754db0abb6p-55, 0x1.59f48a72a4c6dp-55, 0x1.690cebb7aafb0p-56, 0x1.063e1e21c5409p-54,
      -0x1.3b3efbf5e2228p-54, -0x1.b32dcb94da51dp-56, 0x1.db72fc1f0eab4p-55, 0x1.1affc2b91ce27p-56,
      0x1.c1a7792cb3387p-55, 0x1.36eae30af0cb3p-56, 0x1.4a385a63d07a7p-56, -0x1.ff7128fd391f0p-55};
  const __m512d T0 = _mm512_load_pd(two_j16), T1 = _mm512_load_pd(two_j16 + 8);
  const __m512d D0 = _mm512_load_pd(delta), D1 = _mm512_load_pd(delta + 8);
  const auto c = [](double v) { return _mm512_set1_pd(v); };
  // q's coefficients, 2 (−2)^i/(i+1)!
  const __m512d c0 = c(2.0), c1 = c(-2.0), c2 = c(8.0 / 6), c3 = c(-16.0 / 24), c4 = c(32.0 / 120),
                c5 = c(-64.0 / 720), c6 = c(128.0 / 5040);
  const __m512i sign = _mm512_set1_epi64(std::numeric_limits<std::int64_t>::min());
  for (Index i = 0; i < n; i += 8) {
    const auto lanes = __mmask8(n - i >= 8 ? 0xff : (1u << (n - i)) - 1);
    const __m512d xi = _mm512_maskz_loadu_pd(lanes, x + i);
    const __m512d abs_x = _mm512_castsi512_pd(_mm512_andnot_si512(sign, _mm512_castpd_si512(xi)));
    // min(|x|, 20) in this operand order keeps NaN (vrangepd would not: it returns the number).
    const __m512d a = _mm512_min_pd(c(20.0), abs_x);
    // Adding 1.5·2⁴⁸ rounds −2a/ln2 to sixteenths, k/16 with k = 16n + j, and leaves k's low bits
    // (j = k mod 16 in the lowest four) in t's mantissa; subtracting it again gives k/16 exactly.
    const __m512d t = _mm512_fmadd_pd(a, c(-2 * std::numbers::log2e), c(0x1.8p48));
    const __m512d k16 = _mm512_sub_pd(t, c(0x1.8p48));
    __m512d r = _mm512_fmadd_pd(k16, c(0x1.62e42fefa39efp-2), a);  // ln2/2, hi
    r = _mm512_fmadd_pd(k16, c(0x1.abc9e3b39803fp-57), r);           // and lo
    // q in pairs of terms, Horner's scheme in r²: shorter chains than Horner's in r, fewer
    // operations than Estrin's.
    const __m512d r2 = _mm512_mul_pd(r, r);
    const __m512d q01 = _mm512_fmadd_pd(c1, r, c0), q23 = _mm512_fmadd_pd(c3, r, c2),
                  q45 = _mm512_fmadd_pd(c5, r, c4);
    const __m512d q = _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_fmadd_pd(c6, r2, q45), r2, q23), r2, q01);
    const __m512i j = _mm512_castpd_si512(t);
    const __m512d Tj = _mm512_permutex2var_pd(T0, j, T1), delta_j = _mm512_permutex2var_pd(D0, j, D1);
    // vscalefpd multiplies by 2^⌊k/16⌋ = 2ⁿ.
    const __m512d u = _mm512_scalef_pd(Tj, k16);
    const __m512d m = _mm512_fmadd_pd(u, _mm512_fnmadd_pd(r, q, delta_j), _mm512_sub_pd(u, c(1.0)));
    const __m512d tanh_abs = _mm512_div_pd(m, _mm512_sub_pd(c(-2.0), m));
    // x's sign bit, tanh|x|'s other bits (0xd8: the third operand selects the second's bits).
    const __m512d zi = _mm512_castsi512_pd(_mm512_ternarylogic_epi64(
        _mm512_castpd_si512(tanh_abs), _mm512_castpd_si512(xi), sign, 0xd8));
    _mm512_mask_storeu_pd(z + i, lanes, zi);
  }
}
#else
using namespace detail::exp_reduction;  // log2e, ln2_hi, ln2_lo, round_bits, exponent_one
constexpr double inv_factorial[] = {1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720,
                                    1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800,
                                    1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800};
// m = expm1(−2|x|) = 2ⁿ (e^r − 1) + (2ⁿ − 1), −2|x| = n ln2 + r (exp_reduction.hpp), and
// e^r − 1 = r Σ_{k<13} r^k/(k+1)! (remainder < 2e-17 relative); branch-free, so that GCC
// vectorizes the loop.
double tanh_one(double x) {
  const double y = -2 * std::min(std::abs(x), 20.0);
  const double t = std::fma(y, log2e, round_bits);  // n = round(y / ln2) sits in t's low bits
  const double n = t - round_bits;
  const double r = std::fma(-n, ln2_lo, std::fma(-n, ln2_hi, y));
  // Estrin's scheme: a tree of depth 4 rather than Horner's chain of 12 dependent FMAs.
  const auto& c = inv_factorial;
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double p01 = std::fma(std::fma(c[3], r, c[2]), r2, std::fma(c[1], r, c[0]));
  const double p23 = std::fma(std::fma(c[7], r, c[6]), r2, std::fma(c[5], r, c[4]));
  const double p4 = std::fma(std::fma(c[11], r, c[10]), r2, std::fma(c[9], r, c[8]));
  const double p = std::fma(std::fma(c[12], r4, p4), r8, std::fma(p23, r4, p01));
  const auto two_n =
      std::bit_cast<double>((std::bit_cast<std::uint64_t>(t) << 52) + std::uint64_t(exponent_one));
  const double m = std::fma(two_n, r * p, two_n - 1);
  return std::copysign(m / (-2 - m), x);
}
#if defined(__AVX2__) && defined(__FMA__)
// tanh_one on 4 lanes, the same constants and operations in the same order, so the same bits
// (tests/nn/activation_test.cpp): GCC 12 does not vectorize tanh_one's loop for AVX2 (the clamp is
// a branch to it), which left it scalar, 17× slower per value than float's tanh on an AMD Zen 3.
// In three stages, each a pass over a block of 32 values: from x to the quotient is a chain of
// ~70 cycles, longer than the out-of-order window covers at one vector every ~12 cycles, and
// shorter chains overlap where one long one cannot (per 8192 values on an AMD Zen 3, alternated:
// 10.5–12.9 against 14.6–17.9 µs in one pass).
namespace tanh_avx2 {
inline __m256d k(double v) { return _mm256_set1_pd(v); }
inline __m256d fma(__m256d a, __m256d b, __m256d d) { return _mm256_fmadd_pd(a, b, d); }
inline __m256d sign() { return k(-0.0); }

// −2 min(|x|, 20) = n ln2 + r: r, and t with n in its low bits (min(20, |x|) keeps a NaN, as
// std::min(|x|, 20) does).
inline void reduce(const double* x, double* r_out, double* t_out) {
  const __m256d abs_x = _mm256_andnot_pd(sign(), _mm256_loadu_pd(x));
  const __m256d y = _mm256_mul_pd(k(-2), _mm256_min_pd(k(20), abs_x));
  const __m256d t = fma(y, k(log2e), k(round_bits));
  const __m256d minus_n = _mm256_xor_pd(_mm256_sub_pd(t, k(round_bits)), sign());
  _mm256_store_pd(r_out, fma(minus_n, k(ln2_lo), fma(minus_n, k(ln2_hi), y)));
  _mm256_store_pd(t_out, t);
}

// m = 2ⁿ (e^r − 1) + (2ⁿ − 1), written over r.
inline void expm1_scaled(double* r_m, const double* t_in) {
  const auto& c = inv_factorial;
  const __m256d r = _mm256_load_pd(r_m), t = _mm256_load_pd(t_in);
  const __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
  const __m256d p01 = fma(fma(k(c[3]), r, k(c[2])), r2, fma(k(c[1]), r, k(c[0])));
  const __m256d p23 = fma(fma(k(c[7]), r, k(c[6])), r2, fma(k(c[5]), r, k(c[4])));
  const __m256d p4 = fma(fma(k(c[11]), r, k(c[10])), r2, fma(k(c[9]), r, k(c[8])));
  const __m256d p = fma(fma(k(c[12]), r4, p4), r8, fma(p23, r4, p01));
  const __m256d two_n = _mm256_castsi256_pd(_mm256_add_epi64(
      _mm256_slli_epi64(_mm256_castpd_si256(t), 52), _mm256_set1_epi64x(exponent_one)));
  _mm256_store_pd(r_m, fma(two_n, _mm256_mul_pd(r, p), _mm256_sub_pd(two_n, k(1))));
}

// tanh x = sign(x) · (−m/(2 + m)).
inline void quotient(const double* m_in, const double* x, double* z) {
  const __m256d m = _mm256_load_pd(m_in);
  const __m256d q = _mm256_div_pd(m, _mm256_sub_pd(k(-2), m));
  const __m256d sign_x = _mm256_and_pd(sign(), _mm256_loadu_pd(x));
  _mm256_storeu_pd(z, _mm256_or_pd(_mm256_andnot_pd(sign(), q), sign_x));
}
}  // namespace tanh_avx2

void tanh_double(const double* x, double* z, Index n) {
  constexpr Index block = 32;  // passes of a fixed length, which GCC unrolls
  alignas(32) double r[block], t[block], x_last[block], z_last[block];
  const Index whole = n / 4 * 4;
  for (Index i = 0; i < whole; i += block) {
    const double* xb = x + i;
    double* zb = z + i;
    const Index b = std::min(block, whole - i);
    if (b < block) {  // the last, partial block: through a copy padded with zeros
      std::fill(std::copy(xb, xb + b, x_last), x_last + block, 0.0);
      xb = x_last;
      zb = z_last;
    }
    for (Index j = 0; j < block; j += 4) tanh_avx2::reduce(xb + j, r + j, t + j);
    for (Index j = 0; j < block; j += 4) tanh_avx2::expm1_scaled(r + j, t + j);
    for (Index j = 0; j < block; j += 4) tanh_avx2::quotient(r + j, xb + j, zb + j);
    if (b < block) std::copy(z_last, z_last + b, z + i);
  }
  for (Index i = whole; i < n; ++i) z[i] = tanh_one(x[i]);
}
#else
void tanh_double(const double* x, double* z, Index n) {
  for (Index i = 0; i < n; ++i) z[i] = tanh_one(x[i]);
}
#endif
#endif

template <class S>
using ArrayMap = Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>;
template <class S>
using ConstArrayMap = Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>;

// tanh' = 1 − z² and σ' = z(1 − z) from the rounded z = h(a) cancel where the unit saturates: 1 − |z|
// carries an absolute error of a few ulp, so their relative error grows like ε/(1 − |z|), to 100%
// where z rounds to ±1 (|a| > 19 for tanh in double). There the derivative comes from a instead:
//   tanh'(a) = 4e/(1 + e)², e = e^{−2|a|};   σ'(a) = e/(1 + e)², e = e^{−|a|}
// (Eigen's vectorized exp). Blocks of 64 values in which every unit has 1 − |z| ≥ t keep the cheap
// form; only blocks holding a unit beyond t pay for the exp, which costs 3–4× the cheap form
// (bench/activation_bench). So t = 2⁻¹⁰ in double (|a| > 3.8 for tanh, 6.9 for σ: rare in a
// healthy net; the cheap form's relative error stays below ~2000ε = 4.5e-13) and t = 2⁻⁸ in float
// (|a| > 3.1 and 5.5; below ~1000ε = 1.2e-4, with float tanh's own 8 ulp in z). Cost, the tiny
// tanh step of bench/mlp_bench against h' from z alone (medians of 9, Xeon under load): float
// +2% to +10% (+12% with t = 2⁻⁶), double within the noise; blocks of 16 instead of 64 were slower.
template <class S>
constexpr S saturation_threshold = std::is_same_v<S, float> ? S(1) / 256 : S(1) / 1024;
constexpr Index derivative_block = 64;

// Calls use(i, m, hp) with hp = h'(a) on values i … i+m−1, block by block (so out may alias g).
template <class S, class Use>
void for_each_derivative_block(Activation h, const S* a_data, const S* z_data, Index n, Use use) {
  Eigen::Array<S, derivative_block, 1> block;
  for (Index i = 0; i < n; i += derivative_block) {
    const Index m = std::min(derivative_block, n - i);
    const ConstArrayMap<S> a(a_data + i, m), z(z_data + i, m);
    auto hp = block.head(m);
    if (h == Activation::tanh) {
      if (z.abs().maxCoeff() > S(1) - saturation_threshold<S>) {  // maxCoeff vectorizes, any() does not
        hp = (S(-2) * a.abs()).exp();
        hp = S(4) * hp / (S(1) + hp).square();
      } else {
        hp = S(1) - z.square();
      }
    } else if (z.maxCoeff() > S(1) - saturation_threshold<S>) {  // sigmoid: z(1 − z) is accurate as z → 0
      hp = (-a.abs()).exp();
      hp = hp / (S(1) + hp).square();
    } else {
      hp = z * (S(1) - z);
    }
    use(i, m, hp);
  }
}

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
// The vector registers of float or double, and the operations tanh_times_derivative needs: loads
// and stores of whole vectors, or of the lanes a Mask selects (a partial vector at the end).
template <class S>
struct Simd;
#if defined(__AVX512F__)
template <>
struct Simd<double> {
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr Index lanes = 8;
  static Mask first(Index n) { return Mask(n >= lanes ? 0xff : n > 0 ? (1u << n) - 1 : 0); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V load(Mask k, const double* p) { return _mm512_maskz_loadu_pd(k, p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static void store(double* p, Mask k, V v) { _mm512_mask_storeu_pd(p, k, v); }
  static V set1(double v) { return _mm512_set1_pd(v); }
  static V one_minus_square(V z) { return _mm512_fnmadd_pd(z, z, set1(1)); }
  static V mul(V x, V y) { return _mm512_mul_pd(x, y); }
  static V max_abs(V m, V z) { return _mm512_max_pd(m, _mm512_abs_pd(z)); }
  static bool any_greater(V x, double t) { return _mm512_cmp_pd_mask(x, set1(t), _CMP_GT_OQ) != 0; }
};
template <>
struct Simd<float> {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr Index lanes = 16;
  static Mask first(Index n) { return Mask(n >= lanes ? 0xffff : n > 0 ? (1u << n) - 1 : 0); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load(Mask k, const float* p) { return _mm512_maskz_loadu_ps(k, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, Mask k, V v) { _mm512_mask_storeu_ps(p, k, v); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V one_minus_square(V z) { return _mm512_fnmadd_ps(z, z, set1(1)); }
  static V mul(V x, V y) { return _mm512_mul_ps(x, y); }
  static V max_abs(V m, V z) { return _mm512_max_ps(m, _mm512_abs_ps(z)); }
  static bool any_greater(V x, float t) { return _mm512_cmp_ps_mask(x, set1(t), _CMP_GT_OQ) != 0; }
};
#else
// AVX2: a Mask is a vector of lanes, all ones where selected (vmaskmov zeroes the others on load).
template <>
struct Simd<double> {
  using V = __m256d;
  using Mask = __m256i;
  static constexpr Index lanes = 4;
  static Mask first(Index n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static V load(Mask k, const double* p) { return _mm256_maskload_pd(p, k); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static void store(double* p, Mask k, V v) { _mm256_maskstore_pd(p, k, v); }
  static V set1(double v) { return _mm256_set1_pd(v); }
  static V one_minus_square(V z) { return _mm256_fnmadd_pd(z, z, set1(1)); }
  static V mul(V x, V y) { return _mm256_mul_pd(x, y); }
  static V max_abs(V m, V z) { return _mm256_max_pd(m, _mm256_andnot_pd(set1(-0.0), z)); }
  static bool any_greater(V x, double t) {
    return _mm256_movemask_pd(_mm256_cmp_pd(x, set1(t), _CMP_GT_OQ)) != 0;
  }
};
template <>
struct Simd<float> {
  using V = __m256;
  using Mask = __m256i;
  static constexpr Index lanes = 8;
  static Mask first(Index n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load(Mask k, const float* p) { return _mm256_maskload_ps(p, k); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, Mask k, V v) { _mm256_maskstore_ps(p, k, v); }
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V one_minus_square(V z) { return _mm256_fnmadd_ps(z, z, set1(1)); }
  static V mul(V x, V y) { return _mm256_mul_ps(x, y); }
  static V max_abs(V m, V z) { return _mm256_max_ps(m, _mm256_andnot_ps(set1(-0.0f), z)); }
  static bool any_greater(V x, float t) {
    return _mm256_movemask_ps(_mm256_cmp_ps(x, set1(t), _CMP_GT_OQ)) != 0;
  }
};
#endif

// out = g ⊙ tanh'(a) in one pass over each block of derivative_block values, as
// for_each_derivative_block decides: 1 − z² (one rounding, by FMA) kept in registers while the
// block's largest |z| is found, then g ⊙ h' stored; a block with a saturated unit takes the
// a-based form. The Eigen form of the same blocks (z·z, 1 − z², then g·h', and a horizontal
// maximum per block) took ~9% of the tiny float64 tanh step (bench/mlp_bench) on AVX-512, and
// 1.9× (float) and 1.8× (double) this kernel's time per value on an AMD Zen 3 with AVX2
// (bench/activation_bench).
template <class S>
void tanh_times_derivative(const S* a_data, const S* z_data, const S* g_data, S* out_data, Index n) {
  using X = Simd<S>;
  constexpr Index W = X::lanes, packets = derivative_block / W;
  // Values [i, i + m) with m ≤ derivative_block; a whole block uses plain loads and stores.
  const auto block = [&](Index i, Index m, auto whole) {
    typename X::V hp[packets];
    typename X::V largest = X::set1(0);
    [[maybe_unused]] typename X::Mask lanes[packets];
#pragma GCC unroll 8
    for (Index p = 0; p < packets; ++p) {
      const S* z = z_data + i + p * W;
      typename X::V zp;
      if constexpr (whole) {
        zp = X::load(z);
      } else {
        lanes[p] = X::first(m - p * W);
        zp = X::load(lanes[p], z);
      }
      hp[p] = X::one_minus_square(zp);
      largest = X::max_abs(largest, zp);
    }
    if (X::any_greater(largest, S(1) - saturation_threshold<S>)) {
      for_each_derivative_block(Activation::tanh, a_data + i, z_data + i, m, [&](Index j, Index k, const auto& h) {
        ArrayMap<S>(out_data + i + j, k) = ConstArrayMap<S>(g_data + i + j, k) * h;
      });
      return;
    }
#pragma GCC unroll 8
    for (Index p = 0; p < packets; ++p) {
      S* out = out_data + i + p * W;
      const S* g = g_data + i + p * W;
      if constexpr (whole)
        X::store(out, X::mul(X::load(g), hp[p]));
      else
        X::store(out, lanes[p], X::mul(X::load(lanes[p], g), hp[p]));
    }
  };
  Index i = 0;
  for (; i + derivative_block <= n; i += derivative_block) block(i, derivative_block, std::true_type{});
  if (i < n) block(i, n - i, std::false_type{});
}
#endif
}  // namespace

Activation parse_activation(std::string_view name) {
  for (std::size_t i = 0; i < std::size(names); ++i)
    if (name == names[i]) return Activation(i);
  fail("unknown activation '{}'; valid: identity, relu, sigmoid, tanh, softplus, gelu", name);
}

std::string to_string(Activation h) { return std::string(names[int(h)]); }

template <class S>
void activate(Activation h, const S* a_data, S* z_data, Index n) {
  const ConstArrayMap<S> a(a_data, n);
  ArrayMap<S> z(z_data, n);
  switch (h) {
    case Activation::identity: z = a; break;
    case Activation::relu: z = a.max(S(0)); break;
    case Activation::sigmoid: z = (S(1) + (-a).exp()).inverse(); break;
    case Activation::tanh:
      if constexpr (std::is_same_v<S, float>)
        z = a.tanh();
      else
        tanh_double(a_data, z_data, n);
      break;
    case Activation::softplus:
      if (!detail::vector_activation<S>(h, 0, a_data, nullptr, z_data, n))
        z = a.max(S(0)) + (-a.abs()).exp().log1p();
      break;
    case Activation::gelu:
      if (!detail::vector_activation<S>(h, 0, a_data, nullptr, z_data, n))
        z = a.unaryExpr([](S x) { return x * Phi(x); });
      break;
  }
}

template <class S>
void activate(Activation h, const Mat<S>& a, Mat<S>& z) {
  z.resize(a.rows(), a.cols());
  activate(h, a.data(), z.data(), a.size());
}

template <class S>
void times_derivative(Activation h, const S* a_data, const S* z_data, const S* g_data, S* out_data,
                      Index n) {
  const ConstArrayMap<S> a(a_data, n), z(z_data, n), g(g_data, n);
  ArrayMap<S> out(out_data, n);
  switch (h) {
    case Activation::identity: out = g; break;
    case Activation::relu:  // a plain loop: Eigen 3.4's select() does not vectorize
      for (Index i = 0; i < n; ++i) out_data[i] = a_data[i] > S(0) ? g_data[i] : S(0);
      break;
    case Activation::tanh:
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
      tanh_times_derivative(a_data, z_data, g_data, out_data, n);
      break;
#endif
    case Activation::sigmoid:
      for_each_derivative_block(h, a_data, z_data, n, [&](Index i, Index m, const auto& hp) {
        out.segment(i, m) = g.segment(i, m) * hp;
      });
      break;
    case Activation::softplus:  // σ(a)
      if (!detail::vector_activation(h, 1, a_data, g_data, out_data, n))
        out = g * (S(1) + (-a).exp()).inverse();
      break;
    case Activation::gelu:
      if (!detail::vector_activation(h, 1, a_data, g_data, out_data, n))
        out = g * a.unaryExpr([](S x) { return Phi(x) + x * phi(x); });
      break;
  }
}

template <class S>
void times_derivative(Activation h, const Mat<S>& a, const Mat<S>& z, const Mat<S>& g, Mat<S>& out) {
  out.resize(a.rows(), a.cols());
  times_derivative(h, a.data(), z.data(), g.data(), out.data(), a.size());
}

template <class S>
void times_second_derivative(Activation h, const S* a_data, const S* z_data, const S* g_data,
                             S* out_data, Index n) {
  const ConstArrayMap<S> a(a_data, n), z(z_data, n), g(g_data, n);
  ArrayMap<S> out(out_data, n);
  switch (h) {
    case Activation::identity:
    case Activation::relu: out.setZero(); break;
    case Activation::sigmoid:  // σ'' = σ'(1−2σ)
      for_each_derivative_block(h, a_data, z_data, n, [&](Index i, Index m, const auto& hp) {
        out.segment(i, m) = g.segment(i, m) * hp * (S(1) - S(2) * z.segment(i, m));
      });
      break;
    case Activation::tanh:  // tanh'' = −2 t tanh'
      for_each_derivative_block(h, a_data, z_data, n, [&](Index i, Index m, const auto& hp) {
        out.segment(i, m) = S(-2) * g.segment(i, m) * z.segment(i, m) * hp;
      });
      break;
    case Activation::softplus:  // softplus'' = σ(1−σ)
      if (!detail::vector_activation(h, 2, a_data, g_data, out_data, n))
        out = g * a.unaryExpr([](S x) { S s = sigmoid(x); return s * (S(1) - s); });
      break;
    case Activation::gelu:
      if (!detail::vector_activation(h, 2, a_data, g_data, out_data, n))
        out = g * a.unaryExpr([](S x) { return phi(x) * (S(2) - x * x); });
      break;
  }
}

template <class S>
void times_second_derivative(Activation h, const Mat<S>& a, const Mat<S>& z, const Mat<S>& g,
                             Mat<S>& out) {
  out.resize(a.rows(), a.cols());
  times_second_derivative(h, a.data(), z.data(), g.data(), out.data(), a.size());
}

#define NNLAB_INSTANTIATE(S)                                                                    \
  template void activate<S>(Activation, const S*, S*, Index);                                   \
  template void activate<S>(Activation, const Mat<S>&, Mat<S>&);                                \
  template void times_derivative<S>(Activation, const S*, const S*, const S*, S*, Index);       \
  template void times_derivative<S>(Activation, const Mat<S>&, const Mat<S>&, const Mat<S>&,    \
                                    Mat<S>&);                                                   \
  template void times_second_derivative<S>(Activation, const S*, const S*, const S*, S*, Index); \
  template void times_second_derivative<S>(Activation, const Mat<S>&, const Mat<S>&,            \
                                           const Mat<S>&, Mat<S>&);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::nn
