// Welford accumulators, mean/ratio/proportion estimates and least-squares line fits.
#include "nnlab/experiment/stats.hpp"

#include <utility>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab::experiment {

void Welford::add(double x) {
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / double(n_);
  m2_ += delta * (x - mean_);
}

void Welford::merge(const Welford& other) {
  if (other.n_ == 0) return;
  const double n = double(n_ + other.n_), delta = other.mean_ - mean_;
  mean_ += delta * double(other.n_) / n;
  m2_ += other.m2_ + delta * delta * double(n_) * double(other.n_) / n;
  n_ += other.n_;
}

double Welford::variance() const {
  require(n_ >= 2, "Welford: a variance needs at least 2 values, got {}", n_);
  return m2_ / double(n_ - 1);
}

Mat<double> stack_rows(std::span<const std::vector<double>> rows) {
  const std::size_t width = rows.empty() ? 0 : rows.front().size();
  Mat<double> M(Index(rows.size()), Index(width));
  for (std::size_t t = 0; t < rows.size(); ++t) {
    require(rows[t].size() == width, "stack_rows: row {} has {} values, row 0 has {}", t,
            rows[t].size(), width);
    M.row(Index(t)) = ConstVecMap<double>(rows[t].data(), Index(width)).transpose();
  }
  return M;
}

double z_score(const Estimate& e, double theory) {
  if (std::isnan(e.value) || std::isnan(e.se) || std::isnan(theory)) return std::nan("");
  if (e.se > 0) return (e.value - theory) / e.se;
  if (e.value == theory) return 0;
  return e.value > theory ? HUGE_VAL : -HUGE_VAL;
}

Estimate mean_estimate(const Vec<double>& terms) {
  const Index T = terms.size();
  require(T >= 2, "mean_estimate: need at least 2 terms, got {}", T);
  const double mean = terms.mean();
  const double variance = (terms.array() - mean).square().sum() / double(T - 1);
  return {mean, std::sqrt(variance / double(T))};
}

Estimate paired_difference(const Vec<double>& a, const Vec<double>& b) {
  require(a.size() == b.size(), "paired_difference: {} terms against {}", a.size(), b.size());
  return mean_estimate(a - b);
}

namespace {
// mean(a)/mean(b) and the per-trial influence (a_t − r b_t)/mean(b) of the ratio.
std::pair<double, Vec<double>> ratio_influence(const Vec<double>& a, const Vec<double>& b) {
  require(a.size() == b.size(), "ratio_estimate: {} numerator terms but {} denominator terms",
          a.size(), b.size());
  const double mean_b = b.mean();
  require(mean_b != 0, "ratio_estimate: the denominator's mean is 0");
  const double ratio = a.mean() / mean_b;
  return {ratio, (a - ratio * b) / mean_b};
}
}  // namespace

Estimate ratio_estimate(const Vec<double>& a, const Vec<double>& b) {
  const auto [ratio, influence] = ratio_influence(a, b);
  return {ratio, mean_estimate(influence).se};
}

Estimate ratio_difference(const Vec<double>& a, const Vec<double>& b, const Vec<double>& c,
                          const Vec<double>& d) {
  const auto [r1, i1] = ratio_influence(a, b);
  const auto [r2, i2] = ratio_influence(c, d);
  require(i1.size() == i2.size(), "ratio_difference: {} and {} trials", i1.size(), i2.size());
  return {r1 - r2, mean_estimate(Vec<double>(i1 - i2)).se};
}

Estimate log_ratio(const Estimate& a, const Estimate& b) {
  require(a.value > 0 && b.value > 0, "log_ratio: needs positive values, got {} and {}", a.value,
          b.value);
  return {std::log(a.value / b.value), std::hypot(a.se / a.value, b.se / b.value)};
}

Estimate proportion(std::uint64_t successes, std::uint64_t n) {
  require(n >= 1 && successes <= n, "proportion: {} successes out of {}", successes, n);
  const double p = double(successes) / double(n);
  return {p, std::sqrt(p * (1 - p) / double(n))};
}

Interval wilson_interval(std::uint64_t successes, std::uint64_t n, double z) {
  const double p = proportion(successes, n).value, nd = double(n), z2 = z * z;
  const double centre = (p + z2 / (2 * nd)) / (1 + z2 / nd);
  const double half = z * std::sqrt(p * (1 - p) / nd + z2 / (4 * nd * nd)) / (1 + z2 / nd);
  return {centre - half, centre + half};
}

LineFit fit_line(std::span<const double> x, std::span<const double> y) {
  require(x.size() == y.size(), "fit_line: {} x values but {} y values", x.size(), y.size());
  require(x.size() >= 3, "fit_line: need at least 3 points, got {}", x.size());
  const double n = double(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  require(sxx > 0, "fit_line: all {} x values are equal ({})", x.size(), mx);
  const double b = sxy / sxx, a = my - b * mx;
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) rss += (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]);
  const double s = std::sqrt(rss / (n - 2));
  return {.intercept = {a, s * std::sqrt(1 / n + mx * mx / sxx)},
          .slope = {b, s / std::sqrt(sxx)},
          .residual_sd = s,
          .points = x.size()};
}

LineFit fit_log_log(std::span<const double> x, std::span<const double> y) {
  require(x.size() == y.size(), "fit_log_log: {} x values but {} y values", x.size(), y.size());
  std::vector<double> lx(x.size()), ly(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    require(x[i] > 0 && y[i] > 0, "fit_log_log: point {} is ({}, {}); both must be > 0", i, x[i],
            y[i]);
    lx[i] = std::log(x[i]);
    ly[i] = std::log(y[i]);
  }
  return fit_line(lx, ly);
}

}  // namespace nnlab::experiment
