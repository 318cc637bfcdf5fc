// The test-function zoo: classical nonconvex landscapes with their known critical points, each an
// objective (optim/objective.hpp) with value, exact gradient, exact H·v and dense Hessian, usable by
// every driver. Formulas (x, y the two coordinates; n-D functions sum over the coordinates x_i):
//   Himmelblau       (x² + y − 11)² + (x + y² − 7)²  (Himmelblau, Applied Nonlinear Programming,
//                    1972): 4 global minima (f = 0), 4 saddles, 1 maximum.
//   Beale            (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²  (Beale 1958):
//                    global minimum 0 at (3, ½), a saddle at (0, 1).
//   GoldsteinPrice   [1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]
//                    · [30 + (2x−3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]  (Goldstein & Price,
//                    Math. Comp. 25, 1971): global minimum 3 at (0, −1), three more local minima.
//   SixHumpCamel     (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²  (Dixon & Szegő, Towards Global
//                    Optimisation 2, 1978): 2 global minima −1.0316…, 4 local minima, saddles, maxima.
//   SaddleXY         x² − y²: one critical point, the strict saddle (index 1) at 0; unbounded below.
//   MonkeySaddle     x³ − 3xy²: one critical point at 0, degenerate (H = 0), neither min nor max.
//   Rastrigin        Σ 10 + x_i² − 10 cos 2πx_i  (Rastrigin 1974; Mühlenbein et al. 1991, n-D):
//                    global minimum 0 at 0; per coordinate a critical point near every half-integer
//                    (local maxima in that coordinate) and every integer (local minima).
//   StyblinskiTang   ½ Σ x_i⁴ − 16x_i² + 5x_i  (Styblinski & Tang, Neural Networks 3, 1990): per
//                    coordinate the roots of 2t³ − 16t + 2.5 = 0, t ≈ −2.903534 (global),
//                    0.156731 (maximum), 2.746803 (local): 3ⁿ critical points, global minimum
//                    −39.16617·n.
//   DoubleWell       Σ ¼(x_i² − 1)²: a strict-saddle function in the sense of Ge, Huang, Jin & Yuan
//                    (COLT 2015): critical points at x_i ∈ {−1, 0, 1}, index = the number of zero
//                    coordinates, the 2ⁿ minima at x_i = ±1 all global (f = 0), every other critical
//                    point has a negative eigenvalue (−1).
//   Ackley           −20 exp(−0.2 √(Σx_i²/n)) − exp(Σ cos(2πx_i)/n) + 20 + e  (Ackley 1987; n-D form
//                    of Bäck 1996): global minimum 0 at 0, a cone point where L is not
//                    differentiable: gradient() there returns the minimal-norm subgradient 0 and
//                    the Hessian is +∞ on the diagonal (the cone's curvature).
// The 2-D functions are written once as formulas in two variables and differentiated exactly by
// second-order forward mode (Jet2); the n-D ones have closed-form derivatives. critical_points()
// lists what is known, each verified by tests/optim/critical_points_test.cpp (Newton on ∇L from the
// listed point, then ∇L ≈ 0, the listed value and the listed Hessian inertia).
#pragma once
#include <string_view>
#include <vector>

#include "nnlab/core/types.hpp"
#include "nnlab/optim/critical_points.hpp"

namespace nnlab::optim {

// A value with its gradient and Hessian in two variables (x, y): second-order forward-mode
// automatic differentiation, so products and sums carry exact first and second derivatives.
struct Jet2 {
  double v = 0, gx = 0, gy = 0, hxx = 0, hxy = 0, hyy = 0;

  static Jet2 x(double value) { return {value, 1, 0, 0, 0, 0}; }
  static Jet2 y(double value) { return {value, 0, 1, 0, 0, 0}; }

  friend Jet2 operator+(const Jet2& a, const Jet2& b) {
    return {a.v + b.v, a.gx + b.gx, a.gy + b.gy, a.hxx + b.hxx, a.hxy + b.hxy, a.hyy + b.hyy};
  }
  friend Jet2 operator-(const Jet2& a, const Jet2& b) { return a + (-1.0) * b; }
  friend Jet2 operator*(double c, const Jet2& a) {
    return {c * a.v, c * a.gx, c * a.gy, c * a.hxx, c * a.hxy, c * a.hyy};
  }
  friend Jet2 operator*(const Jet2& a, double c) { return c * a; }
  friend Jet2 operator+(const Jet2& a, double c) { return {a.v + c, a.gx, a.gy, a.hxx, a.hxy, a.hyy}; }
  friend Jet2 operator+(double c, const Jet2& a) { return a + c; }
  friend Jet2 operator-(const Jet2& a, double c) { return a + (-c); }
  friend Jet2 operator-(double c, const Jet2& a) { return c + (-1.0) * a; }
  // (ab)'' = a''b + a'b'ᵀ + b'a'ᵀ + ab''.
  friend Jet2 operator*(const Jet2& a, const Jet2& b) {
    return {a.v * b.v,
            a.gx * b.v + a.v * b.gx,
            a.gy * b.v + a.v * b.gy,
            a.hxx * b.v + 2 * a.gx * b.gx + a.v * b.hxx,
            a.hxy * b.v + a.gx * b.gy + a.gy * b.gx + a.v * b.hxy,
            a.hyy * b.v + 2 * a.gy * b.gy + a.v * b.hyy};
  }
};

// The objective interface around a formula in two variables: Formula::f(x, y) is a template
// evaluated on doubles for value() and on Jet2 for the derivatives.
template <class Formula>
class Function2D {
 public:
  using Scalar = double;
  static constexpr std::string_view name = Formula::name;

