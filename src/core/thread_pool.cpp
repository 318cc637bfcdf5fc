#include "nnlab/core/thread_pool.hpp"

#include <chrono>
#include <utility>

namespace nnlab {

namespace {
// How long an idle thread spins before it sleeps. Plain loads, no pause instruction: under the
// hypervisor here, pause loops trigger pause-loop exits that cost more than they save.
constexpr auto spin_time = std::chrono::microseconds(200);

template <class Ready>
bool spin_until(Ready ready) {
  const auto until = std::chrono::steady_clock::now() + spin_time;
  for (int i = 1;; ++i) {
    if (ready()) return true;
    if (i % 256 == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}

thread_local bool inside_body = false;

std::uint32_t generation_of(std::uint64_t ticket) { return std::uint32_t(ticket >> 32); }
}  // namespace

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

// Claims and runs items of `generation` until none are left. A claim is a compare-exchange on
// the ticket, so it fails once another generation has started.
void ThreadPool::run_items(std::uint32_t generation) {
  const std::size_t slot = generation % 2;
  const std::size_t n = n_[slot].load(std::memory_order_relaxed);
  std::uint64_t ticket = ticket_.load(std::memory_order_acquire);
  while (generation_of(ticket) == generation && (ticket & 0xffffffffu) < n) {
    if (!ticket_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_acq_rel)) continue;
    const std::size_t i = ticket & 0xffffffffu;
    if (!failed_.load(std::memory_order_relaxed)) {
      inside_body = true;
      try {
        (*body_[slot].load(std::memory_order_relaxed))(i);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!failed_.exchange(true)) error_ = std::current_exception();
      }
      inside_body = false;
    }
    if (done_.fetch_add(1) + 1 == n && caller_sleeping_.load()) {
      std::lock_guard lock(mutex_);
      finished_.notify_all();
    }
    ticket = ticket_.load(std::memory_order_acquire);
  }
}

void ThreadPool::work() {
  std::uint32_t seen = 0;
  for (;;) {
    const auto started = [&] { return stop_.load() || generation_of(ticket_.load()) != seen; };
    if (!spin_until(started)) {
      std::unique_lock lock(mutex_);
      ++sleeping_workers_;
      wake_.wait(lock, started);
      --sleeping_workers_;
    }
    if (stop_) return;
    seen = generation_of(ticket_.load(std::memory_order_acquire));
    run_items(seen);
  }
}

void ThreadPool::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) {
  if (workers_.empty() || n <= 1 || inside_body) {
    for (std::size_t i = 0; i < n; ++i) body(i);
    return;
  }
  const std::uint32_t generation = generation_of(ticket_.load()) + 1;
  body_[generation % 2].store(&body, std::memory_order_relaxed);
  n_[generation % 2].store(n, std::memory_order_relaxed);
  done_ = 0;
  failed_ = false;
  error_ = nullptr;
  ticket_.store(std::uint64_t(generation) << 32);  // sequentially consistent: see sleeping_workers_
  if (sleeping_workers_.load() > 0) {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  run_items(generation);
  const auto finished = [&] { return done_.load() == n; };
  if (!spin_until(finished)) {
    std::unique_lock lock(mutex_);
    caller_sleeping_ = true;
    finished_.wait(lock, finished);
    caller_sleeping_ = false;
  }
  if (failed_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace nnlab
