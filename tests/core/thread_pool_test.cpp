#include "nnlab/core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab {

TEST(ThreadPool, RunsEveryItemExactlyOnce) {
  for (int threads : {1, 2, 4}) {
    ThreadPool pool(threads);
    for (int round = 0; round < 20; ++round) {
      std::vector<std::atomic<int>> hits(257);
      pool.parallel_for(hits.size(), [&](std::size_t i) { ++hits[i]; });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1) << "threads " << threads;
    }
  }
}

TEST(ThreadPool, RethrowsTheBodysError) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(100, [](std::size_t i) { if (i == 37) fail("item {}", i); }), Error);
  std::atomic<int> n = 0;
  pool.parallel_for(10, [&](std::size_t) { ++n; });  // still usable afterwards
  EXPECT_EQ(n.load(), 10);
}

}  // namespace nnlab
