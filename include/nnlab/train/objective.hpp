// A network's loss on a data set as an objective (optim/objective.hpp), so that every driver,
// Lanczos and Hutchinson take a network exactly as they take a quadratic or Rosenbrock:
//   value(θ), gradient(θ, g), hvp(θ, v, Hv)   the loss E(θ) on the whole set, in inference mode
//                                            (no sampled masks; standard dropout scales by p);
//   gradient(θ, batch, g)                    the loss on a batch of samples in training mode:
//                                            fresh dropout masks from the objective's own mask
//                                            stream, exactly what one training step computes.
// E is the network's loss with its reduction (nn/loss.hpp): cross_entropy and mse are means, so
// the batch gradient is the batch mean of the concept; sum_of_squares is ½Σ over the set or the
// batch. Whole-set passes run in chunks of at most `chunk` samples (exact: chunk results are
// re-weighted), so memory stays bounded on large sets; chunks and row blocks depend only on the
// shapes, so results are bit-identical for any thread count.
//
// θ is taken by reference as the concept asks; a driver that passes the network's own θ
// (net.theta()) costs no copy, any other vector is copied into the network first. The
// objective keeps workspaces and the mask stream, so one objective serves one thread at a time.
#pragma once
#include <span>
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/data/dataset.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/optimizer.hpp"

namespace nnlab::train {

struct ObjectiveOptions {
  std::uint64_t seed = 1;      // batch gradients draw dropout masks from stream (seed, dropout)
  Index chunk = 4096;          // largest number of samples in one whole-set pass
  ThreadPool* pool = nullptr;  // where the passes may run (nullptr: the calling thread)
};

template <class S>
class NetworkObjective {
 public:
  using Scalar = S;

  // net and data must outlive the objective. Throws Error when they do not fit together.
  NetworkObjective(nn::Mlp<S>& net, const data::Dataset<S>& data, ObjectiveOptions options = {});

  Index dim() const { return net_->num_params(); }
  Index num_samples() const { return data_->size(); }

  S value(const Vec<S>& theta) const;
  S gradient(const Vec<S>& theta, Vec<S>& g) const;
  void hvp(const Vec<S>& theta, const Vec<S>& v, Vec<S>& Hv) const;
  S gradient(const Vec<S>& theta, std::span<const Index> batch, Vec<S>& g) const;
  // The batch gradient with opt's step fused into backprop (nn::Mlp::loss_gradient_step): θ
  // leaves as gradient(θ, batch, g) then opt.step(θ, g) would leave it, bit for bit, and g holds
  // the batch gradient. A non-finite loss takes no step. θ other than net().theta() is stepped
  // after the whole gradient (the fused path updates the network's own θ).
  S gradient_step(Vec<S>& theta, std::span<const Index> batch, Vec<S>& g,
                  optim::Optimizer<S>& opt) const;

  // After a batch gradient: that batch's forward pass (y, every a, z, δ) and its labels.
  const nn::Cache<S>& cache() const { return cache_; }
  const std::vector<int>& batch_labels() const { return labels_; }

  nn::Mlp<S>& net() const { return *net_; }
  const data::Dataset<S>& data() const { return *data_; }
  ThreadPool* pool() const { return options_.pool; }

 private:
  void use(const Vec<S>& theta) const;
  void gather(std::span<const Index> batch) const;  // the batch's columns into X_, T_, labels_
  // f(X_c, T_c, weight) for each chunk c of the set, weight = |c|/N for mean reductions, else 1.
  template <class F>
  void for_each_chunk(F&& f) const;

  nn::Mlp<S>* net_;
  const data::Dataset<S>* data_;
  ObjectiveOptions options_;
  mutable Rng mask_rng_;
  mutable nn::Cache<S> cache_;
  mutable Mat<S> X_, T_;
  mutable Vec<S> part_;
  mutable std::vector<int> labels_;
};

// The explicit form of SGD's implicit regularizer on one batch (Smith, Dherin, Barrett & De,
// ICLR 2021): the batch's columns split into m consecutive blocks of `sub` samples with losses
// L̂_k, and
//   F(θ) = (1/m) Σ_k L̂_k(θ) + λ·(1/m) Σ_k ‖∇L̂_k(θ)‖²,
//   ∇F   = (1/m) Σ_k (g_k + 2λ H_k g_k),  g_k = ∇L̂_k, H_k g_k one exact H·v per block,
// about three times a plain gradient. Writes ∇F into g and returns F, in inference mode (no
// dropout masks). Error unless `sub` divides the batch.
template <class S>
S penalized_gradient(const nn::Mlp<S>& net, const Mat<S>& X, const Mat<S>& T, Index sub,
                     double lambda, nn::Cache<S>& cache, Vec<S>& g);

// Throws Error unless the network's input and output sizes match the data's and a
// cross-entropy network has class labels; `which` names the data in the message.
template <class S>
void check_fit(const nn::Mlp<S>& net, const data::Dataset<S>& data, std::string_view which);

extern template float penalized_gradient(const nn::Mlp<float>&, const Mat<float>&, const Mat<float>&,
                                         Index, double, nn::Cache<float>&, Vec<float>&);
extern template double penalized_gradient(const nn::Mlp<double>&, const Mat<double>&, const Mat<double>&,
                                          Index, double, nn::Cache<double>&, Vec<double>&);
extern template class NetworkObjective<float>;
extern template class NetworkObjective<double>;

}  // namespace nnlab::train
