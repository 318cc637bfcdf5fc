// Forward, backward and R-operator passes of Mlp, written with the layer functions of layer.hpp;
// see mlp.hpp and layer.hpp for the equations.
#include "nnlab/nn/mlp.hpp"

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nnlab/core/allocator.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/core/packet.hpp"
#include "product.hpp"

namespace nnlab::nn {

// ------------------------------------------------------------------ names
namespace {
template <class E, std::size_t N>
E parse_enum(std::string_view what, std::string_view name, const std::string_view (&names)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    if (name == names[i]) return E(i);
  std::string valid;
  for (auto n : names) valid += (valid.empty() ? "" : ", ") + std::string(n);
  fail("unknown {} '{}'; valid: {}", what, name, valid);
}
constexpr std::string_view dropout_names[] = {"none", "standard", "inverted"};
constexpr std::string_view tying_names[] = {"none", "hidden", "all"};
constexpr std::string_view init_names[] = {"uniform", "he_normal", "glorot_uniform", "orthogonal"};
}  // namespace

DropoutKind parse_dropout_kind(std::string_view n) {
  return parse_enum<DropoutKind>("dropout kind", n, dropout_names);
}
std::string to_string(DropoutKind k) { return std::string(dropout_names[int(k)]); }
Tying parse_tying(std::string_view n) { return parse_enum<Tying>("weight tying", n, tying_names); }
std::string to_string(Tying t) { return std::string(tying_names[int(t)]); }
Init parse_init(std::string_view n) { return parse_enum<Init>("initialization", n, init_names); }
std::string to_string(Init i) { return std::string(init_names[int(i)]); }

// ------------------------------------------------------------------ spec
std::vector<Index> MlpSpec::parse_sizes(std::string_view arch) {
  std::vector<Index> sizes;
  std::size_t start = 0;
  while (start <= arch.size()) {
    const std::size_t end = std::min(arch.find('-', start), arch.size());
    const std::string_view part = arch.substr(start, end - start);
    Index n = 0;
    bool ok = !part.empty() && part.size() <= 9;  // at most 9 digits, so n cannot overflow
    for (char c : part) {
      ok = ok && c >= '0' && c <= '9';
      if (ok) n = n * 10 + (c - '0');
    }
    require(ok && n > 0,
            "architecture '{}' does not parse: '{}' is not a positive layer size (expected e.g. "
            "784-512-512-10)",
            arch, part);
    sizes.push_back(n);
    start = end + 1;
  }
  require(sizes.size() >= 2, "architecture '{}' needs at least an input and an output size", arch);
  return sizes;
}

int MlpSpec::W_owner(int k) const {
  if (tying == Tying::all) return 1;
  if (tying == Tying::hidden && k >= 3 && k <= layers() - 1) return 2;
  return k;
}

Index MlpSpec::num_params() const {
  Index n = 0;
  for (int k = 1; k <= layers(); ++k)
    n += (W_owner(k) == k ? sizes[std::size_t(k)] * sizes[std::size_t(k - 1)] : 0) +
         (bias ? sizes[std::size_t(k)] : 0);
  return n;
}

void MlpSpec::validate() const {
  const int L = layers();
  require(L >= 1, "an MLP needs at least 2 sizes (inputs and outputs), got {}", sizes.size());
  for (Index n : sizes) require(n > 0, "layer sizes must be positive, got {}", n);
  require(int(activations.size()) == L - 1, "{} weight layers need {} hidden activations, got {}", L,
          L - 1, activations.size());
  require(keep.empty() || int(keep.size()) == L,
          "keep probabilities: need one per layer input (input + {} hidden = {}), got {}", L - 1, L,
          keep.size());
  for (double p : keep)
    require(p > 0 && p <= 1, "keep probability p must be in (0, 1], got {}", p);
  if (tying == Tying::hidden)
    for (int k = 3; k <= L; ++k)
      require(sizes[std::size_t(k - 1)] == sizes[1],
              "tying hidden weights needs equal hidden sizes, got n_2 = {} and n_{} = {}", sizes[1], k,
              sizes[std::size_t(k - 1)]);
  if (tying == Tying::all)
    for (Index n : sizes)
      require(n == sizes[0], "tying all weights needs all sizes equal, got {} and {}", sizes[0], n);
}

// ------------------------------------------------------------------ layout
template <class S>
const Mat<S>& Cache<S>::input_of(int k) const {
  if (dropped[std::size_t(k)]) return z_dropped[std::size_t(k)];
  return k == 1 ? *x : z[std::size_t(k)];
}

template <class S>
Mlp<S>::Mlp(MlpSpec spec) : spec_(std::move(spec)) {
  keep_freed_memory();
  spec_.validate();
  const int L = layers();
  W_offset_.assign(std::size_t(L + 1), 0);
  b_offset_.assign(std::size_t(L + 1), -1);
  W_owner_.assign(std::size_t(L + 1), 0);
  Index offset = 0;
  for (int k = 1; k <= L; ++k) {
    const int owner = spec_.W_owner(k);
    W_owner_[std::size_t(k)] = owner;
    if (owner == k) {
      W_offset_[std::size_t(k)] = offset;
      offset += spec_.sizes[std::size_t(k)] * spec_.sizes[std::size_t(k - 1)];
    } else {
      W_offset_[std::size_t(k)] = W_offset_[std::size_t(owner)];
    }
    if (spec_.bias) {
      b_offset_[std::size_t(k)] = offset;
      offset += spec_.sizes[std::size_t(k)];
    }
  }
  num_params_ = offset;
  theta_ = Vec<S>::Zero(num_params_);
}

template <class S>
MatMap<S> Mlp<S>::W(Vec<S>& v, int k) const {
  return MatMap<S>(v.data() + W_offset(k), spec_.sizes[std::size_t(k)], spec_.sizes[std::size_t(k - 1)]);
}
template <class S>
ConstMatMap<S> Mlp<S>::W(const Vec<S>& v, int k) const {
  return ConstMatMap<S>(v.data() + W_offset(k), spec_.sizes[std::size_t(k)],
                        spec_.sizes[std::size_t(k - 1)]);
}
template <class S>
VecMap<S> Mlp<S>::b(Vec<S>& v, int k) const {
  require(spec_.bias, "this network has no biases");
  return VecMap<S>(v.data() + b_offset(k), spec_.sizes[std::size_t(k)]);
}
template <class S>
ConstVecMap<S> Mlp<S>::b(const Vec<S>& v, int k) const {
  require(spec_.bias, "this network has no biases");
  return ConstVecMap<S>(v.data() + b_offset(k), spec_.sizes[std::size_t(k)]);
}

template <class S>
void Mlp<S>::init(Rng& rng, Init scheme, double gain) {
  for (int k = 1; k <= layers(); ++k) {
    if (W_owner(k) != k) continue;
    auto Wk = W(k);
    const double fan_in = double(Wk.cols()), fan_out = double(Wk.rows());
    const auto uniform = [&](double bound) { return S(bound * (2 * uniform01(rng) - 1)); };
    switch (scheme) {
      case Init::uniform:
        for (Index i = 0; i < Wk.size(); ++i) Wk.data()[i] = uniform(gain / std::sqrt(fan_in));
        break;
      case Init::he_normal:
        for (Index i = 0; i < Wk.size(); ++i)
          Wk.data()[i] = S(gain * std::sqrt(2 / fan_in) * normal(rng));
        break;
      case Init::glorot_uniform:
        for (Index i = 0; i < Wk.size(); ++i)
          Wk.data()[i] = uniform(gain * std::sqrt(6 / (fan_in + fan_out)));
        break;
      case Init::orthogonal: {
        // Q of a Gaussian matrix's QR, signs fixed by diag(R), gives the Haar measure.
        const Index big = std::max(Wk.rows(), Wk.cols()), small = std::min(Wk.rows(), Wk.cols());
        Mat<double> G(big, small);
        for (Index i = 0; i < G.size(); ++i) G.data()[i] = normal(rng);
        Eigen::HouseholderQR<Mat<double>> qr(G);
        Mat<double> Q = qr.householderQ() * Mat<double>::Identity(big, small);
        for (Index j = 0; j < small; ++j)
          if (qr.matrixQR()(j, j) < 0) Q.col(j) *= -1;
        if (Wk.rows() >= Wk.cols())
          Wk = (gain * Q).cast<S>();
        else
          Wk = (gain * Q.transpose()).cast<S>();
        break;
      }
    }
  }
  for (int k = 1; k <= layers() && spec_.bias; ++k) {
    auto bk = b(k);
    const double fan_in = double(spec_.sizes[std::size_t(k - 1)]);
    for (Index i = 0; i < bk.size(); ++i)
      bk[i] = scheme == Init::uniform ? S(gain / std::sqrt(fan_in) * (2 * uniform01(rng) - 1)) : S(0);
  }
}

// ------------------------------------------------------------------ forward
namespace {
// The dropout mask of z^(k) on columns [c0, c0 + n), if dropout acted on it.
template <class S>
MaskRef<S> mask_of(const Cache<S>& cache, int k, Index c0, Index n) {
  if (!cache.dropped[std::size_t(k)]) return std::nullopt;
  return cache.mask[std::size_t(k)].middleCols(c0, n);
}
}  // namespace

template <class S>
void Mlp<S>::prepare_forward(const Mat<S>& X, Cache<S>& cache, Mode mode, Rng* rng,
                             ThreadPool* pool) const {
  const int L = layers();
  require(X.rows() == spec_.sizes[0], "the network takes {} inputs, but the data have {} features",
          spec_.sizes[0], X.rows());
  require(mode != Mode::train || rng != nullptr || spec_.dropout == DropoutKind::none,
          "a training forward pass with dropout needs an Rng");
  const auto slots = std::size_t(L + 2);
  for (auto* v : {&cache.a, &cache.z, &cache.mask, &cache.z_dropped, &cache.delta, &cache.g})
    v->resize(slots);
  cache.dropped.assign(slots, false);
  cache.x = &X;
  const Index N = X.cols();
  for (int k = 1; k <= L; ++k) {
    const auto ku = std::size_t(k);
    const Index n_in = spec_.sizes[ku - 1];
    const double p = spec_.keep_of(k);
    const bool dropout = spec_.dropout != DropoutKind::none && p < 1 &&
                         !(mode == Mode::eval && spec_.dropout == DropoutKind::inverted);
    if (dropout) {
      if (mode == Mode::train) {
        cache.mask[ku].resize(n_in, N);
        const S kept = spec_.dropout == DropoutKind::inverted ? S(1 / p) : S(1);
        sample_keep_mask<S>(p, kept, *rng, cache.mask[ku], pool);
      } else if (mode == Mode::eval) {  // standard dropout at inference: m = p
        cache.mask[ku].setConstant(n_in, N, S(p));
      } else {
        require(cache.mask[ku].rows() == n_in && cache.mask[ku].cols() == N,
                "frozen masks: no mask of shape {}×{} for layer {} from a previous forward", n_in, N, k);
      }
      cache.z_dropped[ku].resize(n_in, N);
      cache.dropped[ku] = true;
    }
    cache.a[ku + 1].resize(spec_.sizes[ku], N);
    if (k < L) cache.z[ku + 1].resize(spec_.sizes[ku], N);
  }
}

template <class S>
void Mlp<S>::forward_columns(Cache<S>& cache, Index c0, Index nc, ThreadPool* pool) const {
  const int L = layers();
  for (int k = 1; k <= L; ++k) {
    const auto ku = std::size_t(k);
    if (cache.dropped[ku]) {
      const Mat<S>& z = k == 1 ? *cache.x : cache.z[ku];
      apply_dropout<S>(z.middleCols(c0, nc), cache.mask[ku].middleCols(c0, nc),
                       cache.z_dropped[ku].middleCols(c0, nc), pool);
    }
    const S* bias = spec_.bias ? b(k).data() : nullptr;
    const auto z_in = cache.input_of(k).middleCols(c0, nc);
    auto a = cache.a[ku + 1].middleCols(c0, nc);
    if (k < L)
      dense_forward<S>(W(k), bias, z_in, spec_.activations[ku - 1], a,
                       cache.z[ku + 1].middleCols(c0, nc), Update::overwrite, pool);
    else
      dense_forward<S>(W(k), bias, z_in, a, Update::overwrite, pool);
  }
}

template <class S>
void Mlp<S>::forward(const Mat<S>& X, Cache<S>& cache, Mode mode, Rng* rng, ThreadPool* pool) const {
  prepare_forward(X, cache, mode, rng, pool);
  forward_columns(cache, 0, X.cols(), pool);
  cache.has_forward = true;
}

template <class S>
Index Mlp<S>::batch_chunks(Index N) const {
  if (N < 128) return 1;
  for (int k = 1; k <= layers(); ++k) {
    const double rows = double(spec_.sizes[std::size_t(k)]), cols = double(spec_.sizes[std::size_t(k - 1)]);
    if (detail::row_blocks(Index(rows), 2 * rows * cols * double(N)) > 1) return 1;
  }
  return 2;
}

// ------------------------------------------------------------------ backward
namespace {
// dw (+)= Σ_n δ_n z_n over the columns of z (rows × cols, column stride ld) and the row δ: the
// weight gradient of a layer with one output, a sum of z's columns. Up to four packets of rows at
// a time, each with two sums (even and odd n), so that eight chains of multiply-adds overlap.
template <class S>
void one_row_weight_gradient(const S* delta, const S* z, Index rows, Index cols, Index ld, S* dw,
                             bool accumulate) {
  using P = nnlab::detail::Packet<S>;
  using Eigen::internal::padd;
  using Eigen::internal::pmadd;
  using Eigen::internal::ploadu;
  using Eigen::internal::pset1;
  constexpr Index W = nnlab::detail::packet_size<S>;
  const auto finish = [&](Index i, P sum) {
    if (accumulate) sum = padd(sum, ploadu<P>(dw + i));
    Eigen::internal::pstoreu(dw + i, sum);
  };
  Index i = 0;
  for (; i + W <= rows; i += 4 * W) {
    const Index packets = std::min<Index>(4, (rows - i) / W);
    P acc[2][4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) acc[0][q] = acc[1][q] = pset1<P>(S(0));
    Index n = 0;
    for (; n < cols; n += 2)
#pragma GCC unroll 2
      for (int e = 0; e < 2; ++e) {
        if (e == 1 && n + 1 == cols) break;
        const P d = pset1<P>(delta[n + e]);
        const S* col = z + i + (n + e) * ld;
#pragma GCC unroll 4
        for (int q = 0; q < 4; ++q)
          if (q < packets) acc[e][q] = pmadd(ploadu<P>(col + q * W), d, acc[e][q]);
      }
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q)
      if (q < packets) finish(i + q * W, padd(acc[0][q], acc[1][q]));
    if (packets < 4) {
      i += packets * W;
      break;
    }
  }
  if (i < rows) {  // fewer than a packet of rows left: the first lanes of one
    using nnlab::detail::load_first;
    const Index r = rows - i;
    P acc[2] = {pset1<P>(S(0)), pset1<P>(S(0))};
    for (Index n = 0; n < cols; ++n) acc[n % 2] = pmadd(load_first(z + i + n * ld, r), pset1<P>(delta[n]), acc[n % 2]);
    P sum = padd(acc[0], acc[1]);
    if (accumulate) sum = padd(sum, load_first(dw + i, r));
    nnlab::detail::store_first(dw + i, sum, r);
  }
}
}  // namespace

