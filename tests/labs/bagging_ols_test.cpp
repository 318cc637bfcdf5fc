// bagging-ols: every claim passes on the quick setting, results do not depend on the thread
// count, and bad parameters are refused with a message. Its mutants: tests/labs/mutants_test.cpp.
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

TEST(BaggingOls, BitIdenticalAcrossThreadCounts) {
  const Result a = run_quick(1), b = run_quick(2);
  ASSERT_EQ(a.claims.size(), b.claims.size());
  for (std::size_t k = 0; k < a.claims.size(); ++k) {
    EXPECT_EQ(a.claims[k].value, b.claims[k].value) << a.claims[k].statement;
    EXPECT_EQ(a.claims[k].detail(), b.claims[k].detail());
  }
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (std::size_t k = 0; k < a.tables.size(); ++k) EXPECT_EQ(a.tables[k].rows, b.tables[k].rows);
  for (std::size_t k = 0; k < a.figures.size(); ++k)
    for (std::size_t l = 0; l < a.figures[k].lines.size(); ++l)
      EXPECT_EQ(a.figures[k].lines[l].y, b.figures[k].lines[l].y) << a.figures[k].id;
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