  Index dim() const { return 2; }
  double value(const Vec<double>& x) const;
  double gradient(const Vec<double>& x, Vec<double>& g) const;
  void hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const;
  Mat<double> hessian(const Vec<double>& x) const;
  std::vector<CriticalPoint> critical_points() const { return Formula::critical_points(); }

 private:
  static Jet2 jet(const Vec<double>& x);
};

struct HimmelblauFormula {
  static constexpr std::string_view name = "Himmelblau";
  template <class T>
  static T f(const T& x, const T& y) {
    const T a = x * x + y - 11.0, b = x + y * y - 7.0;
    return a * a + b * b;
  }
  static std::vector<CriticalPoint> critical_points();
};

struct BealeFormula {
  static constexpr std::string_view name = "Beale";
  template <class T>
  static T f(const T& x, const T& y) {
    const T a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y * y * y;
    return a * a + b * b + c * c;
  }
  static std::vector<CriticalPoint> critical_points();
};

struct GoldsteinPriceFormula {
  static constexpr std::string_view name = "Goldstein-Price";
  template <class T>
  static T f(const T& x, const T& y) {
    const T s = x + y + 1.0, d = 2.0 * x - 3.0 * y;
    const T p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
    const T q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
    return (1.0 + s * s * p) * (30.0 + d * d * q);
  }
  static std::vector<CriticalPoint> critical_points();
};

struct SixHumpCamelFormula {
  static constexpr std::string_view name = "six-hump camel";
  template <class T>
  static T f(const T& x, const T& y) {
    const T x2 = x * x, y2 = y * y;
    return (4.0 - 2.1 * x2 + x2 * x2 * (1.0 / 3.0)) * x2 + x * y + (-4.0 + 4.0 * y2) * y2;
  }
  static std::vector<CriticalPoint> critical_points();
};

struct SaddleXYFormula {
  static constexpr std::string_view name = "saddle x²−y²";
  template <class T>
  static T f(const T& x, const T& y) {
    return x * x - y * y;
  }
  static std::vector<CriticalPoint> critical_points();
};

struct MonkeySaddleFormula {
  static constexpr std::string_view name = "monkey saddle";
  template <class T>
  static T f(const T& x, const T& y) {
    return x * x * x - 3.0 * x * y * y;
  }
  static std::vector<CriticalPoint> critical_points();
};

using Himmelblau = Function2D<HimmelblauFormula>;
using Beale = Function2D<BealeFormula>;
using GoldsteinPrice = Function2D<GoldsteinPriceFormula>;
using SixHumpCamel = Function2D<SixHumpCamelFormula>;
using SaddleXY = Function2D<SaddleXYFormula>;
using MonkeySaddle = Function2D<MonkeySaddleFormula>;

// L(x) = Σ φ(x_i) with φ, φ', φ'' from Term::phi(t) = {φ, φ', φ''}: diagonal Hessian.
template <class Term>
class Separable {
 public:
  using Scalar = double;
  static constexpr std::string_view name = Term::name;

  explicit Separable(Index n = 2);

  Index dim() const { return n_; }
  double value(const Vec<double>& x) const;
  double gradient(const Vec<double>& x, Vec<double>& g) const;
  void hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const;
  Mat<double> hessian(const Vec<double>& x) const;
  // Combinations of Term's per-coordinate critical points: all of them when there are at most 200;
  // else the global minimum and one point of each index k = 1..n.
  std::vector<CriticalPoint> critical_points() const;

 private:
  Index n_;
};

struct TermJet {
  double f, d1, d2;
};

// A per-coordinate critical point t of φ: φ'(t) = 0, φ''(t) ≠ 0.
struct TermCriticalPoint {
  double t;
  double value;  // φ(t)
};

struct RastriginTerm {
  static constexpr std::string_view name = "Rastrigin";
  static TermJet phi(double t);
  // 0 (minimum), ±0.994959 (local minima), ±0.502546 (maxima in the coordinate).
  static std::vector<TermCriticalPoint> critical_points();
};

struct StyblinskiTangTerm {
  static constexpr std::string_view name = "Styblinski-Tang";
  static TermJet phi(double t);
  static std::vector<TermCriticalPoint> critical_points();
};

struct DoubleWellTerm {
  static constexpr std::string_view name = "double well (strict saddle)";
  static TermJet phi(double t);
  static std::vector<TermCriticalPoint> critical_points();
};

using Rastrigin = Separable<RastriginTerm>;
using StyblinskiTang = Separable<StyblinskiTangTerm>;
using DoubleWell = Separable<DoubleWellTerm>;

class Ackley {
 public:
  using Scalar = double;
  static constexpr std::string_view name = "Ackley";

  explicit Ackley(Index n = 2);

  Index dim() const { return n_; }
  double value(const Vec<double>& x) const;
  double gradient(const Vec<double>& x, Vec<double>& g) const;
  void hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const;
  Mat<double> hessian(const Vec<double>& x) const;
  // Smooth critical points only (the cone point 0 has no Hessian): for n = 2 the local minima and
  // saddles next to the origin on the axes and diagonals.
  std::vector<CriticalPoint> critical_points() const;

 private:
  Index n_;
};

}  // namespace nnlab::optim