template <class S>
void Mlp<S>::propagate(Cache<S>& cache, Vec<S>* grad, Index c0, Index nc, ThreadPool* pool,
                       const RangeStep* step, int lowest) const {
  eigen_assert(lowest == 2 || (lowest == 3 && !grad));
  const int L = layers();
  if (grad) grad->resize(num_params_);
  // An output layer of one unit: ∂E/∂W^(L) = δ^(L+1) z̃^(L)ᵀ, a sum of z̃^(L)'s columns, is taken
  // panel by panel while backprop_delta has them in cache (it reads z^(L) for h'), rather than
  // as a product that streams z̃^(L) once more for one multiply-add per value.
  const bool one_output = grad && L >= 2 && nc > 0 && spec_.sizes[std::size_t(L)] == 1 &&
                          W_owner(L) == L && update_of(L) == Update::overwrite;
  for (int k = L; k >= 1; --k) {
    const auto ku = std::size_t(k);
    const auto delta_next = cache.delta[ku + 1].middleCols(c0, nc);
    // δ^(k) first: it is the last reader of W^(k), which a fused step then overwrites.
    if (k >= lowest) {
      const auto& z_in = cache.input_of(k);
      auto last = [&](Index j0, Index cols) {
        one_row_weight_gradient(delta_next.data() + j0, z_in.data() + (c0 + j0) * z_in.rows(), z_in.rows(),
                                cols, z_in.rows(), W(*grad, k).data(), j0 > 0);
      };
      backprop_delta<S>(W(k), delta_next, mask_of(cache, k, c0, nc), spec_.activations[ku - 2],
                        cache.a[ku].middleCols(c0, nc), cache.z[ku].middleCols(c0, nc),
                        cache.g[ku].middleCols(c0, nc), cache.delta[ku].middleCols(c0, nc), pool,
                        k == L && one_output ? Epilogue(last) : Epilogue());
    }
    if (!grad) continue;
    const auto z_in = cache.input_of(k).middleCols(c0, nc);
    if (k == L && one_output) {
      if (step) (*step)(W_offset(k), spec_.sizes[ku - 1]);
    } else if (step) {
      // W^(k) is column-major, so rows [r0, r0 + nr) of column j start at W_offset + j·rows + r0.
      const Index rows = spec_.sizes[ku], offset = W_offset(k);
      // A product in one block steps each panel of columns (contiguous in θ) as the gemm
      // finishes it, in L1. One split in row blocks steps afterwards, in as many contiguous
      // parts on the pool: stepping each block's rows column by column would stride through θ
      // and the optimizer state in short pieces, which the prefetchers follow worse (measured
      // here: 4% of the epoch slower).
      const Index cols = spec_.sizes[ku - 1], size = rows * cols;
      auto panel = [&](Index /*r0*/, Index nr, Index j0, Index nc_done) {
        if (nr == rows) (*step)(offset + j0 * rows, nc_done * rows);
      };
      detail::product(W(*grad, k), delta_next, z_in.transpose(), pool, false, nullptr, {}, panel);
      const Index blocks = detail::row_blocks(rows, 2.0 * double(size) * double(nc));
      if (blocks > 1) {
        const Index part = (size + blocks - 1) / blocks;
        detail::run_parts(pool, blocks, [&](Index i) {
          const Index begin = i * part;
          if (begin < size) (*step)(offset + begin, std::min(part, size - begin));
        });
      }
    } else {
      weight_gradient<S>(delta_next, z_in, W(*grad, k), update_of(k), pool);
    }
    if (spec_.bias) {
      bias_gradient<S>(delta_next, b(*grad, k), Update::overwrite);
      if (step) (*step)(b_offset(k), spec_.sizes[ku]);
    }
  }
}

