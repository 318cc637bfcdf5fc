// A small classification set for training tests: three Gaussian blobs in 2-D (σ = 0.5, centres
// 3.4σ apart, so the Bayes error is below 0.1%), labels one-hot.
#pragma once
#include "nnlab/core/rng.hpp"
#include "nnlab/data/dataset.hpp"

namespace nnlab::train {

template <class S = float>
data::Dataset<S> blobs(Index n, std::uint64_t seed) {
  Rng rng = make_rng(seed, stream::data);
  data::Dataset<S> d{Mat<S>(2, n), Mat<S>::Zero(3, n), {}, 3, "blobs"};
  const double centers[3][2] = {{2, 0}, {-1, 1.7}, {-1, -1.7}};
  for (Index j = 0; j < n; ++j) {
    const int c = int(uniform_index(rng, 3));
    d.X(0, j) = S(centers[c][0] + 0.5 * normal(rng));
    d.X(1, j) = S(centers[c][1] + 0.5 * normal(rng));
    d.Y(c, j) = 1;
    d.labels.push_back(c);
  }
  return d;
}

}  // namespace nnlab::train
