// Bias–variance estimators: the exact identity MSE = bias² + variance, agreement with known
// bias and noise, and standard errors that match the spread over replications.
#include "nnlab/analysis/bias_variance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"

namespace nnlab::analysis {
namespace {

// F_tk = f_k + b_k + s_k·(ρ g_t + √(1−ρ²) g_tk): bias b_k, variance s_k², correlated points.
Mat<double> predictions(const Vec<double>& f, const Vec<double>& b, const Vec<double>& s, Index T,
                        double rho, Rng& rng) {
  Mat<double> F(T, f.size());
  for (Index t = 0; t < T; ++t) {
    const double common = normal(rng);
    for (Index k = 0; k < f.size(); ++k)
      F(t, k) = f(k) + b(k) + s(k) * (rho * common + std::sqrt(1 - rho * rho) * normal(rng));
  }
  return F;
}

TEST(BiasVariance, IdentityHoldsExactly) {
  Rng rng = make_rng(1, 1);
  const Vec<double> f = Vec<double>::LinSpaced(5, -1, 1), b = Vec<double>::LinSpaced(5, 0, 0.4);
  const Vec<double> s = Vec<double>::Constant(5, 0.7);
  const BiasVariance r = bias_variance(predictions(f, b, s, 37, 0.3, rng), f);
  EXPECT_NEAR(r.mse.value, r.bias2.value + r.variance.value, 1e-13 * r.mse.value);
  EXPECT_NEAR(r.bias2.value, r.bias2_point.mean(), 1e-15);
}

TEST(BiasVariance, RecoversKnownBiasAndVariance) {
  Rng rng = make_rng(2, 1);
  const Vec<double> f = Vec<double>::LinSpaced(8, 0, 3), b = Vec<double>::LinSpaced(8, -0.5, 0.5);
  const Vec<double> s = Vec<double>::LinSpaced(8, 0.5, 1.5);
  const BiasVariance r = bias_variance(predictions(f, b, s, 4000, 0.5, rng), f);
  const double bias2 = b.squaredNorm() / 8, variance = s.squaredNorm() / 8;
  EXPECT_NEAR(r.bias2.value, bias2, 4 * r.bias2.se);
  EXPECT_NEAR(r.variance.value, variance, 4 * r.variance.se);
  EXPECT_NEAR(r.mse.value, bias2 + variance, 4 * r.mse.se);
  EXPECT_NEAR(r.mean_error.value, b.mean(), 4 * r.mean_error.se);
}

// Over many replications the z-scores (estimate − truth)/se must have spread ≈ 1: a
// standard error that is too small or too large fails. In the unbiased case b = 0 the bias²
// error is documented as conservative by up to √2 (mean z² ∈ [1/2, 1]), never too small.
TEST(BiasVariance, StandardErrorsMatchReplicationSpread) {
  const Vec<double> f = Vec<double>::Zero(6), s = Vec<double>::Constant(6, 1.0);
  for (double bias : {0.0, 0.3}) {
    const Vec<double> b = Vec<double>::Constant(6, bias);
    const int replications = 400;
    double z2_bias = 0, z2_variance = 0;
    for (int r = 0; r < replications; ++r) {
      Rng rng = make_rng(3, 100 + r);
      const BiasVariance e = bias_variance(predictions(f, b, s, 200, 0.4, rng), f);
      z2_bias += std::pow((e.bias2.value - bias * bias) / e.bias2.se, 2);
      z2_variance += std::pow((e.variance.value - 1.0) / e.variance.se, 2);
    }
    // Mean of z² is 1 ± ~0.1 for 400 replications of near-Gaussian z.
    if (bias == 0) {
      EXPECT_GT(z2_bias / replications, 0.35);
      EXPECT_LT(z2_bias / replications, 1.3);
    } else {
      EXPECT_NEAR(z2_bias / replications, 1.0, 0.3) << bias;
    }
    EXPECT_NEAR(z2_variance / replications, 1.0, 0.3) << bias;
  }
}

TEST(BiasVariance, RefusesFewerThanTwoTrials) {
  EXPECT_THROW(bias_variance(Mat<double>::Zero(1, 3), Vec<double>::Zero(3)), Error);
}

// Members f_k(t, x) = s·(√ρ c_tx + √(1−ρ) u_ktx): variance s², correlation ρ between members,
// exchangeable. member_spread recovers σ² and ρσ², and the mean of m members has the variance
// ρσ² + (1−ρ)σ²/m that bias_variance measures.
TEST(MemberSpread, RecoversVarianceCorrelationAndTheEnsembleVariance) {
  Rng rng = make_rng(5, 1);
  const Index T = 4000, K = 3, M = 6;
  const double s = 1.5, rho = 0.3;
  Mat<double> common(T, K);
  for (Index t = 0; t < T; ++t)
    for (Index k = 0; k < K; ++k) common(t, k) = normal(rng);
  std::vector<Mat<double>> members(std::size_t(M), Mat<double>(T, K));
  for (auto& F : members)
    for (Index t = 0; t < T; ++t)
      for (Index k = 0; k < K; ++k)
        F(t, k) = s * (std::sqrt(rho) * common(t, k) + std::sqrt(1 - rho) * normal(rng));
  const MemberSpread spread = member_spread(members);
  const auto variance = experiment::mean_estimate(spread.variance_terms);
  const auto covariance = experiment::mean_estimate(spread.covariance_terms);
  EXPECT_NEAR(variance.value, s * s, 4 * variance.se);
  EXPECT_NEAR(covariance.value, rho * s * s, 4 * covariance.se);
  // The estimators are exact identities for the mean of all M members.
  Mat<double> mean = Mat<double>::Zero(T, K);
  for (const auto& F : members) mean += F / double(M);
  const BiasVariance all = bias_variance(mean, Vec<double>::Zero(K));
  const Vec<double> predicted =
      spread.covariance_terms + (spread.variance_terms - spread.covariance_terms) / double(M);
  EXPECT_LT((all.variance_terms - predicted).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_THROW(member_spread(std::span(members).first(1)), Error);
  members[2] = Mat<double>::Zero(T, K + 1);
  EXPECT_THROW(member_spread(members), Error);
}

}  // namespace
}  // namespace nnlab::analysis
