// The deep scalar chain and low-rank matrix factorization; formulas in toy_networks.hpp.
#include "nnlab/optim/toy_networks.hpp"

#include <Eigen/SVD>
#include <cmath>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {

namespace {
void require_dim(const char* what, Index expected, Index got) {
  require(expected == got, "{}: vector has size {}, expected {}", what, got, expected);
}

// Π_{k ∉ {i, j}} w_k (i = j allowed), by direct product so zeros are exact.
double product_without(const Vec<double>& w, Index i, Index j) {
  double p = 1;
  for (Index k = 0; k < w.size(); ++k)
    if (k != i && k != j) p *= w(k);
  return p;
}
}  // namespace

// ---------------------------------------------------------------- DeepChain

DeepChain::DeepChain(Index depth, double target) : depth_(depth), target_(target) {
  require(depth >= 2, "DeepChain: depth must be >= 2, got {}", depth);
  require(std::isfinite(target), "DeepChain: target must be finite, got {}", target);
}

double DeepChain::value(const Vec<double>& w) const {
  require_dim("DeepChain::value", depth_, w.size());
  const double e = w.prod() - target_;
  return 0.5 * e * e;
}

double DeepChain::gradient(const Vec<double>& w, Vec<double>& g) const {
  require_dim("DeepChain::gradient", depth_, w.size());
  const double e = w.prod() - target_;
  g.resize(depth_);
  for (Index i = 0; i < depth_; ++i) g(i) = e * product_without(w, i, i);
  return 0.5 * e * e;
}

// H_ij = Π_{k≠i}w_k Π_{k≠j}w_k + (P − y) Π_{k≠i,j}w_k [i ≠ j].
Mat<double> DeepChain::hessian(const Vec<double>& w) const {
  require_dim("DeepChain::hessian", depth_, w.size());
  const double e = w.prod() - target_;
  Vec<double> grad_p(depth_);
  for (Index i = 0; i < depth_; ++i) grad_p(i) = product_without(w, i, i);
  Mat<double> H = grad_p * grad_p.transpose();
  for (Index i = 0; i < depth_; ++i)
    for (Index j = 0; j < depth_; ++j)
      if (i != j) H(i, j) += e * product_without(w, i, j);
  return H;
}

void DeepChain::hvp(const Vec<double>& w, const Vec<double>& v, Vec<double>& Hv) const {
  require_dim("DeepChain::hvp (v)", depth_, v.size());
  Hv = hessian(w) * v;
}

std::vector<CriticalPoint> DeepChain::critical_points() const {
  const Index N = depth_;
  const double y = target_;
  std::vector<CriticalPoint> points;
  if (N == 2)
    points.push_back({"saddle", Vec<double>::Zero(2), 0.5 * y * y, {1, 0, 1}});
  else
    points.push_back({"saddle (degenerate)", Vec<double>::Zero(N), 0.5 * y * y, {0, N, 0}});
  if (N >= 3 && y != 0) {
    Vec<double> w = Vec<double>::Ones(N);
    w(0) = w(1) = 0;
    points.push_back({"saddle (degenerate)", w, 0.5 * y * y, {1, N - 2, 1}});
  }
  if (y > 0)
    points.push_back({"global minimum (degenerate)", Vec<double>::Constant(N, std::pow(y, 1.0 / double(N))),
                      0, {0, N - 1, 1}});
  return points;
}

// ---------------------------------------------------------------- MatrixFactorization

MatrixFactorization::MatrixFactorization(Mat<double> M, Index rank_r) : M_(std::move(M)), r_(rank_r) {
  require(M_.size() > 0 && M_.allFinite(), "MatrixFactorization: M must be finite and non-empty");
  Eigen::JacobiSVD<Mat<double>> svd(M_, Eigen::ComputeThinU | Eigen::ComputeThinV);
  sigma_ = svd.singularValues();
  Uy_ = svd.matrixU();
  Vy_ = svd.matrixV();
  const double tol = 1e-8 * std::max(1.0, sigma_(0));
  Index rank = 0;
  while (rank < sigma_.size() && sigma_(rank) > tol) ++rank;
  require(r_ >= 1 && r_ <= rank, "MatrixFactorization: need 1 <= r <= rank M = {}, got r = {}", rank, r_);
  for (Index i = 1; i < rank; ++i)
    require(sigma_(i - 1) - sigma_(i) > tol,
            "MatrixFactorization: M's singular values must be distinct, σ_{} = {} ≈ σ_{} = {}", i,
            sigma_(i - 1), i + 1, sigma_(i));
  // Copies rather than conservativeResize, whose realloc GCC 12 reports as a use after free.
  sigma_ = sigma_.head(rank).eval();
  Uy_ = Uy_.leftCols(rank).eval();
  Vy_ = Vy_.leftCols(rank).eval();
}

