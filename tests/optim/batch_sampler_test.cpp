// BatchSampler: reshuffling visits every index once per epoch (last partial batch kept),
// sampling with replacement is uniform (counts within 4 standard errors), and both are
// deterministic for a seed.
#include "nnlab/optim/batch_sampler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {
namespace {

TEST(BatchSampler, ReshuffleVisitsEveryIndexOncePerEpoch) {
  const Index N = 103, B = 10;
  BatchSampler sampler(N, B, Sampling::reshuffle, make_rng(5, stream::shuffle));
  EXPECT_EQ(sampler.batches_per_epoch(), 11);
  std::vector<Index> first_epoch;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int> seen(N, 0);
    std::vector<Index> order;
    for (Index b = 0; b < sampler.batches_per_epoch(); ++b) {
      const auto batch = sampler.next();
      EXPECT_EQ(Index(batch.size()), b + 1 < 11 ? B : 3);
      for (const Index i : batch) ++seen[std::size_t(i)], order.push_back(i);
    }
    for (Index i = 0; i < N; ++i) ASSERT_EQ(seen[std::size_t(i)], 1) << "index " << i;
    EXPECT_EQ(sampler.epochs_completed(), epoch + 1);
    if (epoch == 0) first_epoch = order;
    else EXPECT_NE(order, first_epoch);  // a fresh permutation each epoch
  }
}

TEST(BatchSampler, WithReplacementIsUniform) {
  const Index N = 20, B = 8;
  const int steps = 5000;
  BatchSampler sampler(N, B, Sampling::with_replacement, make_rng(6, stream::shuffle));
  std::vector<int> counts(N, 0);
  for (int s = 0; s < steps; ++s) {
    const auto batch = sampler.next();
    ASSERT_EQ(Index(batch.size()), B);
    for (const Index i : batch) ++counts[std::size_t(i)];
  }
  // Each count is Binomial(steps·B, 1/N).
  const double n = double(steps) * B, p = 1.0 / N, se = std::sqrt(n * p * (1 - p));
  for (Index i = 0; i < N; ++i) EXPECT_NEAR(counts[std::size_t(i)], n * p, 4 * se) << "index " << i;
  EXPECT_EQ(sampler.epochs_completed(), steps / 3);  // ⌈20/8⌉ = 3 batches per epoch
}

TEST(BatchSampler, DeterministicForASeed) {
  for (const Sampling mode : {Sampling::reshuffle, Sampling::with_replacement}) {
    BatchSampler a(50, 7, mode, make_rng(9, stream::shuffle));
    BatchSampler b(50, 7, mode, make_rng(9, stream::shuffle));
    BatchSampler c(50, 7, mode, make_rng(10, stream::shuffle));
    bool differs = false;
    for (int s = 0; s < 30; ++s) {
      const auto x = a.next(), y = b.next(), z = c.next();
      ASSERT_TRUE(std::equal(x.begin(), x.end(), y.begin(), y.end()));
      differs |= !std::equal(x.begin(), x.end(), z.begin(), z.end());
    }
    EXPECT_TRUE(differs);
  }
}

TEST(BatchSampler, RejectsBadSizesAndModes) {
  EXPECT_THROW(BatchSampler(10, 0, Sampling::reshuffle, make_rng(1, 1)), Error);
  EXPECT_THROW(BatchSampler(10, 11, Sampling::reshuffle, make_rng(1, 1)), Error);
  EXPECT_THROW(BatchSampler(0, 1, Sampling::with_replacement, make_rng(1, 1)), Error);
  EXPECT_EQ(parse_sampling("reshuffle"), Sampling::reshuffle);
  EXPECT_EQ(parse_sampling("with_replacement"), Sampling::with_replacement);
  EXPECT_THROW(parse_sampling("shuffle"), Error);
}

}  // namespace
}  // namespace nnlab::optim
