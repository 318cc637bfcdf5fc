// Quadratic, Rosenbrock and least-squares test problems; formulas in test_functions.hpp.
#include "nnlab/optim/test_functions.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <cmath>
#include <limits>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {

namespace {

void require_dim(const char* what, Index expected, Index got) {
  require(expected == got, "{}: vector has size {}, expected {}", what, got, expected);
}

Mat<double> gaussian_matrix(Index rows, Index cols, Rng& rng) {
  Mat<double> G(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) G(i, j) = normal(rng);
  return G;
}

Vec<double> gaussian_vector(Index n, Rng& rng) {
  Vec<double> v(n);
  for (Index i = 0; i < n; ++i) v(i) = normal(rng);
  return v;
}

}  // namespace

// ---------------------------------------------------------------- Quadratic

template <class S>
Quadratic<S>::Quadratic(Mat<S> A, Vec<S> b) : A_(std::move(A)), b_(std::move(b)) {
  require(A_.rows() > 0 && A_.rows() == A_.cols(), "Quadratic: A must be square and non-empty, got {}x{}",
          A_.rows(), A_.cols());
  require(b_.size() == A_.rows(), "Quadratic: b has size {}, A is {}x{}", b_.size(), A_.rows(),
          A_.cols());
  const S asym = (A_ - A_.transpose()).norm(), scale = A_.norm();
  require(asym <= S(100) * std::numeric_limits<S>::epsilon() * scale,
          "Quadratic: A is not symmetric (‖A − Aᵀ‖ = {} vs ‖A‖ = {})", double(asym), double(scale));
  Eigen::LLT<Mat<S>> llt(A_);
  require(llt.info() == Eigen::Success, "Quadratic: A is not positive definite (Cholesky failed)");
  Eigen::SelfAdjointEigenSolver<Mat<S>> eig(A_);
  require(eig.info() == Eigen::Success && eig.eigenvalues()(0) > S(0),
          "Quadratic: A is not positive definite (smallest eigenvalue {})",
          double(eig.eigenvalues()(0)));
  lambda_ = eig.eigenvalues();
  Q_ = eig.eigenvectors();
  theta_star_ = llt.solve(b_);
  f_star_ = S(-0.5) * b_.dot(theta_star_);
}

template <class S>
Quadratic<S> Quadratic<S>::with_spectrum(Index D, double mu, double L, Rng& rng) {
  require(D >= 1, "Quadratic::with_spectrum: dimension must be >= 1, got {}", D);
  require(mu > 0 && std::isfinite(mu) && L >= mu && std::isfinite(L),
          "Quadratic::with_spectrum: need 0 < mu <= L < inf, got mu = {}, L = {}", mu, L);
  Vec<double> lambda(D);
  for (Index i = 0; i < D; ++i) {
    const double s = D == 1 ? 0.0 : double(i) / double(D - 1);
    lambda(i) = mu * std::pow(L / mu, s);
  }
  lambda(D - 1) = L;  // exact ends, so κ = L/μ exactly
  Eigen::HouseholderQR<Mat<double>> qr(gaussian_matrix(D, D, rng));
  Mat<double> Q = qr.householderQ();
  // Sign fix makes Q Haar-distributed (Mezzadri 2007).
  for (Index j = 0; j < D; ++j)
    if (qr.matrixQR()(j, j) < 0) Q.col(j) *= -1.0;
  Mat<double> A = Q * lambda.asDiagonal() * Q.transpose();
  A = 0.5 * (A + A.transpose()).eval();
  return Quadratic(A.cast<S>(), gaussian_vector(D, rng).cast<S>());
}

template <class S>
Quadratic<S> Quadratic<S>::with_condition(Index D, double kappa, Rng& rng) {
  require(kappa >= 1 && std::isfinite(kappa), "Quadratic::with_condition: kappa must be >= 1, got {}",
          kappa);
  return with_spectrum(D, 1.0, kappa, rng);
}

template <class S>
S Quadratic<S>::value(const Vec<S>& theta) const {
  require_dim("Quadratic::value", dim(), theta.size());
  return S(0.5) * theta.dot(A_ * theta) - b_.dot(theta);
}

template <class S>
S Quadratic<S>::gradient(const Vec<S>& theta, Vec<S>& g) const {
  require_dim("Quadratic::gradient", dim(), theta.size());
  g.resize(dim());
  g.noalias() = A_ * theta;
  const S f = S(0.5) * theta.dot(g) - b_.dot(theta);
  g -= b_;
  return f;
}

