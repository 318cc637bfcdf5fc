// Losses E(Y, T) of a batch of outputs Y (n_out × N, linear output y = a^(L+1)) and targets T,
// with their exact reductions:
//   sum_of_squares  E = ½ Σ_n ‖y_n − t_n‖²                 (PRML 5.11; δ^(L+1) = y − t)
//   mse             E = 1/(N·K) Σ_n Σ_k (y_nk − t_nk)²      (PyTorch's MSELoss, mean over all entries)
//   cross_entropy   E = −1/N Σ_n Σ_k t_nk log softmax(y_n)_k (PyTorch's CrossEntropyLoss, mean;
//                                                          δ^(L+1) = (softmax(y) − t)/N for one-hot t)
// The mean reductions make δ carry a 1/N (or 1/(NK)) factor; sum_of_squares does not.
#pragma once
#include <string>
#include <string_view>

#include "nnlab/core/types.hpp"

namespace nnlab::nn {

enum class Loss { sum_of_squares, mse, cross_entropy };

Loss parse_loss(std::string_view name);  // "sum_of_squares" (or "sse"), "mse", "cross_entropy"
std::string to_string(Loss loss);

// Returns E and writes dE/dY into dY (same shape as Y).
template <class Scalar>
Scalar loss_and_gradient(Loss loss, const Mat<Scalar>& Y, const Mat<Scalar>& T, Mat<Scalar>& dY);
// The same on columns [c0, c0 + n) of the batch: their share of E (still reduced over the whole
// batch's N) and their columns of dY, which must already have Y's shape. Shares of disjoint
// column ranges add up to E.
template <class Scalar>
Scalar loss_and_gradient(Loss loss, const Mat<Scalar>& Y, const Mat<Scalar>& T, Mat<Scalar>& dY,
                         Index c0, Index n);

template <class Scalar>
Scalar loss_value(Loss loss, const Mat<Scalar>& Y, const Mat<Scalar>& T);

// out = ∇²_Y E · R, the loss Hessian in output space applied to a direction R (n_out × N);
// the Hessian is block diagonal over samples. For cross entropy, per column:
// (diag(s) − s sᵀ)·r·(Σ_k t_k)/N with s = softmax(y).
template <class Scalar>
void loss_hessian_times(Loss loss, const Mat<Scalar>& Y, const Mat<Scalar>& T,
                        const Mat<Scalar>& R, Mat<Scalar>& out);

// Column-wise softmax, stable (max subtracted).
template <class Scalar>
void softmax(const Mat<Scalar>& Y, Mat<Scalar>& S);

}  // namespace nnlab::nn
