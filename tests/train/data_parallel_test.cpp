// Data-parallel training in a job of one rank (no mpirun): the shards of a batch, and training
// with TrainOptions::data_parallel equal to the plain run bit for bit (θ and every number of
// every epoch), float and double, on 1 and 2 threads. Under mpirun with 2 and 3 ranks:
// tests/mpi/data_parallel_test.cpp.
#include "nnlab/train/data_parallel.hpp"

#include <gtest/gtest.h>

#include "data_parallel_runs.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/core/mpi.hpp"

namespace nnlab::train {
namespace {

TEST(DataParallel, ShardsAreContiguousBlocksDifferingByAtMostOne) {
  for (const Index B : {1, 2, 7, 128, 150}) {
    for (const int K : {1, 2, 3, 8, 64}) {
      Index next = 0;
      for (int r = 0; r < K; ++r) {
        const Shard s = shard_of(B, K, r);
        EXPECT_EQ(s.begin, next) << "B " << B << ", K " << K << ", rank " << r;
        EXPECT_TRUE(s.size == B / K || s.size == B / K + 1);
        EXPECT_EQ(s.size, B / K + (r < B % K ? 1 : 0)) << "the first B mod K ranks take one more";
        next += s.size;
      }
      EXPECT_EQ(next, B);
    }
  }
  EXPECT_EQ(shard_of(10, 3, 0).size, 4);
  EXPECT_EQ(shard_of(10, 3, 2).begin, 7);
  EXPECT_THROW(shard_of(10, 3, 3), Error);
}

template <class S>
void expect_same_as_plain(int threads) {
  ASSERT_EQ(mpi::size(), 1) << "run without mpirun";
  for (const auto& c : testing::cases()) {
    const auto plain = testing::train_case<S>(c, false, 3, threads);
    const auto dp = testing::train_case<S>(c, true, 3, threads);
    EXPECT_TRUE(dp.theta == plain.theta) << c.name;
    ASSERT_EQ(dp.epochs.size(), plain.epochs.size());
    for (std::size_t e = 0; e < plain.epochs.size(); ++e) {
      EXPECT_EQ(dp.epochs[e].loss, plain.epochs[e].loss) << c.name << ", epoch " << e + 1;
      EXPECT_EQ(dp.epochs[e].running_accuracy, plain.epochs[e].running_accuracy);
      EXPECT_EQ(dp.epochs[e].test_loss, plain.epochs[e].test_loss);
      EXPECT_EQ(dp.epochs[e].test_accuracy, plain.epochs[e].test_accuracy);
    }
    EXPECT_GT(plain.epochs.back().test_accuracy, 0.9) << c.name << " trains";
  }
}

TEST(DataParallel, OneRankIsThePlainRunBitForBitFloat) { expect_same_as_plain<float>(1); }
TEST(DataParallel, OneRankIsThePlainRunBitForBitDouble) { expect_same_as_plain<double>(1); }
TEST(DataParallel, OneRankIsThePlainRunBitForBitTwoThreads) { expect_same_as_plain<float>(2); }

}  // namespace
}  // namespace nnlab::train
