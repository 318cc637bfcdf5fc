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
#include <memory>
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
  // The most hessian_at keeps of the forward passes and δ's of the set's chunks; chunks beyond
  // it are recomputed in every product (the same bits, at Mlp::hvp's cost).
  std::size_t hessian_bytes = std::size_t(512) << 20;
};

template <class S>
class NetworkObjective;

// ∇²E at one θ as an operator for many products v ↦ Hv (Lanczos, power iteration, Hutchinson,
// SLQ), from NetworkObjective::hessian_at. It keeps a copy of the network at θ and, per chunk of
// the set, what every product at θ shares (Mlp::hvp_prepare: the activations a, z, the dropout
// masks of inference mode, and the g and δ the R-passes read), so that a product runs only the
// R-passes and their GEMMs: 1.50 gradients of GEMM work on 784-512-512-10 relu against 1.92 for a
// product from scratch.
// Hv is bit for bit NetworkObjective::hvp(θ, v, Hv). What it keeps, in the network's precision,
// per sample: a, z, g and δ of each hidden layer (not g, δ of the first when it is piecewise
// linear) plus a and δ of the output (4·Σ hidden + 2·outputs numbers, 2·n₁ fewer; 12.4 KB in float
// for 784-512-512-10 relu, 12.4 MB for 1000 samples), the inputs of chunks
// copied out of a set larger than one chunk, and the R-passes' buffers of a chunk (about as much
// again; a second, smaller set for a shorter last chunk). The objective's data must outlive it; one operator serves one thread.
template <class S>
class FixedHessian {
 public:
  Index dim() const { return net_.num_params(); }
  void hvp(const Vec<S>& v, Vec<S>& Hv) const;
  // Chunks of the set, and how many of them keep their prepared state.
  Index chunks() const { return Index(chunks_.size()); }
  Index kept_chunks() const;
  // Bytes of the kept states and the R-pass buffers (the latter once a product has run).
  std::size_t bytes() const;

 private:
  friend class NetworkObjective<S>;
  FixedHessian(const NetworkObjective<S>& f, const Vec<S>& theta);

  struct Chunk {
    Index start = 0, size = 0;
    S weight = 1;               // as NetworkObjective::hvp weighs the chunk
    Mat<S> X, T;                // copies, for a kept chunk of a set larger than one chunk
    nn::Cache<S> at;            // hvp_prepare's state, if kept
    bool kept = false;
  };

  nn::Mlp<S> net_;  // at θ
  const data::Dataset<S>* data_;
  ThreadPool* pool_;
  // Each chunk's cache points to its inputs: the chunks stay where they are when the operator moves.
  std::vector<std::unique_ptr<Chunk>> chunks_;
  // The R-passes' buffers, allocated at the first product and reused: one set for the chunks of
  // the full size, one for a shorter last chunk (so that no product reallocates them).
  mutable nn::RBuffers<S> r_, r_last_;
  mutable nn::Cache<S> scratch_;  // a chunk that is not kept
  mutable Mat<S> X_, T_;
  mutable Vec<S> part_;
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
  // ∇²E at θ as an operator whose products skip the work they share (see FixedHessian); it
  // copies the network, so later changes of θ or of net() do not reach it.
  FixedHessian<S> hessian_at(const Vec<S>& theta) const;
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
  friend class FixedHessian<S>;
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
extern template class FixedHessian<float>;
extern template class FixedHessian<double>;
extern template class NetworkObjective<float>;
extern template class NetworkObjective<double>;

}  // namespace nnlab::train