template <class S>
void Mlp<S>::resize_backward(Cache<S>& cache) const {
  const Index N = cache.x->cols();
  for (int k = 2; k <= layers(); ++k) {
    cache.g[std::size_t(k)].resize(spec_.sizes[std::size_t(k - 1)], N);
    cache.delta[std::size_t(k)].resize(spec_.sizes[std::size_t(k - 1)], N);
  }
  cache.delta[std::size_t(layers() + 1)].resize(spec_.sizes.back(), N);
}

template <class S>
S Mlp<S>::backward(const Mat<S>& T, Cache<S>& cache, Vec<S>& grad, ThreadPool* pool) const {
  require(cache.has_forward, "backward() needs a forward() first");
  const auto L = std::size_t(layers());
  cache.loss = nn::loss_and_gradient(spec_.loss, cache.a[L + 1], T, cache.delta[L + 1]);
  resize_backward(cache);
  propagate(cache, &grad, 0, T.cols(), pool);
  return cache.loss;
}

// Batches of small networks run in chunks of columns, each forward, loss share and backward on
// one thread with its own gradient, summed in chunk order: the chunks depend only on the shapes,
// so the result is the same whether they run on one thread or several. They go to the pool when a
// chunk's work outweighs handing it over (the worker spinning since its last item: moving the
// gradient and the lines at the chunks' borders between caches). With AVX-512 ≥ 0.25 MFLOP: on an
// AMD Zen 5 (2026-12-02, bench/mlp_bench, medians of 3 alternated) two threads gained on every
// 2-H-H-1 tanh net tried, down to H = 4 on 128 columns (11 kFLOP a chunk; double 4.0 → 2.7 µs),
// and on the 2-32-32-1 net's 256 columns (0.86 MFLOP a chunk) double 31 → 19 µs, float 15 → 11;
// the floor leaves room for a costlier hand-over on CPUs not measured since (an Intel Xeon). With
// AVX2 or less ≥ 0.5 MFLOP: the 256 columns took 45–51 µs on one thread and 35–37 on two in float,
// 106–117 and 62–76 µs in double (AMD Zen 3).
#if defined(__AVX512F__)
constexpr double chunk_pool_flops = 0.25e6;
#else
constexpr double chunk_pool_flops = 0.5e6;
#endif
template <class S>
S Mlp<S>::loss_and_gradient(const Mat<S>& X, const Mat<S>& T, Cache<S>& cache, Vec<S>& grad,
                            Mode mode, Rng* rng, ThreadPool* pool) const {
  const Index N = X.cols(), chunks = batch_chunks(N);
  if (chunks == 1) {
    forward(X, cache, mode, rng, pool);
    return backward(T, cache, grad, pool);
  }
  prepare_forward(X, cache, mode, rng, pool);
  cache.has_forward = true;
  const auto L = std::size_t(layers());
  resize_backward(cache);
  cache.chunk_grad.resize(std::size_t(chunks));
  cache.chunk_loss.resize(std::size_t(chunks));
  const Index width = (N / chunks + 15) / 16 * 16;
  double flops = 0;  // forward W z̃, backward Wᵀ δ and δ z̃ᵀ
  for (int k = 1; k <= layers(); ++k)
    flops += 6.0 * double(spec_.sizes[std::size_t(k)] * spec_.sizes[std::size_t(k - 1)]) * double(width);
  detail::run_parts(flops >= chunk_pool_flops ? pool : nullptr, chunks, [&](Index c) {
    const Index c0 = c * width, nc = c + 1 == chunks ? N - c0 : width;
    forward_columns(cache, c0, nc, nullptr);
    cache.chunk_loss[std::size_t(c)] = nn::loss_and_gradient(spec_.loss, cache.a[L + 1], T, cache.delta[L + 1], c0, nc);
    propagate(cache, c == 0 ? &grad : &cache.chunk_grad[std::size_t(c)], c0, nc, nullptr);
  });
  cache.loss = cache.chunk_loss[0];
  for (Index c = 1; c < chunks; ++c) {
    cache.loss += cache.chunk_loss[std::size_t(c)];
    grad += cache.chunk_grad[std::size_t(c)];
  }
  return cache.loss;
}

