#include "nnlab/nn/loss.hpp"

#include <cmath>

#include "nnlab/core/error.hpp"

namespace nnlab::nn {

Loss parse_loss(std::string_view name) {
  if (name == "sum_of_squares" || name == "sse") return Loss::sum_of_squares;
  if (name == "mse") return Loss::mse;
  if (name == "cross_entropy" || name == "ce") return Loss::cross_entropy;
  fail("unknown loss '{}'; valid: sum_of_squares, mse, cross_entropy", name);
}

std::string to_string(Loss loss) {
  switch (loss) {
    case Loss::sum_of_squares: return "sum_of_squares";
    case Loss::mse: return "mse";
    case Loss::cross_entropy: return "cross_entropy";
  }
  return "?";
}

template <class S>
void softmax(const Mat<S>& Y, Mat<S>& P) {
  P.resize(Y.rows(), Y.cols());
  for (Index n = 0; n < Y.cols(); ++n) {
    const S m = Y.col(n).maxCoeff();
    P.col(n) = (Y.col(n).array() - m).exp();
    P.col(n) /= P.col(n).sum();
  }
}

namespace {
void check_shapes(Index yr, Index yc, Index tr, Index tc) {
  require(yr == tr && yc == tc, "loss: outputs are {}×{} but targets are {}×{}", yr, yc, tr, tc);
}
}  // namespace

template <class S>
S loss_and_gradient(Loss loss, const Mat<S>& Y, const Mat<S>& T, Mat<S>& dY, Index c0, Index n) {
  check_shapes(Y.rows(), Y.cols(), T.rows(), T.cols());
  require(dY.rows() == Y.rows() && dY.cols() == Y.cols() && c0 >= 0 && n >= 0 && c0 + n <= Y.cols(),
          "loss: columns [{}, {}) of a {}×{} batch with a {}×{} gradient", c0, c0 + n, Y.rows(),
          Y.cols(), dY.rows(), dY.cols());
  const S N = S(Y.cols());
  auto d = dY.middleCols(c0, n);
  switch (loss) {
    case Loss::sum_of_squares:
      d = Y.middleCols(c0, n) - T.middleCols(c0, n);
      return S(0.5) * d.squaredNorm();
    case Loss::mse: {
      d = Y.middleCols(c0, n) - T.middleCols(c0, n);
      const S value = d.squaredNorm() / (N * S(Y.rows()));
      d *= S(2) / (N * S(Y.rows()));
      return value;
    }
    case Loss::cross_entropy: {
      // E_n = log Σ_k e^{y_k} · Σ_k t_k − Σ_k t_k y_k;  ∂E_n/∂y = s Σ_k t_k − t.
      double value = 0;
      for (Index j = c0; j < c0 + n; ++j) {
        const S m = Y.col(j).maxCoeff();
        dY.col(j) = (Y.col(j).array() - m).exp();
        const S sum = dY.col(j).sum();
        const S t_sum = T.col(j).sum();
        value += double((m + std::log(sum)) * t_sum - T.col(j).dot(Y.col(j)));
        dY.col(j) = ((dY.col(j) / sum) * t_sum - T.col(j)) / N;
      }
      return S(value / double(N));
    }
  }
  return S(0);
}

template <class S>
S loss_and_gradient(Loss loss, const Mat<S>& Y, const Mat<S>& T, Mat<S>& dY) {
  dY.resize(Y.rows(), Y.cols());
  return loss_and_gradient(loss, Y, T, dY, 0, Y.cols());
}

template <class S>
S loss_value(Loss loss, const Mat<S>& Y, const Mat<S>& T) {
  Mat<S> dY;
  return loss_and_gradient(loss, Y, T, dY);
}

template <class S>
void loss_hessian_times(Loss loss, const Mat<S>& Y, const Mat<S>& T, const Mat<S>& R, Mat<S>& out) {
  check_shapes(Y.rows(), Y.cols(), T.rows(), T.cols());
  const S N = S(Y.cols());
  switch (loss) {
    case Loss::sum_of_squares: out = R; return;
    case Loss::mse: out = R * (S(2) / (N * S(Y.rows()))); return;
    case Loss::cross_entropy: {
      softmax(Y, out);  // out holds s, then becomes the product
      for (Index n = 0; n < Y.cols(); ++n) {
        const S s_dot_r = out.col(n).dot(R.col(n));
        out.col(n) = out.col(n).cwiseProduct(R.col(n)) - out.col(n) * s_dot_r;
        out.col(n) *= T.col(n).sum() / N;
      }
      return;
    }
  }
}

#define NNLAB_INSTANTIATE(S)                                                                  \
  template S loss_and_gradient<S>(Loss, const Mat<S>&, const Mat<S>&, Mat<S>&);               \
  template S loss_and_gradient<S>(Loss, const Mat<S>&, const Mat<S>&, Mat<S>&, Index, Index); \
  template S loss_value<S>(Loss, const Mat<S>&, const Mat<S>&);                               \
  template void loss_hessian_times<S>(Loss, const Mat<S>&, const Mat<S>&, const Mat<S>&,      \
                                      Mat<S>&);                                               \
  template void softmax<S>(const Mat<S>&, Mat<S>&);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::nn
