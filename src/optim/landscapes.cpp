// The test-function zoo's landscapes and their critical points; formulas and sources in
// landscapes.hpp. Every listed point was found by Newton on ∇L from the source's (rounded) location
// and is checked by tests/optim/critical_points_test.cpp.
#include "nnlab/optim/landscapes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {

namespace {

void require_dim(std::string_view what, Index expected, Index got) {
  require(expected == got, "{}: vector has size {}, expected {}", what, got, expected);
}

Vec<double> point(std::initializer_list<double> xs) {
  Vec<double> x(Index(xs.size()));
  Index i = 0;
  for (const double v : xs) x(i++) = v;
  return x;
}

// The kind of a point from its inertia; `global` says whether its value is the function's minimum.
std::string kind_of(const Inertia& in, bool global) {
  if (in.negative == 0 && in.zero == 0) return global ? "global minimum" : "local minimum";
  if (in.negative == 0) return global ? "global minimum (degenerate)" : "degenerate";
  if (in.positive == 0 && in.zero == 0) return "maximum";
  return in.zero == 0 ? "saddle" : "saddle (degenerate)";
}

CriticalPoint cp(std::initializer_list<double> xs, double value, Index negative, Index zero,
                 Index positive, bool global = false) {
  const Inertia in{negative, zero, positive};
  return {kind_of(in, global), point(xs), value, in};
}

}  // namespace

// ---------------------------------------------------------------- Function2D

template <class Formula>
Jet2 Function2D<Formula>::jet(const Vec<double>& x) {
  return Formula::f(Jet2::x(x(0)), Jet2::y(x(1)));
}

template <class Formula>
double Function2D<Formula>::value(const Vec<double>& x) const {
  require_dim(name, 2, x.size());
  return Formula::f(x(0), x(1));
}

template <class Formula>
double Function2D<Formula>::gradient(const Vec<double>& x, Vec<double>& g) const {
  require_dim(name, 2, x.size());
  const Jet2 j = jet(x);
  g.resize(2);
  g << j.gx, j.gy;
  return j.v;
}

template <class Formula>
void Function2D<Formula>::hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const {
  require_dim(name, 2, x.size());
  require_dim(name, 2, v.size());
  const Jet2 j = jet(x);
  Hv.resize(2);
  Hv << j.hxx * v(0) + j.hxy * v(1), j.hxy * v(0) + j.hyy * v(1);
}

template <class Formula>
Mat<double> Function2D<Formula>::hessian(const Vec<double>& x) const {
  require_dim(name, 2, x.size());
  const Jet2 j = jet(x);
  Mat<double> H(2, 2);
  H << j.hxx, j.hxy, j.hxy, j.hyy;
  return H;
}

// Himmelblau (1972) gives the four minima; the saddles and the maximum are from a scan of
// [−5, 5]² by Newton on ∇f from a 61 × 61 grid (every start converged to one of these nine).
std::vector<CriticalPoint> HimmelblauFormula::critical_points() {
  return {cp({3, 2}, 0, 0, 0, 2, true),
          cp({-2.805118086953, 3.131312518251}, 0, 0, 0, 2, true),
          cp({-3.779310253378, -3.283185991286}, 0, 0, 0, 2, true),
          cp({3.584428340330, -1.848126526964}, 0, 0, 0, 2, true),
          cp({3.385154183607, 0.073851879838}, 13.3119262704, 1, 0, 1),
          cp({0.086677504555, 2.884254701175}, 67.7191500875, 1, 0, 1),
          cp({-3.073025750764, -0.081353044288}, 104.015162918, 1, 0, 1),
          cp({-0.127961346731, -1.953714980245}, 178.337239202, 1, 0, 1),
          cp({-0.270844590667, -0.923038556480}, 181.616521523, 2, 0, 0)};
}

// Beale (1958): the minimum; (0, 1) by hand (on x = 0 every term is constant in y, and ∂f/∂x
// = 2(1.5)(y−1) + 2(2.25)(y²−1) + 2(2.625)(y³−1) vanishes at y = 1); the other saddle from a
// scan of [−4.5, 4.5]².
std::vector<CriticalPoint> BealeFormula::critical_points() {
  return {cp({3, 0.5}, 0, 0, 0, 2, true),
          cp({0.100537937324, -2.644513585023}, 9.86451228476, 1, 0, 1),
          cp({0, 1}, 14.203125, 1, 0, 1)};
}

