// vanishing-gradients: every claim passes on the quick setting, the eigenvector case is exact for
// every λ at every depth, and bad parameters are refused. Its mutants:
// tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("vanishing-gradients", 3, threads, sets);
}

TEST(VanishingGradients, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_GE(r.claims.size(), 15u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.parts.size(), 4u);
}

// The derivative at depth N over the one at depth 1 is λ^(N−1): the slopes table's last column.
TEST(VanishingGradients, DerivativeScalesAsLambdaToTheNMinusOne) {
  const Result r = run_quick(1, {{"lambdas", "0.5,1.3"}, {"depth", "20"}});
  for (const Table& t : r.tables) {
    if (t.id != "eigen-slopes") continue;
    ASSERT_EQ(t.rows.size(), 2u);
    for (const auto& row : t.rows) {
      const double lambda = std::get<double>(row[0]);
      EXPECT_NEAR(std::get<double>(row[5]) / std::pow(lambda, 19), 1, 1e-10) << lambda;
    }
    return;
  }
  ADD_FAILURE() << "no table eigen-slopes";
}

TEST(VanishingGradients, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"lambdas", "0.01"}}), Error);   // |λ| < 0.05
  EXPECT_THROW(run_quick(1, {{"lambdas", "2"}}), Error);      // beyond 1.4
  EXPECT_THROW(run_quick(1, {{"depth", "1"}}), Error);
  EXPECT_THROW(run_quick(1, {{"sigma_w", "0"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
