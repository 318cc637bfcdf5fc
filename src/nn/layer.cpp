// The layer passes of layer.hpp; products through detail::product (src/nn/product.hpp).
#include "nnlab/nn/layer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "nnlab/core/error.hpp"
#include "product.hpp"

namespace nnlab::nn {

namespace {

// The checks run on every call of a training step, so only their comparisons are inline: a
// formatted require() per check cost ~1% of a step of bench/mlp_bench's tiny net (double).

// The elementwise steps read a matrix as one array of rows·cols values.
template <class M>
void require_contiguous(const M& x, const char* name) {
  if (x.cols() > 1 && x.outerStride() != x.rows()) [[unlikely]]
    fail("{}: {}×{} with column stride {}; its columns must be contiguous", name, x.rows(), x.cols(),
         x.outerStride());
}

template <class A, class B>
void require_shape(const A& x, const B& like, const char* name, const char* like_name) {
  if (x.rows() != like.rows() || x.cols() != like.cols()) [[unlikely]]
    fail("{} is {}×{}, {} is {}×{}", name, x.rows(), x.cols(), like_name, like.rows(), like.cols());
}

// out = W z̃, the shapes of a layer's product.
template <class W, class Z, class Out>
void require_product(const W& w, const Z& z, const Out& out, const char* what) {
  if (w.cols() != z.rows() || out.rows() != w.rows() || out.cols() != z.cols()) [[unlikely]]
    fail("{}: {}×{} times {}×{} into {}×{}", what, w.rows(), w.cols(), z.rows(), z.cols(),
         out.rows(), out.cols());
}

}  // namespace

// ------------------------------------------------------------------ forward
template <class S>
void dense_forward(ConstMatRef<S> W, const S* b, ConstMatRef<S> z_in, MatRef<S> a, Update update,
                   ThreadPool* pool) {
  require_product(W, z_in, a, "dense_forward");
  detail::product(a, W, z_in, pool, update == Update::accumulate, b);
}

template <class S>
void dense_forward(ConstMatRef<S> W, const S* b, ConstMatRef<S> z_in, Activation h, MatRef<S> a,
                   MatRef<S> z, Update update, ThreadPool* pool) {
  require_product(W, z_in, a, "dense_forward");
  require_shape(z, a, "z", "a");
  require_contiguous(a, "a");
  require_contiguous(z, "z");
  const Index n = a.rows();
  auto activation = [&](Index j0, Index cols) {
    activate(h, a.data() + j0 * n, z.data() + j0 * n, n * cols);
  };
  detail::product(a, W, z_in, pool, update == Update::accumulate, b, Epilogue(activation));
}

// ------------------------------------------------------------------ dropout
template <class S>
void sample_keep_mask(double p, S kept, Rng& rng, MatRef<S> m, ThreadPool* pool) {
  require(p > 0 && p <= 1, "keep probability p must be in (0, 1], got {}", p);
  require_contiguous(m, "dropout mask");
  // Counter-based: one draw from the model's stream keys the mask, element i uses the splitmix64
  // finalizer of key + i·γ (a bijection, so distinct i give distinct words; it passes BigCrush).
  // r_i = 1 iff its high 32 bits < ⌊p·2³²⌋, so P(r_i = 1) = p up to 2⁻³². Unlike a sequential
  // generator the loop vectorizes: ~10× faster than one PCG64 call per two elements.
  const auto threshold = std::uint64_t(std::ldexp(p, 32));
  const std::uint64_t key = rng();
  S* data = m.data();
  const Index n = m.size();
  detail::run_in_parts(pool, n, [&](Index begin, Index end) {
    // Local copies: read through the lambda's references, kept could alias out[i] as far as GCC
    // knows, and the loop would not vectorize (3.5× slower).
    S* const out = data;
    const std::uint64_t k = key, t = threshold;
    const S value = kept;
    for (Index i = begin; i < end; ++i) {
      std::uint64_t r = k + std::uint64_t(i) * 0x9e3779b97f4a7c15ULL;
      r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
      r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
      r ^= r >> 31;
      out[i] = (r >> 32) < t ? value : S(0);
    }
  });
}

template <class S>
void apply_dropout(ConstMatRef<S> z, ConstMatRef<S> m, MatRef<S> z_dropped, ThreadPool* pool) {
  require_shape(m, z, "dropout mask", "z");
  require_shape(z_dropped, z, "z̃", "z");
  const Index rows = std::max<Index>(z.rows(), 1);
  detail::run_in_parts(
      pool, z.size(),
      [&](Index begin, Index end) {
        const Index c0 = begin / rows, nc = end / rows - c0;
        z_dropped.middleCols(c0, nc) = z.middleCols(c0, nc).cwiseProduct(m.middleCols(c0, nc));
      },
      rows);
}

// ------------------------------------------------------------------ backward
template <class S>
void weight_gradient(ConstMatRef<S> delta_next, ConstMatRef<S> z_in, MatRef<S> dW, Update update,
                     ThreadPool* pool) {
  require_product(delta_next, z_in.transpose(), dW, "weight_gradient");
  detail::product(dW, delta_next, z_in.transpose(), pool, update == Update::accumulate);
}

// Σ_n δ_n with four independent sums over the columns (n mod 4), added pairwise at the end:
// Eigen's rowwise().sum() adds each packet of rows along one chain of column sums, at the add's
// latency, and a single row (the 1-unit output layer) one scalar at a time. In the tiny tanh step
// of bench/mlp_bench (Intel Xeon, float64) 2.1% of the time before, 1.4% after.
template <class S>
void bias_gradient(ConstMatRef<S> delta_next, VecRef<S> db, Update update) {
  if (db.size() != delta_next.rows()) [[unlikely]]
    fail("bias_gradient: δ has {} rows, ∂E/∂b {} entries", delta_next.rows(), db.size());
  using P = Eigen::internal::packet_traits<S>::type;
  using Eigen::internal::padd;
  using Eigen::internal::ploadu;
  constexpr Index W = Eigen::internal::packet_traits<S>::size;
  const Index rows = delta_next.rows(), cols = delta_next.cols(), ld = delta_next.outerStride();
  const S* d = delta_next.data();
  const P zero = Eigen::internal::pset1<P>(S(0));
  const auto finish = [&](Index i, S sum) { db[i] = update == Update::accumulate ? db[i] + sum : sum; };
  if (rows == 1 && (ld == 1 || cols <= 1)) {  // one contiguous row
    P acc[4] = {zero, zero, zero, zero};
    Index j = 0;
    for (; j + 4 * W <= cols; j += 4 * W)
      for (int c = 0; c < 4; ++c) acc[c] = padd(acc[c], ploadu<P>(d + j + c * W));
    S sum = Eigen::internal::predux(padd(padd(acc[0], acc[1]), padd(acc[2], acc[3])));
    for (; j < cols; ++j) sum += d[j];
    finish(0, sum);
    return;
  }
  Index i = 0;
  for (; i + W <= rows; i += W) {
    P acc[4] = {zero, zero, zero, zero};
    Index j = 0;
    for (; j + 4 <= cols; j += 4)
      for (int c = 0; c < 4; ++c) acc[c] = padd(acc[c], ploadu<P>(d + i + (j + c) * ld));
    for (; j < cols; ++j) acc[0] = padd(acc[0], ploadu<P>(d + i + j * ld));
    alignas(64) S sum[W];
    Eigen::internal::pstoreu(sum, padd(padd(acc[0], acc[1]), padd(acc[2], acc[3])));
    for (Index r = 0; r < W; ++r) finish(i + r, sum[r]);
  }
  for (; i < rows; ++i) {
    S acc[4] = {};
    Index j = 0;
    for (; j + 4 <= cols; j += 4)
      for (int c = 0; c < 4; ++c) acc[c] += d[i + (j + c) * ld];
    for (; j < cols; ++j) acc[0] += d[i + j * ld];
    finish(i, (acc[0] + acc[1]) + (acc[2] + acc[3]));
  }
}

template <class S>
void backprop_delta(ConstMatRef<S> W, ConstMatRef<S> delta_next, MaskRef<S> m, Activation h,
                    ConstMatRef<S> a, ConstMatRef<S> z, MatRef<S> g, MatRef<S> delta,
                    ThreadPool* pool, const Epilogue& then) {
  require_product(W.transpose(), delta_next, g, "backprop_delta");
  for (const auto* x : {&a, &z}) require_shape(*x, g, "a and z", "g");
  require_shape(delta, g, "δ", "g");
  if (m) require_shape(*m, g, "dropout mask", "g");
  for (const auto* x : {&a, &z}) require_contiguous(*x, "a and z");
  require_contiguous(g, "g");
  require_contiguous(delta, "δ");
  const Index n = g.rows();
  auto derivative = [&](Index j0, Index cols) {
    if (m) g.middleCols(j0, cols).array() *= m->middleCols(j0, cols).array();
    const Index at = j0 * n;
    times_derivative(h, a.data() + at, z.data() + at, g.data() + at, delta.data() + at, n * cols);
    if (then) then(j0, cols);
  };
  detail::product(g, W.transpose(), delta_next, pool, false, nullptr, Epilogue(derivative));
}

// ------------------------------------------------------------------ R-operator
template <class S>
void r_dense_forward(ConstMatRef<S> V, const S* v_b, ConstMatRef<S> z_in, MatRef<S> Ra,
                     Update update, ThreadPool* pool) {
  require_product(V, z_in, Ra, "r_dense_forward");
  // v_b is added after the product, not in it: the order of the sums Mlp has always used.
  detail::product(Ra, V, z_in, pool, update == Update::accumulate);
  if (v_b) Ra.colwise() += ConstVecMap<S>(v_b, Ra.rows());
}

template <class S>
void r_dense_forward(ConstMatRef<S> V, const S* v_b, ConstMatRef<S> z_in, ConstMatRef<S> W,
                     ConstMatRef<S> Rz_in, MatRef<S> Ra, Update update, ThreadPool* pool) {
  require_product(V, z_in, Ra, "r_dense_forward");
  require_product(W, Rz_in, Ra, "r_dense_forward");
  detail::product(Ra, V, z_in, pool, update == Update::accumulate);
  detail::product(Ra, W, Rz_in, pool, true);
  if (v_b) Ra.colwise() += ConstVecMap<S>(v_b, Ra.rows());
}

template <class S>
void r_activation(Activation h, ConstMatRef<S> a, ConstMatRef<S> z, MaskRef<S> m,
                  ConstMatRef<S> Ra, MatRef<S> Rz) {
  for (const auto* x : {&a, &z, &Ra}) require_shape(*x, Rz, "a, z and R{a}", "R{z}");
  for (const auto* x : {&a, &z, &Ra}) require_contiguous(*x, "a, z and R{a}");
  require_contiguous(Rz, "R{z}");
  times_derivative(h, a.data(), z.data(), Ra.data(), Rz.data(), Rz.size());
  if (m) {
    require_shape(*m, Rz, "dropout mask", "R{z}");
    Rz.array() *= m->array();
  }
}

template <class S>
void r_weight_gradient(ConstMatRef<S> Rdelta_next, ConstMatRef<S> z_in, ConstMatRef<S> delta_next,
                       ConstMatRef<S> Rz_in, MatRef<S> RdW, Update update, ThreadPool* pool) {
  weight_gradient<S>(Rdelta_next, z_in, RdW, update, pool);
  weight_gradient<S>(delta_next, Rz_in, RdW, Update::accumulate, pool);
}

template <class S>
void r_backprop_g(ConstMatRef<S> V, ConstMatRef<S> W, ConstMatRef<S> delta_next,
                  ConstMatRef<S> Rdelta_next, MaskRef<S> m, MatRef<S> Rg, ThreadPool* pool) {
  require_product(V.transpose(), delta_next, Rg, "r_backprop_g");
  require_product(W.transpose(), Rdelta_next, Rg, "r_backprop_g");
  detail::product(Rg, V.transpose(), delta_next, pool);
  detail::product(Rg, W.transpose(), Rdelta_next, pool, true);
  if (m) {
    require_shape(*m, Rg, "dropout mask", "R{g}");
    Rg.array() *= m->array();
  }
}

template <class S>
void r_delta(Activation h, ConstMatRef<S> a, ConstMatRef<S> z, ConstMatRef<S> Ra, ConstMatRef<S> g,
             ConstMatRef<S> Rg, MatRef<S> Rdelta, MatRef<S> scratch) {
  for (const auto* x : {&a, &z, &Rg}) require_shape(*x, Rdelta, "a, z and R{g}", "R{δ}");
  for (const auto* x : {&a, &z, &Rg}) require_contiguous(*x, "a, z and R{g}");
  require_contiguous(Rdelta, "R{δ}");
  times_derivative(h, a.data(), z.data(), Rg.data(), Rdelta.data(), Rdelta.size());
  if (piecewise_linear(h)) return;  // h'' = 0: R{a}, g and scratch unread (Mlp::hvp_prepare may skip g)
  for (const auto* x : {&Ra, &g}) require_shape(*x, Rdelta, "R{a} and g", "R{δ}");
  require_shape(scratch, Rdelta, "scratch", "R{δ}");
  require_contiguous(scratch, "scratch");
  scratch = Ra.cwiseProduct(g);
  times_second_derivative(h, a.data(), z.data(), scratch.data(), scratch.data(), scratch.size());
  Rdelta += scratch;
}

#define NNLAB_INSTANTIATE(S)                                                                        \
  template void dense_forward<S>(ConstMatRef<S>, const S*, ConstMatRef<S>, MatRef<S>, Update,      \
                                 ThreadPool*);                                                      \
  template void dense_forward<S>(ConstMatRef<S>, const S*, ConstMatRef<S>, Activation, MatRef<S>,  \
                                 MatRef<S>, Update, ThreadPool*);                                   \
  template void sample_keep_mask<S>(double, S, Rng&, MatRef<S>, ThreadPool*);                      \
  template void apply_dropout<S>(ConstMatRef<S>, ConstMatRef<S>, MatRef<S>, ThreadPool*);          \
  template void weight_gradient<S>(ConstMatRef<S>, ConstMatRef<S>, MatRef<S>, Update, ThreadPool*); \
  template void bias_gradient<S>(ConstMatRef<S>, VecRef<S>, Update);                               \
  template void backprop_delta<S>(ConstMatRef<S>, ConstMatRef<S>, MaskRef<S>, Activation,         \
                                  ConstMatRef<S>, ConstMatRef<S>, MatRef<S>, MatRef<S>,            \
                                  ThreadPool*, const Epilogue&);                                    \
  template void r_dense_forward<S>(ConstMatRef<S>, const S*, ConstMatRef<S>, MatRef<S>, Update,    \
                                   ThreadPool*);                                                    \
  template void r_dense_forward<S>(ConstMatRef<S>, const S*, ConstMatRef<S>, ConstMatRef<S>,       \
                                   ConstMatRef<S>, MatRef<S>, Update, ThreadPool*);                 \
  template void r_activation<S>(Activation, ConstMatRef<S>, ConstMatRef<S>, MaskRef<S>,           \
                                ConstMatRef<S>, MatRef<S>);                                         \
  template void r_weight_gradient<S>(ConstMatRef<S>, ConstMatRef<S>, ConstMatRef<S>,               \
                                     ConstMatRef<S>, MatRef<S>, Update, ThreadPool*);               \
  template void r_backprop_g<S>(ConstMatRef<S>, ConstMatRef<S>, ConstMatRef<S>, ConstMatRef<S>,    \
                                MaskRef<S>, MatRef<S>, ThreadPool*);                                \
  template void r_delta<S>(Activation, ConstMatRef<S>, ConstMatRef<S>, ConstMatRef<S>,             \
                           ConstMatRef<S>, ConstMatRef<S>, MatRef<S>, MatRef<S>);
NNLAB_INSTANTIATE(float)
NNLAB_INSTANTIATE(double)
#undef NNLAB_INSTANTIATE

}  // namespace nnlab::nn