// Goldstein & Price (1971): the minimum 3 at (0, −1) and the local minima 30 at (−0.6, −0.4),
// 84 at (1.8, 0.2), 840 at (1.2, 0.8); the saddles and the maximum from a scan of [−2, 2]² (all at
// points with one decimal, as the minima).
std::vector<CriticalPoint> GoldsteinPriceFormula::critical_points() {
  return {cp({0, -1}, 3, 0, 0, 2, true),
          cp({-0.6, -0.4}, 30, 0, 0, 2),
          cp({1.8, 0.2}, 84, 0, 0, 2),
          cp({1.2, 0.8}, 840, 0, 0, 2),
          cp({-0.4, -0.6}, 35, 1, 0, 1),
          cp({1.2, -0.2}, 99, 1, 0, 1),
          cp({1.4, 0.6}, 980, 1, 0, 1),
          cp({0.6, 0.4}, 990, 1, 0, 1),
          cp({0.8, 0.2}, 1155, 2, 0, 0)};
}

// Dixon & Szegő (1978): six minima, two global; with the saddles and maxima from a scan of [−3, 3]²
// (f(x, y) = f(−x, −y), so the points come in pairs, except the saddle at 0).
std::vector<CriticalPoint> SixHumpCamelFormula::critical_points() {
  return {cp({0.089842013100, -0.712656403021}, -1.03162845349, 0, 0, 2, true),
          cp({-0.089842013100, 0.712656403021}, -1.03162845349, 0, 0, 2, true),
          cp({1.703606714970, -0.796083568673}, -0.215463824384, 0, 0, 2),
          cp({-1.703606714970, 0.796083568673}, -0.215463824384, 0, 0, 2),
          cp({1.607104752920, 0.568651454884}, 2.10425031031, 0, 0, 2),
          cp({-1.607104752920, -0.568651454884}, 2.10425031031, 0, 0, 2),
          cp({0, 0}, 0, 1, 0, 1),
          cp({1.109205336805, -0.768268092510}, 0.543718600978, 1, 0, 1),
          cp({-1.109205336805, 0.768268092510}, 0.543718600978, 1, 0, 1),
          cp({1.638067984190, 0.228674069044}, 2.22935719753, 1, 0, 1),
          cp({-1.638067984190, -0.228674069044}, 2.22935719753, 1, 0, 1),
          cp({1.296070267167, 0.605084388039}, 2.22947081803, 1, 0, 1),
          cp({-1.296070267167, -0.605084388039}, 2.22947081803, 1, 0, 1),
          cp({1.230229876517, 0.162334584459}, 2.49629535102, 2, 0, 0),
          cp({-1.230229876517, -0.162334584459}, 2.49629535102, 2, 0, 0)};
}

std::vector<CriticalPoint> SaddleXYFormula::critical_points() { return {cp({0, 0}, 0, 1, 0, 1)}; }

// H = [[6x, −6y], [−6y, −6x]] = 0 at the origin; f(t, 0) = t³ changes sign, so no extremum.
std::vector<CriticalPoint> MonkeySaddleFormula::critical_points() { return {cp({0, 0}, 0, 0, 2, 0)}; }

template class Function2D<HimmelblauFormula>;
template class Function2D<BealeFormula>;
template class Function2D<GoldsteinPriceFormula>;
template class Function2D<SixHumpCamelFormula>;
template class Function2D<SaddleXYFormula>;
template class Function2D<MonkeySaddleFormula>;

// ---------------------------------------------------------------- Separable

template <class Term>
Separable<Term>::Separable(Index n) : n_(n) {
  require(n >= 1, "{}: dimension must be >= 1, got {}", name, n);
}

template <class Term>
double Separable<Term>::value(const Vec<double>& x) const {
  require_dim(name, n_, x.size());
  double f = 0;
  for (Index i = 0; i < n_; ++i) f += Term::phi(x(i)).f;
  return f;
}

template <class Term>
double Separable<Term>::gradient(const Vec<double>& x, Vec<double>& g) const {
  require_dim(name, n_, x.size());
  g.resize(n_);
  double f = 0;
  for (Index i = 0; i < n_; ++i) {
    const TermJet t = Term::phi(x(i));
    f += t.f;
    g(i) = t.d1;
  }
  return f;
}

template <class Term>
void Separable<Term>::hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const {
  require_dim(name, n_, x.size());
  require_dim(name, n_, v.size());
  Hv.resize(n_);
  for (Index i = 0; i < n_; ++i) Hv(i) = Term::phi(x(i)).d2 * v(i);
}