template <class S>
S Mlp<S>::loss_gradient_step(const Mat<S>& X, const Mat<S>& T, Cache<S>& cache, Vec<S>& grad,
                             const RangeStep& step, Mode mode, Rng* rng, ThreadPool* pool) const {
  if (spec_.tying != Tying::none || batch_chunks(X.cols()) > 1) {
    const S loss = loss_and_gradient(X, T, cache, grad, mode, rng, pool);
    if (std::isfinite(loss)) step(0, num_params_);
    return loss;
  }
  forward(X, cache, mode, rng, pool);
  const auto L = std::size_t(layers());
  cache.loss = nn::loss_and_gradient(spec_.loss, cache.a[L + 1], T, cache.delta[L + 1]);
  if (!std::isfinite(cache.loss)) return cache.loss;
  resize_backward(cache);
  propagate(cache, &grad, 0, X.cols(), pool, &step);
  return cache.loss;
}

template <class S>
S Mlp<S>::shard_loss_and_gradient(const Mat<S>& X, const Mat<S>& T, Index c0, Index n, Cache<S>& cache,
                                  Vec<S>& grad, Mode mode, Rng* rng, ThreadPool* pool) const {
  const Index N = X.cols();
  require(c0 >= 0 && n >= 0 && c0 + n <= N, "shard: columns [{}, {}) of a batch of {}", c0, c0 + n, N);
  if (c0 == 0 && n == N) return loss_and_gradient(X, T, cache, grad, mode, rng, pool);
  prepare_forward(X, cache, mode, rng, pool);  // every mask of the batch: the stream advances as in forward()
  cache.has_forward = true;
  if (n == 0) {
    grad.setZero(num_params_);
    return cache.loss = S(0);
  }
  forward_columns(cache, c0, n, pool);
  const auto L = std::size_t(layers());
  resize_backward(cache);
  cache.loss = nn::loss_and_gradient(spec_.loss, cache.a[L + 1], T, cache.delta[L + 1], c0, n);
  propagate(cache, &grad, c0, n, pool);
  return cache.loss;
}

