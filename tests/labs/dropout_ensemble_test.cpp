// dropout-ensemble: every claim passes on the quick setting, the Monte Carlo figure follows its
// k^(−1/2) law, and keep probabilities of (c) without 0.5 or 1 are refused. Its mutants:
// tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::find_figure;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("dropout-ensemble", 3, threads, sets);
}

TEST(DropoutEnsemble, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_GE(r.claims.size(), 11u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_FALSE(r.answer.empty());
  EXPECT_NE(find_figure(r, "helps"), nullptr);
}

// The Monte Carlo points lie on √(tr Σ / k) within a few percent at every k, from 1 to 1000:
// not only the fitted slope but the level is the theory's.
TEST(DropoutEnsemble, MonteCarloFollowsTheSquareRootLawAtEveryK) {
  const Result r = run_quick(2);
  const Figure* f = find_figure(r, "monte-carlo");
  ASSERT_NE(f, nullptr);
  ASSERT_GE(f->lines.size(), 2u);
  const Line& mc = f->lines[0];
  const Line& law = f->lines[1];
  ASSERT_EQ(mc.y.size(), law.y.size());
  for (std::size_t i = 0; i < mc.y.size(); ++i)
    EXPECT_NEAR(mc.y[i] / law.y[i], 1, 0.2) << "k = " << mc.x[i];
  EXPECT_NEAR(mc.y.front() / mc.y.back(), std::sqrt(1000.0), 0.3 * std::sqrt(1000.0));
}

TEST(DropoutEnsemble, RefusesAGridWithoutTheComparedKeepProbabilities) {
  EXPECT_THROW(run_quick(1, {{"help_p", "0.5,0.9"}}), Error);
  EXPECT_THROW(run_quick(1, {{"help_p", "0.3,1"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