template <class Term>
Mat<double> Separable<Term>::hessian(const Vec<double>& x) const {
  require_dim(name, n_, x.size());
  Mat<double> H = Mat<double>::Zero(n_, n_);
  for (Index i = 0; i < n_; ++i) H(i, i) = Term::phi(x(i)).d2;
  return H;
}

template <class Term>
std::vector<CriticalPoint> Separable<Term>::critical_points() const {
  const std::vector<TermCriticalPoint> terms = Term::critical_points();  // terms[0]: the global one
  const auto K = Index(terms.size());
  const auto make = [&](const std::vector<Index>& choice) {
    Vec<double> x(n_);
    double value = 0;
    Inertia in;
    for (Index i = 0; i < n_; ++i) {
      const TermCriticalPoint& t = terms[std::size_t(choice[std::size_t(i)])];
      x(i) = t.t;
      value += t.value;
      (Term::phi(t.t).d2 < 0 ? in.negative : in.positive) += 1;
    }
    // Global: a minimum at the global value (for the double well every minimum is).
    const double best = double(n_) * terms[0].value;
    const bool global = in.negative == 0 && std::abs(value - best) <= 1e-12 * std::max(1.0, std::abs(best));
    return CriticalPoint{kind_of(in, global), x, value, in};
  };
  std::vector<CriticalPoint> points;
  if (std::pow(double(K), double(n_)) <= 200) {
    std::vector<Index> choice(std::size_t(n_), 0);
    for (;;) {
      points.push_back(make(choice));
      Index i = 0;
      while (i < n_ && ++choice[std::size_t(i)] == K) choice[std::size_t(i++)] = 0;
      if (i == n_) break;
    }
    return points;
  }
  // The global minimum and, for each index k = 1..n, the point with the first k coordinates at
  // the first per-coordinate maximum of φ.
  Index maximum = 0;
  while (Term::phi(terms[std::size_t(maximum)].t).d2 > 0) ++maximum;
  for (Index k = 0; k <= n_; ++k) {
    std::vector<Index> choice(std::size_t(n_), 0);
    std::fill_n(choice.begin(), k, maximum);
    points.push_back(make(choice));
  }
  return points;
}

TermJet RastriginTerm::phi(double t) {
  constexpr double w = 2 * std::numbers::pi;
  return {10 + t * t - 10 * std::cos(w * t), 2 * t + 10 * w * std::sin(w * t),
          2 + 10 * w * w * std::cos(w * t)};
}

TermJet StyblinskiTangTerm::phi(double t) {
  return {0.5 * (t * t * t * t - 16 * t * t + 5 * t), 2 * t * t * t - 16 * t + 2.5, 6 * t * t - 16};
}

TermJet DoubleWellTerm::phi(double t) {
  const double s = t * t - 1;
  return {0.25 * s * s, t * s, 3 * t * t - 1};
}

// The roots of φ'(t) = 2t + 20π sin 2πt nearest 0: the global minimum first, then the local minima
// near ±1 (φ ≈ 0.99496, not at ±1) and the per-coordinate maxima near ±½.
std::vector<TermCriticalPoint> RastriginTerm::critical_points() {
  return {{0, 0},
          {0.9949586376523348, 0.9949590570932916},
          {-0.9949586376523348, 0.9949590570932916},
          {0.5025460365546747, 20.251272990990113},
          {-0.5025460365546747, 20.251272990990113}};
}

// The three roots of 2t³ − 16t + 2.5 = 0 (by Newton to machine precision). The minimum per
// coordinate is −39.16616570, not the −39.16599 of many tables (that number is no value of φ near
// its minimizer: φ(−2.903534) = −39.1661657).
std::vector<TermCriticalPoint> StyblinskiTangTerm::critical_points() {
  return {{-2.903534027771177, -39.16616570377141},
          {2.746802770990837, -25.02944665528394},
          {0.1567312567803401, 0.19561235905535804}};
}

std::vector<TermCriticalPoint> DoubleWellTerm::critical_points() { return {{1, 0}, {-1, 0}, {0, 0.25}}; }

template class Separable<RastriginTerm>;
template class Separable<StyblinskiTangTerm>;
template class Separable<DoubleWellTerm>;

