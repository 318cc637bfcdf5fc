// OLS, ridge, weighted least-squares maps and the dropout closed form; X: N × D, y: N, w: D.
#include "nnlab/analysis/linear_model.hpp"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <cmath>

#include "nnlab/core/error.hpp"

namespace nnlab::analysis {
namespace {

void require_shapes(const Mat<double>& X, const Vec<double>& y, const char* what) {
  require(X.rows() == y.size(), "{}: X has {} rows but y has {} entries", what, X.rows(),
          y.size());
  require(X.cols() > 0 && X.rows() > 0, "{}: empty design matrix ({} × {})", what, X.rows(),
          X.cols());
}

void require_keep(double p, const char* what) {
  require(p > 0 && p <= 1, "{}: keep probability p = {} is outside (0, 1]", what, p);
}

// Least squares by column-pivoting QR; `what` names the caller in the rank error.
Vec<double> qr_solve(const Mat<double>& X, const Vec<double>& y, const char* what) {
  Eigen::ColPivHouseholderQR<Mat<double>> qr(X);
  require(qr.rank() == X.cols(), "{}: design matrix {} × {} has rank {} < {} (XᵀX is singular)",
          what, X.rows(), X.cols(), qr.rank(), X.cols());
  return qr.solve(y);
}

// Solves the symmetric positive definite system M w = b by LDLT; throws if M is singular,
// judged by the smallest pivot relative to the largest.
Vec<double> spd_solve(const Mat<double>& M, const Vec<double>& b, const char* what) {
  Eigen::LDLT<Mat<double>> ldlt(M);
  const Vec<double> d = ldlt.vectorD();
  const double largest = d.cwiseAbs().maxCoeff();
  const double tolerance = largest * double(M.rows()) * 1e-14;
  const auto positive = (d.array() > tolerance).count();
  require(ldlt.info() == Eigen::Success && positive == M.rows(),
          "{}: the {} × {} normal matrix is singular (numerical rank {}, smallest pivot {:.3g}, "
          "largest {:.3g})",
          what, M.rows(), M.cols(), positive, d.minCoeff(), largest);
  return ldlt.solve(b);
}

}  // namespace

Vec<double> ols(const Mat<double>& X, const Vec<double>& y) {
  require_shapes(X, y, "ols");
  return qr_solve(X, y, "ols");
}

Vec<double> ridge(const Mat<double>& X, const Vec<double>& y, const Vec<double>& lambda) {
  require_shapes(X, y, "ridge");
  require(lambda.size() == X.cols(), "ridge: {} penalties for {} features", lambda.size(),
          X.cols());
  for (Index j = 0; j < lambda.size(); ++j)
    require(std::isfinite(lambda(j)) && lambda(j) >= 0,
            "ridge: penalty λ_{} = {} must be finite and ≥ 0", j, lambda(j));
  const Index N = X.rows(), D = X.cols();
  Mat<double> augmented(N + D, D);
  augmented << X, Mat<double>(lambda.cwiseSqrt().asDiagonal());
  Vec<double> target = Vec<double>::Zero(N + D);
  target.head(N) = y;
  return qr_solve(augmented, target, "ridge");
}

Vec<double> ridge(const Mat<double>& X, const Vec<double>& y, double lambda) {
  return ridge(X, y, Vec<double>::Constant(X.cols(), lambda));
}

Mat<double> least_squares_map(const Mat<double>& X, const Vec<double>& c) {
  require(c.size() == X.rows(), "least_squares_map: {} weights for {} rows", c.size(), X.rows());
  require((c.array() >= 0).all() && c.allFinite(),
          "least_squares_map: weights must be finite and ≥ 0");
  const Mat<double> XtC = X.transpose() * c.asDiagonal();
  const Mat<double> normal = XtC * X;
  Eigen::LDLT<Mat<double>> ldlt(normal);
  const Vec<double> d = ldlt.vectorD();
  const double tolerance = d.cwiseAbs().maxCoeff() * double(X.cols()) * 1e-14;
  require(ldlt.info() == Eigen::Success && (d.array() > tolerance).all(),
          "least_squares_map: XᵀCX is singular ({} of {} rows used, {} features)",
          (c.array() > 0).count(), X.rows(), X.cols());
  return ldlt.solve(XtC);
}

double dropout_expected_loss(const Mat<double>& X, const Vec<double>& y, const Vec<double>& w,
                             double p) {
  require_shapes(X, y, "dropout_expected_loss");
  require_keep(p, "dropout_expected_loss");
  require(w.size() == X.cols(), "dropout_expected_loss: w has {} entries for {} features",
          w.size(), X.cols());
  const Vec<double> gram_diagonal = X.colwise().squaredNorm().transpose();
  return (y - p * (X * w)).squaredNorm() +
         p * (1 - p) * w.cwiseAbs2().dot(gram_diagonal);
}

Vec<double> dropout_expected_loss_gradient(const Mat<double>& X, const Vec<double>& y,
                                           const Vec<double>& w, double p) {
  require_shapes(X, y, "dropout_expected_loss_gradient");
  require_keep(p, "dropout_expected_loss_gradient");
  require(w.size() == X.cols(), "dropout_expected_loss_gradient: w has {} entries for {} features",
          w.size(), X.cols());
  const Vec<double> gram_diagonal = X.colwise().squaredNorm().transpose();
  return -2 * p * (X.transpose() * (y - p * (X * w))) +
         2 * p * (1 - p) * gram_diagonal.cwiseProduct(w);
}

double dropout_sampled_loss(const Mat<double>& X, const Vec<double>& y, const Vec<double>& w,
                            const Mat<double>& R) {
  require_shapes(X, y, "dropout_sampled_loss");
  require(R.rows() == X.rows() && R.cols() == X.cols(),
          "dropout_sampled_loss: mask is {} × {} but X is {} × {}", R.rows(), R.cols(), X.rows(),
          X.cols());
  require(w.size() == X.cols(), "dropout_sampled_loss: w has {} entries for {} features",
          w.size(), X.cols());
  return (y - R.cwiseProduct(X) * w).squaredNorm();
}

Vec<double> dropout_closed_form(const Mat<double>& X, const Vec<double>& y, double p) {
  require_shapes(X, y, "dropout_closed_form");
  require_keep(p, "dropout_closed_form");
  const Mat<double> gram = X.transpose() * X;
  Mat<double> M = p * gram;
  M.diagonal() += (1 - p) * gram.diagonal();
  return spd_solve(M, X.transpose() * y, "dropout_closed_form");
}

Vec<double> dropout_ridge_penalty(const Mat<double>& X, double p) {
  require_keep(p, "dropout_ridge_penalty");
  return (1 - p) / p * X.colwise().squaredNorm().transpose();
}

}  // namespace nnlab::analysis
