// Executors: the gathered results do not depend on the executor or the thread count, keep their
// order (cell-major for sweeps), come from the documented streams, survive shipping as bytes,
// and exceptions reach the caller. Nested parallel work runs inline inside parallel trials.
#include "nnlab/experiment/executor.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "nnlab/experiment/stats.hpp"

namespace nnlab::experiment {
namespace {

const Section section{42, "test-lab", "draws"};

struct Draw {
  std::size_t cell, trial;
  double value;
};

std::vector<Draw> run_sweep(Executor& executor) {
  return sweep<Draw>(executor, section, 3, 101, [](std::size_t c, std::size_t t, Rng& rng) {
    double s = 0;
    for (int k = 0; k < 50; ++k) s += normal(rng);
    return Draw{c, t, s};
  });
}

// Simulates shipping: every result is saved to bytes and loaded into the mirrored slot, so the
// gathered vector comes back reversed if (and only if) save and load move results faithfully.
class ReversingExecutor final : public Executor {
 public:
  void run(Batch& batch) override {
    const std::size_t n = batch.size();
    for (std::size_t i = 0; i < n; ++i) batch.run(i);
    std::vector<std::vector<std::byte>> bytes(n);
    for (std::size_t i = 0; i < n; ++i) batch.save(i, bytes[i]);
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(batch.load(n - 1 - i, bytes[i]), bytes[i].size());
  }
  ThreadPool* pool() const override { return nullptr; }
};

TEST(Executor, SweepIsIdenticalForSerialAndOneTwoThreeThreads) {
  SerialExecutor serial;
  const auto reference = run_sweep(serial);
  ASSERT_EQ(reference.size(), 303u);
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    PoolExecutor executor(pool);
    const auto draws = run_sweep(executor);
    ASSERT_EQ(draws.size(), reference.size());
    for (std::size_t i = 0; i < draws.size(); ++i) {
      EXPECT_EQ(draws[i].cell, reference[i].cell);
      EXPECT_EQ(draws[i].trial, reference[i].trial);
      EXPECT_EQ(draws[i].value, reference[i].value) << threads << " threads, item " << i;
    }
  }
}

TEST(Executor, SweepIsCellMajorAndUsesTheKeyedStreams) {
  SerialExecutor serial;
  const auto draws = run_sweep(serial);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t t = 0; t < 101; ++t) {
      const Draw& d = draws[c * 101 + t];
      EXPECT_EQ(d.cell, c);
      EXPECT_EQ(d.trial, t);
      Rng rng = make_rng(section, c, t);
      double s = 0;
      for (int k = 0; k < 50; ++k) s += normal(rng);
      EXPECT_EQ(d.value, s);
    }
}

TEST(Executor, TrialsAreCellZeroOfTheSection) {
  ThreadPool pool(2);
  PoolExecutor executor(pool);
  const auto u = trials<double>(executor, section, 64,
                                [](std::size_t, Rng& rng) { return uniform01(rng); });
  for (std::size_t t = 0; t < u.size(); ++t) {
    Rng rng = make_rng(section, 0, t);
    EXPECT_EQ(u[t], uniform01(rng));
  }
}

TEST(Executor, ResultsSurviveShippingAsBytes) {
  ReversingExecutor reversing;
  const auto vectors = trials<std::vector<double>>(
      reversing, section, 7, [](std::size_t t, Rng&) { return std::vector<double>(t, double(t)); });
  ASSERT_EQ(vectors.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(vectors[i], std::vector<double>(6 - i, double(6 - i)));

  const auto sums = trials<Welford>(reversing, section, 5, [](std::size_t t, Rng&) {
    Welford w;
    for (std::size_t k = 0; k <= t + 1; ++k) w.add(double(k));
    return w;
  });
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(sums[i].count(), 4 - i + 2);
}

TEST(Executor, ExceptionsPropagate) {
  const auto body = [](std::size_t t, Rng&) -> double {
    if (t == 5) throw std::runtime_error("trial 5 failed");
    return double(t);
  };
  SerialExecutor serial;
  EXPECT_THROW(trials<double>(serial, section, 10, body), std::runtime_error);
  ThreadPool pool(3);
  PoolExecutor executor(pool);
  EXPECT_THROW(trials<double>(executor, section, 10, body), std::runtime_error);
  // The pool is usable afterwards.
  EXPECT_EQ(trials<double>(executor, section, 3, [](std::size_t t, Rng&) { return double(t); }),
            (std::vector<double>{0, 1, 2}));
}

TEST(Executor, NestedParallelWorkRunsInlineInsideParallelTrials) {
  ThreadPool pool(3);
  PoolExecutor executor(pool);
  // Many trials: each trial's nested parallel_for stays on the trial's own thread.
  const auto inline_everywhere = trials<int>(executor, section, 12, [&](std::size_t, Rng&) {
    const auto me = std::this_thread::get_id();
    int elsewhere = 0;
    std::mutex m;
    executor.pool()->parallel_for(16, [&](std::size_t) {
      std::lock_guard lock(m);
      elsewhere += std::this_thread::get_id() != me;
    });
    return elsewhere;
  });
  for (int e : inline_everywhere) EXPECT_EQ(e, 0);
  // One big item: its nested work is spread over the pool.
  std::set<std::thread::id> seen;
  std::mutex m;
  trials<int>(executor, section, 1, [&](std::size_t, Rng&) {
    executor.pool()->parallel_for(60, [&](std::size_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      std::lock_guard lock(m);
      seen.insert(std::this_thread::get_id());
    });
    return 0;
  });
  EXPECT_GT(seen.size(), 1u);
}

}  // namespace
}  // namespace nnlab::experiment
