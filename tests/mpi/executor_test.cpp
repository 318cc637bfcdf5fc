// experiment::MpiExecutor under mpirun (2 and 3 ranks): every rank ends with all results, equal
// to a single-process run bit for bit; a failing item fails every rank with the same error.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "nnlab/core/mpi.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/experiment/mpi_executor.hpp"

namespace nnlab::experiment {
namespace {

struct Draw {
  double u;
  std::uint64_t rank;  // which rank computed it
};

TEST(MpiExecutor, EveryRankGetsEveryResultAsASingleProcessDoes) {
  ThreadPool pool(2);
  MpiExecutor mpi(pool);
  SerialExecutor serial;
  const Section section{7, "mpi-test", "draws"};
  // Cells × trials with uneven counts (not a multiple of 2 or 3), vector results of varying length.
  const auto body = [](std::size_t cell, std::size_t trial, Rng& rng) {
    std::vector<double> v(cell + trial % 3);
    for (double& x : v) x = uniform01(rng);
    return v;
  };
  const auto spread = sweep<std::vector<double>>(mpi, section, 5, 7, body);
  const auto alone = sweep<std::vector<double>>(serial, section, 5, 7, body);
  EXPECT_EQ(spread, alone);
  // The items were really spread: each rank computed a block of them.
  const auto who = gather<Draw>(mpi, 10, [](std::size_t i) {
    return Draw{double(i), std::uint64_t(mpi::rank())};
  });
  std::set<std::uint64_t> ranks;
  for (std::size_t i = 0; i < who.size(); ++i) {
    EXPECT_EQ(who[i].u, double(i));
    ranks.insert(who[i].rank);
    if (i > 0) {
      EXPECT_GE(who[i].rank, who[i - 1].rank);  // static blocks, in rank order
    }
  }
  EXPECT_EQ(ranks.size(), std::size_t(mpi::size()));
}

TEST(MpiExecutor, AnItemThatThrowsOnOneRankFailsEveryRankWithItsMessage) {
  ThreadPool pool(2);
  MpiExecutor mpi(pool);
  const int last = mpi::size() - 1;
  try {
    gather<double>(mpi, 9, [&](std::size_t i) -> double {
      if (mpi::rank() == last && i == 8) throw Error("item 8 diverged");
      return double(i);
    });
    FAIL() << "no error";
  } catch (const mpi::AgreedError& e) {
    EXPECT_EQ(std::string(e.what()), "rank " + std::to_string(last) + ": item 8 diverged");
  }
  // The job goes on: the next batch works on every rank.
  EXPECT_EQ(gather<double>(mpi, 3, [](std::size_t i) { return double(i); }),
            (std::vector<double>{0, 1, 2}));
}

TEST(MpiExecutor, ANestedBatchRunsOnTheItemsRank) {
  ThreadPool pool(2);
  MpiExecutor mpi(pool);
  const auto sums = gather<double>(mpi, 4, [&](std::size_t i) {
    const auto inner = gather<double>(mpi, 3, [&](std::size_t j) { return double(i * 10 + j); });
    return inner[0] + inner[1] + inner[2];
  });
  EXPECT_EQ(sums, (std::vector<double>{3, 33, 63, 93}));
}

TEST(MpiExecutor, RanksThatRunDifferentBatchesGetAClearError) {
  ThreadPool pool(1);
  MpiExecutor mpi(pool);
  try {
    gather<double>(mpi, mpi::rank() == 1 ? 5 : 4, [](std::size_t i) { return double(i); });
    FAIL() << "no error";
  } catch (const mpi::AgreedError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with(
        "ranks ran different batches (5 items on rank 1, 4 on rank 0): "))
        << e.what();
  }
}

}  // namespace
}  // namespace nnlab::experiment
