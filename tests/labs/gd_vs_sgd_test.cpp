// gd-vs-sgd: every claim passes on the quick setting, the variance tables hold the
// finite-population factor, and bad parameters are refused. Its mutants:
// tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::table;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("gd-vs-sgd", 2, threads, sets);
}

// Tables and claims whose numbers are wall-clock times.
TEST(GdVsSgd, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_EQ(r.claims.size(), 8u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.parts.size(), 3u);
}

// Without replacement at B = N − 1 the variance is tr Σ/(N − 1)², 1/(N − 1) = 1/15 of the
// with-replacement value: the measured variances (columns 2 and 3: value and SE) say so.
TEST(GdVsSgd, WithoutReplacementVarianceVanishesNearN) {
  const Result r = run_quick(2);
  const Table& t = table(r, "regression-variance");
  double without = -1, with = -1, se_without = 0, se_with = 0;
  for (const auto& row : t.rows)
    if (std::get<double>(row[0]) == 15.0) {
      const bool w = std::get<std::string>(row[1]) == "without replacement";
      (w ? without : with) = std::get<double>(row[2]);
      (w ? se_without : se_with) = std::get<double>(row[3]);
    }
  ASSERT_GT(without, 0);
  const double ratio = with / without;
  const double se = ratio * std::hypot(se_with / with, se_without / without);
  EXPECT_NEAR(ratio, 15.0, 4 * se);
  EXPECT_LT(se, 0.05 * ratio);  // and the check has the power to tell 15 from 7.5 or 30
}

TEST(GdVsSgd, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"var_batches", "1,16"}}), Error);    // B must be < var_n
  EXPECT_THROW(run_quick(1, {{"var_batches", "2.5"}}), Error);     // not an integer
  EXPECT_THROW(run_quick(1, {{"lin_lr", "0"}}), Error);
  EXPECT_THROW(run_quick(1, {{"floor_batches", "1,4"}}), Error);   // a slope needs 3 points
  EXPECT_THROW(run_quick(1, {{"fashion_dir", "/no/such/folder"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
