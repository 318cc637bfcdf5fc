// test_mpi's main: the tests of tests/mpi/ run on every rank of an mpirun job (ctest starts it with
// 2 and 3 ranks, tests/CMakeLists.txt); the job fails when a test fails on any rank.
#include <gtest/gtest.h>

#include <cstdio>

#include "nnlab/core/mpi.hpp"

int main(int argc, char** argv) {
  nnlab::mpi::Session session(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  const int failed = RUN_ALL_TESTS();
  // Rank 0's result is the one ctest sees (the others print to /dev/null): any rank's failure
  // must fail the job.
  std::vector<std::byte> mine{std::byte(failed != 0)};
  bool any = false;
  const auto all = nnlab::mpi::allgather(mine);
  for (std::size_t r = 0; r < all.size(); ++r)
    if (all[r][0] != std::byte(0)) {
      any = true;
      std::printf("rank %zu: a test failed\n", r);
    }
  return any ? 1 : 0;
}
