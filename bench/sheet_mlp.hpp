// The sheet's Fashion-MNIST network, shared by the benchmarks: 784-512-512-10 relu (or another
// hidden activation), softmax cross-entropy, inverted dropout with keep p = 0.8 on the input and
// 0.5 on both hidden layers.
#pragma once
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

}  // namespace nnlab::bench
