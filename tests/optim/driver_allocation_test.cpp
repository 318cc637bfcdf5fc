// The line-search drivers allocate nothing per iteration: malloc calls are counted between the
// second and the last step event on Rosenbrock (whose value, gradient and H·v allocate nothing).
// Counting interposes glibc's malloc for this test binary; under a sanitizer, which intercepts
// malloc itself, the test is skipped.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "nnlab/optim/lbfgs.hpp"
#include "nnlab/optim/newton.hpp"
#include "nnlab/optim/noisy_gd.hpp"
#include "nnlab/optim/nonlinear_cg.hpp"
#include "nnlab/optim/perturbed_gd.hpp"
#include "nnlab/optim/saddle_free_newton.hpp"
#include "nnlab/optim/trust_region.hpp"
#include "nnlab/optim/test_functions.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NNLAB_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define NNLAB_COUNT_MALLOC 0
#endif
#endif
#ifndef NNLAB_COUNT_MALLOC
#define NNLAB_COUNT_MALLOC 1
#endif

#if NNLAB_COUNT_MALLOC
namespace {
std::int64_t malloc_calls = 0;  // read only by this file's tests, which run on one thread
}
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) {
  ++malloc_calls;
  return __libc_malloc(size);
}
#endif

namespace nnlab::optim {
namespace {

// malloc calls made by `run` between its step event 1 and its last event.
template <class Run>
std::int64_t allocations_per_run(Run&& run) {
#if NNLAB_COUNT_MALLOC
  std::int64_t at_first = -1, at_last = -1;
  run([&](const StepEvent<double>& e) {
    if (e.step == 1) at_first = malloc_calls;
    at_last = malloc_calls;
  });
  EXPECT_GE(at_first, 0) << "the run took fewer than two steps";
  return at_last - at_first;
#else
  (void)run;
  return 0;
#endif
}

TEST(LineSearchDrivers, AllocateNothingPerIteration) {
#if !NNLAB_COUNT_MALLOC
  GTEST_SKIP() << "malloc is intercepted by a sanitizer";
#endif
  const Rosenbrock<double> f(10);
  const Stop stop{.max_iters = 50, .grad_tol = 0};
  EXPECT_EQ(allocations_per_run([&](auto&& callback) {
              Vec<double> theta = f.start();
              lbfgs(f, theta, stop, {}, callback);
            }),
            0);
  EXPECT_EQ(allocations_per_run([&](auto&& callback) {
              Vec<double> theta = f.start();
              nonlinear_cg(f, theta, stop, {}, callback);
            }),
            0);
  EXPECT_EQ(allocations_per_run([&](auto&& callback) {
              Vec<double> theta = f.start();
              newton(f, theta, stop, {.matrix_free = true}, callback);
            }),
            0);
  // The dense path allocates once per iteration, the Hessian the objective returns by value: 18
  // times between the events of iterates 1 and 20 (an event follows its iterate's step search).
  const std::int64_t dense = allocations_per_run([&](auto&& callback) {
    Vec<double> theta = f.start();
    newton(f, theta, {.max_iters = 20, .grad_tol = 0}, {}, callback);
  });
#if NNLAB_COUNT_MALLOC
  EXPECT_EQ(dense, 18);
#endif
}

// The saddle-escaping drivers: trust region, perturbed and noisy GD allocate nothing per step;
// saddle-free Newton twice per iteration: the Hessian returned by value and a workspace inside
// Eigen's symmetric eigensolver (36 between the events of iterates 1 and 20).
TEST(SaddleDrivers, AllocateNothingPerIteration) {
#if !NNLAB_COUNT_MALLOC
  GTEST_SKIP() << "malloc is intercepted by a sanitizer";
#endif
  const Rosenbrock<double> f(10);
  const Stop stop{.max_iters = 50, .grad_tol = 0};
  EXPECT_EQ(allocations_per_run([&](auto&& callback) {
              Vec<double> theta = f.start();
              trust_region(f, theta, stop, {}, callback);
            }),
            0);
  EXPECT_EQ(allocations_per_run([&](auto&& callback) {
              Vec<double> theta = f.start();
              Rng rng = make_rng(1, 1);
              perturbed_gd(f, theta, rng, stop, {.lr = 1e-4, .g_thres = 1e3, .t_thres = 5}, callback);
            }),
            0);
  EXPECT_EQ(allocations_per_run([&](auto&& callback) {
              Vec<double> theta = f.start();
              Rng rng = make_rng(1, 1);
              noisy_gd(f, theta, rng, stop, {.lr = 1e-4}, callback);
            }),
            0);
  const std::int64_t sfn = allocations_per_run([&](auto&& callback) {
    Vec<double> theta = f.start();
    saddle_free_newton(f, theta, {.max_iters = 20, .grad_tol = 0}, {}, callback);
  });
#if NNLAB_COUNT_MALLOC
  EXPECT_EQ(sfn, 36);
#endif
}

}  // namespace
}  // namespace nnlab::optim
