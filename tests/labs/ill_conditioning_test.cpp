// ill-conditioning: every claim passes on the quick setting, Newton's count does not move with κ
// while GD's does, and bad parameters are refused. Its mutants: tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::table;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("ill-conditioning", 3, threads, sets);
}

TEST(IllConditioning, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_EQ(r.claims.size(), 16u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.parts.size(), 3u);
}

// The logistic table: Newton's count moves by at most 3 over the scales while GD's grows at
// least 30-fold.
TEST(IllConditioning, NewtonFlatGdGrowsOnLogisticRegression) {
  const Result r = run_quick(2);
  const Table& t = table(r, "logistic");
  ASSERT_GE(t.rows.size(), 3u);
  const auto num = [](const Cell& c) { return std::get<double>(c); };
  EXPECT_GT(num(t.rows.back()[1]), 30 * num(t.rows.front()[1]));  // κ grows
  EXPECT_LE(std::abs(num(t.rows.back()[4]) - num(t.rows.front()[4])), 3);
  ASSERT_TRUE(std::holds_alternative<double>(t.rows.back()[2]));
  EXPECT_GT(num(t.rows.back()[2]), 30 * num(t.rows.front()[2]));
}

TEST(IllConditioning, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"dim", "1"}}), Error);
  EXPECT_THROW(run_quick(1, {{"kappas", "0.5,10"}}), Error);
  EXPECT_THROW(run_quick(1, {{"kappas", "100,10,1000"}}), Error);  // not increasing
  EXPECT_THROW(run_quick(1, {{"rate_kappas", "1,10"}}), Error);     // κ = 1 has no rate
  EXPECT_THROW(run_quick(1, {{"scales", "1,10"}}), Error);          // too few for a slope
  EXPECT_THROW(run_quick(1, {{"tol", "0"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
