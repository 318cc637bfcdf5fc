#include "nnlab/core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
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

// Back-to-back calls (workers still spinning) and calls after a pause long enough for the
// workers to fall asleep must both run every item once; so must thousands of generations.
TEST(ThreadPool, SpinningAndSleepingWorkersBothPickUpWork) {
  ThreadPool pool(2);
  std::atomic<long> sum = 0;
  for (int round = 0; round < 5000; ++round)
    pool.parallel_for(3, [&](std::size_t i) { sum += long(i) + 1; });
  EXPECT_EQ(sum.load(), 5000L * 6);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // > the spin time
    std::vector<std::atomic<int>> hits(64);
    pool.parallel_for(hits.size(), [&](std::size_t i) { ++hits[i]; });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

// Both threads take part: with items that wait for each other, a pool that ran everything on
// one thread would never finish (the test would time out).
TEST(ThreadPool, ItemsRunConcurrently) {
  ThreadPool pool(2);
  std::atomic<int> arrived = 0;
  pool.parallel_for(2, [&](std::size_t) {
    ++arrived;
    while (arrived.load() < 2) std::this_thread::yield();
  });
  EXPECT_EQ(arrived.load(), 2);
}

// A parallel_for inside a body runs on the calling thread instead of deadlocking.
TEST(ThreadPool, NestedCallsRunInline) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> hits(40);
  pool.parallel_for(4, [&](std::size_t i) {
    pool.parallel_for(10, [&](std::size_t j) { ++hits[i * 10 + j]; });
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

}  // namespace nnlab
