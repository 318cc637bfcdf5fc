// The pieces networks are built from, as free functions in PRML 5.3.1 notation, samples as columns.
// A dense layer takes its input z̃ (n_in × N) to
//   a = W z̃ + b 1ᵀ,   z = h(a),                                 W: n_out × n_in,  b: n_out
// and, given δ_next = ∂E/∂a, backpropagation gives
//   ∂E/∂W = δ_next z̃ᵀ,   ∂E/∂b = Σ_n δ_next,
//   g = m ⊙ Wᵀ δ_next,   δ = h'(a) ⊙ g          for the layer below, whose a gave z̃ = z ⊙ m,
// with the dropout mask m (absent: m = 1). Pearlmutter's R-operator (1994) along a direction
// v = (V, v_b) of (W, b) gives H·v by the same passes:
//   R{a} = V z̃ + W R{z̃} + v_b,            R{z̃} = m ⊙ h'(a) ⊙ R{a},
//   R{g} = m ⊙ (Vᵀ δ_next + Wᵀ R{δ_next}),  R{δ} = h''(a) ⊙ R{a} ⊙ g + h'(a) ⊙ R{g},
//   R{∂E/∂W} = R{δ_next} z̃ᵀ + δ_next R{z̃}ᵀ,  R{∂E/∂b} = Σ_n R{δ_next}.
// Mlp is written with these, and so is a recurrent net: its W_hh is shared by every time step, so
// it calls them once per step and accumulates ∂E/∂W_hh over the steps (Update::accumulate).
//
// Every output is sized by the caller (these never allocate); arguments are Eigen::Ref views, so a
// matrix, a Map into θ or a range of columns binds without a copy. Elementwise outputs (a, z, g,
// δ, masks) must have contiguous columns, as whole matrices and column ranges do. Call with the
// scalar spelled out, dense_forward<float>(…): a Ref argument does not deduce it. Large products
// run in row blocks on `pool` (nullptr: the calling thread); the split depends only on the shapes,
// so results are bit-identical for any thread count.
#pragma once
#include <optional>

#include <Eigen/Core>

#include "nnlab/core/gemm.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/nn/activation.hpp"

