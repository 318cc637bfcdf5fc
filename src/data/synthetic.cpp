// Generators draw sample by sample (inputs, then noise) so each data set's random stream is
// consumed in one fixed order.
#include "nnlab/data/synthetic.hpp"

#include <cmath>
#include <numbers>

#include "nnlab/core/error.hpp"

namespace nnlab::data {

namespace {

constexpr double pi = std::numbers::pi;

void check_common(const char* what, Index n, double sigma) {
  require(n > 0, "{}: number of samples n = {} must be positive", what, n);
  require(std::isfinite(sigma) && sigma >= 0, "{}: noise {} must be finite and ≥ 0", what, sigma);
}

double uniform(Rng& rng, double lo, double hi) { return lo + (hi - lo) * uniform01(rng); }

// Two-class data set from 2 × n inputs and alternating labels 0, 1, 0, 1, ….
template <class Scalar>
Dataset<Scalar> two_class(const Mat<double>& X, std::string name) {
  Dataset<Scalar> data;
  data.X = X.cast<Scalar>();
  data.num_classes = 2;
  data.labels.resize(std::size_t(X.cols()));
  data.Y = Mat<Scalar>::Zero(2, X.cols());
  for (Index j = 0; j < X.cols(); ++j) {
    data.labels[std::size_t(j)] = int(j % 2);
    data.Y(j % 2, j) = Scalar(1);
  }
  data.name = std::move(name);
  return data;
}

template <class Scalar>
Dataset<Scalar> regression(const Mat<double>& X, const Mat<double>& Y, std::string name) {
  return {X.cast<Scalar>(), Y.cast<Scalar>(), {}, 0, std::move(name)};
}

}  // namespace

template <class Scalar>
LinearGaussian<Scalar> linear_gaussian(Index n, Index d, const Vec<double>& beta, double sigma,
                                       Rng& rng) {
  check_common("linear_gaussian", n, sigma);
  require(d > 0 && beta.size() == d, "linear_gaussian: d = {} but beta has {} entries", d,
          beta.size());
  Mat<double> X(d, n), Y(1, n);
  for (Index j = 0; j < n; ++j) {
    for (Index i = 0; i < d; ++i) X(i, j) = normal(rng);
    Y(0, j) = beta.dot(X.col(j)) + sigma * normal(rng);
  }
  return {regression<Scalar>(X, Y, "linear-gaussian"), beta, sigma};
}

Mat<double> TanhTeacher::operator()(const Mat<double>& X) const {
  require(X.rows() == W.cols(), "TanhTeacher: input has {} rows, the teacher expects {}",
          X.rows(), W.cols());
  return v.transpose() * (W * X).array().tanh().matrix();
}

TanhTeacher TanhTeacher::random(Index d_in, Index hidden, Rng& rng) {
  require(d_in > 0 && hidden > 0, "TanhTeacher: d_in = {} and hidden = {} must be positive", d_in,
          hidden);
  TanhTeacher net{Mat<double>(hidden, d_in), Vec<double>(hidden)};
  const double w_scale = 1 / std::sqrt(double(d_in)), v_scale = 1 / std::sqrt(double(hidden));
  for (Index k = 0; k < hidden; ++k)
    for (Index i = 0; i < d_in; ++i) net.W(k, i) = w_scale * normal(rng);
  for (Index k = 0; k < hidden; ++k) net.v(k) = v_scale * normal(rng);
  return net;
}

template <class Scalar>
Dataset<Scalar> sample_teacher(const TanhTeacher& net, Index n, double sigma, Rng& rng) {
  check_common("teacher", n, sigma);
  Mat<double> X(net.W.cols(), n);
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < X.rows(); ++i) X(i, j) = normal(rng);
  Mat<double> Y = net(X);
  for (Index j = 0; j < n; ++j) Y(0, j) += sigma * normal(rng);
  return regression<Scalar>(X, Y, "teacher");
}

template <class Scalar>
Teacher<Scalar> teacher(Index n, Index d_in, Index hidden, double sigma, Rng& rng) {
  TanhTeacher net = TanhTeacher::random(d_in, hidden, rng);
  Dataset<Scalar> data = sample_teacher<Scalar>(net, n, sigma, rng);
  return {std::move(data), std::move(net), sigma};
}

