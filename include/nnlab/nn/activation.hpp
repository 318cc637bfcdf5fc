// Activations h and the derivatives backprop and the R-operator need:
//   z = h(a),  δ = h'(a) ⊙ g,  and h''(a) for R{δ}.  Elementwise on batches (n × batch).
// How each is evaluated (all vectorized; ns per value in docs/benchmarks.md):
//   sigmoid, tanh  float: Eigen; tanh double: an AVX-512 kernel (≤ 3 ulp of std::tanh); h' from z,
//                  or from a where the unit saturates (1 − |z| < 2⁻¹⁰ double, 2⁻⁸ float).
//   gelu           exact, a Φ(a), and softplus, log(1 + eᵃ): SLEEF's erfc, exp, log1p, on AVX-512F
//                  or AVX2 + FMA as the CPU has them (cpuid; std:: on older CPUs). GELU h within
//                  4 ulp (double) / 5 ulp (float) of long double down to where erfc(−a/√2)
//                  underflows, then within |a| smallest subnormals; softplus within 2 ulp; h', h''
//                  within a few ε of the size of their terms (tests/nn/activation_test.cpp).
#pragma once
#include <string>
#include <string_view>

#include "nnlab/core/types.hpp"

namespace nnlab::nn {

enum class Activation { identity, relu, sigmoid, tanh, softplus, gelu };

// "relu", "tanh", …; unknown names throw Error listing the valid ones.
Activation parse_activation(std::string_view name);
std::string to_string(Activation h);

// z = h(a)
template <class Scalar>
void activate(Activation h, const Mat<Scalar>& a, Mat<Scalar>& z);
// The same on n contiguous values, e.g. a range of columns of a batch.
template <class Scalar>
void activate(Activation h, const Scalar* a, Scalar* z, Index n);

// out = h'(a) ⊙ g. z = h(a) is passed too: sigmoid and tanh read their derivative from it.
template <class Scalar>
void times_derivative(Activation h, const Mat<Scalar>& a, const Mat<Scalar>& z,
                      const Mat<Scalar>& g, Mat<Scalar>& out);
template <class Scalar>
void times_derivative(Activation h, const Scalar* a, const Scalar* z, const Scalar* g,
                      Scalar* out, Index n);

// h'' = 0 (identity, and relu away from the kink): the R-operator's second-order terms vanish.
constexpr bool piecewise_linear(Activation h) { return h == Activation::identity || h == Activation::relu; }

// out = h''(a) ⊙ g (zero for identity and relu away from the kink).
template <class Scalar>
void times_second_derivative(Activation h, const Mat<Scalar>& a, const Mat<Scalar>& z,
                             const Mat<Scalar>& g, Mat<Scalar>& out);
template <class Scalar>
void times_second_derivative(Activation h, const Scalar* a, const Scalar* z, const Scalar* g,
                             Scalar* out, Index n);

}  // namespace nnlab::nn
