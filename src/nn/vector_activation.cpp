// GELU and softplus by SLEEF's vector erfc (1.5 ulp), exp and log1p (1.0 ulp) (GELU in float by a
// polynomial fit evaluated in double: vector_activation_kernels.inc), in AVX-512F and in
// AVX2 + FMA, chosen at run time from the CPU so that a portable build (no -march) is vectorized
// too. SLEEF's own header declares each instruction set's functions only when the compiler targets
// that set, so the few used here are declared below, inside the matching target region.
#include "vector_activation.hpp"

#include <immintrin.h>

#include <cstdint>
#include <numbers>
#include <type_traits>

#include "exp_reduction.hpp"

namespace nnlab::nn::detail {

namespace avx512 {
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
extern "C" {
__m512d Sleef_expd8_u10avx512f(__m512d);
__m512d Sleef_erfcd8_u15avx512f(__m512d);
__m512d Sleef_log1pd8_u10avx512f(__m512d);
__m512 Sleef_expf16_u10avx512f(__m512);
__m512 Sleef_log1pf16_u10avx512f(__m512);
}
struct Double {
  using S = double;
  using R = __m512d;
  static constexpr Index W = 8;
  static R load(const S* p) { return _mm512_loadu_pd(p); }
  static void store(S* p, R v) { _mm512_storeu_pd(p, v); }
  static R set(S v) { return _mm512_set1_pd(v); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  static R min(R k, R v) { return _mm512_min_pd(k, v); }
  static R max(R k, R v) { return _mm512_max_pd(k, v); }
  static R abs(R v) { return _mm512_abs_pd(v); }
  static R negative_select(R a, R if_negative, R otherwise) {
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, set(0), _CMP_LT_OQ), otherwise, if_negative);
  }
  static R exp(R v) { return Sleef_expd8_u10avx512f(v); }
  // 2ⁿ for t = n + round_bits (|n| < 1022): n's bits shifted into the exponent (exp_reduction.hpp)
  static R pow2(R t) {
    return _mm512_castsi512_pd(_mm512_add_epi64(_mm512_slli_epi64(_mm512_castpd_si512(t), 52),
                                                _mm512_set1_epi64(exp_reduction::exponent_one)));
  }
  static R erfc(R v) { return Sleef_erfcd8_u15avx512f(v); }
  static R log1p(R v) { return Sleef_log1pd8_u10avx512f(v); }
};
struct Float {
  using S = float;
  using R = __m512;
  static constexpr Index W = 16;
  static R load(const S* p) { return _mm512_loadu_ps(p); }
  static void store(S* p, R v) { _mm512_storeu_ps(p, v); }
  static R set(S v) { return _mm512_set1_ps(v); }
  static R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  static R min(R k, R v) { return _mm512_min_ps(k, v); }
  static R max(R k, R v) { return _mm512_max_ps(k, v); }
  static R abs(R v) { return _mm512_abs_ps(v); }
  static R negative_select(R a, R if_negative, R otherwise) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, set(0), _CMP_LT_OQ), otherwise, if_negative);
  }
  static R exp(R v) { return Sleef_expf16_u10avx512f(v); }
  static R log1p(R v) { return Sleef_log1pf16_u10avx512f(v); }
  using D = Double;
  static __m512d low(R v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
  static __m512d high(R v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  }
  static R from_double(__m512d lo, __m512d hi) {
    return _mm512_castpd_ps(_mm512_insertf64x4(
        _mm512_castpd256_pd512(_mm256_castps_pd(_mm512_cvtpd_ps(lo))), _mm256_castps_pd(_mm512_cvtpd_ps(hi)), 1));
  }
};
#include "vector_activation_kernels.inc"
#pragma GCC pop_options
}  // namespace avx512

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
extern "C" {
__m256d Sleef_expd4_u10avx2(__m256d);
__m256d Sleef_erfcd4_u15avx2(__m256d);
__m256d Sleef_log1pd4_u10avx2(__m256d);
__m256 Sleef_expf8_u10avx2(__m256);
__m256 Sleef_log1pf8_u10avx2(__m256);
}
struct Double {
  using S = double;
  using R = __m256d;
  static constexpr Index W = 4;
  static R load(const S* p) { return _mm256_loadu_pd(p); }
  static void store(S* p, R v) { _mm256_storeu_pd(p, v); }
  static R set(S v) { return _mm256_set1_pd(v); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_pd(a, b, c); }
  static R min(R k, R v) { return _mm256_min_pd(k, v); }
  static R max(R k, R v) { return _mm256_max_pd(k, v); }
  static R abs(R v) { return _mm256_andnot_pd(set(-0.0), v); }
  static R negative_select(R a, R if_negative, R otherwise) {
    return _mm256_blendv_pd(otherwise, if_negative, _mm256_cmp_pd(a, set(0), _CMP_LT_OQ));
  }
  static R exp(R v) { return Sleef_expd4_u10avx2(v); }
  static R pow2(R t) {  // as avx512::Double::pow2
    return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64(_mm256_castpd_si256(t), 52),
                                                _mm256_set1_epi64x(exp_reduction::exponent_one)));
  }
  static R erfc(R v) { return Sleef_erfcd4_u15avx2(v); }
  static R log1p(R v) { return Sleef_log1pd4_u10avx2(v); }
};
struct Float {
  using S = float;
  using R = __m256;
  static constexpr Index W = 8;
  static R load(const S* p) { return _mm256_loadu_ps(p); }
  static void store(S* p, R v) { _mm256_storeu_ps(p, v); }
  static R set(S v) { return _mm256_set1_ps(v); }
  static R fma(R a, R b, R c) { return _mm256_fmadd_ps(a, b, c); }
  static R min(R k, R v) { return _mm256_min_ps(k, v); }
  static R max(R k, R v) { return _mm256_max_ps(k, v); }
  static R abs(R v) { return _mm256_andnot_ps(set(-0.0f), v); }
  static R negative_select(R a, R if_negative, R otherwise) {
    return _mm256_blendv_ps(otherwise, if_negative, _mm256_cmp_ps(a, set(0), _CMP_LT_OQ));
  }
  static R exp(R v) { return Sleef_expf8_u10avx2(v); }
  static R log1p(R v) { return Sleef_log1pf8_u10avx2(v); }
  using D = Double;
  static __m256d low(R v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
  static __m256d high(R v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
  static R from_double(__m256d lo, __m256d hi) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
  }
};
#include "vector_activation_kernels.inc"
#pragma GCC pop_options
}  // namespace avx2

VectorIsa cpu_vector_isa() {
  static const VectorIsa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return VectorIsa::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VectorIsa::avx2;
    return VectorIsa::none;
  }();
  return isa;
}

template <class S>
void vector_activation(VectorIsa isa, Activation h, int order, const S* a, const S* g, S* out, Index n) {
  constexpr bool is_double = std::is_same_v<S, double>;
  if (isa == VectorIsa::avx512)
    avx512::run<std::conditional_t<is_double, avx512::Double, avx512::Float>>(h, order, a, g, out, n);
  else
    avx2::run<std::conditional_t<is_double, avx2::Double, avx2::Float>>(h, order, a, g, out, n);
}

template <class S>
bool vector_activation(Activation h, int order, const S* a, const S* g, S* out, Index n) {
  const VectorIsa isa = cpu_vector_isa();
  if (isa == VectorIsa::none) return false;
  vector_activation(isa, h, order, a, g, out, n);
  return true;
}

#define NNLAB_INSTANTIATE(S)                                                                   \
  template void vector_activation<S>(VectorIsa, Activation, int, const S*, const S*, S*, Index); \
  template bool vector_activation<S>(Activation, int, const S*, const S*, S*, Index);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::nn::detail
