// Executors run the Monte Carlo part of an experiment: a grid of parameter cells × trials, each
// trial an independent work item with its own random stream, whose result is RETURNED and
// gathered in order. Labs reach this through labs::Context (context.trials, context.sweep);
// this header is the machinery underneath.
//
//   const std::vector<double> u = experiment::trials<double>(executor, {seed, "my-lab", "u"}, 1000,
//       [](std::size_t t, Rng& rng) { return uniform01(rng); });
//
// Reproducibility: trial t of cell c draws only from make_rng(section, c, t) (core/stream.hpp)
// and its result lands in slot c·trials + t, so the gathered vector is bit-identical for any
// executor and any thread count. A body must not depend on other trials, on shared mutable
// state or on which thread runs it.
//
// Nested parallelism. Trials run in parallel; a body may take executor.pool() and pass it to
// parallel work of its own (an Mlp pass takes `ThreadPool* pool` per call): while the trials
// run in parallel that nested parallel_for runs inline on the trial's thread, so many small
// trials keep every core busy without oversubscription. A single big job (one training run)
// is a batch of 1 item: it runs on the calling thread, and the pool it passes down is free,
// so the job's own passes use every thread.
//
// Shipping results. An executor may run items elsewhere (a later MPI executor: each rank runs
// its share and the results are exchanged), so a result type must be Shippable: trivially
// copyable (numbers, std::array, plain structs of numbers such as Welford), or a std::vector
// of such. Everything else is computed from these after the gather.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstring>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/stream.hpp"
#include "nnlab/core/thread_pool.hpp"

namespace nnlab::experiment {

// A batch of n independent work items. run(i) computes item i and keeps its result; save and
// load move one result to and from bytes, for executors whose items run in other processes.
class Batch {
 public:
  virtual ~Batch() = default;
  virtual std::size_t size() const = 0;
  virtual void run(std::size_t i) = 0;
  // Appends result i to out.
  virtual void save(std::size_t i, std::vector<std::byte>& out) const = 0;
  // Sets result i from the front of in; returns the bytes read.
  virtual std::size_t load(std::size_t i, std::span<const std::byte> in) = 0;
};

// Runs every item of a batch exactly once and returns when all results are in the batch. The
// first exception thrown by an item is rethrown (items not yet started then do not run).
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void run(Batch& batch) = 0;
  // The pool a body may hand to its own parallel work (see "Nested parallelism"); nullptr
  // means that work runs on the calling thread.
  virtual ThreadPool* pool() const = 0;
};

// Every item on the calling thread, in order.
class SerialExecutor final : public Executor {
 public:
  void run(Batch& batch) override;
  ThreadPool* pool() const override { return nullptr; }
};

// Items spread over a thread pool (which must outlive the executor).
class PoolExecutor final : public Executor {
 public:
  explicit PoolExecutor(ThreadPool& pool) : pool_(&pool) {}
  void run(Batch& batch) override;
  ThreadPool* pool() const override { return pool_; }

 private:
  ThreadPool* pool_;
};

// ---------------------------------------------------------------- results that can be shipped
template <class T>
concept TriviallyCopyable = std::is_trivially_copyable_v<T> && std::default_initializable<T>;

template <class T>
struct is_shippable_vector : std::false_type {};
template <TriviallyCopyable U>
struct is_shippable_vector<std::vector<U>> : std::true_type {};

template <class T>
concept Shippable = TriviallyCopyable<T> || is_shippable_vector<T>::value;

namespace detail {

// A Batch whose item i is body(i) → T, gathered into results[i].
template <Shippable T, class Body>
class Gather final : public Batch {
 public:
  Gather(std::size_t n, Body& body) : results(n), body_(body) {}
  std::size_t size() const override { return results.size(); }
  void run(std::size_t i) override { results[i] = body_(i); }

  void save(std::size_t i, std::vector<std::byte>& out) const override {
    if constexpr (TriviallyCopyable<T>) {
      append(out, &results[i], sizeof(T));
    } else {
      const std::size_t count = results[i].size();
      append(out, &count, sizeof count);
      append(out, results[i].data(), count * sizeof(typename T::value_type));
    }
  }

  std::size_t load(std::size_t i, std::span<const std::byte> in) override {
    if constexpr (TriviallyCopyable<T>) {
      take(in, &results[i], sizeof(T));
      return sizeof(T);
    } else {
      std::size_t count = 0;
      take(in, &count, sizeof count);
      results[i].resize(count);
      const std::size_t bytes = count * sizeof(typename T::value_type);
      take(in.subspan(sizeof count), results[i].data(), bytes);
      return sizeof count + bytes;
    }
  }

  std::vector<T> results;

 private:
  static void append(std::vector<std::byte>& out, const void* data, std::size_t bytes) {
    const auto* p = static_cast<const std::byte*>(data);
    out.insert(out.end(), p, p + bytes);
  }
  static void take(std::span<const std::byte> in, void* data, std::size_t bytes) {
    require(in.size() >= bytes, "executor: a shipped result is truncated ({} of {} bytes)",
            in.size(), bytes);
    if (bytes > 0) std::memcpy(data, in.data(), bytes);
  }

  Body& body_;
};

}  // namespace detail

// Runs body(i) → T for i in [0, n) on the executor; returns the results in index order. The
// building block of trials and sweep; it draws no random numbers itself.
template <Shippable T, class Body>
  requires std::is_invocable_r_v<T, Body&, std::size_t>
std::vector<T> gather(Executor& executor, std::size_t n, Body&& body) {
  detail::Gather<T, std::remove_reference_t<Body>> batch(n, body);
  executor.run(batch);
  return std::move(batch.results);
}

// Grid cells × trials: body(cell, trial, rng) with rng = make_rng(section, cell, trial).
// Results are cell-major: the result of (cell c, trial t) is at c·trials + t.
template <Shippable T, class Body>
  requires std::is_invocable_r_v<T, Body&, std::size_t, std::size_t, Rng&>
std::vector<T> sweep(Executor& executor, const Section& section, std::size_t cells,
                     std::size_t trials, Body&& body) {
  return gather<T>(executor, cells * trials, [&](std::size_t i) -> T {
    Rng rng = make_rng(section, i / trials, i % trials);
    return body(i / trials, i % trials, rng);
  });
}

// n trials of one section: body(trial, rng) with rng = make_rng(section, 0, trial).
template <Shippable T, class Body>
  requires std::is_invocable_r_v<T, Body&, std::size_t, Rng&>
std::vector<T> trials(Executor& executor, const Section& section, std::size_t n, Body&& body) {
  return sweep<T>(executor, section, 1, n,
                  [&](std::size_t, std::size_t t, Rng& rng) -> T { return body(t, rng); });
}

}  // namespace nnlab::experiment
