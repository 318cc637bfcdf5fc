#include "nnlab/core/allocator.hpp"

#include <malloc.h>

#include <mutex>

namespace nnlab {

void keep_freed_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);  // blocks below 256 MB come from the heap, not mmap
    mallopt(M_TRIM_THRESHOLD, 512 << 20);  // and the heap keeps up to 512 MB of free memory
  });
}

}  // namespace nnlab
