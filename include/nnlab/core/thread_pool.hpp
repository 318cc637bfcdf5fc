// A small fixed thread pool with a blocking parallel_for. Work item i must depend only on i
// (derive its RNG from (seed, i)), never on which thread runs it: then results do not
// depend on the thread count.
#pragma once
#include <condition_variable>
#include <cstddef>
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
  // all are done. The first exception thrown by a body is rethrown here.
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body);

 private:
  void work();
  void run_items();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* body_ = nullptr;
  std::size_t next_ = 0, end_ = 0, active_ = 0, generation_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
};

}  // namespace nnlab
