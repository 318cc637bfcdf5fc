// A fully connected network in PRML 5.3.1 notation, samples as columns:
//   z^(1) = x,   a^(k+1) = W^(k) z̃^(k) + b^(k),   z^(k) = h_k(a^(k)),   y = a^(L+1) (linear output),
//   z̃^(k) = z^(k) ⊙ m^(k) with the dropout mask m^(k) (1 without dropout),
//   δ^(L+1) = ∂E/∂y,   δ^(k) = h'(a^(k)) ⊙ m^(k) ⊙ (W^(k)ᵀ δ^(k+1)),
//   ∂E/∂W^(k) = δ^(k+1) z̃^(k)ᵀ,   ∂E/∂b^(k) = Σ_n δ^(k+1)_n.
// W^(k): n_{k+1} × n_k, Z: n_k × batch. Layers are numbered k = 1..L as in the math; each one's
// passes (and their R-operator forms, for H·v) are the free functions of layer.hpp.
// All parameters live in one flat vector θ = [W^(1), b^(1), W^(2), b^(2), …] (each W column-major);
// W(k) and b(k) are Eigen::Map views into it, and gradients, directions and Hessian-vector
// products use the same layout.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/nn/activation.hpp"
#include "nnlab/nn/layer.hpp"
#include "nnlab/nn/loss.hpp"

namespace nnlab::nn {

// Dropout with KEEP probability p (Srivastava et al. 2014; PyTorch's Dropout(p) takes the DROP
// probability 1 − p instead). standard: m = r ~ Bernoulli(p) in training, m = p at inference.
// inverted: m = r/p in training, m = 1 at inference. Both have E[m] equal to the inference m.
enum class DropoutKind { none, standard, inverted };
DropoutKind parse_dropout_kind(std::string_view name);  // "none", "standard", "inverted"
std::string to_string(DropoutKind kind);

// Weight tying: hidden = all hidden-to-hidden matrices W^(2..L−1) are one W (hidden sizes equal);
// all = every W^(k) is one W (all sizes equal), as in sheet 9.3.2. Biases are never tied.
enum class Tying { none, hidden, all };
Tying parse_tying(std::string_view name);
std::string to_string(Tying tying);

enum class Init {
  uniform,         // W, b ~ U(±1/√n_k): PyTorch's nn.Linear default
  he_normal,       // W ~ N(0, 2/n_k), b = 0 (He et al. 2015)
  glorot_uniform,  // W ~ U(±√(6/(n_k + n_{k+1}))), b = 0 (Glorot & Bengio 2010)
  orthogonal,      // W = gain·Q from a QR of a Gaussian matrix, b = 0 (Saxe et al. 2014)
};
Init parse_init(std::string_view name);
std::string to_string(Init init);

struct MlpSpec {
  std::vector<Index> sizes;             // n_1 (inputs), …, n_{L+1} (outputs); L ≥ 1
  std::vector<Activation> activations;  // h_k for hidden layers k = 2..L (L − 1 entries)
  Loss loss = Loss::cross_entropy;
  bool bias = true;
  Tying tying = Tying::none;
  DropoutKind dropout = DropoutKind::none;
  std::vector<double> keep;  // p for z^(1..L) (L entries: input, then hidden); empty = all 1

  int layers() const { return int(sizes.size()) - 1; }  // L
  double keep_of(int k) const { return keep.empty() ? 1.0 : keep[std::size_t(k - 1)]; }
  void validate() const;  // throws Error naming the inconsistency
  // The layer whose W^(owner) layer k uses (itself unless tied), and θ's length with each tied W
  // counted once: known before anything is allocated.
  int W_owner(int k) const;
  Index num_params() const;

