// dropout-scaling: every claim passes on the quick setting, results do not depend on the thread
// count, the rules' curves stay far below the wrong rules' at every late step (not only at the
// end), and at p = ½, where every map multiplies by a power of two, the runs are identical bit for
// bit. Its mutants: tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::find_figure;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("dropout-scaling", 7, threads, sets);
}

TEST(DropoutScaling, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_GE(r.claims.size(), 14u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_FALSE(r.answer.empty());
  for (const char* id : {"distance-sgd", "distance-decay", "distance-adam", "adam-eps"}) {
    const Figure* f = find_figure(r, id);
    ASSERT_NE(f, nullptr) << id;
    EXPECT_TRUE(f->log_y) << id;
  }
}

TEST(DropoutScaling, BitIdenticalAcrossThreadCounts) {
  const Result a = run_quick(1), b = run_quick(2);
  ASSERT_EQ(a.claims.size(), b.claims.size());
  for (std::size_t k = 0; k < a.claims.size(); ++k) {
    EXPECT_EQ(a.claims[k].value, b.claims[k].value) << a.claims[k].statement;
    EXPECT_EQ(a.claims[k].lo, b.claims[k].lo) << a.claims[k].statement;
    EXPECT_EQ(a.claims[k].hi, b.claims[k].hi) << a.claims[k].statement;
  }
  ASSERT_EQ(a.figures.size(), b.figures.size());
  for (std::size_t k = 0; k < a.figures.size(); ++k)
    for (std::size_t l = 0; l < a.figures[k].lines.size(); ++l)
      EXPECT_EQ(a.figures[k].lines[l].y, b.figures[k].lines[l].y) << a.figures[k].id;
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (std::size_t k = 0; k < a.tables.size(); ++k) EXPECT_EQ(a.tables[k].rows, b.tables[k].rows);
  EXPECT_EQ(a.answer, b.answer);
}

// The figures separate the levels the claims speak of: the rule's curve ends orders of magnitude
// below the wrong rule's, at every step after the first few, not just at the end.
TEST(DropoutScaling, RuleCurvesStayFarBelowTheWrongRules) {
  const Result r = run_quick(2);
  for (const char* id : {"distance-sgd", "distance-decay", "distance-adam"}) {
    const Figure* f = find_figure(r, id);
    ASSERT_NE(f, nullptr) << id;
    ASSERT_GE(f->lines.size(), 2u);
    const auto& rule = f->lines[0].y;
    const auto& wrong = f->lines.back().y;  // the last line: one η (or the same λ)
    ASSERT_EQ(rule.size(), wrong.size()) << id;
    for (std::size_t k = rule.size() / 2; k < rule.size(); ++k)
      EXPECT_LT(rule[k] * 1e4, wrong[k]) << id << " step " << k;
  }
}

// At p = ½ the maps multiply by powers of two, which float64 does exactly: the runs are then the
// same bit for bit, a sharper check of the rules than any tolerance.
TEST(DropoutScaling, AtOneHalfTheRulesAreExact) {
  const Result r = run_quick(2, {{"p", "0.5"}, {"p_list", "0.5"}});
  for (const char* id : {"distance-sgd", "distance-decay", "distance-adam"}) {
    const Figure* f = find_figure(r, id);
    ASSERT_NE(f, nullptr) << id;
    EXPECT_EQ(*std::max_element(f->lines[0].y.begin(), f->lines[0].y.end()), 1e-18) << id;
  }
}

TEST(DropoutScaling, RefusesTooFewEpsValues) {
  EXPECT_THROW(run_quick(1, {{"eps_list", "1e-8,1e-7"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
