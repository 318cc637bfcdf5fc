// GELU and softplus (vectorized by SLEEF: src/nn/vector_activation.cpp) against long double
// references: h by ulp of the result, h' and h'' (closed forms) by ε times the size of their
// terms, since h' = Φ + aφ and h'' = φ(2 − a²) cross zero (at a ≈ −0.75 and ±√2), where no
// relative bound can hold. Arguments: a dense sweep of [−41, 41] (both tails to past where GELU's
// left tail underflows), powers of two from the smallest subnormal to 2¹⁰ of both signs, ±0,
// ±∞ and NaN; lengths that leave every partial vector; out aliasing g.
#include "nnlab/nn/activation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <vector>

#include "../../src/nn/vector_activation.hpp"

namespace nnlab::nn {
namespace {

constexpr long double inv_sqrt_2pi = 0.3989422804014326779399460599343818684759L;

// φ(a) with a² carried exactly (a² has up to 106 bits; long double keeps 64).
long double phi_ref(long double a) {
  const long double p = a * a, p_lo = std::fmal(a, a, -p);
  return std::exp(-p / 2) * (1 - p_lo / 2) * inv_sqrt_2pi;
}
// Φ(a) = erfc(y)/2, y = −a/√2, with y's rounding corrected to first order.
long double Phi_ref(long double a) {
  const long double s = 0.7071067811865475244008443621048490393L;
  const long double y = -a * s, y_lo = std::fmal(-a, s, -y);
  return (std::erfc(y) - y_lo * 2 * std::sqrt(2.0L) * phi_ref(a)) / 2;
}
long double softplus_ref(long double a) { return std::max(a, 0.0L) + std::log1p(std::exp(-std::abs(a))); }

// |got − exact| in ulp of exact in S (the spacing of S's numbers at |exact|, down to subnormals).
template <class S>
double ulp_error(S got, long double exact) {
  int e = 0;
  std::frexp(exact, &e);
  const long double ulp = std::max(std::ldexp(1.0L, e - std::numeric_limits<S>::digits),
                                   (long double)std::numeric_limits<S>::denorm_min());
  return double(std::abs(got - exact) / ulp);
}

template <class S>
std::vector<S> arguments() {
  std::vector<S> xs = {S(0), S(-0.0)};
  for (int i = 0; i <= 82000; ++i) xs.push_back(S(-41 + i * 0.001 + i * 1e-9));
  for (int e = std::numeric_limits<S>::min_exponent - std::numeric_limits<S>::digits; e <= 10; ++e)
    for (double m : {1.0, 1.375, 1.9})
      for (double sign : {1.0, -1.0}) xs.push_back(S(std::ldexp(sign * m, e)));
  return xs;
}

struct Worst {
  double h = 0, d = 0, d2 = 0, h_subnormal = 0;
};

// Runs h, h', h'' on xs through the instruction set isa and returns the worst errors (h in ulp;
// h', h'' in ε of their terms).
template <class S>
Worst errors(Activation act, const std::vector<S>& xs, detail::VectorIsa isa) {
  const Index n = Index(xs.size());
  const Mat<S> a = Eigen::Map<const Mat<S>>(xs.data(), 1, n), g = Mat<S>::Ones(1, n);
  Mat<S> z(1, n), d(1, n), d2 = g;
  detail::vector_activation<S>(isa, act, 0, a.data(), nullptr, z.data(), n);
  detail::vector_activation<S>(isa, act, 1, a.data(), g.data(), d.data(), n);
  detail::vector_activation<S>(isa, act, 2, a.data(), d2.data(), d2.data(), n);  // in place
  const long double eps = std::numeric_limits<S>::epsilon();
  Worst w;
  for (Index i = 0; i < n; ++i) {
    const long double x = a(0, i);
    long double h, dh, scale_d, d2h, scale_d2;
    if (act == Activation::gelu) {
      const long double Phi = Phi_ref(x), phi = phi_ref(x);
      h = x * Phi, dh = Phi + x * phi, scale_d = Phi + std::abs(x * phi);
      d2h = phi * (2 - x * x), scale_d2 = phi * (2 + x * x);
    } else {
      const long double e = std::exp(-std::abs(x));
      h = softplus_ref(x), dh = x >= 0 ? 1 / (1 + e) : e / (1 + e), scale_d = dh;
      d2h = e / ((1 + e) * (1 + e)), scale_d2 = d2h;
    }
    // Where SLEEF's erfc(−a/√2) is subnormal (double GELU's left tail, a < −37.5), its output is
    // quantized to the smallest subnormal, which h = (a/2) erfc(−a/√2) multiplies by |a|/2: there
    // the error is bounded in units of |a| times the smallest subnormal instead. (Float GELU is
    // computed in double and rounded once: ulp everywhere.)
    const bool subnormal = act == Activation::gelu && sizeof(S) == 8 && 2 * Phi_ref(x) < std::numeric_limits<S>::min();
    const double eh = subnormal ? 0 : ulp_error(z(0, i), h);
    const double eh_sub = subnormal ? double(std::abs(z(0, i) - h) / (std::abs(x) * std::numeric_limits<S>::denorm_min())) : 0;
    w.h_subnormal = std::max(w.h_subnormal, eh_sub);
    // Absolute slack of one smallest normal: below it the terms themselves are subnormal.
    const long double tiny = std::numeric_limits<S>::min();
    const double ed = double(std::abs(d(0, i) - dh) / (eps * scale_d + tiny));
    const double ed2 = double(std::abs(d2(0, i) - d2h) / (eps * scale_d2 + tiny));
    EXPECT_TRUE(std::isfinite(eh) && std::isfinite(ed) && std::isfinite(ed2)) << to_string(act) << " at " << xs[i];
    w.h = std::max(w.h, eh), w.d = std::max(w.d, ed), w.d2 = std::max(w.d2, ed2);
  }
  return w;
}

// Every instruction set this CPU has (AVX2 on an AVX-512 machine too); the library's entry points
// take the best one, which the other tests of this file go through.
template <class S>
void expect_accurate(Activation act, Worst bound) {
  const detail::VectorIsa best = detail::cpu_vector_isa();
  if (best == detail::VectorIsa::none) GTEST_SKIP() << "no AVX2 or AVX-512: GELU and softplus run on std::";
  for (auto isa : {detail::VectorIsa::avx2, detail::VectorIsa::avx512}) {
    if (isa > best) continue;
    const char* name = isa == detail::VectorIsa::avx2 ? "AVX2" : "AVX-512";
    const Worst w = errors<S>(act, arguments<S>(), isa);
    EXPECT_LE(w.h, bound.h) << to_string(act) << ' ' << name;
    EXPECT_LE(w.d, bound.d) << to_string(act) << ' ' << name;
    EXPECT_LE(w.d2, bound.d2) << to_string(act) << ' ' << name;
    EXPECT_LE(w.h_subnormal, bound.h_subnormal) << to_string(act) << ' ' << name;
    std::printf("%s %s %s: h %.2f ulp (subnormal h: %.2f |a| denorm_min), h' %.2f eps, h'' %.2f eps\n",
                to_string(act).c_str(), sizeof(S) == 8 ? "double" : "float", name, w.h, w.h_subnormal, w.d, w.d2);
  }
}

// Measured worst (AVX-512 and AVX2 alike): GELU in double h 2.98 ulp, 1.2 |a| smallest
// subnormals in the tail, h' and h'' 1.8 and 2.1 ε; GELU in float 0.50 ulp, 0.50 and 0.48 ε (it
// is rounded once from double); softplus h 1.4 ulp, h' 1.5 ε, h'' 2.5 ε in both precisions.
TEST(Activation, GeluMatchesLongDoubleDouble) { expect_accurate<double>(Activation::gelu, {4, 6, 6, 2}); }
TEST(Activation, GeluMatchesLongDoubleFloat) { expect_accurate<float>(Activation::gelu, {1, 1, 1, 0}); }
TEST(Activation, SoftplusMatchesLongDoubleDouble) { expect_accurate<double>(Activation::softplus, {4, 6, 6, 2}); }
TEST(Activation, SoftplusMatchesLongDoubleFloat) { expect_accurate<float>(Activation::softplus, {4, 6, 6, 2}); }

// ±∞ and NaN: the limits (GELU(−∞) = 0, not ∞·0), and NaN stays NaN so that a diverging run
// reaches the loss's check. Inside the vector kernels' blocks (float GELU's 64 values, the AVX2
// double tanh's 32) these and clamped values give the bits they give alone.
template <class S>
void expect_limits_in_blocks() {
  constexpr S inf = std::numeric_limits<S>::infinity();
  const S nan = std::numeric_limits<S>::quiet_NaN();
  const S special[] = {inf, -inf, nan, S(20), S(-20), S(50), S(-50)};
  Mat<S> a = Mat<S>::Random(1, 140), g = Mat<S>::Random(1, 140);
  for (Index k = 0; k < 7; ++k) a(0, k) = a(0, 64 + 3 * k) = special[k];
  using Bits = std::conditional_t<sizeof(S) == 8, std::uint64_t, std::uint32_t>;
  const auto same = [](S x, S y) {  // the same bits, or both NaN (a NaN's payload is not kept)
    return (std::isnan(x) && std::isnan(y)) || std::bit_cast<Bits>(x) == std::bit_cast<Bits>(y);
  };
  for (Activation act : {Activation::tanh, Activation::gelu, Activation::softplus}) {
    Mat<S> z, d, d2;
    activate(act, a, z);
    times_derivative(act, a, z, g, d);
    times_second_derivative(act, a, z, g, d2);
    for (Index j = 0; j < a.cols(); ++j) {
      Mat<S> zj, dj, d2j;
      activate<S>(act, a.col(j), zj);
      EXPECT_TRUE(same(zj(0, 0), z(0, j))) << to_string(act) << " at " << j << ": a = " << a(0, j);
      if (act == Activation::tanh) continue;  // h' and h'' by the formula of their block, by design
      times_derivative<S>(act, a.col(j), z.col(j), g.col(j), dj);
      times_second_derivative<S>(act, a.col(j), z.col(j), g.col(j), d2j);
      EXPECT_TRUE(same(dj(0, 0), d(0, j))) << to_string(act) << " h' at " << j;
      EXPECT_TRUE(same(d2j(0, 0), d2(0, j))) << to_string(act) << " h'' at " << j;
    }
  }
}
TEST(Activation, LimitsInBlocksDouble) { expect_limits_in_blocks<double>(); }
TEST(Activation, LimitsInBlocksFloat) { expect_limits_in_blocks<float>(); }

template <class S>
void expect_limits() {
  constexpr S inf = std::numeric_limits<S>::infinity();
  Mat<S> a(1, 3), g = Mat<S>::Ones(1, 3), z, d, d2;
  a << inf, -inf, std::numeric_limits<S>::quiet_NaN();
  for (Activation act : {Activation::gelu, Activation::softplus}) {
    activate(act, a, z);
    times_derivative(act, a, z, g, d);
    times_second_derivative(act, a, z, g, d2);
    EXPECT_EQ(z(0, 0), inf) << to_string(act);
    EXPECT_EQ(z(0, 1), S(0)) << to_string(act);
    EXPECT_EQ(d(0, 0), S(1)) << to_string(act);
    EXPECT_EQ(d(0, 1), S(0)) << to_string(act);
    EXPECT_EQ(d2(0, 0), S(0)) << to_string(act);
    EXPECT_EQ(d2(0, 1), S(0)) << to_string(act);
    EXPECT_TRUE(std::isnan(z(0, 2)) && std::isnan(d(0, 2)) && std::isnan(d2(0, 2))) << to_string(act);
  }
}
TEST(Activation, GeluSoftplusLimitsDouble) { expect_limits<double>(); }
TEST(Activation, GeluSoftplusLimitsFloat) { expect_limits<float>(); }

// Every length from 1 to 140 (every partial vector of 4, 8 and 16 lanes, the partial blocks of
// the AVX2 double tanh's 32 values, which run on a zero-padded copy, and float GELU's 64, whose
// rest runs a vector at a time) gives each value the bits it has in a long batch: a vector kernel
// and its tail agree (the AVX2 double tanh's last n mod 4 values are the portable build's scalar
// code; float's tanh is Eigen's, whose scalar tail gives its packets' bits in these builds, GCC 12
// at -O3: a compiler that did not fuse the tail's multiply-adds might not).
// Not checked, as they are not so by design: tanh's h' and h'', whose formula is chosen per block
// of 64 values (activation.cpp), and sigmoid, whose partial packet Eigen evaluates with std::exp.
template <class S>
void expect_same_at_every_length() {
  const Mat<S> a = Mat<S>::Random(1, 140) * S(6), g = Mat<S>::Random(1, 140);
  for (Activation act : {Activation::tanh, Activation::gelu, Activation::softplus}) {
    Mat<S> z, d, d2;
    activate(act, a, z);
    times_derivative(act, a, z, g, d);
    times_second_derivative(act, a, z, g, d2);
    for (Index n = 1; n <= 140; ++n) {
      Mat<S> zn, dn, d2n;
      activate<S>(act, a.leftCols(n), zn);
      EXPECT_TRUE(zn == z.leftCols(n)) << to_string(act) << " n = " << n;
      if (act == Activation::tanh) continue;
      times_derivative<S>(act, a.leftCols(n), z.leftCols(n), g.leftCols(n), dn);
      times_second_derivative<S>(act, a.leftCols(n), z.leftCols(n), g.leftCols(n), d2n);
      EXPECT_TRUE(dn == d.leftCols(n) && d2n == d2.leftCols(n)) << to_string(act) << " n = " << n;
    }
  }
}
TEST(Activation, SameAtEveryLengthDouble) { expect_same_at_every_length<double>(); }
TEST(Activation, SameAtEveryLengthFloat) { expect_same_at_every_length<float>(); }

}  // namespace
}  // namespace nnlab::nn
