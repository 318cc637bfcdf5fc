// Key → PCG64 stream: a two-lane hash of the names picks the sequence, a bijective 128-bit mix
// of (seed, cell, trial) the starting point.
#include "nnlab/core/stream.hpp"

#include "nnlab/core/error.hpp"

namespace nnlab {
namespace {

using u128 = pcg_extras::pcg128_t;

// splitmix64's finalizer: a bijection of 64-bit words with full avalanche.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A 128-bit hash of a sequence of words: two lanes, each absorbing a word by h ← mix64(h ⊕ w),
// from different starting values and with the word rotated differently, so they act as two
// independent 64-bit hashes.
struct NameHash {
  std::uint64_t a = 0x243f6a8885a308d3ULL, b = 0x13198a2e03707344ULL;  // digits of π
  void word(std::uint64_t w) {
    a = mix64(a ^ w);
    b = mix64(b ^ (w << 32 | w >> 32) ^ 0xa4093822299f31d0ULL);
  }
  // Length first, then the bytes 8 to a word: no two strings (or pairs of strings) give the
  // same sequence of words.
  void text(std::string_view s) {
    word(s.size());
    for (std::size_t i = 0; i < s.size(); i += 8) {
      std::uint64_t w = 0;
      for (std::size_t k = 0; k < 8 && i + k < s.size(); ++k)
        w |= std::uint64_t(static_cast<unsigned char>(s[i + k])) << (8 * k);
      word(w);
    }
  }
  u128 value() const { return u128(a) << 64 | b; }
};

u128 sequence(const Section& section, bool trial) {
  NameHash h;
  h.word(trial ? 0x7472'6961'6cULL : 0x6e61'6d65ULL);  // "trial" / "name": the key's kind
  h.text(section.lab);
  h.text(section.name);
  return h.value();
}

// Each step (xor with a right shift, product with an odd constant mod 2^128) is invertible,
// so distinct (seed, cell, trial) give distinct starts; the rounds spread every input bit.
u128 start(std::uint64_t seed, std::uint64_t cell, std::uint64_t trial) {
  const u128 m1 = u128(0x2360ed051fc65da4ULL) << 64 | 0x4385df649fccf645ULL;  // PCG's multiplier
  const u128 m2 = u128(0x9e3779b97f4a7c15ULL) << 64 | 0xbf58476d1ce4e5b9ULL;
  u128 x = u128(seed) << 64 | u128(cell) << 32 | trial;
  x ^= x >> 64;
  x *= m1;
  x ^= x >> 67;
  x *= m2;
  x ^= x >> 61;
  x *= m1;
  return x ^ (x >> 64);
}

}  // namespace

Rng make_rng(const Section& section) { return Rng(start(section.seed, 0, 0), sequence(section, false)); }

Rng make_rng(const Section& section, std::uint64_t cell, std::uint64_t trial) {
  require(cell >> 32 == 0 && trial >> 32 == 0,
          "stream of section '{}' of '{}': cell {} and trial {} must be < 2^32", section.name,
          section.lab, cell, trial);
  return Rng(start(section.seed, cell, trial), sequence(section, true));
}

}  // namespace nnlab