  // "784-512-512-10" → sizes; Error on anything that is not positive integers joined by '-'.
  static std::vector<Index> parse_sizes(std::string_view arch);
};

// The R-operator's buffers of one Hessian-vector product (Pearlmutter 1994): R{a^(k)}, R{z̃^(k)},
// R{δ^(k)} (indexed as Cache's a, z and δ), and scratch.
template <class Scalar>
struct RBuffers {
  std::vector<Mat<Scalar>> Ra, Rz, Rdelta;
  Mat<Scalar> tmp, tmp2;
};

// What forward() remembers for backward() and the R-operator. Indices are the math's:
// a[k] for k = 2..L+1, z[k] and m[k] for k = 1..L, delta[k] for k = 2..L+1 (entry 0 and unused
// entries stay empty). Buffers keep their capacity, so training loops do not allocate.
template <class Scalar>
struct Cache {
  std::vector<Mat<Scalar>> a, z, mask, z_dropped, delta;
  std::vector<Mat<Scalar>> g;      // g^(k) = m^(k) ⊙ W^(k)ᵀ δ^(k+1), so that δ^(k) = h'(a^(k)) ⊙ g^(k)
  std::vector<bool> dropped;       // dropout acted on z^(k) in the last forward
  const Mat<Scalar>* x = nullptr;  // z^(1): the caller's input, must outlive backward()
  Scalar loss = 0;
  bool has_forward = false;
  RBuffers<Scalar> r;  // hvp's and gnvp's R-passes
  // A batch's column chunks: their shares of the loss, and the gradients of chunks 2, 3, ….
  std::vector<Scalar> chunk_loss;
  std::vector<Vec<Scalar>> chunk_grad;

  const Mat<Scalar>& y() const { return a.back(); }
  // The matrix that multiplies W^(k): z̃^(k) if dropout acts on layer k, else z^(k).
  const Mat<Scalar>& input_of(int k) const;
};

enum class Mode {
  eval,          // no sampling; standard dropout scales by p
  train,         // sample fresh masks from the given Rng
  frozen_masks,  // reuse the masks of the previous forward (gradient checks, shared masks)
};

template <class Scalar>
class Mlp {
 public:
  explicit Mlp(MlpSpec spec);

  const MlpSpec& spec() const { return spec_; }
  int layers() const { return spec_.layers(); }
  Index num_params() const { return num_params_; }

  Vec<Scalar>& theta() { return theta_; }
  const Vec<Scalar>& theta() const { return theta_; }

  // Views of layer k (1..L) in θ or in any vector of θ's layout (gradient, direction, Hv).
  MatMap<Scalar> W(int k) { return W(theta_, k); }
  ConstMatMap<Scalar> W(int k) const { return W(theta_, k); }
  VecMap<Scalar> b(int k) { return b(theta_, k); }
  ConstVecMap<Scalar> b(int k) const { return b(theta_, k); }
  MatMap<Scalar> W(Vec<Scalar>& v, int k) const;
  ConstMatMap<Scalar> W(const Vec<Scalar>& v, int k) const;
  VecMap<Scalar> b(Vec<Scalar>& v, int k) const;  // requires spec().bias
  ConstVecMap<Scalar> b(const Vec<Scalar>& v, int k) const;
  Index W_offset(int k) const { return W_offset_[std::size_t(k)]; }
  Index b_offset(int k) const { return b_offset_[std::size_t(k)]; }
  // The layer whose W block layer k uses (k itself unless tied).
  int W_owner(int k) const { return W_owner_[std::size_t(k)]; }

  void init(Rng& rng, Init scheme = Init::uniform, double gain = 1.0);

  // Every pass takes the pool it may run on (nullptr: the calling thread). Large products are
  // split into a fixed number of row blocks, and small networks' batches into column chunks;
  // both splits depend only on the shapes, so results are bit-identical for any thread count.

  // Forward pass of a batch X (n_1 × N); y = cache.y(). rng is needed in Mode::train.
  void forward(const Mat<Scalar>& X, Cache<Scalar>& cache, Mode mode = Mode::eval,
               Rng* rng = nullptr, ThreadPool* pool = nullptr) const;

