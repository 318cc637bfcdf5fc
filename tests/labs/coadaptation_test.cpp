// coadaptation: every claim passes on the quick setting, the figures hold what their captions
// read from them (sorted damages, a deletion curve that starts at the intact accuracy and falls,
// histograms that are shares, two mosaics of 28 × 28 tiles with blank separators), and bad
// parameters are refused. Its mutants: tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "labs/run_lab.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using testing::figure;

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("coadaptation", 4, threads, sets);
}

TEST(Coadaptation, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_EQ(r.claims.size(), 6u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  for (const char* part : {"a", "b", "c"})
    EXPECT_TRUE(std::any_of(r.claims.begin(), r.claims.end(), [&](const Claim& c) { return c.part == part; }))
        << part;
}

TEST(Coadaptation, FiguresHoldWhatTheirCaptionsRead) {
  const Result r = run_quick(2);
  // Damages sorted decreasing at every rank, one point per hidden unit.
  for (const Line& line : figure(r, "damage").lines) {
    EXPECT_EQ(line.y.size(), 128u) << line.name;
    EXPECT_TRUE(std::is_sorted(line.y.rbegin(), line.y.rend())) << line.name;
  }
  // The deletion curve starts at f = 0 and, deleting more, ends far below where it started.
  for (const Line& line : figure(r, "deletion").lines) {
    ASSERT_GE(line.x.size(), 3u);
    EXPECT_EQ(line.x.front(), 0.0);
    EXPECT_LT(line.y.back(), line.y.front() - 0.1) << line.name;
  }
  // Histograms are shares: non-negative, summing to at most 1 (the tail is not drawn), and most
  // of the mass is drawn.
  for (const Line& line : figure(r, "activations").lines) {
    const double total = std::accumulate(line.y.begin(), line.y.end(), 0.0);
    EXPECT_LE(total, 1 + 1e-12) << line.name;
    EXPECT_GT(total, 0.95) << line.name;
    EXPECT_TRUE(std::all_of(line.y.begin(), line.y.end(), [](double v) { return v >= 0; }));
  }
}

// Each feature figure is one gray mosaic of 4 × 8 tiles of 28 × 28 with blank (NaN) rows and
// columns between them; the tiles' values lie in [−1, 1] and every tile has some contrast.
TEST(Coadaptation, FeatureMosaicsAreTilesWithBlankSeparators) {
  const Result r = run_quick(2);
  for (const char* id : {"features-plain", "features-dropout"}) {
    const Figure& f = figure(r, id);
    ASSERT_TRUE(f.field.has_value()) << id;
    const auto& field = *f.field;
    EXPECT_EQ(field.palette, "gray");
    const std::size_t nx = 8 * 29 - 1, ny = 4 * 29 - 1;
    ASSERT_EQ(field.x.size(), nx);
    ASSERT_EQ(field.y.size(), ny);
    ASSERT_EQ(field.z.size(), nx * ny);
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) {
        const double z = field.z[i + nx * j];
        const bool separator = i % 29 == 28 || j % 29 == 28;
        if (separator) {
          EXPECT_TRUE(std::isnan(z)) << id << " " << i << "," << j;
        } else {
          EXPECT_GE(z, -1) << id;
          EXPECT_LE(z, 1) << id;
        }
      }
    for (std::size_t tile = 0; tile < 32; ++tile) {
      const std::size_t x0 = (tile % 8) * 29, y0 = (tile / 8) * 29;
      double lo = 1, hi = -1;
      for (std::size_t j = 0; j < 28; ++j)
        for (std::size_t i = 0; i < 28; ++i) {
          lo = std::min(lo, field.z[x0 + i + nx * (y0 + j)]);
          hi = std::max(hi, field.z[x0 + i + nx * (y0 + j)]);
        }
      EXPECT_GT(hi - lo, 1.0) << id << " tile " << tile;
    }
  }
}

TEST(Coadaptation, RefusesBadParameters) {
  EXPECT_THROW(run_quick(1, {{"f_claim", "0.3"}}), Error);           // not one of the fractions
  EXPECT_THROW(run_quick(1, {{"fractions", "0.5,0.25"}}), Error);    // not increasing
  EXPECT_THROW(run_quick(1, {{"p", "1"}}), Error);                   // no dropout to compare
  EXPECT_THROW(run_quick(1, {{"seeds", "2"}}), Error);               // too few for an SE
}

}  // namespace
}  // namespace nnlab::labs
