// Test problems with known answers, so an optimizer's test is a few lines:
//   Quadratic     f(θ) = ½ θᵀAθ − bᵀθ,  A SPD (D × D);  θ* = A⁻¹b,  f* = −½ bᵀA⁻¹b
//                 (Nocedal & Wright, Numerical Optimization, 2nd ed., eq. 3.26 / 5.2).
//   Rosenbrock    f(x) = Σ_{i<n−1} 100 (x_{i+1} − x_i²)² + (1 − x_i)²  (Rosenbrock 1960; the
//                 n-D "chained" form of N&W eq. 2.22);  x* = (1,…,1),  f* = 0; for n = 4, 5, 6 also
//                 a local minimum near (−1, 1, …, 1) and a saddle of index 1 (Kok & Sandrock,
//                 Evolutionary Computation 17, 2009, locate them for 4 ≤ n ≤ 7).
//   LeastSquares  L(θ) = (1/N) Σ_i ½ (x_iᵀθ − y_i)²,  X: D × N (samples are columns), y ∈ R^N;
//                 θ* = (XXᵀ)⁻¹ X y (the normal equations), a StochasticObjective for SGD.
// Each carries a start point, its minimizer and its minimum.
#pragma once
#include <span>
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/optim/critical_points.hpp"

namespace nnlab::optim {

template <class S>
class Quadratic {
 public:
  using Scalar = S;

  // A must be symmetric positive definite (checked by Cholesky); b has A's size.
  Quadratic(Mat<S> A, Vec<S> b);

  // A = Q diag(λ) Qᵀ with λ log-spaced in [mu, L] (λ_0 = mu, λ_{D−1} = L) and Q a random
  // orthogonal matrix (QR of a Gaussian matrix); b ~ N(0, I). Condition number κ = L/mu.
  static Quadratic with_spectrum(Index D, double mu, double L, Rng& rng);
  // with_spectrum(D, 1, kappa, rng).
  static Quadratic with_condition(Index D, double kappa, Rng& rng);

  Index dim() const { return A_.rows(); }
  S value(const Vec<S>& theta) const;
  S gradient(const Vec<S>& theta, Vec<S>& g) const;  // g = Aθ − b
  void hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const;  // Hv = A v
  Mat<S> hessian(const Vec<S>&) const { return A_; }

  const Mat<S>& A() const { return A_; }
  const Vec<S>& b() const { return b_; }
  // Eigenvalues ascending (μ = eigenvalues()(0), L = eigenvalues()(D−1)), eigenvectors as columns.
  const Vec<S>& eigenvalues() const { return lambda_; }
  const Mat<S>& eigenvectors() const { return Q_; }
  S mu() const { return lambda_(0); }
  S L() const { return lambda_(lambda_.size() - 1); }
  S condition_number() const { return L() / mu(); }

  Vec<S> start() const { return Vec<S>::Zero(dim()); }
  const Vec<S>& minimizer() const { return theta_star_; }
  S minimum() const { return f_star_; }

 private:
  Mat<S> A_, Q_;
  Vec<S> b_, lambda_, theta_star_;
  S f_star_;
};

template <class S>
class Rosenbrock {
 public:
  using Scalar = S;

  explicit Rosenbrock(Index n = 2);

  Index dim() const { return n_; }
  S value(const Vec<S>& x) const;
  S gradient(const Vec<S>& x, Vec<S>& g) const;
  // The Hessian is tridiagonal: H_ii = 1200x_i² − 400x_{i+1} + 2 [i < n−1] + 200 [i > 0],
  // H_{i,i+1} = H_{i+1,i} = −400 x_i; at x* = (1,1) it is [[802, −400], [−400, 200]].
  void hvp(const Vec<S>& x, const Vec<S>& v, Vec<S>& Hv) const;
  Mat<S> hessian(const Vec<S>& x) const;

  // The classical start (−1.2, 1, −1.2, 1, …).
  Vec<S> start() const;
  Vec<S> minimizer() const { return Vec<S>::Ones(n_); }
  S minimum() const { return S(0); }
  // (1, …, 1) for every n; for n = 4, 5, 6 also the local minimum and the saddle above.
  std::vector<CriticalPoint> critical_points() const;

 private:
  Index n_;
};

template <class S>
class LeastSquares {
 public:
  using Scalar = S;

  // X: D × N (samples are columns), y: N; X must have full row rank (XXᵀ invertible).
  LeastSquares(Mat<S> X, Vec<S> y);

  // x_i ~ N(0, I_D), y_i = x_iᵀβ + σ ε_i with β ~ N(0, I_D) and ε_i ~ N(0, 1).
  static LeastSquares synthetic(Index N, Index D, double sigma, Rng& rng);

  Index dim() const { return X_.rows(); }
  Index num_samples() const { return X_.cols(); }
  S value(const Vec<S>& theta) const;
  S gradient(const Vec<S>& theta, Vec<S>& g) const;  // g = X(Xᵀθ − y)/N
  // Batch mean of ℓ_i = ½(x_iᵀθ − y_i)² and of ∇ℓ_i = x_i (x_iᵀθ − y_i); allocation-free.
  S gradient(const Vec<S>& theta, std::span<const Index> batch, Vec<S>& g) const;
  void hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const;  // Hv = X Xᵀ v / N
  Mat<S> hessian(const Vec<S>& theta) const;

  const Mat<S>& X() const { return X_; }
  const Vec<S>& y() const { return y_; }
  Vec<S> start() const { return Vec<S>::Zero(dim()); }
  const Vec<S>& minimizer() const { return theta_star_; }
  S minimum() const { return f_star_; }

 private:
  Mat<S> X_;
  Vec<S> y_, theta_star_;
  S f_star_;
};

}  // namespace nnlab::optim