// ------------------------------------------------------------------ R-operator
// The R-passes of layer.hpp, layer by layer: R{a^(k+1)}, R{z̃^(k)} forward, then R{δ^(k)} and
// R{∂E/∂W^(k)} backward.
template <class S>
void Mlp<S>::r_forward(const Vec<S>& v, const Cache<S>& at, RBuffers<S>& r, ThreadPool* pool) const {
  require(v.size() == num_params_, "direction v has {} entries, the network {} parameters", v.size(),
          num_params_);
  const int L = layers();
  const Index N = at.x->cols();
  for (auto* buffers : {&r.Ra, &r.Rz, &r.Rdelta}) buffers->resize(std::size_t(L + 2));
  for (int k = 1; k <= L; ++k) {
    const auto ku = std::size_t(k);
    Mat<S>& Ra = r.Ra[ku + 1];
    Ra.resize(spec_.sizes[ku], N);
    const S* v_b = spec_.bias ? b(v, k).data() : nullptr;
    if (k == 1)  // R{x} = 0
      r_dense_forward<S>(W(v, k), v_b, at.input_of(k), Ra, Update::overwrite, pool);
    else
      r_dense_forward<S>(W(v, k), v_b, at.input_of(k), W(k), r.Rz[ku], Ra, Update::overwrite, pool);
    if (k < L) {
      r.Rz[ku + 1].resize(spec_.sizes[ku], N);
      r_activation<S>(spec_.activations[ku - 1], at.a[ku + 1], at.z[ku + 1],
                      mask_of(at, k + 1, 0, N), Ra, r.Rz[ku + 1]);
    }
  }
}

