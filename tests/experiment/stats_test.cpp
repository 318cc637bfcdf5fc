// Statistics: Welford against a two-pass computation and merged chunks against one pass; line
// fits against a known line and their standard errors against the matrix formula s²(AᵀA)⁻¹
// and against their Monte Carlo spread; proportions and Wilson intervals at known values.
#include "nnlab/experiment/stats.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>

#include <cmath>
#include <limits>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"

namespace nnlab::experiment {
namespace {

std::vector<double> sample(std::size_t n, double offset, std::uint64_t seed) {
  Rng rng = make_rng(seed, stream::data);
  std::vector<double> x(n);
  for (auto& v : x) v = offset + 3 * normal(rng);
  return x;
}

TEST(Welford, MatchesTwoPassEvenFarFromZero) {
  const auto x = sample(10000, 1e6, 1);  // a naive Σx² − n x̄² would lose ~12 digits here
  Welford w;
  for (double v : x) w.add(v);
  double mean = 0;
  for (double v : x) mean += v / double(x.size());
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  EXPECT_EQ(w.count(), x.size());
  EXPECT_NEAR(w.mean(), mean, 1e-12 * std::abs(mean));
  EXPECT_NEAR(w.variance(), ss / double(x.size() - 1), 1e-9 * ss / double(x.size()));
  const Estimate e = w.estimate();
  EXPECT_DOUBLE_EQ(e.se, std::sqrt(w.variance() / double(x.size())));
}

TEST(Welford, MergedChunksEqualOnePass) {
  const auto x = sample(1000, 5, 2);
  Welford all, merged, empty;
  for (double v : x) all.add(v);
  for (std::size_t start = 0; start < x.size(); start += 137) {  // uneven chunks
    Welford chunk;
    for (std::size_t i = start; i < std::min(x.size(), start + 137); ++i) chunk.add(x[i]);
    merged.merge(chunk);
  }
  merged.merge(empty);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-13 * std::abs(all.mean()));
  EXPECT_NEAR(merged.variance(), all.variance(), 1e-12 * all.variance());
  empty.merge(all);  // into an empty accumulator
  EXPECT_EQ(empty.mean(), all.mean());
  EXPECT_THROW(Welford().variance(), Error);
}

TEST(Stats, MeanPairedAndRatioEstimates) {
  Rng rng = make_rng(4, 1);
  const Index T = 5000;
  Vec<double> a(T), b(T);
  for (Index t = 0; t < T; ++t) {
    const double g = normal(rng);
    b(t) = g * g;
    a(t) = 2 * g * g + 0.1 * normal(rng);
  }
  const Estimate r = ratio_estimate(a, b);
  EXPECT_NEAR(r.value, 2.0, 4 * r.se);
  EXPECT_LT(r.se, 0.01);  // pairing cancels the common g²
  EXPECT_THROW(ratio_estimate(a, b.head(3)), Error);

  const Estimate mean_a = mean_estimate(a), mean_b = mean_estimate(b);
  const Estimate d = paired_difference(a, b);
  // The same mean summed in another order: equal up to the sums' rounding, 4√T ε (|ā| + |b̄|)
  // (with 8 or 4 SIMD lanes the orders differ by 1e-15 here).
  const double rounding = 4 * std::sqrt(double(T)) * std::numeric_limits<double>::epsilon() *
                          (a.cwiseAbs().mean() + b.cwiseAbs().mean());
  EXPECT_NEAR(d.value, mean_a.value - mean_b.value, rounding);
  // Paired: the SE of a − b is that of g² + 0.1ε, far below the unpaired √(se_a² + se_b²).
  EXPECT_LT(d.se, 0.5 * std::hypot(mean_a.se, mean_b.se));
  EXPECT_NEAR(d.value, 1.0, 4 * d.se);
  EXPECT_THROW(mean_estimate(Vec<double>::Ones(1)), Error);
}

// Two ratios over the same trials: the difference's SE comes from the paired influences, far
// below the unpaired √(se₁² + se₂²) when the ratios share their noise.
TEST(Stats, RatioDifference) {
  Rng rng = make_rng(6, 1);
  const Index T = 5000;
  Vec<double> a(T), b(T), c(T);
  for (Index t = 0; t < T; ++t) {
    const double g = normal(rng), e = 0.05 * normal(rng);
    b(t) = 1 + g * g;
    a(t) = 2 * b(t) + e;
    c(t) = 1.5 * b(t) + e;
  }
  const Estimate d = ratio_difference(a, b, c, b);
  const Estimate r1 = ratio_estimate(a, b), r2 = ratio_estimate(c, b);
  EXPECT_DOUBLE_EQ(d.value, r1.value - r2.value);
  EXPECT_NEAR(d.value, 0.5, 4 * d.se);
  EXPECT_LT(d.se, 0.2 * std::hypot(r1.se, r2.se));
  EXPECT_THROW(ratio_difference(a, b, c.head(3), b.head(3)), Error);
}

// Relative SEs add in quadrature; an exact denominator contributes nothing.
TEST(Stats, LogRatio) {
  const Estimate r = log_ratio({2, 0.2}, {1, 0});
  EXPECT_DOUBLE_EQ(r.value, std::log(2.0));
  EXPECT_DOUBLE_EQ(r.se, 0.1);
  EXPECT_DOUBLE_EQ(log_ratio({2, 0.2}, {4, 0.4}).se, std::hypot(0.1, 0.1));
  EXPECT_THROW(log_ratio({0, 1}, {1, 0}), Error);
  EXPECT_THROW(log_ratio({1, 1}, {-1, 0}), Error);
}

TEST(Stats, StackRowsKeepsTrialOrder) {
  const std::vector<std::vector<double>> rows{{1, 2, 3}, {4, 5, 6}};
  const Mat<double> M = stack_rows(rows);
  ASSERT_EQ(M.rows(), 2);
  ASSERT_EQ(M.cols(), 3);
  EXPECT_EQ(M(0, 2), 3);
  EXPECT_EQ(M(1, 0), 4);
  const std::vector<std::vector<double>> ragged{{1, 2}, {3}};
  EXPECT_THROW(stack_rows(ragged), Error);
}

TEST(Stats, ZScore) {
  EXPECT_DOUBLE_EQ(z_score({1.5, 0.25}, 1.0), 2.0);
  EXPECT_DOUBLE_EQ(z_score({0.5, 0.25}, 1.0), -2.0);
  EXPECT_EQ(z_score({1.0, 0.0}, 1.0), 0.0);
  EXPECT_EQ(z_score({1.1, 0.0}, 1.0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(z_score({std::nan(""), 1.0}, 1.0)));
  EXPECT_TRUE(std::isnan(z_score({1.0, std::nan("")}, 1.0)));
}

TEST(Stats, ProportionAndWilsonInterval) {
  const Estimate p = proportion(30, 100);
  EXPECT_DOUBLE_EQ(p.value, 0.3);
  EXPECT_DOUBLE_EQ(p.se, std::sqrt(0.3 * 0.7 / 100));
  // Wilson 95% intervals, by hand: 5/10 → [0.2366, 0.7634]; 0/10 → [0, 0.2775] (Wald: [0, 0]).
  const Interval half = wilson_interval(5, 10);
  EXPECT_NEAR(half.lo, 0.2366, 1e-4);
  EXPECT_NEAR(half.hi, 0.7634, 1e-4);
  const Interval none = wilson_interval(0, 10);
  EXPECT_NEAR(none.lo, 0.0, 1e-12);
  EXPECT_NEAR(none.hi, 0.2775, 1e-4);
  EXPECT_THROW(proportion(3, 2), Error);
  EXPECT_THROW(proportion(0, 0), Error);
}

TEST(LineFit, RecoversAnExactLine) {
  const std::vector<double> x{0, 1, 2, 3, 5, 8};
  std::vector<double> y;
  for (double v : x) y.push_back(2 - 0.75 * v);
  const LineFit fit = fit_line(x, y);
  EXPECT_NEAR(fit.slope.value, -0.75, 1e-14);
  EXPECT_NEAR(fit.intercept.value, 2, 1e-14);
  EXPECT_NEAR(fit.slope.se, 0, 1e-14);
  EXPECT_EQ(fit.points, 6u);

  std::vector<double> px, py;
  for (double v : {1.0, 10.0, 100.0, 1000.0}) px.push_back(v), py.push_back(5 / std::sqrt(v));
  const LineFit power = fit_log_log(px, py);
  EXPECT_NEAR(power.slope.value, -0.5, 1e-14);
  EXPECT_NEAR(power.intercept.value, std::log(5.0), 1e-13);
}

TEST(LineFit, StandardErrorsMatchTheMatrixFormulaAndTheirSpread) {
  const int n = 12;
  std::vector<double> x(n);
  for (int i = 0; i < n; ++i) x[std::size_t(i)] = 0.5 * i * i / n;
  Mat<double> A(n, 2);
  for (int i = 0; i < n; ++i) A(i, 0) = 1, A(i, 1) = x[std::size_t(i)];
  const Mat<double> inverse = (A.transpose() * A).inverse();

  Rng rng = make_rng(9, stream::data);
  Welford slopes, predicted;
  for (int rep = 0; rep < 4000; ++rep) {
    std::vector<double> y(n);
    for (int i = 0; i < n; ++i) y[std::size_t(i)] = 1 + 2 * x[std::size_t(i)] + 0.3 * normal(rng);
    const LineFit fit = fit_line(x, y);
    if (rep == 0) {  // Cov(β̂) = s² (AᵀA)⁻¹
      const double s2 = fit.residual_sd * fit.residual_sd;
      EXPECT_NEAR(fit.intercept.se, std::sqrt(s2 * inverse(0, 0)), 1e-12);
      EXPECT_NEAR(fit.slope.se, std::sqrt(s2 * inverse(1, 1)), 1e-12);
    }
    slopes.add(fit.slope.value);
    predicted.add(fit.slope.se * fit.slope.se);
  }
  // The fitted slopes scatter as the SE says: Var(b̂) = σ²(AᵀA)⁻¹₁₁, and E[se²] equals it.
  const double truth = 0.09 * inverse(1, 1);
  EXPECT_NEAR(slopes.mean(), 2, 4 * std::sqrt(truth / 4000));
  EXPECT_NEAR(slopes.variance() / truth, 1, 0.1);
  EXPECT_NEAR(predicted.mean() / truth, 1, 0.05);
}

TEST(LineFit, RefusesDegenerateInput) {
  const std::vector<double> two{1, 2}, same{3, 3, 3}, y{1, 2, 3}, bad{1, -2, 3};
  EXPECT_THROW(fit_line(two, two), Error);
  EXPECT_THROW(fit_line(same, y), Error);
  EXPECT_THROW(fit_line(y, two), Error);
  EXPECT_THROW(fit_log_log(bad, y), Error);
  EXPECT_THROW(fit_log_log(y, bad), Error);
}

}  // namespace
}  // namespace nnlab::experiment
