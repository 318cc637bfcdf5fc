// nonconvex: every claim passes on the quick setting, and the lab's specific answers: the
// critical points of Himmelblau and the six-hump camel with their kinds, the escape law following
// h, the basin maps holding only minima under GD, and bad parameters refused. Its mutants:
// tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::figure;
using testing::table;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("nonconvex", 3, threads, sets);
}

TEST(Nonconvex, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_EQ(r.claims.size(), 19u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(r.parts.size(), 5u);
}

// Himmelblau: 4 minima, 4 saddles, 1 maximum; six-hump camel: 6 minima, 7 saddles, 2 maxima.
TEST(Nonconvex, FindsAndClassifiesTheKnownCriticalPoints) {
  const Result r = run_quick(2);
  const Table& t = table(r, "critical-points");
  ASSERT_EQ(t.rows.size(), 7u);
  const auto row = [&](const std::string& name) -> const std::vector<Cell>& {
    for (const auto& row : t.rows)
      if (std::get<std::string>(row[0]) == name) return row;
    ADD_FAILURE() << name;
    return t.rows.front();
  };
  EXPECT_EQ(std::get<double>(row("Himmelblau")[3]), 9.0);
  EXPECT_EQ(std::get<std::string>(row("Himmelblau")[6]), "4 / 4 / 1");
  EXPECT_EQ(std::get<double>(row("six-hump camel")[3]), 15.0);
  EXPECT_EQ(std::get<std::string>(row("six-hump camel")[6]), "6 / 7 / 2");
  EXPECT_EQ(std::get<std::string>(row("Rastrigin")[6]), "9 / 12 / 4");
}

// The escape slope follows the step size: 1/ln(1 + h) at h = 0.2 (5.485), not the flow's 1/h = 5.
TEST(Nonconvex, EscapeSlopeFollowsTheDiscreteRate) {
  const Result r = run_quick(2, {{"escape_lr", "0.2"}});
  const Claim* slope = testing::find_claim(r, "escape time grows by");
  ASSERT_NE(slope, nullptr);
  EXPECT_TRUE(slope->pass) << slope->detail();
  EXPECT_NEAR(slope->value, -1 / std::log1p(0.2), 0.02);
  const Claim* law = testing::find_claim(r, "the escape time follows");
  ASSERT_NE(law, nullptr);
  EXPECT_TRUE(law->pass) << law->detail();
}

// GD's basin map holds only the four minima (labels 0..3); pure Newton's also saddles (4) and the
// maximum (5). Labels are whole numbers inside the categories palette's range.
TEST(Nonconvex, BasinMapsHoldTheRightLabels) {
  const Result r = run_quick(2, {{"basin_grid", "31"}});
  const Figure& gd = figure(r, "basins-gd");
  const Figure& newton = figure(r, "basins-newton");
  ASSERT_TRUE(gd.field && newton.field);
  EXPECT_EQ(gd.field->palette, "categories");
  EXPECT_EQ(gd.field->z.size(), 31u * 31u);
  bool newton_saddle = false, newton_max = false;
  for (double z : gd.field->z) EXPECT_TRUE(z >= 0 && z <= 3 && z == std::round(z)) << z;
  for (double z : newton.field->z) {
    EXPECT_TRUE(z >= 0 && z <= 6 && z == std::round(z)) << z;
    newton_saddle = newton_saddle || z == 4;
    newton_max = newton_max || z == 5;
  }
  EXPECT_TRUE(newton_saddle);
  EXPECT_TRUE(newton_max);
  EXPECT_EQ(gd.lines.size(), 7u);  // one legend entry per label
}

TEST(Nonconvex, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"sigmas", "1e-4,1e-2,1e-6"}}), Error);
  EXPECT_THROW(run_quick(1, {{"mf_lrs", "0.02,0.01"}}), Error);
  EXPECT_THROW(run_quick(1, {{"depths", "2,3.5"}}), Error);
  EXPECT_THROW(run_quick(1, {{"escape_lr", "1.5"}}), Error);
  EXPECT_THROW(run_quick(1, {{"scales", "0.3,0.1"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
