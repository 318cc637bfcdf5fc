#include "nnlab/core/thread_pool.hpp"

#include <utility>

namespace nnlab {

ThreadPool::ThreadPool(int threads) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

// Takes items one at a time until none are left; called with the lock held.
void ThreadPool::run_items() {
  std::unique_lock lock(mutex_, std::adopt_lock);
  while (next_ < end_) {
    const std::size_t i = next_++;
    lock.unlock();
    try {
      (*body_)(i);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      next_ = end_;  // stop handing out work
      continue;
    }
    lock.lock();
  }
  lock.release();
}

void ThreadPool::work() {
  std::unique_lock lock(mutex_);
  std::size_t seen = generation_;
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    ++active_;
    run_items();
    if (--active_ == 0) done_.notify_all();
  }
}

void ThreadPool::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) {
  if (workers_.empty() || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::unique_lock lock(mutex_);
  body_ = &body;
  next_ = 0;
  end_ = n;
  error_ = nullptr;
  ++generation_;
  wake_.notify_all();
  ++active_;
  run_items();
  --active_;
  done_.wait(lock, [&] { return active_ == 0; });
  body_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace nnlab
