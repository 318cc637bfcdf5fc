// Minibatch index sampler over N samples, batch size B, driven by an explicit Rng:
//   reshuffle         random reshuffling: a fresh permutation of 0..N−1 per epoch, cut into
//                     ⌈N/B⌉ consecutive batches (the last one partial, kept), so every index is
//                     visited exactly once per epoch;
//   with_replacement  each batch is B independent uniform indices; an "epoch" is ⌈N/B⌉ batches.
// No allocation after construction; a batch is a view valid until the next call to next().
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/core/types.hpp"

namespace nnlab::optim {

enum class Sampling { reshuffle, with_replacement };

// "reshuffle" or "with_replacement" (also "replacement"); anything else throws nnlab::Error.
Sampling parse_sampling(std::string_view name);

class BatchSampler {
 public:
  // Throws nnlab::Error unless 1 ≤ batch_size ≤ num_samples.
  BatchSampler(Index num_samples, Index batch_size, Sampling mode, Rng rng);

  std::span<const Index> next();

  Index num_samples() const { return N_; }
  Index batch_size() const { return B_; }
  Sampling mode() const { return mode_; }
  Index batches_per_epoch() const { return (N_ + B_ - 1) / B_; }
  std::int64_t epochs_completed() const { return epoch_; }

 private:
  Index N_, B_;
  Sampling mode_;
  Rng rng_;
  std::vector<Index> indices_;  // the permutation (reshuffle) or the current batch (replacement)
  Index position_ = 0;          // batches drawn in the current epoch
  std::int64_t epoch_ = 0;
};

}  // namespace nnlab::optim
