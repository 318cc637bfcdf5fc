// The MPI layer (core/mpi.hpp), run by ctest under mpirun with 2 and 3 ranks (tests/CMakeLists.txt):
// every rank runs every test, so each assertion holds on every rank.
#include <gtest/gtest.h>

#include <stdexcept>

#include "nnlab/core/mpi.hpp"

namespace nnlab::mpi {
namespace {

TEST(MpiLayer, RunsUnderMpirunWithSeveralRanks) {
  ASSERT_TRUE(built_with_mpi());
  ASSERT_TRUE(launched());
  EXPECT_GE(size(), 2);
  EXPECT_GE(rank(), 0);
  EXPECT_LT(rank(), size());
  EXPECT_GE(default_threads(), 1);
}

TEST(MpiLayer, AllgatherKeepsEveryRanksBytesOfItsOwnLength) {
  std::vector<std::byte> mine(std::size_t(rank()) * 3 + 1, std::byte(rank() + 7));
  const auto all = allgather(mine);
  ASSERT_EQ(all.size(), std::size_t(size()));
  for (int r = 0; r < size(); ++r) {
    EXPECT_EQ(all[r].size(), std::size_t(r) * 3 + 1);
    for (std::byte b : all[r]) EXPECT_EQ(b, std::byte(r + 7));
  }
}

TEST(MpiLayer, BroadcastSendsRootsBytes) {
  const int root = size() - 1;
  std::vector<std::byte> bytes(std::size_t(rank() + 2), std::byte(rank()));
  broadcast(bytes, root);
  EXPECT_EQ(bytes, std::vector<std::byte>(std::size_t(root + 2), std::byte(root)));
}

TEST(MpiLayer, SumAddsInRankOrder) {
  // 1 + 1e-16 + … rounds differently by grouping: rank order ((x0 + x1) + x2) is the reference.
  const double x[3] = {1.0, 1e-16, -1.0};
  std::vector<double> data(5, x[rank() % 3] * (rank() < 3 ? 1.0 : 0.0));
  sum(data);
  double expected = x[0];
  for (int r = 1; r < size(); ++r) expected += r < 3 ? x[r] : 0.0;
  for (double v : data) EXPECT_EQ(v, expected);
  std::vector<float> f(4, float(rank() + 1));
  sum(f);
  for (float v : f) EXPECT_EQ(v, float(size() * (size() + 1) / 2));
}

TEST(MpiLayer, AnErrorOnOneRankIsThrownOnEveryRank) {
  const int failing = size() - 1;
  try {
    agreed([&] {
      if (rank() == failing) throw Error("bad value 7");
    });
    FAIL() << "no error";
  } catch (const AgreedError& e) {
    EXPECT_EQ(std::string(e.what()), "rank " + std::to_string(failing) + ": bad value 7");
    EXPECT_FALSE(e.internal());
  }
  // The lowest failing rank's message wins; a std::exception is internal.
  try {
    agreed([&] {
      if (rank() >= 1) throw std::runtime_error("from " + std::to_string(rank()));
    });
    FAIL() << "no error";
  } catch (const AgreedError& e) {
    EXPECT_EQ(std::string(e.what()), "rank 1: from 1");
    EXPECT_TRUE(e.internal());
  }
  EXPECT_NO_THROW(agreed([] {}));
}

TEST(MpiLayer, OnRootRunsOnRankZeroAndSharesItsError) {
  int calls = 0;
  on_root([&] { ++calls; });
  EXPECT_EQ(calls, rank() == 0 ? 1 : 0);
  EXPECT_THROW(on_root([] { throw Error("cannot write"); }), AgreedError);
}

TEST(MpiLayer, RequireSameNamesTheRankThatDiffers) {
  EXPECT_NO_THROW(require_same("run x", "the command line"));
  try {
    require_same(rank() == 1 ? "run y" : "run x", "the command line");
    FAIL() << "no error";
  } catch (const AgreedError& e) {
    EXPECT_EQ(std::string(e.what()),
              "the command line differs between ranks: rank 1 has 'run y', rank 0 has 'run x'");
  }
}

}  // namespace
}  // namespace nnlab::mpi