template <class S>
void Mlp<S>::hvp_prepare(const Mat<S>& X, const Mat<S>& T, Cache<S>& cache, Mode mode, Rng* rng,
                         ThreadPool* pool) const {
  forward(X, cache, mode, rng, pool);
  const auto L = std::size_t(layers());
  cache.loss = nn::loss_and_gradient(spec_.loss, cache.a[L + 1], T, cache.delta[L + 1]);
  resize_backward(cache);
  // The R-passes read δ^(k+1) for k ≥ 2, and g^(2) only in R{δ^(2)}'s h'' term: for a piecewise
  // linear first hidden layer W^(2)ᵀ δ^(3) is left out (on 784-512-512-10 relu, 8% of hvp's
  // products) and g^(2), δ^(2) stay empty.
  const bool g2_unread = layers() >= 2 && piecewise_linear(spec_.activations[0]);
  if (g2_unread) {
    cache.g[2].resize(0, 0);
    cache.delta[2].resize(0, 0);
  }
  propagate(cache, nullptr, 0, X.cols(), pool, nullptr, g2_unread ? 3 : 2);
}

template <class S>
void Mlp<S>::hvp_prepared(const Mat<S>& T, const Vec<S>& v, const Cache<S>& at, RBuffers<S>& r,
                          Vec<S>& Hv, ThreadPool* pool) const {
  require(at.has_forward && at.delta.size() == std::size_t(layers() + 2) &&
              at.delta.back().cols() == at.x->cols(),
          "hvp_prepared() needs an hvp_prepare() first");
  const int L = layers();
  const Index N = at.x->cols();
  r_forward(v, at, r, pool);
  loss_hessian_times(spec_.loss, at.a[std::size_t(L + 1)], T, r.Ra[std::size_t(L + 1)],
                     r.Rdelta[std::size_t(L + 1)]);
  Hv.resize(num_params_);
  for (int k = L; k >= 1; --k) {
    const auto ku = std::size_t(k);
    const Mat<S>& Rdelta_next = r.Rdelta[ku + 1];
    const Mat<S>& delta_next = at.delta[ku + 1];
    if (k == 1)  // R{x} = 0
      weight_gradient<S>(Rdelta_next, at.input_of(k), W(Hv, k), update_of(k), pool);
    else
      r_weight_gradient<S>(Rdelta_next, at.input_of(k), delta_next, r.Rz[ku], W(Hv, k),
                           update_of(k), pool);
    if (spec_.bias) bias_gradient<S>(Rdelta_next, b(Hv, k), Update::overwrite);
    if (k == 1) break;
    const Index n = spec_.sizes[ku - 1];
    Mat<S>& Rg = r.tmp;
    Rg.resize(n, N);
    r_backprop_g<S>(W(v, k), W(k), delta_next, Rdelta_next, mask_of(at, k, 0, N), Rg, pool);
    r.Rdelta[ku].resize(n, N);
    if (!piecewise_linear(spec_.activations[ku - 2])) r.tmp2.resize(n, N);  // r_delta's h'' term
    r_delta<S>(spec_.activations[ku - 2], at.a[ku], at.z[ku], r.Ra[ku], at.g[ku], Rg, r.Rdelta[ku],
               r.tmp2);
  }
}

