// A small fixed thread pool with a blocking parallel_for. Work item i must depend only on i
// (derive its RNG from (seed, i)), never on which thread runs it: then results do not
// depend on the thread count.
//
// A small network's training step calls parallel_for every ~10 µs, while waking a sleeping thread
// costs ~25 µs here. So items are claimed lock-free, and idle threads spin for a while before they
// sleep: a parallel_for of two 10 µs items then takes ~11 µs.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nnlab {

class ThreadPool {
 public:
  // threads <= 1 runs everything on the calling thread.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }

  // Calls body(i) for i in [0, n), spread over the pool and the calling thread; returns when
  // all are done. The first exception thrown by a body is rethrown here (items not yet started
  // then do not run). Called from inside a body, it runs its items on the calling thread.
  // One caller at a time: the pool is not meant to be shared by several driving threads.
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body);

 private:
  void work();
  void run_items(std::uint32_t generation);

  std::vector<std::thread> workers_;
  // The current job: generation in the high 32 bits, the next unclaimed item in the low 32.
  // Generation g's body and item count sit in slot g % 2, written before the store that starts
  // g; slot g % 2 is next rewritten for g + 2, once g + 1 has started, so a claim of g (which
  // checks the generation) never runs with another generation's body.
  std::atomic<std::uint64_t> ticket_ = 0;
  std::atomic<const std::function<void(std::size_t)>*> body_[2] = {nullptr, nullptr};
  std::atomic<std::size_t> n_[2] = {0, 0};
  std::atomic<std::size_t> done_ = 0;  // items finished (or skipped after an error)
  std::atomic<bool> failed_ = false, stop_ = false;
  std::exception_ptr error_;
  // Sleeping: threads that gave up spinning wait on these; notifiers check the counters first.
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  std::atomic<int> sleeping_workers_ = 0;
  std::atomic<bool> caller_sleeping_ = false;
};

}  // namespace nnlab
