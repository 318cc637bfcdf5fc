#include "nnlab/train/data_parallel.hpp"

#include "nnlab/core/error.hpp"
#include "nnlab/core/mpi.hpp"

namespace nnlab::train {

Shard shard_of(Index batch, int ranks, int rank) {
  require(batch >= 0 && ranks >= 1 && rank >= 0 && rank < ranks, "shard_of: rank {} of {}, batch {}", rank,
          ranks, batch);
  const Index base = batch / ranks, extra = batch % ranks;
  return {.begin = rank * base + std::min<Index>(rank, extra), .size = base + (rank < extra ? 1 : 0)};
}

template <class S>
DataParallelObjective<S>::DataParallelObjective(nn::Mlp<S>& net, const data::Dataset<S>& data,
                                                ObjectiveOptions options)
    : net_(&net),
      data_(&data),
      options_(options),
      ranks_(mpi::size()),
      rank_(mpi::rank()),
      mask_rng_(make_rng(options.seed, stream::dropout)) {
  require(data.size() >= 1, "the data set {} is empty", data.name);
  check_fit(net, data, "objective's");
}

template <class S>
S DataParallelObjective<S>::value(const Vec<S>& theta) const {
  require(theta.size() == dim(), "θ has {} entries, the network {} parameters", theta.size(), dim());
  if (&theta != &net_->theta()) net_->theta() = theta;
  return S(net_->dataset_loss(data_->X, data_->Y, options_.chunk, options_.pool));
}

template <class S>
S DataParallelObjective<S>::gradient(const Vec<S>& theta, std::span<const Index> batch, Vec<S>& g) const {
  require(&theta == &net_->theta(), "data-parallel training steps the network's own θ");
  const data::Dataset<S>& d = *data_;
  const auto B = Index(batch.size());
  shard_ = shard_of(B, ranks_, rank_);
  // The whole batch's shape, only the shard's columns filled: the rest is never read.
  X_.resize(d.inputs(), B);
  T_.resize(d.outputs(), B);
  labels_.clear();
  for (Index j = shard_.begin; j < shard_.begin + shard_.size; ++j) {
    const Index i = batch[std::size_t(j)];
    X_.col(j) = d.X.col(i);
    T_.col(j) = d.Y.col(i);
    if (d.is_classification()) labels_.push_back(d.labels[std::size_t(i)]);
  }
  const S share = net_->shard_loss_and_gradient(X_, T_, shard_.begin, shard_.size, cache_, g, nn::Mode::train,
                                                &mask_rng_, options_.pool);
  if (ranks_ == 1) return share;
  mpi::sum(std::span<S>(g.data(), std::size_t(g.size())));
  double loss = double(share);
  mpi::sum(std::span<double>(&loss, 1));
  return S(loss);
}

template class DataParallelObjective<float>;
template class DataParallelObjective<double>;

}  // namespace nnlab::train
