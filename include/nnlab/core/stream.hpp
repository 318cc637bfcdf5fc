// Hashed random streams for experiments. A lab's randomness is addressed by a key, never by an
// added offset: (seed, lab, section) names a part of an experiment ("noise", "mask-moments"),
// and a Monte Carlo trial within it adds (cell, trial). The key picks one PCG64 stream:
//   sequence (127 bits) = a 128-bit hash of (lab, section, whether the key is a trial's)
//   start    (128 bits) = a bijective 128-bit mix of (seed, cell, trial), cell, trial < 2^32
// So keys of one section that differ in seed, cell or trial start at different points of one
// 2^128-long sequence (far apart: the mix scatters them), and keys that differ in lab or section
// run on different sequences unless two 128-bit name hashes collide (~2^-128). The named stream
// of a section is a different stream from every trial of it. The engine's fixed streams
// (make_rng(seed, stream::init) and friends) use sequences 1–4, which no hash lands on in practice.
#pragma once
#include <cstdint>
#include <string_view>

#include "nnlab/core/rng.hpp"

namespace nnlab {

// A named part of one run of one lab.
struct Section {
  std::uint64_t seed = 1;
  std::string_view lab;   // the lab id, e.g. "bagging-ols"
  std::string_view name;  // the section, e.g. "noise"
};

// The section's own stream, e.g. for a fixed design drawn once.
Rng make_rng(const Section& section);

// Trial `trial` of grid cell `cell` in the section (a plain series of trials is cell 0).
// Throws Error if cell or trial is ≥ 2^32.
Rng make_rng(const Section& section, std::uint64_t cell, std::uint64_t trial);

}  // namespace nnlab
