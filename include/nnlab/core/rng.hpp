// Random streams. Every independent source of randomness (dropout masks, data shuffling, a
// lab's trial) is its own PCG64 stream derived from (seed, stream id) here, or for experiments
// from a hashed key (core/stream.hpp), so results are bit-identical across runs and thread
// counts. The variates below are written out here,
// not taken from <random>'s distributions, whose algorithms differ between libraries.
#pragma once
#include <pcg_random.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace nnlab {

using Rng = pcg64;

// The engine's fixed stream ids, so two parts of a program never share a stream by accident.
// Labs do not add offsets to these: a lab's streams are hashed from names (core/stream.hpp).
namespace stream {
inline constexpr std::uint64_t init = 1;      // parameter initialization
inline constexpr std::uint64_t dropout = 2;   // dropout masks
inline constexpr std::uint64_t shuffle = 3;   // minibatch order
inline constexpr std::uint64_t data = 4;      // synthetic data sets
inline constexpr std::uint64_t trials = 1000; // a command's own Monte Carlo draws (probes)
}  // namespace stream

// The stream id selects one of 2^127 disjoint PCG sequences; the seed its starting point.
inline Rng make_rng(std::uint64_t seed, std::uint64_t stream_id) {
  // Mix the seed so that nearby seeds start far apart (splitmix64 finalizer).
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return Rng(pcg_extras::pcg128_t(z) << 64 | seed, pcg_extras::pcg128_t(stream_id));
}

// Uniform on [0, 1) with 53 random bits.
inline double uniform01(Rng& rng) { return double(rng() >> 11) * 0x1.0p-53; }

// Uniform integer in [0, n) without modulo bias (Lemire's method).
inline std::uint64_t uniform_index(Rng& rng, std::uint64_t n) {
  __uint128_t m = __uint128_t(rng()) * n;
  auto low = std::uint64_t(m);
  if (low < n) {
    const std::uint64_t threshold = -n % n;
    while (low < threshold) {
      m = __uint128_t(rng()) * n;
      low = std::uint64_t(m);
    }
  }
  return std::uint64_t(m >> 64);
}

inline bool bernoulli(Rng& rng, double p) { return uniform01(rng) < p; }

// Standard normal by Box–Muller (one variate per call; the second is discarded for simplicity).
inline double normal(Rng& rng) {
  const double u1 = 1.0 - uniform01(rng);  // in (0, 1], so log is finite
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Fisher–Yates shuffle of any random-access range.
template <class Range>
void shuffle(Range& range, Rng& rng) {
  using std::swap;
  for (std::size_t i = range.size(); i > 1; --i) swap(range[i - 1], range[uniform_index(rng, i)]);
}

}  // namespace nnlab
