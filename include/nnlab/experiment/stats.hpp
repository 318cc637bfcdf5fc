// Statistics for claims: every Monte Carlo number in a lab is an Estimate, a value with its
// standard error, so a claim can say how many standard errors separate it from the theory.
//   Welford       running mean and variance, mergeable: a Monte Carlo sum split into chunks
//                 (one stream each) and merged in chunk order gives the same answer on any
//                 number of threads. Chan et al. 1979 for the merge.
//   z_score       how many SEs an estimate lies from a theory value
//   mean_estimate x̄ ± s/√n over per-trial terms; paired_difference the same for a_t − b_t,
//                 whose SE is small when a and b share their randomness (the same trials);
//   ratio_estimate mean(a)/mean(b) for paired terms, SE by the delta method
//   ratio_difference mean(a)/mean(b) − mean(c)/mean(d) for terms paired over the same trials,
//                 SE by the delta method (the difference of the two ratios' influences)
//   log_ratio     log(a/b) of two independent estimates: the scale on which to compare a sample
//                 variance with its theory, because a variance's SE shrinks with the estimate
//                 itself (on the raw scale, low estimates get inflated z-scores)
//   proportion    k/n with the Wald SE √(p̂(1−p̂)/n); wilson_interval the Wilson score
//                 interval, which stays inside [0, 1] and is honest near 0 and 1
//   stack_rows    trial results (one vector each) as the rows of a trials × width matrix,
//                 whose columns then give per-quantity estimates
//   fit_line      least squares y ≈ a + b x with the textbook standard errors
//                 se(b) = s/√Σ(x−x̄)², s² = Σr²/(n−2); fit_log_log fits log y on log x, so its
//                 slope is the exponent of a power law y ∝ x^b.
#pragma once
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "nnlab/core/types.hpp"

namespace nnlab::experiment {

struct Estimate {
  double value = 0;
  double se = 0;  // standard error
};

struct Interval {
  double lo = 0, hi = 0;
};

// Mean and variance by Welford's update; trivially copyable, so trials may return it.
class Welford {
 public:
  void add(double x);
  void merge(const Welford& other);  // as if other's values had been added here
  std::uint64_t count() const { return n_; }
  double mean() const { return mean_; }
  double variance() const;  // sample variance (n − 1); needs count ≥ 2
  Estimate estimate() const { return {mean_, std::sqrt(variance() / double(n_))}; }

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0, m2_ = 0;  // m2 = Σ (x − mean)²
};

// (v − theory) / SE, signed; an exact estimate (SE = 0) is 0 when equal and ±∞ otherwise;
// NaN if anything is NaN.
double z_score(const Estimate& e, double theory);

// Row t = rows[t]; every row must have the same length (throws Error otherwise).
Mat<double> stack_rows(std::span<const std::vector<double>> rows);

// Per-trial terms (n ≥ 2).
Estimate mean_estimate(const Vec<double>& terms);
Estimate paired_difference(const Vec<double>& a, const Vec<double>& b);
// mean(a) / mean(b); the influence of trial t is (a_t − r b_t) / mean(b).
Estimate ratio_estimate(const Vec<double>& a, const Vec<double>& b);
// mean(a)/mean(b) − mean(c)/mean(d), all four over the same trials.
Estimate ratio_difference(const Vec<double>& a, const Vec<double>& b, const Vec<double>& c,
                          const Vec<double>& d);
// log(a/b) with SE √((se_a/a)² + (se_b/b)²) (delta method); a, b > 0, b may be exact (SE 0).
Estimate log_ratio(const Estimate& a, const Estimate& b);

// successes out of n (n ≥ 1).
Estimate proportion(std::uint64_t successes, std::uint64_t n);
// (p̂ + z²/2n ± z √(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n); z = 1.96 for 95%.
Interval wilson_interval(std::uint64_t successes, std::uint64_t n, double z = 1.96);

struct LineFit {
  Estimate intercept, slope;
  double residual_sd = 0;  // s
  std::size_t points = 0;
};

// At least 3 points (2 for the line, 1 for its error) and x not all equal; throws Error
// otherwise, and fit_log_log also for non-positive x or y.
LineFit fit_line(std::span<const double> x, std::span<const double> y);
LineFit fit_log_log(std::span<const double> x, std::span<const double> y);

}  // namespace nnlab::experiment