template <class S>
void Mlp<S>::hvp(const Mat<S>& X, const Mat<S>& T, const Vec<S>& v, Cache<S>& cache, Vec<S>& Hv,
                 Mode mode, Rng* rng, ThreadPool* pool) const {
  hvp_prepare(X, T, cache, mode, rng, pool);
  hvp_prepared(T, v, cache, cache.r, Hv, pool);
}

// Gv = Jᵀ H_y J v: J v = R{y} by the R-forward pass, then H_y R{y} backpropagated like a δ.
template <class S>
void Mlp<S>::gnvp(const Mat<S>& X, const Mat<S>& T, const Vec<S>& v, Cache<S>& cache, Vec<S>& Gv,
                  Mode mode, Rng* rng, ThreadPool* pool) const {
  forward(X, cache, mode, rng, pool);
  r_forward(v, cache, cache.r, pool);
  const auto L = std::size_t(layers());
  loss_hessian_times(spec_.loss, cache.a[L + 1], T, cache.r.Ra[L + 1], cache.delta[L + 1]);
  resize_backward(cache);
  propagate(cache, &Gv, 0, X.cols(), pool);
}

// ------------------------------------------------------------------ evaluation
template <class S>
double Mlp<S>::accuracy(const Mat<S>& X, const std::vector<int>& labels, Index batch,
                        ThreadPool* pool) const {
  require(Index(labels.size()) == X.cols(), "accuracy: {} labels for {} samples", labels.size(), X.cols());
  if (X.cols() == 0) return std::numeric_limits<double>::quiet_NaN();
  Cache<S> cache;
  Index correct = 0;
  for (Index start = 0; start < X.cols(); start += batch) {
    const Index n = std::min(batch, X.cols() - start);
    const Mat<S> Xb = X.middleCols(start, n);
    forward(Xb, cache, Mode::eval, nullptr, pool);
    for (Index j = 0; j < n; ++j) {
      Index arg = 0;
      cache.y().col(j).maxCoeff(&arg);
      correct += arg == labels[std::size_t(start + j)];
    }
  }
  return double(correct) / double(X.cols());
}

template <class S>
double Mlp<S>::dataset_loss(const Mat<S>& X, const Mat<S>& T, Index batch, ThreadPool* pool) const {
  Cache<S> cache;
  double total = 0;
  for (Index start = 0; start < X.cols(); start += batch) {
    const Index n = std::min(batch, X.cols() - start);
    const Mat<S> Xb = X.middleCols(start, n), Tb = T.middleCols(start, n);
    forward(Xb, cache, Mode::eval, nullptr, pool);
    const double E = double(loss_value(spec_.loss, cache.y(), Tb));
    total += spec_.loss == Loss::sum_of_squares ? E : E * double(n) / double(X.cols());
  }
  return total;
}

template struct Cache<float>;
template struct Cache<double>;
template class Mlp<float>;
template class Mlp<double>;

}  // namespace nnlab::nn
