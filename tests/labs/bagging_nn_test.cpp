// bagging-nn: every claim passes on the quick setting, and bad parameters are refused. Its
// mutants: tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"
#include "labs/run_lab.hpp"

namespace nnlab::labs {
namespace {

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("bagging-nn", 3, threads, sets);
}

TEST(BaggingNn, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_GE(r.claims.size(), 6u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_GE(r.figures.size(), 3u);
}

TEST(BaggingNn, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"members", "2"}}), Error);
  EXPECT_THROW(run_quick(1, {{"training_sets", "1"}}), Error);
  EXPECT_THROW(run_quick(1, {{"sigma", "-1"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
