// The sheet's Fashion-MNIST network, shared by the benchmarks: 784-512-512-10 relu (or another
// hidden activation), softmax cross-entropy, inverted dropout with keep p = 0.8 on the input and
// 0.5 on both hidden layers; its dropout-free form, on which the Hessian benchmarks run (H·v in
// inference mode); and random data of Fashion-MNIST's shapes.
#pragma once
#include "nnlab/core/rng.hpp"
#include "nnlab/data/dataset.hpp"
#include "nnlab/nn/mlp.hpp"

namespace nnlab::bench {

inline nn::MlpSpec sheet_mlp_spec(nn::Activation hidden = nn::Activation::relu) {
  nn::MlpSpec spec;
  spec.sizes = {784, 512, 512, 10};
  spec.activations = {hidden, hidden};
  spec.loss = nn::Loss::cross_entropy;
  spec.dropout = nn::DropoutKind::inverted;
  spec.keep = {0.8, 0.5, 0.5};
  return spec;
}

// The sheet's network without dropout, initialized (nn.Linear's default) from rng.
inline nn::Mlp<float> sheet_mlp_without_dropout(Rng& rng) {
  nn::MlpSpec spec = sheet_mlp_spec();
  spec.dropout = nn::DropoutKind::none;
  spec.keep.clear();
  nn::Mlp<float> net(spec);
  net.init(rng);
  return net;
}

// Random inputs in [0,1] and one-hot targets, the shapes of a Fashion-MNIST batch.
template <class S>
void random_batch(Index n_in, Index n_out, Index batch, Mat<S>& X, Mat<S>& T, Rng& rng) {
  X.resize(n_in, batch);
  T.setZero(n_out, batch);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(uniform01(rng));
  for (Index j = 0; j < batch; ++j) T(Index(uniform_index(rng, std::uint64_t(n_out))), j) = 1;
}

// random_batch of N samples as a labelled data set, for train::NetworkObjective.
inline data::Dataset<float> random_fashion_mnist(Index N, Rng& rng) {
  data::Dataset<float> d{{}, {}, {}, 10, "random"};
  random_batch(784, 10, N, d.X, d.Y, rng);
  for (Index j = 0; j < N; ++j) {
    Index c = 0;
    d.Y.col(j).maxCoeff(&c);
    d.labels.push_back(int(c));
  }
  return d;
}

}  // namespace nnlab::bench