// ---------------------------------------------------------------- Ackley
// With r = √(Σx_i²/n), s = Σ cos(c x_i)/n, a = 20, b = 0.2, c = 2π:
//   f = −a e^{−br} − e^{s} + a + e,
//   ∇f = u x + (c/n) e^{s} sin(c x),               u(r) = (ab/n) e^{−br}/r,
//   ∇²f = u I + (u'(r)/(nr)) x xᵀ + (c²/n) e^{s} diag(cos(c x)) − (c/n)² e^{s} sin(cx) sin(cx)ᵀ,
//   u'(r) = −(ab/n) e^{−br} (b/r + 1/r²).

namespace {
constexpr double ackley_a = 20, ackley_b = 0.2, ackley_c = 2 * std::numbers::pi;
}

Ackley::Ackley(Index n) : n_(n) { require(n >= 1, "Ackley: dimension must be >= 1, got {}", n); }

double Ackley::value(const Vec<double>& x) const {
  require_dim(name, n_, x.size());
  const double r = std::sqrt(x.squaredNorm() / double(n_));
  const double s = (ackley_c * x.array()).cos().sum() / double(n_);
  return -ackley_a * std::exp(-ackley_b * r) - std::exp(s) + ackley_a + std::numbers::e;
}

double Ackley::gradient(const Vec<double>& x, Vec<double>& g) const {
  require_dim(name, n_, x.size());
  const double n = double(n_), r = std::sqrt(x.squaredNorm() / n);
  const double es = std::exp((ackley_c * x.array()).cos().sum() / n);
  // At the cone point r = 0 the minimal-norm subgradient of the first term is 0.
  const double u = r > 0 ? ackley_a * ackley_b / n * std::exp(-ackley_b * r) / r : 0.0;
  g = u * x + (ackley_c / n * es) * (ackley_c * x.array()).sin().matrix();
  return -ackley_a * std::exp(-ackley_b * r) - es + ackley_a + std::numbers::e;
}

Mat<double> Ackley::hessian(const Vec<double>& x) const {
  require_dim(name, n_, x.size());
  const double n = double(n_), r = std::sqrt(x.squaredNorm() / n);
  const double es = std::exp((ackley_c * x.array()).cos().sum() / n);
  const Vec<double> sn = (ackley_c * x.array()).sin().matrix();
  Mat<double> H = (-(ackley_c / n) * (ackley_c / n) * es) * sn * sn.transpose();
  H.diagonal() += (ackley_c * ackley_c / n * es) * (ackley_c * x.array()).cos().matrix();
  if (r > 0) {
    const double e = ackley_a * ackley_b / n * std::exp(-ackley_b * r);
    const double u = e / r, du = -e * (ackley_b / r + 1 / (r * r));
    H += (du / (n * r)) * x * x.transpose();
    H.diagonal().array() += u;
  } else {
    H.diagonal().array() = std::numeric_limits<double>::infinity();
  }
  return H;
}

void Ackley::hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const {
  require_dim(name, n_, x.size());
  require_dim(name, n_, v.size());
  const double n = double(n_), r = std::sqrt(x.squaredNorm() / n);
  const double es = std::exp((ackley_c * x.array()).cos().sum() / n);
  const Vec<double> sn = (ackley_c * x.array()).sin().matrix();
  Hv = (ackley_c * ackley_c / n * es) * ((ackley_c * x.array()).cos() * v.array()).matrix() -
       ((ackley_c / n) * (ackley_c / n) * es * sn.dot(v)) * sn;
  if (r > 0) {
    const double e = ackley_a * ackley_b / n * std::exp(-ackley_b * r);
    const double u = e / r, du = -e * (ackley_b / r + 1 / (r * r));
    Hv += u * v + (du / (n * r) * x.dot(v)) * x;
  } else {
    Hv.setConstant(std::numeric_limits<double>::infinity());
  }
}

// Ackley is invariant under sign changes and permutations of the coordinates; one point of each
// orbit in the first shell around the cone point, from a scan of [−1.6, 1.6]² (for n = 2 only).
std::vector<CriticalPoint> Ackley::critical_points() const {
  if (n_ != 2) return {};
  return {cp({0.952166545950, 0}, 2.57992755703, 0, 0, 2),
          cp({0.625780616856, 0}, 3.25246924511, 1, 0, 1),
          cp({0.968477658708, 0.968477658708}, 3.57445187726, 0, 0, 2),
          cp({0.874762038875, 0.577412535278}, 4.5587771353, 1, 0, 1),
          cp({0.673096520111, 0.673096520111}, 4.60893240189, 2, 0, 0)};
}

}  // namespace nnlab::optim