  // After forward: E(y, T), every δ^(k), and grad = ∂E/∂θ (overwritten, not accumulated).
  Scalar backward(const Mat<Scalar>& T, Cache<Scalar>& cache, Vec<Scalar>& grad,
                  ThreadPool* pool = nullptr) const;

  // forward + backward in one call.
  Scalar loss_and_gradient(const Mat<Scalar>& X, const Mat<Scalar>& T, Cache<Scalar>& cache,
                           Vec<Scalar>& grad, Mode mode = Mode::eval, Rng* rng = nullptr,
                           ThreadPool* pool = nullptr) const;

  // loss_and_gradient with an optimizer's step fused into backprop: as soon as the backward pass
  // is done with a range [offset, offset + len) of θ — its gradient in grad final, and nothing
  // later in the pass reading those parameters (W^(k) is stepped after δ^(k) = h' ⊙ m ⊙ W^(k)ᵀδ^(k+1)
  // has used it) — it calls step(offset, len), while the block and its gradient are in cache:
  // per panel of each ∂E/∂W^(k) product, on the thread that computed it, and per b^(k). The
  // ranges are disjoint and cover θ once; they may run on the pool's threads at once (under the
  // caller's floating-point mode). With tied weights, or a batch split in column chunks (small
  // networks, see loss_and_gradient), it calls step(0, D) once after the whole gradient. A
  // non-finite loss skips step (and leaves grad unspecified).
  using RangeStep = std::function<void(Index offset, Index len)>;
  Scalar loss_gradient_step(const Mat<Scalar>& X, const Mat<Scalar>& T, Cache<Scalar>& cache,
                            Vec<Scalar>& grad, const RangeStep& step, Mode mode = Mode::eval,
                            Rng* rng = nullptr, ThreadPool* pool = nullptr) const;

  // The share of columns [c0, c0 + n) of a batch X (n_1 × N) in loss_and_gradient: masks are
  // drawn for the whole batch, exactly as forward() draws them, so every column gets the mask it
  // gets in the whole batch's pass; forward and backward run on those columns only, δ^(L+1) with
  // the whole batch's N. Returns their share of E and writes their gradient into grad, so the
  // shares of a partition of the columns add up to loss_and_gradient's E and ∂E/∂θ, up to the
  // order of the sums over columns (bit-identical per-column a, z, m and δ; with c0 = 0, n = N
  // it is loss_and_gradient itself). Only the shard's columns of X and T are read. Data-parallel
  // training (train/data_parallel.hpp) runs one share per rank.
  Scalar shard_loss_and_gradient(const Mat<Scalar>& X, const Mat<Scalar>& T, Index c0, Index n,
                                 Cache<Scalar>& cache, Vec<Scalar>& grad, Mode mode = Mode::eval,
                                 Rng* rng = nullptr, ThreadPool* pool = nullptr) const;

  // Exact Hessian-vector product Hv = ∇²_θ E · v by the R-operator (forward R-pass, then backward
  // R-pass), about twice the cost of a gradient. Runs forward and the δ part of backward itself
  // with `mode` (Mode::frozen_masks differentiates through the masks of the previous forward);
  // it skips ∂E/∂W, which it does not need: call loss_and_gradient for the gradient.
  void hvp(const Mat<Scalar>& X, const Mat<Scalar>& T, const Vec<Scalar>& v, Cache<Scalar>& cache,
           Vec<Scalar>& Hv, Mode mode = Mode::eval, Rng* rng = nullptr,
           ThreadPool* pool = nullptr) const;

