// The clock a core actually runs at, for the header of `make bench`: a chain of dependent integer
// adds retires one add per cycle on every x86-64 core of the last decade (Intel and AMD alike), so
// adds per second is the core's effective frequency — what a hypervisor's "cpu MHz" does not say
// (it prints the nominal clock), and what differs between the two vCPUs of these machines and
// drifts between phases of minutes. compare.py runs it pinned to each CPU before and after. The
// rate is per CPU second (the thread's own time), so other load on the machine does not lower it.
#include <benchmark/benchmark.h>

#include <cstdint>

namespace {

void BM_CoreClock(benchmark::State& state) {
  constexpr std::int64_t iterations = 1 << 20, adds_per_iteration = 16;
  for (auto _ : state) {
    std::uint64_t x = 0, step = 1;
    benchmark::DoNotOptimize(step);
    for (std::int64_t i = 0; i < iterations; ++i)
      // 16 adds, each waiting for the last; the loop counter runs beside them on other ports. A
      // register operand, not an immediate: Golden Cove (Sapphire Rapids) folds chains of
      // add-immediate at rename, several per cycle.
      asm volatile(
          "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
          "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
          "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
          "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0"
          : "+r"(x)
          : "r"(step));
    benchmark::DoNotOptimize(x);
  }
  state.counters["GHz"] = benchmark::Counter(double(iterations * adds_per_iteration) * 1e-9,
                                             benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CoreClock)->Unit(benchmark::kMillisecond)->MinTime(0.2);

}  // namespace

BENCHMARK_MAIN();
