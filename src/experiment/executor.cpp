// The serial and thread-pool executors; the typed helpers are templates in the header.
#include "nnlab/experiment/executor.hpp"

namespace nnlab::experiment {

void SerialExecutor::run(Batch& batch) {
  for (std::size_t i = 0; i < batch.size(); ++i) batch.run(i);
}

void PoolExecutor::run(Batch& batch) {
  pool_->parallel_for(batch.size(), [&](std::size_t i) { batch.run(i); });
}

}  // namespace nnlab::experiment
