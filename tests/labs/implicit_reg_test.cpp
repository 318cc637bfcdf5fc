// implicit-reg: every claim passes on the quick setting, the distances behave as backward error
// analysis says on a finer grid of h, and the Fashion-MNIST part (c) is left out under mutants of
// (a) and (b). Its mutants: tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("implicit-reg", 3, threads, sets);
}

TEST(ImplicitReg, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_EQ(r.claims.size(), 8u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.parts.size(), 3u);
}

// Each halving of h halves the distance to L's flow and quarters the distance to L̃_GD's.
TEST(ImplicitReg, HalvingTheStepHalvesOneDistanceAndQuartersTheOther) {
  const Result r = run_quick(2);
  for (const Figure& f : r.figures) {
    if (!f.id.starts_with("distance-")) continue;
    ASSERT_EQ(f.lines.size(), 2u);
    const auto& plain = f.lines[0].y;
    const auto& modified = f.lines[1].y;
    for (std::size_t k = 1; k < plain.size(); ++k) {
      EXPECT_NEAR(plain[k - 1] / plain[k], 2.0, 0.3) << f.id;
      EXPECT_NEAR(modified[k - 1] / modified[k], 4.0, 0.6) << f.id;
    }
  }
}

TEST(ImplicitReg, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"levels", "2"}}), Error);
  EXPECT_THROW(run_quick(1, {{"samples", "30"}, {"batches", "4"}}), Error);
  EXPECT_THROW(run_quick(1, {{"large_batch", "40"}}), Error);   // not a multiple of 16
  EXPECT_THROW(run_quick(1, {{"fm_n", "1000"}}), Error);        // not a multiple of 16
  EXPECT_THROW(run_quick(1, {{"large_batch", "48"}}), Error);   // does not divide fm_n = 512
}

// The mutants replace the theory of (a) and (b); (c) measures no theory of theirs and is not run.
// sgd-missing-1/m replaces (b)'s theory only: (a) and (c) are not run, and every claim is (b)'s.
TEST(ImplicitReg, MutantsLeaveOutThePartsTheyDoNotReplace) {
  const Result r = testing::run_quick("implicit-reg", 1, 2, {}, "sgd-missing-1/m");
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_TRUE(r.parts[0].answer.starts_with("Not run")) << r.parts[0].answer;
  EXPECT_FALSE(r.parts[1].answer.starts_with("Not run")) << r.parts[1].answer;
  EXPECT_TRUE(r.parts[2].answer.starts_with("Not run")) << r.parts[2].answer;
  ASSERT_FALSE(r.claims.empty());
  for (const Claim& c : r.claims) EXPECT_EQ(c.part, "b") << c.statement;
}

}  // namespace
}  // namespace nnlab::labs
