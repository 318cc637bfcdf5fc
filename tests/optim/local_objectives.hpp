// Small objectives for the tests of the line searches and the second-order drivers.
//   ExpResidual   f(θ) = Σ_i e^{r_i} − r_i,  r = Aθ − b, A invertible: strictly convex, not
//                 quadratic; ∇f = Aᵀ(e^r − 1), ∇²f = Aᵀ diag(e^r) A; θ* = A⁻¹b, f* = dim().
//   Saddle        f(x, y) = x² − y²: one critical point, a saddle at the origin, unbounded below.
//   Poisoned      wraps an objective and returns NaN from every evaluation after the first n.
#pragma once
#include <Eigen/LU>

#include <cmath>
#include <limits>

#include "nnlab/core/types.hpp"

namespace nnlab::optim::testing {

template <class S>
struct ExpResidual {
  using Scalar = S;
  Mat<S> A;
  Vec<S> b;

  // A fixed, well-conditioned 3 × 3 system: θ* = (1, −2, 0.5).
  static ExpResidual make() {
    Mat<S> A(3, 3);
    A << 2, 1, 0, 1, 3, 1, 0, 1, 2;
    Vec<S> theta_star(3);
    theta_star << 1, -2, 0.5;
    return {A, A * theta_star};
  }
  Index dim() const { return A.cols(); }
  Vec<S> minimizer() const { return A.lu().solve(b); }
  S value(const Vec<S>& theta) const {
    const Vec<S> r = A * theta - b;
    return (r.array().exp() - r.array()).sum();
  }
  S gradient(const Vec<S>& theta, Vec<S>& g) const {
    const Vec<S> r = A * theta - b;
    g = A.transpose() * (r.array().exp() - 1).matrix();
    return (r.array().exp() - r.array()).sum();
  }
  void hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const {
    const Vec<S> r = A * theta - b;
    Hv = A.transpose() * (r.array().exp() * (A * v).array()).matrix();
  }
  Mat<S> hessian(const Vec<S>& theta) const {
    const Vec<S> r = A * theta - b;
    return A.transpose() * r.array().exp().matrix().asDiagonal() * A;
  }
};

struct Saddle {
  using Scalar = double;
  Index dim() const { return 2; }
  double value(const Vec<double>& x) const { return x(0) * x(0) - x(1) * x(1); }
  double gradient(const Vec<double>& x, Vec<double>& g) const {
    g << 2 * x(0), -2 * x(1);
    return value(x);
  }
  void hvp(const Vec<double>&, const Vec<double>& v, Vec<double>& Hv) const { Hv << 2 * v(0), -2 * v(1); }
  Mat<double> hessian(const Vec<double>&) const {
    Mat<double> H = Mat<double>::Zero(2, 2);
    H(0, 0) = 2, H(1, 1) = -2;
    return H;
  }
};

template <class F>
struct Poisoned {
  using Scalar = typename F::Scalar;
  const F& f;
  int healthy_evaluations;
  mutable int evaluations = 0;

  Index dim() const { return f.dim(); }
  Scalar value(const Vec<Scalar>& x) const { return poison(f.value(x)); }
  Scalar gradient(const Vec<Scalar>& x, Vec<Scalar>& g) const { return poison(f.gradient(x, g)); }
  void hvp(const Vec<Scalar>& x, const Vec<Scalar>& v, Vec<Scalar>& Hv) const { f.hvp(x, v, Hv); }
  Mat<Scalar> hessian(const Vec<Scalar>& x) const { return f.hessian(x); }

 private:
  Scalar poison(Scalar v) const {
    return ++evaluations > healthy_evaluations ? std::numeric_limits<Scalar>::quiet_NaN() : v;
  }
};

}  // namespace nnlab::optim::testing
