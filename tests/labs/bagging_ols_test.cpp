// bagging-ols: every claim passes on the quick setting, and bad parameters are refused with a
// message. Its mutants: tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"
#include "labs/run_lab.hpp"

namespace nnlab::labs {
namespace {

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("bagging-ols", 11, threads, sets);
}

TEST(BaggingOls, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_GE(r.claims.size(), 9u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.figures.size(), 4u);
  EXPECT_NE(r.answer.find("Gauss–Markov"), std::string::npos);
}

// A subsample of 2/3 of 9 rows (6) cannot fit 8 features: refused with the numbers.
TEST(BaggingOls, RefusesSubsamplesSmallerThanTheFeatureCount) {
  try {
    run_quick(1, {{"n", "9"}});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot fit 8 features"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run_quick(1, {{"m_list", "1,2.5"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
