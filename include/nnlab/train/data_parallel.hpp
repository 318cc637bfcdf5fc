// Data-parallel training over the MPI ranks (core/mpi.hpp): every rank holds the whole data set
// and θ, and draws the same batches (the sampler's stream is the same on every rank). Each rank
// computes the gradient of its shard of every batch — a contiguous block of the batch's columns,
// shard_of below — with nn::Mlp::shard_loss_and_gradient, which draws the whole batch's dropout
// masks from the shared mask stream, so every sample gets the mask it gets in a single-process
// run. The shards' gradients and loss shares are summed over the ranks in rank order (the MPI
// layer's fixed-order sum, bit-identical for a fixed K and every rank), and every rank takes the
// same optimizer step, so θ stays identical on all ranks (the trainer compares a hash of θ
// across ranks after every epoch).
//
// Against the single-process run with the same global batch and seed: per sample, activations,
// masks and δ are the same bits; the sums over the batch (∂E/∂W = Σ_n δ_n z̃_nᵀ, ∂E/∂b, the loss)
// are added in a different order (K partial sums, then the sum over ranks), so the gradient
// agrees within that rounding (|Δ| ≤ 2γ_B Σ_n |δ_n||z̃_n|, γ_B = B·u/(1 − B·u)) and training
// then follows the single-process run within rounding, not bit for bit. With one rank the
// objective is the single-process one, bit for bit. See docs/data-parallel.md.
#pragma once
#include <span>
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/data/dataset.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/train/objective.hpp"

namespace nnlab::train {

// Rank r's columns [begin, begin + size) of a batch of B over K ranks: contiguous blocks, the
// first B mod K ranks one column more (sizes ⌈B/K⌉ and ⌊B/K⌋); with B < K the last K − B ranks
// get empty shards and contribute a zero gradient.
struct Shard {
  Index begin = 0, size = 0;
};
Shard shard_of(Index batch, int ranks, int rank);

template <class S>
class DataParallelObjective {
 public:
  using Scalar = S;

  // net and data must outlive the objective; every rank constructs it with the same arguments.
  DataParallelObjective(nn::Mlp<S>& net, const data::Dataset<S>& data, ObjectiveOptions options = {});

  Index dim() const { return net_->num_params(); }
  Index num_samples() const { return data_->size(); }

  // The loss on the whole set, in inference mode, on this rank alone (θ is the same on all).
  S value(const Vec<S>& theta) const;
  // The batch loss and gradient of the whole batch: this rank's shard, summed over the ranks.
  // A collective: every rank calls it with the same θ and batch.
  S gradient(const Vec<S>& theta, std::span<const Index> batch, Vec<S>& g) const;

  // After a gradient: this rank's shard of the batch, its outputs y and labels.
  Shard shard() const { return shard_; }
  auto shard_outputs() const { return cache_.y().middleCols(shard_.begin, shard_.size); }
  const std::vector<int>& shard_labels() const { return labels_; }


 private:
  nn::Mlp<S>* net_;
  const data::Dataset<S>* data_;
  ObjectiveOptions options_;
  int ranks_, rank_;
  mutable Shard shard_;
  mutable Rng mask_rng_;
  mutable nn::Cache<S> cache_;
  mutable Mat<S> X_, T_;
  mutable std::vector<int> labels_;
};

extern template class DataParallelObjective<float>;
extern template class DataParallelObjective<double>;

}  // namespace nnlab::train
