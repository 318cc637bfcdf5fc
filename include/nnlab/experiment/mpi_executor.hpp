// The executor of an MPI job (core/mpi.hpp, docs/mpi.md). Under mpirun every rank runs the same
// lab code (SPMD) and so reaches every executor.run(batch) with the same batch; each rank runs
// its share of the items on its own thread pool, saves their results (Batch::save), and the
// shares are exchanged (mpi::allgather, Batch::load) so that every rank continues with ALL
// results. Every item still draws only from its own hashed stream and lands in its own slot, so
// the results are bit-identical to a single-process run for any number of ranks.
//
// Schedule: static blocks, rank r runs items [r·n/K, (r+1)·n/K); measured against a work queue
// on rank 0 in docs/mpi.md.
//
// Errors: an exception in an item on any rank becomes the same mpi::AgreedError ("rank R:
// message") on every rank, after the exchange, so no rank waits for one that failed. A batch
// run from inside an item (nested) runs on the calling rank's pool only.
#pragma once
#include "nnlab/experiment/executor.hpp"

namespace nnlab::experiment {

class MpiExecutor final : public Executor {
 public:
  // The pool runs this rank's share; it must outlive the executor.
  explicit MpiExecutor(ThreadPool& pool) : local_(pool) {}
  void run(Batch& batch) override;
  ThreadPool* pool() const override { return local_.pool(); }

 private:
  PoolExecutor local_;
};

}  // namespace nnlab::experiment
