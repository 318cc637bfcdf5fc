// Claim builders: the check goes through Claim::check (which fails on NaN); the detail states
// the measurement, the bound and the margin.
#include "nnlab/experiment/claims.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nnlab/core/error.hpp"

namespace nnlab::experiment {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

double abs_z(const Estimate& e, double theory) { return std::abs(z_score(e, theory)); }

// The member with the largest key (NaN counts as largest, so it is the one reported).
template <class Key>
std::size_t worst(const std::vector<Member>& family, Key key) {
  require(!family.empty(), "claim over an empty family");
  std::size_t w = 0;
  for (std::size_t i = 1; i < family.size(); ++i) {
    const double a = key(family[i].estimate), b = key(family[w].estimate);
    if (std::isnan(a) || (!std::isnan(b) && a > b)) w = i;
  }
  return w;
}

Claim with_severity(Claim claim, double severity) {
  claim.severity = severity;
  return claim;
}

}  // namespace

std::string pm(const Estimate& e) {
  if (!(e.se > 0) || !std::isfinite(e.se) || !std::isfinite(e.value) || e.value == 0)
    return fmt::format("{:.6g} ± {:.2g}", e.value, e.se);
  const int digits = int(std::floor(std::log10(std::abs(e.value)))) -
                     int(std::floor(std::log10(e.se))) + 2;
  return fmt::format("{:.{}g} ± {:.2g}", e.value, std::clamp(digits, 2, 17), e.se);
}

Claim within_se(std::string statement, std::string_view what, Estimate measured, double theory,
                double k) {
  const double lo = measured.value - k * measured.se, hi = measured.value + k * measured.se;
  const double z = abs_z(measured, theory);
  return with_severity(
      Claim::check(std::move(statement), std::string(what), pm(measured), theory, lo, hi,
                   fmt::format("theory {:.6g} is {:.2f} SE away; must be ≤ {} SE", theory, z, k)),
      z / k);
}

Claim within_se(std::string statement, std::string_view what, const std::vector<Member>& family,
                double theory, double k) {
  const std::size_t w = worst(family, [&](const Estimate& e) { return abs_z(e, theory); });
  const double z = abs_z(family[w].estimate, theory);
  return with_severity(
      Claim::check(std::move(statement), std::string(what),
                   fmt::format("{} ({})", pm(family[w].estimate), family[w].label), z, 0, k,
                   fmt::format("largest distance to theory {:.6g} over {} member{}: |z| = {:.2f} "
                               "({}); must be ≤ {}",
                               theory, family.size(), family.size() == 1 ? "" : "s", z,
                               family[w].label, k)),
      z / k);
}

Claim at_least(std::string statement, std::string_view what, Estimate measured, double bound,
               double k) {
  const double v = measured.value + k * measured.se;
  return with_severity(
      Claim::check(std::move(statement), std::string(what), pm(measured), v, bound, inf,
                   fmt::format("{:.6g} + {} SE = {:.6g} must be ≥ {:.6g}", measured.value, k, v,
                               bound)),
      -z_score(measured, bound) / k);
}

Claim at_least(std::string statement, std::string_view what, const std::vector<Member>& family,
               double bound, double k) {
  // The smallest v + k·SE is the worst: rank by its negative.
  const std::size_t w = worst(family, [&](const Estimate& e) { return -(e.value + k * e.se); });
  std::string all;
  for (const Member& m : family) all += fmt::format("{}{}: {}", all.empty() ? "" : ", ", m.label, pm(m.estimate));
  const Estimate& e = family[w].estimate;
  const double v = e.value + k * e.se;
  double severity = -inf;
  for (const Member& m : family) severity = std::max(severity, -z_score(m.estimate, bound) / k);
  return with_severity(
      Claim::check(std::move(statement), std::string(what), all, v, bound, inf,
                   fmt::format("the smallest value + {} SE = {:.6g} ({}) must be ≥ {:.6g}", k, v,
                               family[w].label, bound)),
      severity);
}

Claim at_most(std::string statement, std::string_view what, Estimate measured, double bound,
              double k) {
  const double v = measured.value - k * measured.se;
  return with_severity(
      Claim::check(std::move(statement), std::string(what), pm(measured), v, -inf, bound,
                   fmt::format("{:.6g} − {} SE = {:.6g} must be ≤ {:.6g}", measured.value, k, v,
                               bound)),
      z_score(measured, bound) / k);
}

Claim exceeds(std::string statement, std::string_view what, Estimate measured, double bound,
              double k) {
  const double v = measured.value - k * measured.se;
  // Fails when z = (v − bound)/SE < k; each further k SE adds 1.
  return with_severity(
      Claim::check(std::move(statement), std::string(what), pm(measured), v, bound, inf,
                   fmt::format("{:.6g} − {} SE = {:.6g} must be ≥ {:.6g}", measured.value, k, v,
                               bound)),
      2 - z_score(measured, bound) / k);
}

Claim at_least(std::string statement, std::string_view what, double value, double bound) {
  Claim claim = Claim::check(std::move(statement), std::string(what), fmt::format("{:.6g}", value),
                             value, bound, inf, fmt::format("must be ≥ {:.6g}", bound));
  return with_severity(claim, bound > 0 && value > 0 ? bound / value : claim.pass ? 0 : inf);
}

Claim at_most(std::string statement, std::string_view what, double value, double bound) {
  Claim claim = Claim::check(std::move(statement), std::string(what), fmt::format("{:.3g}", value),
                             value, -inf, bound, fmt::format("must be ≤ {:.3g}", bound));
  return with_severity(claim, bound > 0 && value >= 0 ? value / bound : claim.pass ? 0 : inf);
}

Claim contains(std::string statement, std::string_view what, Interval interval, double value) {
  return Claim::check(std::move(statement), std::string(what), fmt::format("{:.6g}", value), value,
                      interval.lo, interval.hi,
                      fmt::format("must lie in [{:.6g}, {:.6g}]", interval.lo, interval.hi));
}

Claim relative_error(std::string statement, std::string_view what, double measured,
                     double reference, double tolerance) {
  const double error = std::abs(measured - reference) / std::abs(reference);
  return with_severity(
      Claim::check(std::move(statement), std::string(what), fmt::format("{:.10g}", measured), error,
                   0, tolerance,
                   fmt::format("relative error to {:.10g} is {:.2e}; must be ≤ {:.2g}", reference,
                               error, tolerance)),
      error / tolerance);
}

namespace {

// "fitted slope over 9 points must lie in [0.9, 1.1]", or for a tight interval around a value
// "… must lie within 1e-09 of −0.223144", which three digits would show as [−0.223, −0.223].
std::string slope_interval(std::size_t points, double lo, double hi) {
  const double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
  if (std::isfinite(mid) && half < 1e-3 * std::abs(mid))
    return fmt::format("fitted slope over {} points must lie within {:.1e} of {:.6g}", points, half, mid);
  return fmt::format("fitted slope over {} points must lie in [{:.3g}, {:.3g}]", points, lo, hi);
}

}  // namespace

Claim slope_in(std::string statement, std::string_view what, const LineFit& fit, double lo,
               double hi) {
  Claim claim = Claim::check(std::move(statement), std::string(what), pm(fit.slope), fit.slope.value,
                             lo, hi,
                             slope_interval(fit.points, lo, hi));
  // Distance from the interval's centre in half-widths (1 at its ends); a one-sided interval has
  // no scale.
  if (std::isfinite(lo) && std::isfinite(hi))
    claim.severity = std::abs(fit.slope.value - 0.5 * (lo + hi)) / (0.5 * (hi - lo));
  return claim;
}

}  // namespace nnlab::experiment
