// GELU and softplus over n contiguous values, vectorized by SLEEF (erfc, exp, log1p with stated
// ulp bounds) on AVX-512F or AVX2 + FMA, whichever the CPU has (cpuid, checked once).
#pragma once
#include "nnlab/core/types.hpp"
#include "nnlab/nn/activation.hpp"

namespace nnlab::nn::detail {

// The instruction sets with a SLEEF path, in order; cpu_vector_isa() is the best this CPU has.
enum class VectorIsa { none, avx2, avx512 };
VectorIsa cpu_vector_isa();

// The same with the instruction set given (at most cpu_vector_isa(), not none), so that tests run
// the AVX2 path on an AVX-512 machine too.
template <class S>
void vector_activation(VectorIsa isa, Activation h, int order, const S* a, const S* g, S* out, Index n);

// out = h(a) for order 0 (g unused), g ⊙ h'(a) for order 1, g ⊙ h''(a) for order 2, where h is
// gelu or softplus; out may alias a or g. Returns false, touching nothing, when the CPU has
// neither instruction set (the caller then evaluates with std::).
template <class S>
bool vector_activation(Activation h, int order, const S* a, const S* g, S* out, Index n);

}  // namespace nnlab::nn::detail
