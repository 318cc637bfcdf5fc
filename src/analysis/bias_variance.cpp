// Bias², variance and MSE from predictions F: T × K against the true values f: K.
#include "nnlab/analysis/bias_variance.hpp"

#include <algorithm>
#include <cmath>

#include "nnlab/core/error.hpp"

namespace nnlab::analysis {

using experiment::mean_estimate;

BiasVariance bias_variance(const Mat<double>& predictions, const Vec<double>& truth) {
  const Index T = predictions.rows(), K = predictions.cols();
  require(truth.size() == K, "bias_variance: predictions at {} points but {} true values", K,
          truth.size());
  require(T >= 2 && K >= 1, "bias_variance: need ≥ 2 trials and ≥ 1 point, got {} × {}", T, K);
  const Mat<double> e = predictions.rowwise() - truth.transpose();  // T × K errors
  const Vec<double> mean_e = e.colwise().mean().transpose();        // ē_k
  const Mat<double> centered = e.rowwise() - mean_e.transpose();
  const double Td = double(T), Kd = double(K);

  BiasVariance r;
  r.variance_point = centered.colwise().squaredNorm().transpose() / (Td - 1);
  r.bias2_point = mean_e.cwiseAbs2() - r.variance_point / Td;
  r.variance_terms = centered.rowwise().squaredNorm() * (Td / (Td - 1)) / Kd;
  r.mse_terms = e.rowwise().squaredNorm() / Kd;
  r.variance = mean_estimate(r.variance_terms);
  r.mse = mean_estimate(r.mse_terms);
  r.mean_error = mean_estimate(e.rowwise().mean());

  // bias² is a U-statistic (1/(T(T−1))) Σ_{t≠t'} mean_k e_tk e_t'k with variance
  // 4 μᵀΣμ/(K²T) + 2‖Σ‖_F²/(K²T(T−1)), μ the biases, Σ the K × K covariance of predictions.
  // ēᵀΣ̂ē overestimates μᵀΣμ by ≈ ‖Σ‖_F²/T, which would dominate when every bias is 0; the
  // corrected sum is unbiased but may fall below the μ = 0 term, which then bounds it.
  const Mat<double> covariance = centered.transpose() * centered / (Td - 1);
  const double frobenius2 = covariance.squaredNorm();
  const double degenerate = 2 * frobenius2 / (Kd * Kd * Td * (Td - 1));
  const double linear = 4 * (mean_e.dot(covariance * mean_e) - frobenius2 / Td) / (Kd * Kd * Td);
  const double bias2_variance = std::max(degenerate, linear + degenerate);
  r.bias2 = {r.bias2_point.mean(), std::sqrt(bias2_variance)};
  return r;
}

MemberSpread member_spread(std::span<const Mat<double>> members) {
  const auto M = Index(members.size());
  require(M >= 2, "member_spread: needs ≥ 2 members, got {}", M);
  const Index T = members.front().rows(), K = members.front().cols();
  require(T >= 2 && K >= 1, "member_spread: need ≥ 2 trials and ≥ 1 point, got {} × {}", T, K);
  Mat<double> sum = Mat<double>::Zero(T, K);
  Vec<double> squares = Vec<double>::Zero(T);
  for (const Mat<double>& F : members) {
    require(F.rows() == T && F.cols() == K, "member_spread: a member's predictions are {} × {}, "
            "the first member's {} × {}", F.rows(), F.cols(), T, K);
    const Mat<double> g = F.rowwise() - F.colwise().mean();
    sum += g;
    squares += g.rowwise().squaredNorm();
  }
  const double scale = double(T) / double(T - 1) / double(K), Md = double(M);
  // Σ_{k≠l} g_kᵀg_l = ‖Σ_k g_k‖² − Σ_k ‖g_k‖².
  return {squares * (scale / Md),
          (sum.rowwise().squaredNorm() - squares) * (scale / (Md * (Md - 1)))};
}

}  // namespace nnlab::analysis
