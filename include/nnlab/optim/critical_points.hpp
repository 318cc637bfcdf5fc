// Critical points of an objective: θ with ∇L(θ) = 0, classified by the inertia of the Hessian
// there (Sylvester's law): the numbers of negative, zero and positive eigenvalues of ∇²L(θ).
// The index (the number of negative eigenvalues) is 0 at a minimum, D at a maximum, in between at
// a saddle; a zero eigenvalue makes the point degenerate (second-order information does not
// decide, as at the monkey saddle or on a manifold of minima). A strict saddle has index ≥ 1.
//   inertia(H)              the counts, an eigenvalue is zero if |λ| ≤ rel_tol·max(1, max|λ|)
//   refine_critical_point   Newton's method on the equation ∇L(θ) = 0, x ← x − H⁺∇L(x) with
//                           H⁺ the pseudo-inverse (minimal-norm step, so a degenerate point on a
//                           manifold of critical points is approached orthogonally): from a
//                           listed approximate point it converges quadratically to the critical
//                           point next to it, whatever its index.
// Every function of the test-function zoo lists its known critical points as CriticalPoints.
#pragma once
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <string>

#include "nnlab/core/error.hpp"
#include "nnlab/optim/objective.hpp"

namespace nnlab::optim {

struct Inertia {
  Index negative = 0, zero = 0, positive = 0;
  Index index() const { return negative; }
  bool operator==(const Inertia&) const = default;
};

// A point of the zoo's tables: where it is (to the digits listed), L there, and its inertia.
struct CriticalPoint {
  std::string kind;  // "global minimum", "local minimum", "saddle", "maximum", ...
  Vec<double> x;
  double value;
  Inertia inertia;
};

inline Inertia inertia(const Mat<double>& H, double rel_tol = 1e-8) {
  require(H.rows() == H.cols() && H.allFinite(), "inertia: need a finite square matrix, got {}x{}",
          H.rows(), H.cols());
  const Vec<double> lambda = Eigen::SelfAdjointEigenSolver<Mat<double>>(H, Eigen::EigenvaluesOnly).eigenvalues();
  const double tol = rel_tol * std::max(1.0, lambda.cwiseAbs().maxCoeff());
  Inertia in;
  for (const double l : lambda) (l < -tol ? in.negative : l > tol ? in.positive : in.zero) += 1;
  return in;
}

// Newton on ∇L = 0 from x until ‖∇L‖ stops shrinking (or is exactly 0), at most max_iters steps;
// returns the point with the smallest ‖∇L‖ seen.
template <HessianObjective F>
  requires std::same_as<typename F::Scalar, double>
Vec<double> refine_critical_point(const F& f, Vec<double> x, int max_iters = 50) {
  Vec<double> g(f.dim()), best = x;
  f.gradient(x, g);
  double best_norm = g.norm();
  for (int k = 0; k < max_iters && best_norm > 0; ++k) {
    x -= Eigen::CompleteOrthogonalDecomposition<Mat<double>>(f.hessian(x)).solve(g);
    f.gradient(x, g);
    const double norm = g.norm();
    if (!(norm < best_norm)) break;
    best = x, best_norm = norm;
  }
  return best;
}

}  // namespace nnlab::optim
