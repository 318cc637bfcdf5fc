// Claim builders: one line per claim, each writing its own detail in words — what was measured,
// against what, and the margin — so the report shows why a claim passed or failed:
//
//   result.claims.push_back(at_least("bagged OLS variance ≥ OLS variance (Gauss–Markov)",
//                                    "variance ratio to OLS", ratio, 1, 4));
//   → detail "variance ratio to OLS = 1.37 ± 0.04; 1.37 + 4 SE = 1.53 must be ≥ 1"
//
// Monte Carlo estimates are judged in standard errors (k = how many). Two kinds of one-sided
// check, pick by what the theory says:
//   at_least / at_most  the data must not CONTRADICT "≥ bound" / "≤ bound": v + k·SE ≥ bound
//                       (true when the true value sits on the bound, as with equality cases)
//   exceeds             the data must SHOW "> bound": v − k·SE ≥ bound (an improvement, a gain)
// Families (one check over several members, e.g. every ensemble size) report the worst member.
// Each builder also sets Claim::severity (1 = at the threshold), which the mutant tests read.
// A NaN anywhere fails the claim. `statement` is the theory; `what` names the measured quantity.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/experiment/result.hpp"
#include "nnlab/experiment/stats.hpp"

namespace nnlab::experiment {

// "0.50012 ± 0.00035": the value to the digit of the SE's second significant digit.
std::string pm(const Estimate& e);

// One member of a family checked as a whole.
struct Member {
  std::string label;  // e.g. "bootstrap, m = 10"
  Estimate estimate;
};

// ---------------------------------------------------------------- estimates (k standard errors)
// theory ∈ [v − k·SE, v + k·SE]; the claim's value is the theory, [lo, hi] that interval.
Claim within_se(std::string statement, std::string_view what, Estimate measured, double theory,
                double k);
// Every member within k SE of theory; the claim's value is the largest |z| = |v − theory|/SE.
Claim within_se(std::string statement, std::string_view what, const std::vector<Member>& family,
                double theory, double k);
// v + k·SE ≥ bound (for a family: for every member).
Claim at_least(std::string statement, std::string_view what, Estimate measured, double bound,
               double k);
Claim at_least(std::string statement, std::string_view what, const std::vector<Member>& family,
               double bound, double k);
// v − k·SE ≤ bound.
Claim at_most(std::string statement, std::string_view what, Estimate measured, double bound,
              double k);
// v − k·SE ≥ bound: the estimate exceeds the bound by more than k standard errors.
Claim exceeds(std::string statement, std::string_view what, Estimate measured, double bound,
              double k);

// ---------------------------------------------------------------- exact numbers
Claim at_least(std::string statement, std::string_view what, double value, double bound);
Claim at_most(std::string statement, std::string_view what, double value, double bound);
// value ∈ [interval.lo, interval.hi], e.g. a theory value inside a confidence interval.
Claim contains(std::string statement, std::string_view what, Interval interval, double value);
// |measured − reference| / |reference| ≤ tolerance.
Claim relative_error(std::string statement, std::string_view what, double measured,
                     double reference, double tolerance);
// lo ≤ fitted slope ≤ hi (the detail shows its SE and the number of points); severity is the
// distance from the interval's centre in half-widths.
Claim slope_in(std::string statement, std::string_view what, const LineFit& fit, double lo,
               double hi);

}  // namespace nnlab::experiment
