// Linear regression, ridge and dropout on linear regression (sheet 9.1.6), in double.
//
// Shapes: PRML design matrix X: N × D (row i is sample x_iᵀ), targets y: N, weights w: D.
// (Elsewhere nnlab keeps samples as columns; a Dataset's inputs become X = dataset.X.transpose().)
//
//   OLS           ŵ = argmin ‖y − Xw‖² = (XᵀX)⁻¹Xᵀy
//   ridge         ŵ = (XᵀX + diag(λ))⁻¹Xᵀy,  λ_j ≥ 0 per feature
//   dropout       J(w; R) = Σ_i (y_i − Σ_j w_j R_ij X_ij)²,  R_ij ~ Bernoulli(p), p = KEEP probability
//                 E_R[J](w) = ‖y − pXw‖² + p(1−p) Σ_j w_j² (XᵀX)_jj
//                 w* = argmin E_R[J] = (p XᵀX + (1−p) diag(XᵀX))⁻¹ Xᵀy
//   ridge view    p·w* = ridge with λ_j = (1−p)/p · (XᵀX)_jj
// A model trained with standard dropout predicts p·x₀ᵀw* at test time (weight scaling).
#pragma once

#include "nnlab/core/types.hpp"

namespace nnlab::analysis {

// ŵ = argmin ‖y − Xw‖² by column-pivoting Householder QR of X (XᵀX is never formed, so the
// error grows with cond(X), not cond(X)²). Throws Error naming the rank if rank(X) < D.
Vec<double> ols(const Mat<double>& X, const Vec<double>& y);

// ŵ = (XᵀX + diag(λ))⁻¹Xᵀy, solved as OLS on the augmented system [X; diag(√λ)] w ≈ [y; 0].
// λ: D entries ≥ 0. Throws Error if the augmented system is rank deficient.
Vec<double> ridge(const Mat<double>& X, const Vec<double>& y, const Vec<double>& lambda);
Vec<double> ridge(const Mat<double>& X, const Vec<double>& y, double lambda);

// The linear map y ↦ ŵ of least squares weighted by c ≥ 0: A = (XᵀCX)⁻¹XᵀC, D × N, C = diag(c).
// c = 1: OLS; c = 0/1 indicator: OLS on a subsample; c = counts: OLS on a bootstrap sample
// (a row drawn k times counts k times). Normal equations by LDLT; throws Error naming the
// number of rows used if XᵀCX is singular.
Mat<double> least_squares_map(const Mat<double>& X, const Vec<double>& c);

// E_R[J](w) = ‖y − pXw‖² + p(1−p) Σ_j w_j² (XᵀX)_jj.
double dropout_expected_loss(const Mat<double>& X, const Vec<double>& y, const Vec<double>& w,
                             double p);

// ∇_w E_R[J] = −2p Xᵀ(y − pXw) + 2p(1−p) diag(XᵀX) w.
Vec<double> dropout_expected_loss_gradient(const Mat<double>& X, const Vec<double>& y,
                                           const Vec<double>& w, double p);

// J(w; R) = Σ_i (y_i − Σ_j w_j R_ij X_ij)² for one mask R: N × D with entries in {0, 1}.
double dropout_sampled_loss(const Mat<double>& X, const Vec<double>& y, const Vec<double>& w,
                            const Mat<double>& R);

// w* = (p XᵀX + (1−p) diag(XᵀX))⁻¹ Xᵀy by LDLT. Throws Error if the matrix is singular
// (a zero feature column, or rank(X) < D when p = 1).
Vec<double> dropout_closed_form(const Mat<double>& X, const Vec<double>& y, double p);

// λ_j = (1−p)/p · (XᵀX)_jj: the per-feature ridge penalty that dropout amounts to.
Vec<double> dropout_ridge_penalty(const Mat<double>& X, double p);

// E_R[J](w) of dropout with keep probability p on (X, y) as an objective (optim/objective.hpp),
// for the drivers: a strictly convex quadratic in w when every column of X is nonzero.
struct DropoutExpectedLoss {
  using Scalar = double;
  const Mat<double>& X;
  const Vec<double>& y;
  double p;

  Index dim() const { return X.cols(); }
  double value(const Vec<double>& w) const { return dropout_expected_loss(X, y, w, p); }
  double gradient(const Vec<double>& w, Vec<double>& g) const {
    g = dropout_expected_loss_gradient(X, y, w, p);
    return value(w);
  }
};

}  // namespace nnlab::analysis