template <class Scalar>
Dataset<Scalar> sine_regression(Index n, double sigma, Rng& rng) {
  check_common("sine_regression", n, sigma);
  Mat<double> X(1, n), Y(1, n);
  for (Index j = 0; j < n; ++j) {
    X(0, j) = uniform(rng, -pi, pi);
    Y(0, j) = std::sin(X(0, j)) + sigma * normal(rng);
  }
  return regression<Scalar>(X, Y, "sine");
}

template <class Scalar>
Dataset<Scalar> polynomial_regression(Index n, const Vec<double>& coefficients, double sigma,
                                      Rng& rng) {
  check_common("polynomial_regression", n, sigma);
  require(coefficients.size() > 0, "polynomial_regression: no coefficients");
  Mat<double> X(1, n), Y(1, n);
  for (Index j = 0; j < n; ++j) {
    const double x = uniform(rng, -1, 1);
    double p = 0;  // Horner: c_0 + x (c_1 + x (c_2 + …))
    for (Index k = coefficients.size() - 1; k >= 0; --k) p = p * x + coefficients(k);
    X(0, j) = x;
    Y(0, j) = p + sigma * normal(rng);
  }
  return regression<Scalar>(X, Y, "polynomial");
}

template <class Scalar>
Dataset<Scalar> two_moons(Index n, double noise, Rng& rng) {
  check_common("two_moons", n, noise);
  Mat<double> X(2, n);
  for (Index j = 0; j < n; ++j) {
    const double t = uniform(rng, 0, pi);
    if (j % 2 == 0)
      X.col(j) << std::cos(t), std::sin(t);
    else
      X.col(j) << 1 - std::cos(t), 0.5 - std::sin(t);
    X(0, j) += noise * normal(rng);
    X(1, j) += noise * normal(rng);
  }
  return two_class<Scalar>(X, "two-moons");
}

template <class Scalar>
Dataset<Scalar> spirals(Index n, double turns, double noise, Rng& rng) {
  check_common("spirals", n, noise);
  require(std::isfinite(turns) && turns > 0, "spirals: turns = {} must be positive", turns);
  Mat<double> X(2, n);
  for (Index j = 0; j < n; ++j) {
    const double t = uniform01(rng);
    const double theta = 2 * pi * turns * t + (j % 2 == 0 ? 0.0 : pi);
    X(0, j) = t * std::cos(theta) + noise * normal(rng);
    X(1, j) = t * std::sin(theta) + noise * normal(rng);
  }
  return two_class<Scalar>(X, "spirals");
}

template <class Scalar>
Dataset<Scalar> xor_blobs(Index n, double noise, Rng& rng) {
  check_common("xor_blobs", n, noise);
  Mat<double> X(2, n);
  for (Index j = 0; j < n; ++j) {
    // Class 0 at (1, 1) or (−1, −1); class 1 at (1, −1) or (−1, 1).
    const double s = bernoulli(rng, 0.5) ? 1.0 : -1.0;
    X(0, j) = s + noise * normal(rng);
    X(1, j) = (j % 2 == 0 ? s : -s) + noise * normal(rng);
  }
  return two_class<Scalar>(X, "xor");
}

Mat<double> gaussian_matrix(Index rows, Index cols, Rng& rng) {
  Mat<double> M(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) M(i, j) = normal(rng);
  return M;
}

#define NNLAB_INSTANTIATE(Scalar)                                                              \
  template LinearGaussian<Scalar> linear_gaussian<Scalar>(Index, Index, const Vec<double>&,   \
                                                          double, Rng&);                        \
  template Dataset<Scalar> sample_teacher<Scalar>(const TanhTeacher&, Index, double, Rng&);    \
  template Teacher<Scalar> teacher<Scalar>(Index, Index, Index, double, Rng&);                 \
  template Dataset<Scalar> sine_regression<Scalar>(Index, double, Rng&);                       \
  template Dataset<Scalar> polynomial_regression<Scalar>(Index, const Vec<double>&, double,    \
                                                         Rng&);                                 \
  template Dataset<Scalar> two_moons<Scalar>(Index, double, Rng&);                             \
  template Dataset<Scalar> spirals<Scalar>(Index, double, double, Rng&);                       \
  template Dataset<Scalar> xor_blobs<Scalar>(Index, double, Rng&);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::data
