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

}  // namespace nnlab::analysis
