// Eigen's matrix product allocates its packing buffers (a few hundred KB) on every call. glibc's
// main arena returns such blocks to the system on free (trim) and maps large ones afresh (mmap),
// so every product on the main thread page-faults its buffers in again: measured here, a
// 512×784·784×128 float product took 2.6 ms on the main thread and 0.66 ms on a worker thread.
// keep_freed_memory() raises both thresholds once per process so that freed buffers are reused.
#pragma once

namespace nnlab {

// Idempotent and thread-safe; called by the engine's entry points (Mlp's constructor).
void keep_freed_memory();

}  // namespace nnlab
