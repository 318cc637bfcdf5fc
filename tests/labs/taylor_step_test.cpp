// taylor-step: every claim passes on the quick setting, and the integral-remainder identity
// locates the network's first increase where α* (the curvature at θ) does not. Its mutants:
// tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::table;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("taylor-step", 3, threads, sets);
}

TEST(TaylorStep, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_EQ(r.claims.size(), 7u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.parts.size(), 4u);
}

// After training the first increase is far from α* but agrees with 2gᵀg/h̄: the averaged
// curvature is what the lab's answer says it is.
TEST(TaylorStep, TrainedNetworkTurnsUpAwayFromAlphaStarButAtTheAveragedCurvature) {
  const Result r = run_quick(2, {{"checkpoints", "0,300"}});
  const Table& t = table(r, "network-points");
  ASSERT_EQ(t.rows.size(), 2u);
  const auto& trained = t.rows[1];
  ASSERT_TRUE(std::holds_alternative<double>(trained[5]));
  const double ratio = std::get<double>(trained[5]), growth = std::get<double>(trained[6]);
  EXPECT_LT(ratio, 0.9);  // the loss turns up well before α*
  EXPECT_GT(growth, 1.1);  // because the curvature grows along the step
  EXPECT_LT(std::get<double>(trained[7]), 1e-6);  // and 2gᵀg/h̄ places it
}

TEST(TaylorStep, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"dim", "1"}}), Error);
  EXPECT_THROW(run_quick(1, {{"checkpoints", "-1"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
