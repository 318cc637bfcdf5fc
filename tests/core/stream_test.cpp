// Hashed streams: distinct keys give distinct streams over a million keys, every field of the
// key matters, names cannot be confused by moving characters between them, and the engine's
// fixed streams stay apart.
#include "nnlab/core/stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab {
namespace {

std::array<std::uint64_t, 4> head(Rng rng) { return {rng(), rng(), rng(), rng()}; }

TEST(Stream, FirstOutputsOfAMillionKeysAreDistinct) {
  const std::array<std::string, 4> sections{"noise", "noise-by-n", "mask-moments", "sgd"};
  std::vector<std::uint64_t> first;
  first.reserve(1'100'000);
  for (const auto& section : sections) {
    const Section key{1, "bagging-ols", section};
    first.push_back(make_rng(key)());
    for (std::uint64_t cell = 0; cell < 500; ++cell)
      for (std::uint64_t trial = 0; trial < 500; ++trial) first.push_back(make_rng(key, cell, trial)());
  }
  // Other seeds and another lab, and the engine's fixed streams.
  for (std::uint64_t seed = 2; seed < 50; ++seed)
    for (std::uint64_t trial = 0; trial < 1000; ++trial)
      first.push_back(make_rng(Section{seed, "dropout-linreg", "noise"}, 0, trial)());
  for (std::uint64_t id : {stream::init, stream::dropout, stream::shuffle, stream::data})
    first.push_back(make_rng(1, id)());
  std::sort(first.begin(), first.end());
  EXPECT_EQ(std::adjacent_find(first.begin(), first.end()), first.end());
  EXPECT_GT(first.size(), 1'000'000u);
}

TEST(Stream, EveryFieldOfTheKeyMatters) {
  const Section base{7, "lab", "section"};
  const auto reference = head(make_rng(base, 3, 5));
  EXPECT_EQ(head(make_rng(base, 3, 5)), reference);  // reproducible
  EXPECT_NE(head(make_rng(Section{8, "lab", "section"}, 3, 5)), reference);
  EXPECT_NE(head(make_rng(Section{7, "lab2", "section"}, 3, 5)), reference);
  EXPECT_NE(head(make_rng(Section{7, "lab", "section2"}, 3, 5)), reference);
  EXPECT_NE(head(make_rng(base, 4, 5)), reference);
  EXPECT_NE(head(make_rng(base, 3, 6)), reference);
  EXPECT_NE(head(make_rng(base, 5, 3)), reference);  // cell and trial are not interchangeable
}

TEST(Stream, NamesAreNotConfusedWithEachOtherOrWithTrials) {
  const auto ab_c = head(make_rng(Section{1, "ab", "c"}, 0, 0));
  EXPECT_NE(head(make_rng(Section{1, "a", "bc"}, 0, 0)), ab_c);
  EXPECT_NE(head(make_rng(Section{1, "abc", ""}, 0, 0)), ab_c);
  // Names longer than one 8-byte word, differing only in their last byte.
  EXPECT_NE(head(make_rng(Section{1, "lab", "a-long-section-name-1"}, 0, 0)),
            head(make_rng(Section{1, "lab", "a-long-section-name-2"}, 0, 0)));
  // The named stream of a section is not trial 0 of cell 0.
  EXPECT_NE(head(make_rng(Section{1, "ab", "c"})), ab_c);
  // Nor a fixed engine stream with the same seed.
  EXPECT_NE(head(make_rng(Section{1, "", ""})), head(make_rng(1, stream::init)));
}

TEST(Stream, IndicesBeyond32BitsAreRefused) {
  const Section key{1, "lab", "s"};
  EXPECT_NO_THROW(make_rng(key, 0xffffffffULL, 0xffffffffULL));
  EXPECT_THROW(make_rng(key, 1ULL << 32, 0), Error);
  EXPECT_THROW(make_rng(key, 0, 1ULL << 32), Error);
}

// Neighbouring trials must look independent: the correlation of their uniforms is ~N(0, 1/n).
TEST(Stream, NeighbouringTrialsAreUncorrelated) {
  const Section key{3, "lab", "s"};
  const int n = 20000;
  double sum_xy = 0, sum_x = 0, sum_y = 0, sum_xx = 0, sum_yy = 0;
  for (int t = 0; t < n; ++t) {
    Rng a = make_rng(key, 0, std::uint64_t(t)), b = make_rng(key, 0, std::uint64_t(t) + 1);
    const double x = uniform01(a), y = uniform01(b);
    sum_x += x, sum_y += y, sum_xy += x * y, sum_xx += x * x, sum_yy += y * y;
  }
  const double cov = sum_xy / n - sum_x / n * sum_y / n;
  const double r = cov / std::sqrt((sum_xx / n - sum_x * sum_x / n / n) * (sum_yy / n - sum_y * sum_y / n / n));
  EXPECT_LT(std::abs(r), 4 / std::sqrt(double(n)));
}

}  // namespace
}  // namespace nnlab
