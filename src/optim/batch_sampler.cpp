// Random reshuffling and sampling with replacement; see batch_sampler.hpp.
#include "nnlab/optim/batch_sampler.hpp"

#include <algorithm>
#include <numeric>

#include "nnlab/core/error.hpp"

namespace nnlab::optim {

Sampling parse_sampling(std::string_view name) {
  if (name == "reshuffle") return Sampling::reshuffle;
  if (name == "with_replacement" || name == "replacement") return Sampling::with_replacement;
  fail("unknown batch sampling '{}' (valid: reshuffle, with_replacement)", name);
}

BatchSampler::BatchSampler(Index num_samples, Index batch_size, Sampling mode, Rng rng)
    : N_(num_samples), B_(batch_size), mode_(mode), rng_(rng) {
  require(N_ >= 1, "BatchSampler: number of samples must be >= 1, got {}", N_);
  require(B_ >= 1 && B_ <= N_, "BatchSampler: batch size must be in [1, {}], got {}", N_, B_);
  if (mode_ == Sampling::reshuffle) {
    indices_.resize(std::size_t(N_));
    std::iota(indices_.begin(), indices_.end(), Index(0));
  } else {
    indices_.resize(std::size_t(B_));
  }
}

std::span<const Index> BatchSampler::next() {
  std::span<const Index> batch;
  if (mode_ == Sampling::reshuffle) {
    if (position_ == 0) shuffle(indices_, rng_);
    const Index begin = position_ * B_, size = std::min(B_, N_ - begin);
    batch = std::span<const Index>(indices_).subspan(std::size_t(begin), std::size_t(size));
  } else {
    for (Index& i : indices_) i = Index(uniform_index(rng_, std::uint64_t(N_)));
    batch = indices_;
  }
  if (++position_ == batches_per_epoch()) position_ = 0, ++epoch_;
  return batch;
}

}  // namespace nnlab::optim
