// Claim builders: each passes where the theory holds, fails where it does not, fails on NaN,
// and says in its detail what was measured.
#include "nnlab/experiment/claims.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nnlab/core/error.hpp"

namespace nnlab::experiment {
namespace {

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();
const Estimate bad{nan, 0.1};

bool mentions(const Claim& c, const std::string& text) {
  return c.detail().find(text) != std::string::npos;
}

TEST(Claims, PlusMinusShowsTheDigitsTheErrorAllows) {
  EXPECT_EQ(pm({0.500123, 0.00035}), "0.50012 ± 0.00035");
  EXPECT_EQ(pm({1.37, 0.04}), "1.37 ± 0.04");
  EXPECT_EQ(pm({1234.5678, 12}), "1235 ± 12");
  EXPECT_EQ(pm({0.001, 0.5}), "0.001 ± 0.5");
  EXPECT_EQ(pm({2.5, 0}), "2.5 ± 0");
}

TEST(Claims, WithinStandardErrors) {
  const Claim yes = within_se("E[U] = 1/2", "Monte Carlo mean", {0.51, 0.004}, 0.5, 4);
  EXPECT_TRUE(yes.pass) << yes.detail();
  EXPECT_TRUE(mentions(yes, "Monte Carlo mean = 0.51 ± 0.004")) << yes.detail();
  EXPECT_TRUE(mentions(yes, "theory 0.5 is 2.50 SE away")) << yes.detail();
  EXPECT_FALSE(within_se("E[U] = 1/2", "mean", {0.52, 0.004}, 0.5, 4).pass);
  EXPECT_FALSE(within_se("s", "mean", bad, 0.5, 4).pass);
  EXPECT_FALSE(within_se("s", "mean", {0.5, nan}, 0.5, 4).pass);
}

TEST(Claims, FamilyWithinStandardErrorsReportsTheWorstMember) {
  const std::vector<Member> family{{"m=1", {0.01, 0.01}}, {"m=5", {-0.03, 0.01}}, {"m=9", {0, 0.02}}};
  const Claim yes = within_se("unbiased", "bias²", family, 0, 4);
  EXPECT_TRUE(yes.pass);
  EXPECT_DOUBLE_EQ(yes.value, 3.0);
  EXPECT_TRUE(mentions(yes, "m=5")) << yes.detail();
  EXPECT_FALSE(within_se("unbiased", "bias²", family, 0, 2.5).pass);
  auto with_nan = family;
  with_nan.push_back({"broken", bad});
  const Claim no = within_se("unbiased", "bias²", with_nan, 0, 4);
  EXPECT_FALSE(no.pass);
  EXPECT_TRUE(mentions(no, "broken")) << no.detail();
  EXPECT_THROW(within_se("s", "x", std::vector<Member>{}, 0, 4), Error);
}

TEST(Claims, AtLeastToleratesNoiseButNotAContradiction) {
  // ratio 0.97 ± 0.01 is consistent with ≥ 1 at 4 SE; 0.95 ± 0.01 is not.
  const Claim yes = at_least("ratio ≥ 1", "variance ratio", {0.97, 0.01}, 1, 4);
  EXPECT_TRUE(yes.pass) << yes.detail();
  EXPECT_TRUE(mentions(yes, "0.97 + 4 SE = 1.01 must be ≥ 1")) << yes.detail();
  EXPECT_FALSE(at_least("ratio ≥ 1", "variance ratio", {0.95, 0.01}, 1, 4).pass);
  EXPECT_FALSE(at_least("s", "x", bad, 1, 4).pass);

  const std::vector<Member> ratios{{"m=1", {1.5, 0.05}}, {"m=50", {1.01, 0.01}}};
  const Claim family = at_least("ratio ≥ 1 for every m", "ratios", ratios, 1, 4);
  EXPECT_TRUE(family.pass);
  EXPECT_DOUBLE_EQ(family.value, 1.05);
  EXPECT_TRUE(mentions(family, "(m=50)")) << family.detail();
  EXPECT_FALSE(at_least("s", "ratios", ratios, 1.1, 4).pass);
  EXPECT_FALSE(at_least("s", "ratios", std::vector<Member>{{"a", {2, 0.1}}, {"b", bad}}, 1, 4).pass);
}

TEST(Claims, AtMostAndExceeds) {
  EXPECT_TRUE(at_most("error ≤ 0.1", "error", {0.12, 0.01}, 0.1, 4).pass);
  EXPECT_FALSE(at_most("error ≤ 0.1", "error", {0.2, 0.01}, 0.1, 4).pass);
  EXPECT_FALSE(at_most("s", "x", bad, 0.1, 4).pass);
  // A gain of 0.05 ± 0.01 is shown at 4 SE; 0.03 ± 0.01 is not.
  const Claim shown = exceeds("dropout helps", "gain", {0.05, 0.01}, 0, 4);
  EXPECT_TRUE(shown.pass) << shown.detail();
  EXPECT_TRUE(mentions(shown, "0.05 − 4 SE = 0.01 must be ≥ 0")) << shown.detail();
  EXPECT_FALSE(exceeds("dropout helps", "gain", {0.03, 0.01}, 0, 4).pass);
  EXPECT_FALSE(exceeds("s", "x", bad, 0, 4).pass);
}

TEST(Claims, ExactNumbers) {
  EXPECT_TRUE(at_least("s", "x", 1.0, 1.0).pass);
  EXPECT_FALSE(at_least("s", "x", 0.999, 1.0).pass);
  EXPECT_FALSE(at_least("s", "x", nan, 1.0).pass);
  EXPECT_TRUE(at_most("s", "x", 1e-10, 1e-9).pass);
  EXPECT_FALSE(at_most("s", "x", 2e-9, 1e-9).pass);
  EXPECT_FALSE(at_most("s", "x", nan, 1e-9).pass);

  const Claim inside = contains("formula in the CI", "formula", {0.9, 1.1}, 1.0);
  EXPECT_TRUE(inside.pass);
  EXPECT_TRUE(mentions(inside, "[0.9, 1.1]")) << inside.detail();
  EXPECT_FALSE(contains("s", "x", {0.9, 1.1}, 1.2).pass);
  EXPECT_FALSE(contains("s", "x", {nan, 1.1}, 1.0).pass);
  EXPECT_FALSE(contains("s", "x", {0.9, 1.1}, nan).pass);

  EXPECT_TRUE(relative_error("s", "x", 1.0005, 1.0, 1e-3).pass);
  EXPECT_FALSE(relative_error("s", "x", 1.002, 1.0, 1e-3).pass);
  EXPECT_FALSE(relative_error("s", "x", -1.0, 1.0, 1e-3).pass);
  EXPECT_FALSE(relative_error("s", "x", nan, 1.0, 1e-3).pass);
  EXPECT_FALSE(relative_error("s", "x", 1.0, 0.0, 1e-3).pass);  // no scale to compare with
}

// Severity: 1 at the pass threshold, each further k SE (or tolerance) adds 1.
TEST(Claims, SeverityMeasuresTheDistanceFromPassing) {
  EXPECT_DOUBLE_EQ(within_se("s", "v", Estimate{1.0, 0.1}, 1.8, 4).severity, 2.0);  // |z| = 8
  EXPECT_DOUBLE_EQ(within_se("s", "v", {{"a", {0.2, 0.1}}, {"b", {-1.2, 0.1}}}, 0, 4).severity, 3.0);
  EXPECT_DOUBLE_EQ(at_least("s", "v", Estimate{0.2, 0.1}, 1.0, 4).severity, 2.0);
  EXPECT_DOUBLE_EQ(at_most("s", "v", Estimate{1.0, 0.1}, 0.6, 4).severity, 1.0);
  EXPECT_DOUBLE_EQ(exceeds("s", "v", Estimate{0.0, 0.1}, 0.0, 4).severity, 2.0);  // no effect
  EXPECT_DOUBLE_EQ(relative_error("s", "v", 1.3, 1.0, 0.1).severity, 3.0);
  const Claim passing = within_se("s", "v", Estimate{1.0, 0.1}, 1.1, 4);
  EXPECT_TRUE(passing.pass);
  EXPECT_LE(passing.severity, 1.0);
}

TEST(Claims, SlopeInRange) {
  LineFit fit;
  fit.slope = {-0.48, 0.02};
  fit.points = 9;
  const Claim yes = slope_in("rate −1/2", "log error vs log t", fit, -inf, -0.25);
  EXPECT_TRUE(yes.pass) << yes.detail();
  EXPECT_TRUE(mentions(yes, "= -0.48 ± 0.02; fitted slope over 9 points")) << yes.detail();
  EXPECT_FALSE(slope_in("s", "x", fit, -0.45, -0.25).pass);
  fit.slope.value = nan;
  EXPECT_FALSE(slope_in("s", "x", fit, -inf, inf).pass);
}

}  // namespace
}  // namespace nnlab::experiment
