// Vanilla RNN forward and backpropagation through time with the layer passes of layer.hpp:
//   a_t = W_hh h_{t−1} + W_xh x_t + b,  h_t = h(a_t);  δ_{t−1} = h'(a_{t−1}) ⊙ W_hhᵀ δ_t;
//   ∂E/∂W_hh = Σ_t δ_t h_{t−1}ᵀ (accumulated over the steps: W_hh is shared by all of them).
#include "nnlab/nn/rnn.hpp"

#include <fmt/format.h>

#include "nnlab/core/error.hpp"
#include "nnlab/nn/layer.hpp"

namespace nnlab::nn {

void RnnSpec::validate() const {
  if (n_in < 1 || n_hidden < 1 || n_out < 1)
    throw Error(fmt::format("rnn: sizes must be positive, got n_in = {}, n_hidden = {}, n_out = {}", n_in,
                            n_hidden, n_out));
}

template <class Scalar>
Rnn<Scalar>::Rnn(RnnSpec spec) : spec_(spec) {
  spec_.validate();
  theta_ = Vec<Scalar>::Zero(spec_.num_params());
}

template <class Scalar>
typename Rnn<Scalar>::View Rnn<Scalar>::view(Vec<Scalar>& v) const {
  if (v.size() != num_params())
    throw Error(fmt::format("rnn: a vector of θ's layout has {} entries, got {}", num_params(), v.size()));
  const Index H = spec_.n_hidden, I = spec_.n_in, O = spec_.n_out;
  Scalar* p = v.data();
  const Index hh = H * H, xh = H * I, hy = O * H;
  return {MatMap<Scalar>(p, H, H), MatMap<Scalar>(p + hh, H, I), VecMap<Scalar>(p + hh + xh, H),
          MatMap<Scalar>(p + hh + xh + H, O, H), VecMap<Scalar>(p + hh + xh + H + hy, O)};
}

template <class Scalar>
Scalar Rnn<Scalar>::loss_and_gradient(const std::vector<Mat<Scalar>>& x, const Mat<Scalar>& targets,
                                      Vec<Scalar>& grad, RnnCache<Scalar>& cache, ThreadPool* pool) const {
  const auto T = x.size();
  if (T == 0) throw Error("rnn: the sequence is empty (T = 0)");
  const Index N = x.front().cols(), H = spec_.n_hidden;
  for (std::size_t t = 0; t < T; ++t)
    if (x[t].rows() != spec_.n_in || x[t].cols() != N)
      throw Error(fmt::format("rnn: x_{} is {}×{}, expected {}×{}", t + 1, x[t].rows(), x[t].cols(), spec_.n_in, N));
  if (targets.rows() != spec_.n_out || targets.cols() != N)
    throw Error(fmt::format("rnn: targets are {}×{}, expected {}×{}", targets.rows(), targets.cols(), spec_.n_out, N));
  Vec<Scalar>& theta = const_cast<Vec<Scalar>&>(theta_);  // views only read it
  const View p = view(theta);
  cache.a.assign(T + 1, Mat<Scalar>(H, N));
  cache.z.assign(T + 1, Mat<Scalar>::Zero(H, N));
  cache.delta.assign(T + 1, Mat<Scalar>(H, N));
  cache.g.resize(H, N);
  cache.y.resize(spec_.n_out, N);
  for (std::size_t t = 1; t <= T; ++t) {
    dense_forward<Scalar>(p.W_xh, p.b.data(), x[t - 1], cache.a[t], Update::overwrite, pool);
    dense_forward<Scalar>(p.W_hh, nullptr, cache.z[t - 1], spec_.h, cache.a[t], cache.z[t], Update::accumulate, pool);
  }
  dense_forward<Scalar>(p.W_y, p.b_y.data(), cache.z[T], cache.y, Update::overwrite, pool);
  const Scalar E = nn::loss_and_gradient(spec_.loss, cache.y, targets, cache.delta_y);

  grad.resize(num_params());
  const View d = view(grad);
  weight_gradient<Scalar>(cache.delta_y, cache.z[T], d.W_y, Update::overwrite, pool);
  bias_gradient<Scalar>(cache.delta_y, d.b_y, Update::overwrite);
  backprop_delta<Scalar>(p.W_y, cache.delta_y, std::nullopt, spec_.h, cache.a[T], cache.z[T], cache.g,
                         cache.delta[T], pool);
  for (std::size_t t = T; t >= 1; --t) {
    const Update u = t == T ? Update::overwrite : Update::accumulate;  // W shared over t
    weight_gradient<Scalar>(cache.delta[t], cache.z[t - 1], d.W_hh, u, pool);
    weight_gradient<Scalar>(cache.delta[t], x[t - 1], d.W_xh, u, pool);
    bias_gradient<Scalar>(cache.delta[t], d.b, u);
    if (t > 1)
      backprop_delta<Scalar>(p.W_hh, cache.delta[t], std::nullopt, spec_.h, cache.a[t - 1], cache.z[t - 1],
                             cache.g, cache.delta[t - 1], pool);
  }
  return E;
}

template class Rnn<float>;
template class Rnn<double>;

}  // namespace nnlab::nn
