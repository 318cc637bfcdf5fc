// h, h', h'' for each activation. GELU is the exact one, h(a) = a Φ(a):
//   h' = Φ(a) + a φ(a),  h'' = φ(a)(2 − a²).
// Softplus h = log(1 + eᵃ) is evaluated as max(a,0) + log1p(e^{−|a|}) to avoid overflow.
#include "nnlab/nn/activation.hpp"

#include <cmath>
#include <numbers>
#include <type_traits>

#include "nnlab/core/error.hpp"

namespace nnlab::nn {

namespace {
constexpr std::string_view names[] = {"identity", "relu", "sigmoid", "tanh", "softplus", "gelu"};

template <class S>
S phi(S a) {  // standard normal density
  return S(0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2) * std::exp(-a * a / 2);
}
template <class S>
S Phi(S a) {  // standard normal distribution function
  return S(0.5) * std::erfc(-a / S(std::numbers::sqrt2));
}
template <class S>
S sigmoid(S a) {
  return S(1) / (S(1) + std::exp(-a));
}

// tanh for double, vectorizable: Eigen 3.4 vectorizes tanh only for float, and std::tanh costs
// ~10× more per element. tanh|a| = (1 − e)/(1 + e) with e = e^{−2|a|} (Eigen's vectorized exp),
// and for |a| < 1/8, where 1 − e cancels, its odd Taylor series to a¹⁵ (next term < 3e-19 there).
// Within 4 ulp of std::tanh (tests/nn; worst case just above 1/8, where 1 − e loses two bits).
// The loop is plain so that GCC vectorizes it.
void tanh_double(const Mat<double>& a, Mat<double>& z) {
  z = (-2.0 * a.array().abs()).exp();
  const double* pa = a.data();
  double* pz = z.data();
  for (Index i = 0; i < a.size(); ++i) {
    const double x = pa[i], ax = std::abs(x), e = pz[i], x2 = x * x;
    const double series =
        ax * (1 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 + x2 * (-17.0 / 315 + x2 * (62.0 / 2835 +
              x2 * (-1382.0 / 155925 + x2 * (21844.0 / 6081075 + x2 * (-929569.0 / 638512875))))))));
    pz[i] = std::copysign(ax < 0.125 ? series : (1 - e) / (1 + e), x);
  }
}

template <class S>
void tanh_into(const Mat<S>& a, Mat<S>& z) {
  if constexpr (std::is_same_v<S, float>)
    z = a.array().tanh();
  else
    tanh_double(a, z);
}

// out = [a > 0] ⊙ g as a plain loop: Eigen 3.4's select() does not vectorize.
template <class S>
void relu_derivative(const Mat<S>& a, const Mat<S>& g, Mat<S>& out) {
  const S *pa = a.data(), *pg = g.data();
  S* po = out.data();
  for (Index i = 0; i < a.size(); ++i) po[i] = pa[i] > S(0) ? pg[i] : S(0);
}
}  // namespace

Activation parse_activation(std::string_view name) {
  for (std::size_t i = 0; i < std::size(names); ++i)
    if (name == names[i]) return Activation(i);
  fail("unknown activation '{}'; valid: identity, relu, sigmoid, tanh, softplus, gelu", name);
}

std::string to_string(Activation h) { return std::string(names[int(h)]); }

template <class S>
void activate(Activation h, const Mat<S>& a, Mat<S>& z) {
  z.resize(a.rows(), a.cols());
  switch (h) {
    case Activation::identity: z = a; break;
    case Activation::relu: z = a.cwiseMax(S(0)); break;
    case Activation::sigmoid: z = (S(1) + (-a.array()).exp()).inverse(); break;
    case Activation::tanh: tanh_into(a, z); break;
    case Activation::softplus:
      z = a.unaryExpr([](S x) { return std::max(x, S(0)) + std::log1p(std::exp(-std::abs(x))); });
      break;
    case Activation::gelu: z = a.unaryExpr([](S x) { return x * Phi(x); }); break;
  }
}

template <class S>
void times_derivative(Activation h, const Mat<S>& a, const Mat<S>& z, const Mat<S>& g, Mat<S>& out) {
  out.resize(a.rows(), a.cols());
  switch (h) {
    case Activation::identity: out = g; break;
    case Activation::relu: relu_derivative(a, g, out); break;
    case Activation::sigmoid: out = g.array() * z.array() * (S(1) - z.array()); break;
    case Activation::tanh: out = g.array() * (S(1) - z.array().square()); break;
    case Activation::softplus: out = g.array() * a.unaryExpr([](S x) { return sigmoid(x); }).array(); break;
    case Activation::gelu:
      out = g.array() * a.unaryExpr([](S x) { return Phi(x) + x * phi(x); }).array();
      break;
  }
}

template <class S>
void times_second_derivative(Activation h, const Mat<S>& a, const Mat<S>& z, const Mat<S>& g,
                             Mat<S>& out) {
  out.resize(a.rows(), a.cols());
  switch (h) {
    case Activation::identity:
    case Activation::relu: out.setZero(); break;
    case Activation::sigmoid:  // σ'' = σ(1−σ)(1−2σ)
      out = g.array() * z.array() * (S(1) - z.array()) * (S(1) - S(2) * z.array());
      break;
    case Activation::tanh:  // tanh'' = −2 t (1 − t²)
      out = g.array() * S(-2) * z.array() * (S(1) - z.array().square());
      break;
    case Activation::softplus:  // softplus'' = σ(1−σ)
      out = g.array() * a.unaryExpr([](S x) { S s = sigmoid(x); return s * (S(1) - s); }).array();
      break;
    case Activation::gelu:
      out = g.array() * a.unaryExpr([](S x) { return phi(x) * (S(2) - x * x); }).array();
      break;
  }
}

#define NNLAB_INSTANTIATE(S)                                                                    \
  template void activate<S>(Activation, const Mat<S>&, Mat<S>&);                                \
  template void times_derivative<S>(Activation, const Mat<S>&, const Mat<S>&, const Mat<S>&,    \
                                    Mat<S>&);                                                   \
  template void times_second_derivative<S>(Activation, const Mat<S>&, const Mat<S>&,            \
                                           const Mat<S>&, Mat<S>&);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::nn
