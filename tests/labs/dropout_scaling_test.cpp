// dropout-scaling: every claim passes on the quick setting, the rules' curves stay far below the
// wrong rules' at every late step (not only at the end), and at p = ½, where every map multiplies
// by a power of two, the runs are identical bit for bit. Its mutants:
// tests/labs/mutants_test.cpp.
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
