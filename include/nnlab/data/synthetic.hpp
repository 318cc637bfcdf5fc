// Synthetic data sets with known ground truth, drawn from an explicit Rng (derive it with
// make_rng(seed, stream::data)), so the same seed gives the same data bit for bit.
// Samples are columns: X is d × n, Y is 1 × n for regression and one-hot 2 × n for the
// two-class problems (labels 0/1, alternating, so classes are balanced to within one).
//   linear_gaussian:  x ~ N(0, I_d),        y = βᵀx + σε,            ε ~ N(0, 1)
//   teacher:          x ~ N(0, I_d),        y = vᵀ tanh(W x) + σε
//   sine_regression:  x ~ U[−π, π],         y = sin x + σε
//   polynomial:       x ~ U[−1, 1],         y = Σ_k c_k x^k + σε
//   two_moons:        upper unit half circle (class 0) and the lower one shifted by (1, 0.5)
//                     (class 1), + N(0, σ² I)
//   spirals:          two arms r = t, θ = 2π·turns·t + cπ, t ~ U[0, 1], + N(0, σ² I)
//   xor_blobs:        N(corner, σ² I) at corners (±1, ±1); class 1 iff x₁x₂ < 0
#pragma once
#include "nnlab/core/rng.hpp"
#include "nnlab/data/dataset.hpp"

namespace nnlab::data {

template <class Scalar = double>
struct LinearGaussian {
  Dataset<Scalar> data;
  Vec<double> beta;  // the true coefficients
  double sigma = 0;  // the true noise standard deviation
};

// d must equal beta.size() (it is the input dimension; stated for readability at call sites).
template <class Scalar = double>
LinearGaussian<Scalar> linear_gaussian(Index n, Index d, const Vec<double>& beta, double sigma,
                                       Rng& rng);

// A one-hidden-layer tanh network f(x) = vᵀ tanh(W x), W: hidden × d_in, v: hidden.
struct TanhTeacher {
  Mat<double> W;
  Vec<double> v;

  // f on the columns of X (d_in × N) → 1 × N.
  Mat<double> operator()(const Mat<double>& X) const;

  // W_ij ~ N(0, 1/d_in) so that pre-activations are O(1); v_k ~ N(0, 1/hidden).
  static TanhTeacher random(Index d_in, Index hidden, Rng& rng);
};

template <class Scalar = double>
struct Teacher {
  Dataset<Scalar> data;
  TanhTeacher net;
  double sigma = 0;
};

// n samples x ~ N(0, I) labelled by the given teacher plus N(0, σ²) noise.
template <class Scalar = double>
Dataset<Scalar> sample_teacher(const TanhTeacher& net, Index n, double sigma, Rng& rng);

// A random teacher and n samples from it (fresh samples: sample_teacher(result.net, ...)).
template <class Scalar = double>
Teacher<Scalar> teacher(Index n, Index d_in, Index hidden, double sigma, Rng& rng);

template <class Scalar = double>
Dataset<Scalar> sine_regression(Index n, double sigma, Rng& rng);

// coefficients c_0, c_1, …: y = c_0 + c_1 x + c_2 x² + …
template <class Scalar = double>
Dataset<Scalar> polynomial_regression(Index n, const Vec<double>& coefficients, double sigma,
                                      Rng& rng);

template <class Scalar = double>
Dataset<Scalar> two_moons(Index n, double noise, Rng& rng);

template <class Scalar = double>
Dataset<Scalar> spirals(Index n, double turns, double noise, Rng& rng);

template <class Scalar = double>
Dataset<Scalar> xor_blobs(Index n, double noise, Rng& rng);

// rows × cols independent N(0, 1) entries, drawn column by column (random designs, true
// coefficients, noise vectors).
Mat<double> gaussian_matrix(Index rows, Index cols, Rng& rng);

}  // namespace nnlab::data
