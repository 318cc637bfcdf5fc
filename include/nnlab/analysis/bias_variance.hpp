// Bias–variance decomposition against the TRUE function (not noisy labels; mlxtend's
// bias_variance_decomp measures against noisy labels, nnlab does not).
//
// Shapes: predictions F: T × K (row t = the model trained on training set t, column k = test
// point x₀_k), truth f: K. With e_tk = F_tk − f_k, ē_k = mean_t e_tk and
// s²_k = Σ_t (e_tk − ē_k)² / (T − 1), averaged over the K test points:
//   variance = mean_k s²_k                    (unbiased)
//   bias²    = mean_k (ē_k² − s²_k / T)        (unbiased: E[ē_k²] = bias_k² + σ_k²/T)
//   MSE      = mean_k mean_t e_tk²
// and MSE = bias² + variance holds exactly for these estimators (not only in expectation).
#pragma once
#include <span>

#include "nnlab/core/types.hpp"
#include "nnlab/experiment/stats.hpp"

namespace nnlab::analysis {

struct BiasVariance {
  experiment::Estimate bias2, variance, mse;  // value ± standard error over the trials
  // mean_k ē_k: the signed error averaged over test points; 0 for an unbiased estimator.
  experiment::Estimate mean_error;
  Vec<double> bias2_point, variance_point;  // per test point, K entries
  // Per-trial terms whose means are variance and mse (T entries each), so that ratios and
  // differences between estimators trained on the same training sets get paired errors.
  Vec<double> variance_terms, mse_terms;
};

// Standard errors: mse and variance from their per-trial terms; bias² from its Hoeffding
// decomposition as a degree-2 U-statistic, Var = 4 μᵀΣμ/(K²T) + 2‖Σ‖_F²/(K²T(T−1)), μ the
// biases and Σ the K × K covariance of the predictions (the second term keeps the error
// honest when every bias is 0). μᵀΣμ is estimated without bias but clipped at 0, so when every
// bias is 0 the error is conservative, by up to a factor ≈ √2. Requires T ≥ 2; throws Error on
// mismatched shapes.
BiasVariance bias_variance(const Mat<double>& predictions, const Vec<double>& truth);

// An ensemble's M exchangeable members (the same recipe on the same training set, differing
// only in their own randomness: seeds, resamples): members[k] is member k's T × K predictions.
// With g_tk the prediction of member k on training set t centred over t, per training set t
// (each averaged over the K test points, with the factor T/(T−1) of an unbiased variance):
//   variance_terms_t   = mean_k ‖g_tk‖² / K                     mean: σ², one member's variance
//   covariance_terms_t = mean_{k≠l} g_tkᵀ g_tl / K              mean: ρσ², two members' covariance
// so that ρ = mean(covariance) / mean(variance), and the mean of m such members has variance
// Var_m = ρσ² + (1 − ρ)σ²/m. Requires M ≥ 2, T ≥ 2 and equal shapes (throws Error otherwise).
struct MemberSpread {
  Vec<double> variance_terms, covariance_terms;  // T entries each
};
MemberSpread member_spread(std::span<const Mat<double>> members);

}  // namespace nnlab::analysis
