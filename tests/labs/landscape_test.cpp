// landscape: every claim passes on the quick setting, and the parts measure the same networks:
// the slice's centre, the sharpness table's loss and the line at α = 1 are one L(θ*). Its
// mutants: tests/labs/mutants_test.cpp.
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
  return testing::run_quick("landscape", 3, threads, sets);
}

TEST(Landscape, AllClaimsPassOnQuickSetting) {
  const Result a = run_quick(2);
  EXPECT_EQ(a.claims.size(), 7u);
  for (const Claim& c : a.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_EQ(a.parts.size(), 4u);

  // The parts look at the same trained networks: per seed, the slice's centre is the loss of the
  // sharpness table, bit for bit; seed 1's slice is the figure's field, its centre the trained point.
  const Table &slices = table(a, "slices"), &sharp = table(a, "sharpness");
  ASSERT_EQ(slices.rows.size(), sharp.rows.size());
  for (std::size_t t = 0; t < slices.rows.size(); ++t) EXPECT_EQ(slices.rows[t][1], sharp.rows[t][1]) << t;
  const Figure& slice = figure(a, "slice");
  ASSERT_TRUE(slice.field.has_value());
  const std::size_t G = slice.field->x.size();
  EXPECT_EQ(G, 15u);
  EXPECT_EQ(slice.field->z[G / 2 + G * (G / 2)], std::get<double>(slices.rows[0][1]));
  // The line starts at an untrained network: a loss near ln 10 for 10 balanced classes.
  const Figure& line = figure(a, "line");
  ASSERT_FALSE(line.lines.empty());
  EXPECT_NEAR(line.lines[1].y[0], std::log(10.0), 0.1);
  // The density figure's curves are positive (a log axis).
  for (const Line& l : figure(a, "density").lines)
    for (double y : l.y) EXPECT_GT(y, 0);
}

TEST(Landscape, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"grid", "16"}}), Error);
  EXPECT_THROW(run_quick(1, {{"small_batch", "500"}}), Error);
  EXPECT_THROW(run_quick(1, {{"rescale", "1"}}), Error);
}

}  // namespace
}  // namespace nnlab::labs
