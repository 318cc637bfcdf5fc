// Activations h and the derivatives backprop and the R-operator need:
//   z = h(a),  δ = h'(a) ⊙ g,  and h''(a) for R{δ}.  Elementwise on batches (n × batch).
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

// out = h''(a) ⊙ g (zero for identity and relu away from the kink).
template <class Scalar>
void times_second_derivative(Activation h, const Mat<Scalar>& a, const Mat<Scalar>& z,
                             const Mat<Scalar>& g, Mat<Scalar>& out);
template <class Scalar>
void times_second_derivative(Activation h, const Scalar* a, const Scalar* z, const Scalar* g,
                             Scalar* out, Index n);

}  // namespace nnlab::nn
