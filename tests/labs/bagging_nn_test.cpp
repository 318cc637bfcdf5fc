// bagging-nn: every claim passes on the quick setting, results do not depend on the thread
// count, and bad parameters are refused. Its mutants: tests/labs/mutants_test.cpp.
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

TEST(BaggingNn, BitIdenticalAcrossThreadCounts) {
  const Result a = run_quick(1), b = run_quick(2);
  ASSERT_EQ(a.claims.size(), b.claims.size());
  for (std::size_t k = 0; k < a.claims.size(); ++k) {
    EXPECT_EQ(a.claims[k].value, b.claims[k].value) << a.claims[k].statement;
    EXPECT_EQ(a.claims[k].detail(), b.claims[k].detail());
  }
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (std::size_t k = 0; k < a.tables.size(); ++k)
    if (a.tables[k].data) EXPECT_EQ(a.tables[k].rows, b.tables[k].rows) << a.tables[k].id;
  ASSERT_EQ(a.figures.size(), b.figures.size());
  for (std::size_t k = 0; k < a.figures.size(); ++k)
    for (std::size_t l = 0; l < a.figures[k].lines.size(); ++l)
      EXPECT_EQ(a.figures[k].lines[l].y, b.figures[k].lines[l].y) << a.figures[k].id;
}

TEST(BaggingNn, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"members", "2"}}), Error);
  EXPECT_THROW(run_quick(1, {{"training_sets", "1"}}), Error);
  EXPECT_THROW(run_quick(1, {{"sigma", "-1"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