template <class S>
void Quadratic<S>::hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const {
  require_dim("Quadratic::hvp", dim(), theta.size());
  require_dim("Quadratic::hvp (v)", dim(), v.size());
  Hv.resize(dim());
  Hv.noalias() = A_ * v;
}

// ---------------------------------------------------------------- Rosenbrock

template <class S>
Rosenbrock<S>::Rosenbrock(Index n) : n_(n) {
  require(n >= 2, "Rosenbrock: dimension must be >= 2, got {}", n);
}

template <class S>
S Rosenbrock<S>::value(const Vec<S>& x) const {
  require_dim("Rosenbrock::value", n_, x.size());
  S f = 0;
  for (Index i = 0; i + 1 < n_; ++i) {
    const S r = x(i + 1) - x(i) * x(i), s = S(1) - x(i);
    f += S(100) * r * r + s * s;
  }
  return f;
}

template <class S>
S Rosenbrock<S>::gradient(const Vec<S>& x, Vec<S>& g) const {
  require_dim("Rosenbrock::gradient", n_, x.size());
  g.setZero(n_);
  S f = 0;
  for (Index i = 0; i + 1 < n_; ++i) {
    const S r = x(i + 1) - x(i) * x(i), s = S(1) - x(i);
    f += S(100) * r * r + s * s;
    // ∂/∂x_i of term i: −400 x_i r − 2 s;  ∂/∂x_{i+1}: 200 r.
    g(i) += S(-400) * x(i) * r - S(2) * s;
    g(i + 1) += S(200) * r;
  }
  return f;
}

template <class S>
void Rosenbrock<S>::hvp(const Vec<S>& x, const Vec<S>& v, Vec<S>& Hv) const {
  require_dim("Rosenbrock::hvp", n_, x.size());
  require_dim("Rosenbrock::hvp (v)", n_, v.size());
  Hv.setZero(n_);
  for (Index i = 0; i + 1 < n_; ++i) {
    // Hessian of term i on the block (i, i+1): [[1200x_i² − 400x_{i+1} + 2, −400x_i], [−400x_i, 200]].
    const S h_ii = S(1200) * x(i) * x(i) - S(400) * x(i + 1) + S(2), h_ij = S(-400) * x(i);
    Hv(i) += h_ii * v(i) + h_ij * v(i + 1);
    Hv(i + 1) += h_ij * v(i) + S(200) * v(i + 1);
  }
}

template <class S>
Mat<S> Rosenbrock<S>::hessian(const Vec<S>& x) const {
  require_dim("Rosenbrock::hessian", n_, x.size());
  Mat<S> H = Mat<S>::Zero(n_, n_);
  for (Index i = 0; i + 1 < n_; ++i) {
    H(i, i) += S(1200) * x(i) * x(i) - S(400) * x(i + 1) + S(2);
    H(i, i + 1) += S(-400) * x(i);
    H(i + 1, i) += S(-400) * x(i);
    H(i + 1, i + 1) += S(200);
  }
  return H;
}

template <class S>
Vec<S> Rosenbrock<S>::start() const {
  Vec<S> x(n_);
  for (Index i = 0; i < n_; ++i) x(i) = i % 2 == 0 ? S(-1.2) : S(1);
  return x;
}

// Found by Newton on ∇f from 3000 random starts in [−2.5, 2.5]ⁿ (n = 2, 3 gave only (1, …, 1)).
template <class S>
std::vector<CriticalPoint> Rosenbrock<S>::critical_points() const {
  const auto make = [](std::string kind, std::vector<double> x, double value, Index negative) {
    const auto n = Index(x.size());
    return CriticalPoint{std::move(kind), Eigen::Map<const Vec<double>>(x.data(), n), value,
                         {negative, 0, n - negative}};
  };
  std::vector<CriticalPoint> points{make("global minimum", std::vector<double>(std::size_t(n_), 1.0), 0, 0)};
  if (n_ == 4) {
    points.push_back(make("local minimum", {-0.775659226565, 0.613093365485, 0.382062846338, 0.145972018552},
                          3.70142861043, 0));
    points.push_back(make("saddle", {-0.656124635719, 0.443120040972, 0.204312248228, 0.041743494776},
                          3.70824199665, 1));
  } else if (n_ == 5) {
    points.push_back(make("local minimum",
                          {-0.962051020695, 0.935739395977, 0.880713604194, 0.777877675854, 0.605093678593},
                          3.93083943413, 0));
    points.push_back(make("saddle",
                          {-0.557468315899, 0.324740042834, 0.116567321445, 0.023354396464, 0.000545427834},
                          4.6573714282, 1));
  } else if (n_ == 6) {
    points.push_back(make("local minimum",
                          {-0.986574979571, 0.983398228836, 0.972106670053, 0.947437436826,
                           0.898651184852, 0.807573952035},
                          3.97394050093, 0));
    points.push_back(make("saddle",
                          {-0.555419727179, 0.322493274297, 0.115207004099, 0.023502770405,
                           0.010447901205, 0.000109158640},
                          5.64638396659, 1));
  }
  return points;
}