namespace nnlab::nn {

template <class Scalar> using MatRef = Eigen::Ref<Mat<Scalar>>;
template <class Scalar> using ConstMatRef = Eigen::Ref<const Mat<Scalar>>;
template <class Scalar> using VecRef = Eigen::Ref<Vec<Scalar>>;
// A dropout mask, or none (m = 1).
template <class Scalar> using MaskRef = std::optional<ConstMatRef<Scalar>>;

// Whether an output is written or added to: a weight shared by several layers or time steps
// sums their gradients.
enum class Update { overwrite, accumulate };

// ------------------------------------------------------------------ forward
// a (+)= W z̃ + b 1ᵀ, the linear output layer (b = nullptr: no bias).
template <class Scalar>
void dense_forward(ConstMatRef<Scalar> W, const Scalar* b, ConstMatRef<Scalar> z_in,
                   MatRef<Scalar> a, Update update, ThreadPool* pool);
// a (+)= W z̃ + b 1ᵀ, then z = h(a): each panel of columns is activated as soon as the product has
// finished it, while it is still in L1 (the gemm epilogue), not in a second pass over a.
template <class Scalar>
void dense_forward(ConstMatRef<Scalar> W, const Scalar* b, ConstMatRef<Scalar> z_in, Activation h,
                   MatRef<Scalar> a, MatRef<Scalar> z, Update update, ThreadPool* pool);

// ------------------------------------------------------------------ dropout
// m_i = kept with probability p (KEEP probability, never the drop rate), else 0, for every entry
// of m: kept = 1 for standard dropout (Srivastava et al. 2014), 1/p for inverted dropout, so that
// E[m] is the inference mask (p, or 1). Counter-based: one draw of rng keys the whole mask, and
// each entry depends only on that key and its index, so a pool fills it in parts with the same bits.
template <class Scalar>
void sample_keep_mask(double p, Scalar kept, Rng& rng, MatRef<Scalar> m, ThreadPool* pool = nullptr);
// z̃ = z ⊙ m (on a pool, in parts of columns)
template <class Scalar>
void apply_dropout(ConstMatRef<Scalar> z, ConstMatRef<Scalar> m, MatRef<Scalar> z_dropped,
                   ThreadPool* pool = nullptr);

// ------------------------------------------------------------------ backward
// ∂E/∂W (+)= δ_next z̃ᵀ
template <class Scalar>
void weight_gradient(ConstMatRef<Scalar> delta_next, ConstMatRef<Scalar> z_in, MatRef<Scalar> dW,
                     Update update, ThreadPool* pool);
// ∂E/∂b (+)= Σ_n δ_next
template <class Scalar>
void bias_gradient(ConstMatRef<Scalar> delta_next, VecRef<Scalar> db, Update update);
// g = m ⊙ Wᵀ δ_next, then δ = h'(a) ⊙ g panel by panel as in dense_forward; a and z = h(a) are the
// layer below's (sigmoid and tanh read h' from z). g is kept: R{δ} needs it. then(j0, cols), if
// given, is called on each range of columns once δ's are final, in column order, while they are
// in cache (per panel when the product is one block, once at the end when it runs in row
// blocks): the place for other work on the same columns. It must not call nnlab::gemm, whose
// buffers the product around it is still using.
template <class Scalar>
void backprop_delta(ConstMatRef<Scalar> W, ConstMatRef<Scalar> delta_next, MaskRef<Scalar> m,
                    Activation h, ConstMatRef<Scalar> a, ConstMatRef<Scalar> z, MatRef<Scalar> g,
                    MatRef<Scalar> delta, ThreadPool* pool, const Epilogue& then = {});

// ------------------------------------------------------------------ R-operator
// R{a} (+)= V z̃ + v_b, for an input z̃ that does not depend on the parameters (R{z̃} = 0).
template <class Scalar>
void r_dense_forward(ConstMatRef<Scalar> V, const Scalar* v_b, ConstMatRef<Scalar> z_in,
                     MatRef<Scalar> Ra, Update update, ThreadPool* pool);
// R{a} (+)= V z̃ + W R{z̃} + v_b
template <class Scalar>
void r_dense_forward(ConstMatRef<Scalar> V, const Scalar* v_b, ConstMatRef<Scalar> z_in,
                     ConstMatRef<Scalar> W, ConstMatRef<Scalar> Rz_in, MatRef<Scalar> Ra,
                     Update update, ThreadPool* pool);
// R{z̃} = m ⊙ h'(a) ⊙ R{a}
template <class Scalar>
void r_activation(Activation h, ConstMatRef<Scalar> a, ConstMatRef<Scalar> z, MaskRef<Scalar> m,
                  ConstMatRef<Scalar> Ra, MatRef<Scalar> Rz);
// R{∂E/∂W} (+)= R{δ_next} z̃ᵀ + δ_next R{z̃}ᵀ. With R{z̃} = 0 (the input) it is
// weight_gradient(R{δ_next}, z̃, …), and R{∂E/∂b} is bias_gradient(R{δ_next}, …).
template <class Scalar>
void r_weight_gradient(ConstMatRef<Scalar> Rdelta_next, ConstMatRef<Scalar> z_in,
                       ConstMatRef<Scalar> delta_next, ConstMatRef<Scalar> Rz_in,
                       MatRef<Scalar> RdW, Update update, ThreadPool* pool);
// R{g} = m ⊙ (Vᵀ δ_next + Wᵀ R{δ_next})
template <class Scalar>
void r_backprop_g(ConstMatRef<Scalar> V, ConstMatRef<Scalar> W, ConstMatRef<Scalar> delta_next,
                  ConstMatRef<Scalar> Rdelta_next, MaskRef<Scalar> m, MatRef<Scalar> Rg,
                  ThreadPool* pool);
// R{δ} = h''(a) ⊙ R{a} ⊙ g + h'(a) ⊙ R{g}, with g and R{g} of backprop_delta and r_backprop_g;
// scratch (the shape of δ) holds the first term on its way. R{a}, g and scratch are not read
// (nor their shapes checked) when h'' = 0 (piecewise_linear).
template <class Scalar>
void r_delta(Activation h, ConstMatRef<Scalar> a, ConstMatRef<Scalar> z, ConstMatRef<Scalar> Ra,
             ConstMatRef<Scalar> g, ConstMatRef<Scalar> Rg, MatRef<Scalar> Rdelta,
             MatRef<Scalar> scratch);

}  // namespace nnlab::nn