  // hvp in its two halves, for many directions at one θ and batch (Lanczos, power iteration,
  // Hutchinson): hvp_prepare runs what every product at this point shares — forward (with
  // `mode`), the loss and every δ the R-passes read, without ∂E/∂W — and hvp_prepared then gives
  // Hv for one direction from the R-passes alone, reading `at` and writing only r and Hv: the
  // same operations as hvp, so the same bits, for as long as θ and X (which `at` points to) stay
  // as they were. On the 784-512-512-10 relu net a prepared product is 1.50 gradients of GEMM
  // work against hvp's 1.92.
  void hvp_prepare(const Mat<Scalar>& X, const Mat<Scalar>& T, Cache<Scalar>& cache,
                   Mode mode = Mode::eval, Rng* rng = nullptr, ThreadPool* pool = nullptr) const;
  void hvp_prepared(const Mat<Scalar>& T, const Vec<Scalar>& v, const Cache<Scalar>& at,
                    RBuffers<Scalar>& r, Vec<Scalar>& Hv, ThreadPool* pool = nullptr) const;

  // Gauss–Newton-vector product Gv = Jᵀ (∇²_y E) J v (positive semidefinite for convex losses).
  // cache.delta then holds this backward pass of (∇²_y E) J v, not ∂E/∂a.
  void gnvp(const Mat<Scalar>& X, const Mat<Scalar>& T, const Vec<Scalar>& v, Cache<Scalar>& cache,
            Vec<Scalar>& Gv, Mode mode = Mode::eval, Rng* rng = nullptr,
            ThreadPool* pool = nullptr) const;

  // Predicted class per column (argmax of y) and accuracy against labels, in eval mode,
  // in batches of `batch` columns.
  double accuracy(const Mat<Scalar>& X, const std::vector<int>& labels, Index batch = 1000,
                  ThreadPool* pool = nullptr) const;
  // Loss on a whole data set in eval mode, exact for every reduction (batches re-weighted).
  double dataset_loss(const Mat<Scalar>& X, const Mat<Scalar>& T, Index batch = 1000,
                      ThreadPool* pool = nullptr) const;

 private:
  // Whether backprop adds layer k's ∂E/∂W to its block (tied, and a later layer wrote it first:
  // the backward pass runs k = L, …, 1).
  Update update_of(int k) const {
    for (int j = k + 1; j <= layers(); ++j)
      if (W_owner(j) == W_owner(k)) return Update::accumulate;
    return Update::overwrite;
  }
  // forward() in two parts: checks, buffer shapes and dropout masks of the whole batch, then the
  // layers on columns [c0, c0 + n), which chunks of a batch run on different threads (if large).
  void prepare_forward(const Mat<Scalar>& X, Cache<Scalar>& cache, Mode mode, Rng* rng,
                       ThreadPool* pool) const;
  void forward_columns(Cache<Scalar>& cache, Index c0, Index n, ThreadPool* pool) const;
  // How many column chunks loss_and_gradient splits a batch of N into (a function of shapes).
  Index batch_chunks(Index N) const;
  void resize_backward(Cache<Scalar>& cache) const;  // g and δ to the batch's shape
  // Backpropagates columns [c0, c0 + n) of cache.delta[L+1] down to δ^(lowest) (2, or 3 when
  // grad is null and nothing reads g^(2), δ^(2)), writing those columns' ∂E/∂θ into grad unless
  // grad is null, and stepping each finished range of θ if step is given (loss_gradient_step;
  // all columns, untied weights only).
  void propagate(Cache<Scalar>& cache, Vec<Scalar>* grad, Index c0, Index n, ThreadPool* pool,
                 const RangeStep* step = nullptr, int lowest = 2) const;
  // R{a^(k)}, R{z̃^(k)} for direction v, after forward; R{y} = r.Ra[L+1].
  void r_forward(const Vec<Scalar>& v, const Cache<Scalar>& at, RBuffers<Scalar>& r,
                 ThreadPool* pool) const;

  MlpSpec spec_;
  Index num_params_ = 0;
  std::vector<Index> W_offset_, b_offset_;
  std::vector<int> W_owner_;
  Vec<Scalar> theta_;
};

extern template class Mlp<float>;
extern template class Mlp<double>;

}  // namespace nnlab::nn
