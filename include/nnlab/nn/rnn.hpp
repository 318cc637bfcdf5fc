// A vanilla recurrent network, built from the layer passes of layer.hpp, samples as columns:
//   h_0 = 0,  a_t = W_hh h_{t−1} + W_xh x_t + b,  h_t = h(a_t)   (t = 1..T),
//   y = W_y h_T + b_y,  E = loss(y, targets).
// The same W_hh at every step: this is sheet 9.3.2's tied-weight network unrolled in time.
// Backpropagation through time (BPTT), δ_t = ∂E/∂a_t:
//   δ_T = h'(a_T) ⊙ W_yᵀ δ_y,   δ_{t−1} = h'(a_{t−1}) ⊙ W_hhᵀ δ_t,
//   ∂E/∂W_hh = Σ_t δ_t h_{t−1}ᵀ,  ∂E/∂W_xh = Σ_t δ_t x_tᵀ,  ∂E/∂b = Σ_t Σ_n δ_t.
// Shapes: W_hh n_h × n_h, W_xh n_h × n_in, W_y n_out × n_h; x_t n_in × batch.
// θ = [W_hh, W_xh, b, W_y, b_y] (each W column-major), one flat vector like Mlp's.
#pragma once
#include <vector>

#include "nnlab/core/thread_pool.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/nn/activation.hpp"
#include "nnlab/nn/loss.hpp"

namespace nnlab::nn {

struct RnnSpec {
  Index n_in = 1, n_hidden = 1, n_out = 1;
  Activation h = Activation::tanh;
  Loss loss = Loss::sum_of_squares;
  void validate() const;  // throws Error naming the bad size
  Index num_params() const {
    return n_hidden * n_hidden + n_hidden * n_in + n_hidden + n_out * n_hidden + n_out;
  }
};

// What a forward pass keeps for backward, indices as in the math: a[t], delta[t] for t = 1..T,
// z[t] = h_t for t = 0..T (z[0] = h_0 = 0).
template <class Scalar>
struct RnnCache {
  std::vector<Mat<Scalar>> a, z, delta;
  Mat<Scalar> y, delta_y, g;
};

template <class Scalar>
class Rnn {
 public:
  explicit Rnn(RnnSpec spec);
  const RnnSpec& spec() const { return spec_; }
  Index num_params() const { return spec_.num_params(); }
  Vec<Scalar>& theta() { return theta_; }
  const Vec<Scalar>& theta() const { return theta_; }

  // Views of the blocks of θ, or of any vector of θ's layout (a gradient).
  struct View {
    MatMap<Scalar> W_hh, W_xh;
    VecMap<Scalar> b;
    MatMap<Scalar> W_y;
    VecMap<Scalar> b_y;
  };
  View view(Vec<Scalar>& v) const;

  // Forward over x_1..x_T (x[0..T−1]), then BPTT: returns E, overwrites grad = ∂E/∂θ; the cache
  // keeps every a_t, h_t and δ_t.
  Scalar loss_and_gradient(const std::vector<Mat<Scalar>>& x, const Mat<Scalar>& targets,
                           Vec<Scalar>& grad, RnnCache<Scalar>& cache, ThreadPool* pool = nullptr) const;

 private:
  RnnSpec spec_;
  Vec<Scalar> theta_;
};

extern template class Rnn<float>;
extern template class Rnn<double>;

}  // namespace nnlab::nn
