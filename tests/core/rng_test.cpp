// RNG streams: reproducible, distinct per stream, with the right moments.
#include "nnlab/core/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nnlab {

TEST(Rng, SameSeedAndStreamRepeat) {
  Rng a = make_rng(42, 7), b = make_rng(42, 7);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a(), b());
}

TEST(Rng, StreamsAndSeedsDiffer) {
  Rng a = make_rng(42, 7), b = make_rng(42, 8), c = make_rng(43, 7);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 100; ++i) {
    const auto x = a(), y = b(), z = c();
    same_ab += x == y;
    same_ac += x == z;
  }
  EXPECT_EQ(same_ab, 0);
  EXPECT_EQ(same_ac, 0);
}

// Means and variances within 4 standard errors of their exact values.
TEST(Rng, VariateMoments) {
  Rng rng = make_rng(1, 1);
  const int n = 200000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sb = 0;
  for (int i = 0; i < n; ++i) {
    const double u = uniform01(rng), g = normal(rng);
    su += u, su2 += u * u, sn += g, sn2 += g * g, sb += bernoulli(rng, 0.3);
  }
  EXPECT_NEAR(su / n, 0.5, 4 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(su2 / n - std::pow(su / n, 2), 1.0 / 12, 4 * std::sqrt(1.0 / 180 / n));
  EXPECT_NEAR(sn / n, 0.0, 4 / std::sqrt(double(n)));
  EXPECT_NEAR(sn2 / n, 1.0, 4 * std::sqrt(2.0 / n));
  EXPECT_NEAR(sb / n, 0.3, 4 * std::sqrt(0.21 / n));
}

TEST(Rng, UniformIndexCoversRangeEvenly) {
  Rng rng = make_rng(3, 3);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) ++counts[uniform_index(rng, 7)];
  for (int c : counts) EXPECT_NEAR(c, n / 7.0, 4 * std::sqrt(n * (1.0 / 7) * (6.0 / 7)));
}

}  // namespace nnlab
