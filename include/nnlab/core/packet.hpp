// Eigen's packet of S (the widest vector register the build targets) and loads and stores of its
// first lanes, for the ragged ends of the kernels' loops: in one masked instruction with AVX-512
// or AVX2. Loops over those few values instead were compiled into a library call (memmove) per
// column, or stayed scalar: together 3/4 of a float 2-8-8-1 tanh step.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <type_traits>

#include "nnlab/core/types.hpp"

namespace nnlab::detail {

template <class S>
using Packet = typename Eigen::internal::packet_traits<S>::type;
template <class S>
inline constexpr Index packet_size = Eigen::internal::unpacket_traits<Packet<S>>::size;

// The first r lanes of the packet at p (0 < r < packet_size), the others 0; nothing past them is read.
template <class S>
Packet<S> load_first(const S* p, Index r) {
  eigen_assert(r > 0 && r < packet_size<S>);
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<S, float>)
    return _mm512_maskz_loadu_ps(__mmask16((1u << r) - 1), p);
  else
    return _mm512_maskz_loadu_pd(__mmask8((1u << r) - 1), p);
#elif defined(__AVX2__)
  if constexpr (std::is_same_v<S, float>)
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(int(r)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
  else
    return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_setr_epi64x(0, 1, 2, 3)));
#else
  alignas(64) S lanes[packet_size<S>] = {};
  std::copy(p, p + r, lanes);
  return Eigen::internal::pload<Packet<S>>(lanes);
#endif
}

// v's first r lanes stored at p (0 < r < packet_size); nothing past them is written.
template <class S>
void store_first(S* p, const Packet<S>& v, Index r) {
  eigen_assert(r > 0 && r < packet_size<S>);
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<S, float>)
    _mm512_mask_storeu_ps(p, __mmask16((1u << r) - 1), v);
  else
    _mm512_mask_storeu_pd(p, __mmask8((1u << r) - 1), v);
#elif defined(__AVX2__)
  if constexpr (std::is_same_v<S, float>)
    _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(int(r)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), v);
  else
    _mm256_maskstore_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_setr_epi64x(0, 1, 2, 3)), v);
#else
  alignas(64) S lanes[packet_size<S>];
  Eigen::internal::pstore(lanes, v);
  std::copy(lanes, lanes + r, p);
#endif
}

}  // namespace nnlab::detail