Vec<double> MatrixFactorization::pack(const Mat<double>& U, const Mat<double>& V) const {
  require(U.rows() == M_.rows() && V.rows() == M_.cols() && U.cols() == r_ && V.cols() == r_,
          "MatrixFactorization::pack: U is {}x{}, V is {}x{}, expected {}x{} and {}x{}", U.rows(),
          U.cols(), V.rows(), V.cols(), M_.rows(), r_, M_.cols(), r_);
  Vec<double> theta(dim());
  theta << U.reshaped(), V.reshaped();
  return theta;
}

double MatrixFactorization::value(const Vec<double>& theta) const {
  require_dim("MatrixFactorization::value", dim(), theta.size());
  return 0.5 * (U(theta) * V(theta).transpose() - M_).squaredNorm();
}

double MatrixFactorization::gradient(const Vec<double>& theta, Vec<double>& g) const {
  require_dim("MatrixFactorization::gradient", dim(), theta.size());
  const auto U_ = U(theta), V_ = V(theta);
  const Mat<double> R = U_ * V_.transpose() - M_;
  g.resize(dim());
  MatMap<double>(g.data(), M_.rows(), r_) = R * V_;
  MatMap<double>(g.data() + M_.rows() * r_, M_.cols(), r_) = R.transpose() * U_;
  return 0.5 * R.squaredNorm();
}

void MatrixFactorization::hvp(const Vec<double>& theta, const Vec<double>& v, Vec<double>& Hv) const {
  require_dim("MatrixFactorization::hvp", dim(), theta.size());
  require_dim("MatrixFactorization::hvp (v)", dim(), v.size());
  const auto U_ = U(theta), V_ = V(theta), A = U(v), B = V(v);
  const Mat<double> R = U_ * V_.transpose() - M_;
  const Mat<double> dR = A * V_.transpose() + U_ * B.transpose();
  Hv.resize(dim());
  MatMap<double>(Hv.data(), M_.rows(), r_) = dR * V_ + R * B;
  MatMap<double>(Hv.data() + M_.rows() * r_, M_.cols(), r_) = dR.transpose() * U_ + R.transpose() * A;
}

Mat<double> MatrixFactorization::hessian(const Vec<double>& theta) const {
  Mat<double> H(dim(), dim());
  Vec<double> e = Vec<double>::Zero(dim()), column;
  for (Index j = 0; j < dim(); ++j) {
    e(j) = 1;
    hvp(theta, e, column);
    H.col(j) = column;
    e(j) = 0;
  }
  return 0.5 * (H + H.transpose());
}

Mat<double> MatrixFactorization::imbalance(const Vec<double>& theta) const {
  require_dim("MatrixFactorization::imbalance", dim(), theta.size());
  return U(theta).transpose() * U(theta) - V(theta).transpose() * V(theta);
}

std::vector<CriticalPoint> MatrixFactorization::critical_points() const {
  const Index m = M_.rows(), n = M_.cols(), rank = sigma_.size();
  std::vector<CriticalPoint> points;
  const Index zero_count = (m + n) * r_ - 2 * r_ * rank;
  points.push_back({zero_count == 0 ? "saddle" : "saddle (degenerate)", Vec<double>::Zero(dim()),
                    0.5 * sigma_.squaredNorm(),
                    {r_ * rank, zero_count, r_ * rank}});
  // Every r-subset S of {0..rank−1}, in lexicographic order (the first is the top r).
  std::vector<Index> S(static_cast<std::size_t>(r_));
  for (Index k = 0; k < r_; ++k) S[std::size_t(k)] = k;
  for (;;) {
    Mat<double> U(m, r_), V(n, r_);
    double value = 0;
    Index negative = 0;
    std::vector<bool> in_s(std::size_t(rank), false);
    for (Index c = 0; c < r_; ++c) {
      const Index k = S[std::size_t(c)];
      in_s[std::size_t(k)] = true;
      U.col(c) = std::sqrt(sigma_(k)) * Uy_.col(k);
      V.col(c) = std::sqrt(sigma_(k)) * Vy_.col(k);
    }
    for (Index i = 0; i < rank; ++i)
      if (!in_s[std::size_t(i)]) value += 0.5 * sigma_(i) * sigma_(i);
    for (const Index k : S)
      for (Index i = 0; i < rank; ++i)
        if (!in_s[std::size_t(i)] && sigma_(i) > sigma_(k)) ++negative;
    const Inertia in{negative, r_ * r_, dim() - negative - r_ * r_};
    points.push_back({negative == 0 ? "global minimum (degenerate)" : "saddle (degenerate)", pack(U, V), value,
                      in});
    // Next subset.
    Index c = r_ - 1;
    while (c >= 0 && S[std::size_t(c)] == rank - r_ + c) --c;
    if (c < 0) break;
    ++S[std::size_t(c)];
    for (Index d = c + 1; d < r_; ++d) S[std::size_t(d)] = S[std::size_t(d - 1)] + 1;
  }
  return points;
}

}  // namespace nnlab::optim
