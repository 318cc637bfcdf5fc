// The argument reduction of nnlab's inline exponentials (internal, not installed), shared by the
// double tanh (activation.cpp, scalar and AVX2) and the float GELU's e^{−x²/2}
// (vector_activation_kernels.inc), so that the copies cannot drift apart:
//   e^y = 2ⁿ e^r,  y = n ln2 + r,  |r| ≤ ln2/2.
// t = y·log2e + round_bits rounds y/ln2 to the integer n, which then sits in t's low bits, and
// n = t − round_bits; r = (y − n·ln2_hi) − n·ln2_lo, each step one FMA that rounds once (ln2_hi is
// ln2 in double, ln2_lo the rest). 2ⁿ is built from t's bits, (t << 52) + exponent_one, in
// unsigned arithmetic, so that no float-to-int conversion sees a NaN.
#pragma once
#include <cstdint>
#include <numbers>

namespace nnlab::nn::detail::exp_reduction {

inline constexpr double log2e = std::numbers::log2e;
inline constexpr double ln2_hi = 0x1.62e42fefa39efp-1, ln2_lo = 0x1.abc9e3b39803fp-56;
inline constexpr double round_bits = 0x1.8p52;             // 1.5·2⁵²: n in the low bits for |n| < 2⁵¹
inline constexpr std::int64_t exponent_one = 1023LL << 52;  // the bits of 1.0: 2⁰

}  // namespace nnlab::nn::detail::exp_reduction