// ---------------------------------------------------------------- LeastSquares

template <class S>
LeastSquares<S>::LeastSquares(Mat<S> X, Vec<S> y) : X_(std::move(X)), y_(std::move(y)) {
  require(X_.rows() > 0 && X_.cols() > 0, "LeastSquares: X must be non-empty, got {}x{}", X_.rows(),
          X_.cols());
  require(y_.size() == X_.cols(), "LeastSquares: y has {} entries but X has {} samples (columns)",
          y_.size(), X_.cols());
  Eigen::LDLT<Mat<double>> ldlt((X_.template cast<double>() * X_.template cast<double>().transpose()));
  require(ldlt.info() == Eigen::Success && ldlt.isPositive() && ldlt.vectorD().minCoeff() > 0,
          "LeastSquares: XXᵀ is singular (X has {} features and {} samples)", X_.rows(), X_.cols());
  // Solve the normal equations in double so that float problems also have an accurate θ*.
  const Vec<double> theta_star = ldlt.solve(X_.template cast<double>() * y_.template cast<double>());
  const Vec<double> r =
      X_.template cast<double>().transpose() * theta_star - y_.template cast<double>();
  theta_star_ = theta_star.cast<S>();
  f_star_ = S(0.5 * r.squaredNorm() / double(X_.cols()));
}

template <class S>
LeastSquares<S> LeastSquares<S>::synthetic(Index N, Index D, double sigma, Rng& rng) {
  require(N >= D && D >= 1, "LeastSquares::synthetic: need N >= D >= 1, got N = {}, D = {}", N, D);
  require(sigma >= 0 && std::isfinite(sigma), "LeastSquares::synthetic: sigma must be >= 0, got {}",
          sigma);
  const Vec<double> beta = gaussian_vector(D, rng);
  const Mat<double> X = gaussian_matrix(D, N, rng);
  Vec<double> y = X.transpose() * beta;
  for (Index i = 0; i < N; ++i) y(i) += sigma * normal(rng);
  return LeastSquares(X.cast<S>(), y.cast<S>());
}

template <class S>
S LeastSquares<S>::value(const Vec<S>& theta) const {
  require_dim("LeastSquares::value", dim(), theta.size());
  return S(0.5) * (X_.transpose() * theta - y_).squaredNorm() / S(num_samples());
}

template <class S>
S LeastSquares<S>::gradient(const Vec<S>& theta, Vec<S>& g) const {
  require_dim("LeastSquares::gradient", dim(), theta.size());
  const Vec<S> r = X_.transpose() * theta - y_;
  g.resize(dim());
  g.noalias() = X_ * r / S(num_samples());
  return S(0.5) * r.squaredNorm() / S(num_samples());
}

template <class S>
S LeastSquares<S>::gradient(const Vec<S>& theta, std::span<const Index> batch, Vec<S>& g) const {
  require_dim("LeastSquares::gradient", dim(), theta.size());
  require(!batch.empty(), "LeastSquares::gradient: empty batch");
  g.setZero(dim());
  S loss = 0;
  for (const Index i : batch) {
    require(i >= 0 && i < num_samples(), "LeastSquares::gradient: sample index {} not in [0, {})",
            i, num_samples());
    const S r = X_.col(i).dot(theta) - y_(i);
    loss += S(0.5) * r * r;
    g += r * X_.col(i);
  }
  const S inv_b = S(1) / S(batch.size());
  g *= inv_b;
  return loss * inv_b;
}

template <class S>
void LeastSquares<S>::hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const {
  require_dim("LeastSquares::hvp", dim(), theta.size());
  require_dim("LeastSquares::hvp (v)", dim(), v.size());
  Hv.resize(dim());
  Hv.noalias() = X_ * (X_.transpose() * v) / S(num_samples());
}

template <class S>
Mat<S> LeastSquares<S>::hessian(const Vec<S>& theta) const {
  require_dim("LeastSquares::hessian", dim(), theta.size());
  return X_ * X_.transpose() / S(num_samples());
}

template class Quadratic<float>;
template class Quadratic<double>;
template class Rosenbrock<float>;
template class Rosenbrock<double>;
template class LeastSquares<float>;
template class LeastSquares<double>;

}  // namespace nnlab::optim
