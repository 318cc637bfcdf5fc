// The layer functions composed by hand, checked against central finite differences in double:
// a 2-layer network with a frozen dropout mask, and a vanilla RNN with backprop through time whose
// W_hh is shared by every step. Gradients against differences of E, H·v against differences of
// the gradient.
#include "nnlab/nn/layer.hpp"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/gemm.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/nn/loss.hpp"
#include "support/gradient_check.hpp"

namespace nnlab::nn {
namespace {

using testing::compare;
using testing::numeric_directional;
using testing::numeric_gradient;

Mat<double> gaussian(Index rows, Index cols, Rng& rng, double scale = 1) {
  Mat<double> M(rows, cols);
  for (Index i = 0; i < M.size(); ++i) M.data()[i] = scale * normal(rng);
  return M;
}

Vec<double> gaussian(Index n, Rng& rng) { return gaussian(n, 1, rng); }

// Relative error below `tolerance`, or an absolute one below `noise` (the differences' own).
void expect_close(const Vec<double>& analytic, const Vec<double>& numeric, double tolerance,
                  const char* what, double noise = 0) {
  const auto r = compare(analytic, numeric, std::max(1e-6, noise / tolerance));
  EXPECT_LT(r.max_rel_error, tolerance) << what << ", worst coordinate " << r.worst << ": "
                                        << r.analytic << " vs finite differences " << r.numeric;
}

// A model's run(θ, grad, v, Hv) → E: its ∂E/∂θ against central differences of E, its H·v against
// central differences of ∂E/∂θ along v.
template <class Model>
void expect_gradient_and_hvp(const Model& model, const Vec<double>& theta, const Vec<double>& v) {
  Vec<double> grad, Hv, unused_grad, unused_Hv;
  const double E0 = model.run(theta, grad, v, Hv);
  const auto E = [&](const Vec<double>& t) { return model.run(t, unused_grad, v, unused_Hv); };
  const auto gradient = [&](const Vec<double>& t) {
    Vec<double> g;
    model.run(t, g, v, unused_Hv);
    return g;
  };
  // Each value of E is rounded (a few ulp of |E| with the activation's own error): the fourth-order
  // stencil turns that into up to 1.5·δ/h in a coordinate, which bounds how well a coordinate much
  // smaller than E can be checked (measured: 6e-12 on a coordinate of 6e-4 with SLEEF's softplus).
  constexpr double h = 1e-3;
  const double noise = 1.5 * 8 * std::numeric_limits<double>::epsilon() * std::abs(E0) / h;
  expect_close(grad, numeric_gradient(E, theta, h), 1e-8, "∂E/∂θ", noise);
  expect_close(Hv, numeric_directional(gradient, theta, v), 1e-7, "H·v");
}

// ------------------------------------------------------------------ a 2-layer network
// a^(2) = W1 x + b1,  z^(2) = softplus(a^(2)),  z̃^(2) = z^(2) ⊙ m,  y = W2 z̃^(2) + b2,
// E = ½ Σ_n ‖y_n − t_n‖²;  θ = [W1, b1, W2, b2].
struct TwoLayer {
  static constexpr Index n_in = 3, n_hidden = 5, n_out = 2;
  static constexpr Activation h = Activation::softplus;
  static constexpr Index size = n_hidden * n_in + n_hidden + n_out * n_hidden + n_out;
  Mat<double> X, T, m;  // inputs, targets, an inverted-dropout mask, frozen

  struct View {  // θ's blocks (or a direction's, or a gradient's)
    MatMap<double> W1;
    VecMap<double> b1;
    MatMap<double> W2;
    VecMap<double> b2;
  };
  static View view(Vec<double>& theta) {
    double* p = theta.data();
    const Index W1 = n_hidden * n_in, W2 = n_out * n_hidden;
    return {MatMap<double>(p, n_hidden, n_in), VecMap<double>(p + W1, n_hidden),
            MatMap<double>(p + W1 + n_hidden, n_out, n_hidden),
            VecMap<double>(p + W1 + n_hidden + W2, n_out)};
  }

  // Forward, backward, and (given v) the R-passes; returns E, writes ∂E/∂θ and H·v.
  double run(Vec<double> theta, Vec<double>& grad, Vec<double> v, Vec<double>& Hv) const {
    const Index N = X.cols();
    const View p = view(theta), V = view(v);
    Mat<double> a2(n_hidden, N), z2(n_hidden, N), z2m(n_hidden, N), y(n_out, N), delta3, g2(n_hidden, N),
        delta2(n_hidden, N);
    dense_forward<double>(p.W1, p.b1.data(), X, h, a2, z2, Update::overwrite, nullptr);
    apply_dropout<double>(z2, m, z2m);
    dense_forward<double>(p.W2, p.b2.data(), z2m, y, Update::overwrite, nullptr);
    const double E = loss_and_gradient(Loss::sum_of_squares, y, T, delta3);

    grad.resize(size);
    const View d = view(grad);
    weight_gradient<double>(delta3, z2m, d.W2, Update::overwrite, nullptr);
    bias_gradient<double>(delta3, d.b2, Update::overwrite);
    backprop_delta<double>(p.W2, delta3, m, h, a2, z2, g2, delta2, nullptr);
    weight_gradient<double>(delta2, X, d.W1, Update::overwrite, nullptr);
    bias_gradient<double>(delta2, d.b1, Update::overwrite);

    Mat<double> Ra2(n_hidden, N), Rz2m(n_hidden, N), Ry(n_out, N), Rdelta3, Rg2(n_hidden, N),
        Rdelta2(n_hidden, N), scratch(n_hidden, N);
    r_dense_forward<double>(V.W1, V.b1.data(), X, Ra2, Update::overwrite, nullptr);
    r_activation<double>(h, a2, z2, m, Ra2, Rz2m);
    r_dense_forward<double>(V.W2, V.b2.data(), z2m, p.W2, Rz2m, Ry, Update::overwrite, nullptr);
    loss_hessian_times(Loss::sum_of_squares, y, T, Ry, Rdelta3);
    Hv.resize(size);
    const View Hd = view(Hv);
    r_weight_gradient<double>(Rdelta3, z2m, delta3, Rz2m, Hd.W2, Update::overwrite, nullptr);
    bias_gradient<double>(Rdelta3, Hd.b2, Update::overwrite);
    r_backprop_g<double>(V.W2, p.W2, delta3, Rdelta3, m, Rg2, nullptr);
    r_delta<double>(h, a2, z2, Ra2, g2, Rg2, Rdelta2, scratch);
    weight_gradient<double>(Rdelta2, X, Hd.W1, Update::overwrite, nullptr);
    bias_gradient<double>(Rdelta2, Hd.b1, Update::overwrite);
    return E;
  }
};

TEST(Layer, TwoLayerNetworkGradientAndHvpMatchFiniteDifferences) {
  Rng rng = make_rng(11, 0);
  TwoLayer net;
  const Index N = 7;
  net.X = gaussian(TwoLayer::n_in, N, rng);
  net.T = gaussian(TwoLayer::n_out, N, rng);
  net.m.resize(TwoLayer::n_hidden, N);
  const double p = 0.6;
  sample_keep_mask<double>(p, 1 / p, rng, net.m);
  ASSERT_EQ(net.m.minCoeff(), 0);  // some units dropped, some kept: the mask matters
  ASSERT_EQ(net.m.maxCoeff(), 1 / p);
  const Vec<double> theta = gaussian(TwoLayer::size, rng), v = gaussian(TwoLayer::size, rng);
  expect_gradient_and_hvp(net, theta, v);
}

// ------------------------------------------------------------------ a vanilla RNN
// h_0 = 0,  a_t = W_hh h_{t−1} + W_xh x_t + b,  h_t = tanh(a_t)  (t = 1..T),
// y = W_y h_T + b_y,  E = ½ Σ_n ‖y_n − t_n‖²;  θ = [W_hh, W_xh, b, W_y, b_y].
// Backprop through time: δ_T = h'(a_T) ⊙ W_yᵀ δ_y, δ_{t−1} = h'(a_{t−1}) ⊙ W_hhᵀ δ_t, and
// ∂E/∂W_hh = Σ_t δ_t h_{t−1}ᵀ, ∂E/∂W_xh = Σ_t δ_t x_tᵀ, ∂E/∂b = Σ_t Σ_n δ_t.
struct Rnn {
  static constexpr Index n_in = 2, n_hidden = 4, n_out = 3;
  static constexpr Activation h = Activation::tanh;
  static constexpr Index size = n_hidden * n_hidden + n_hidden * n_in + n_hidden + n_out * n_hidden + n_out;
  std::vector<Mat<double>> x;  // x_1..x_T at x[0..T−1], each n_in × N
  Mat<double> T;               // targets of y, n_out × N

  struct View {
    MatMap<double> W_hh, W_xh;
    VecMap<double> b;
    MatMap<double> W_y;
    VecMap<double> b_y;
  };
  static View view(Vec<double>& theta) {
    double* p = theta.data();
    const Index hh = n_hidden * n_hidden, xh = n_hidden * n_in, hy = n_out * n_hidden;
    return {MatMap<double>(p, n_hidden, n_hidden), MatMap<double>(p + hh, n_hidden, n_in),
            VecMap<double>(p + hh + xh, n_hidden), MatMap<double>(p + hh + xh + n_hidden, n_out, n_hidden),
            VecMap<double>(p + hh + xh + n_hidden + hy, n_out)};
  }

  // E, ∂E/∂θ and H·v, with ‖δ_t‖ (t = 1..T at [0..T−1]) for the vanishing-gradient check.
  double run(Vec<double> theta, Vec<double>& grad, Vec<double> v, Vec<double>& Hv,
             std::vector<double>* delta_norms = nullptr) const {
    const auto steps = std::size_t(x.size());
    const Index N = T.cols(), H = n_hidden;
    const View p = view(theta), V = view(v);
    // Index t = 0..T; entry 0 is h_0 = 0 (and R{h_0} = 0), unused for the others.
    std::vector<Mat<double>> a(steps + 1, Mat<double>(H, N)), z(steps + 1, Mat<double>::Zero(H, N)),
        g = a, delta = a, Ra = a, Rz = z, Rg = a, Rdelta = a;
    Mat<double> y(n_out, N), delta_y, Ry(n_out, N), Rdelta_y, scratch(H, N);
    for (std::size_t t = 1; t <= steps; ++t) {
      dense_forward<double>(p.W_xh, p.b.data(), x[t - 1], a[t], Update::overwrite, nullptr);
      dense_forward<double>(p.W_hh, nullptr, z[t - 1], h, a[t], z[t], Update::accumulate, nullptr);
    }
    dense_forward<double>(p.W_y, p.b_y.data(), z[steps], y, Update::overwrite, nullptr);
    const double E = loss_and_gradient(Loss::sum_of_squares, y, T, delta_y);

    grad.resize(size);
    const View d = view(grad);
    weight_gradient<double>(delta_y, z[steps], d.W_y, Update::overwrite, nullptr);
    bias_gradient<double>(delta_y, d.b_y, Update::overwrite);
    backprop_delta<double>(p.W_y, delta_y, std::nullopt, h, a[steps], z[steps], g[steps],
                           delta[steps], nullptr);
    for (std::size_t t = steps; t >= 1; --t) {
      const Update u = t == steps ? Update::overwrite : Update::accumulate;  // W shared over t
      weight_gradient<double>(delta[t], z[t - 1], d.W_hh, u, nullptr);
      weight_gradient<double>(delta[t], x[t - 1], d.W_xh, u, nullptr);
      bias_gradient<double>(delta[t], d.b, u);
      if (t > 1)
        backprop_delta<double>(p.W_hh, delta[t], std::nullopt, h, a[t - 1], z[t - 1], g[t - 1],
                               delta[t - 1], nullptr);
    }
    if (delta_norms)
      for (std::size_t t = 1; t <= steps; ++t) delta_norms->push_back(delta[t].norm());

    // R-forward: R{a_t} = V_xh x_t + v_b + V_hh h_{t−1} + W_hh R{h_{t−1}}, R{h_t} = h'(a_t) ⊙ R{a_t}.
    for (std::size_t t = 1; t <= steps; ++t) {
      r_dense_forward<double>(V.W_xh, V.b.data(), x[t - 1], Ra[t], Update::overwrite, nullptr);
      r_dense_forward<double>(V.W_hh, nullptr, z[t - 1], p.W_hh, Rz[t - 1], Ra[t], Update::accumulate,
                              nullptr);
      r_activation<double>(h, a[t], z[t], std::nullopt, Ra[t], Rz[t]);
    }
    r_dense_forward<double>(V.W_y, V.b_y.data(), z[steps], p.W_y, Rz[steps], Ry, Update::overwrite,
                            nullptr);
    loss_hessian_times(Loss::sum_of_squares, y, T, Ry, Rdelta_y);
    // R-backward through time.
    Hv.resize(size);
    const View Hd = view(Hv);
    r_weight_gradient<double>(Rdelta_y, z[steps], delta_y, Rz[steps], Hd.W_y, Update::overwrite, nullptr);
    bias_gradient<double>(Rdelta_y, Hd.b_y, Update::overwrite);
    r_backprop_g<double>(V.W_y, p.W_y, delta_y, Rdelta_y, std::nullopt, Rg[steps], nullptr);
    r_delta<double>(h, a[steps], z[steps], Ra[steps], g[steps], Rg[steps], Rdelta[steps], scratch);
    for (std::size_t t = steps; t >= 1; --t) {
      const Update u = t == steps ? Update::overwrite : Update::accumulate;
      r_weight_gradient<double>(Rdelta[t], z[t - 1], delta[t], Rz[t - 1], Hd.W_hh, u, nullptr);
      weight_gradient<double>(Rdelta[t], x[t - 1], Hd.W_xh, u, nullptr);  // R{x_t} = 0
      bias_gradient<double>(Rdelta[t], Hd.b, u);
      if (t > 1) {
        r_backprop_g<double>(V.W_hh, p.W_hh, delta[t], Rdelta[t], std::nullopt, Rg[t - 1], nullptr);
        r_delta<double>(h, a[t - 1], z[t - 1], Ra[t - 1], g[t - 1], Rg[t - 1], Rdelta[t - 1], scratch);
      }
    }
    return E;
  }
};

Rnn make_rnn(Index steps, Index N, Rng& rng) {
  Rnn rnn;
  for (Index t = 0; t < steps; ++t) rnn.x.push_back(gaussian(Rnn::n_in, N, rng));
  rnn.T = gaussian(Rnn::n_out, N, rng);
  return rnn;
}

TEST(Layer, RnnBackpropThroughTimeMatchesFiniteDifferences) {
  Rng rng = make_rng(12, 0);
  const Rnn rnn = make_rnn(6, 5, rng);
  const Vec<double> theta = gaussian(Rnn::size, 1, rng, 0.7), v = gaussian(Rnn::size, rng);
  expect_gradient_and_hvp(rnn, theta, v);
}

// With ‖W_hh‖₂ < 1 and |tanh'| ≤ 1 each step back multiplies δ by at most ‖W_hh‖₂:
// ‖δ_{t−1}‖ ≤ ‖W_hh‖₂ ‖δ_t‖ (Bengio et al. 1994), the vanishing-gradient lab's premise.
TEST(Layer, RnnDeltaShrinksByAtMostTheSpectralNormPerStep) {
  Rng rng = make_rng(13, 0);
  const Rnn rnn = make_rnn(8, 5, rng);
  Vec<double> theta = gaussian(Rnn::size, rng), v = Vec<double>::Zero(Rnn::size), grad, Hv;
  auto W_hh = Rnn::view(theta).W_hh;
  W_hh *= 0.5 / Eigen::JacobiSVD<Mat<double>>(W_hh).singularValues()(0);  // ‖W_hh‖₂ = ½
  std::vector<double> norms;
  rnn.run(theta, grad, v, Hv, &norms);
  for (std::size_t t = norms.size() - 1; t >= 1; --t)
    EXPECT_LE(norms[t - 1], 0.5 * norms[t] * (1 + 1e-12)) << "step " << t;
  EXPECT_LT(norms.front(), std::pow(0.5, 7) * norms.back() * (1 + 1e-12));
  EXPECT_GT(norms.front(), 0);
}

// ------------------------------------------------------------------ pieces
TEST(Layer, KeepMaskHasKeepProbabilityAndScale) {
  Rng rng = make_rng(14, stream::dropout);
  const double p = 0.3;
  Mat<float> m(100, 400);
  sample_keep_mask<float>(p, float(1 / p), rng, m);
  const double kept = double((m.array() != 0).count()), n = double(m.size());
  EXPECT_NEAR(kept / n, p, 5 * std::sqrt(p * (1 - p) / n));  // 5 standard errors
  EXPECT_TRUE(((m.array() == 0) || (m.array() == float(1 / p))).all());
}

// A pool fills the mask and z̃ = z ⊙ m in parts, with the same bits as one thread: large enough to
// be split (2¹⁵ entries and more), with a column count that does not split evenly.
TEST(Layer, KeepMaskAndDropoutAreTheSameOnAPool) {
  ThreadPool pool(2);
  Mat<float> m1(784, 129), m2(784, 129), z1(784, 129), z2(784, 129);
  Rng rng1 = make_rng(18, stream::dropout), rng2 = make_rng(18, stream::dropout);
  sample_keep_mask<float>(0.8, 1.25f, rng1, m1);
  sample_keep_mask<float>(0.8, 1.25f, rng2, m2, &pool);
  EXPECT_EQ(m1, m2);
  EXPECT_EQ(rng1(), rng2());  // the stream advanced by the same one draw
  Rng data = make_rng(18, 1);
  const Mat<float> z = gaussian(784, 129, data).cast<float>();
  apply_dropout<float>(z, m1, z1);
  apply_dropout<float>(z, m1, z2, &pool);
  EXPECT_EQ(z1, z2);
  EXPECT_EQ(z1, Mat<float>(z.cwiseProduct(m1)));
}

TEST(Layer, AccumulateAddsToWhatIsThere) {
  Rng rng = make_rng(15, 0);
  const Mat<double> W = gaussian(3, 4, rng), z = gaussian(4, 5, rng), before = gaussian(3, 5, rng);
  const Vec<double> b = gaussian(3, rng);
  Mat<double> a = before;
  dense_forward<double>(W, b.data(), z, a, Update::accumulate, nullptr);
  const Mat<double> expected = before + W * z + b.replicate(1, 5);
  EXPECT_LT((a - expected).cwiseAbs().maxCoeff(), 1e-14);
  Vec<double> db = b;
  bias_gradient<double>(a, db, Update::accumulate);
  EXPECT_LT((db - b - a.rowwise().sum()).cwiseAbs().maxCoeff(), 1e-14);
}

// ∂E/∂W = δ zᵀ split into row blocks, each reading zᵀ copied column-major once (up to 16 MB; beyond,
// each block's gemm reads zᵀ as it lies): the same bits as each block's gemm on the row-major zᵀ
// (the split of src/nn/product.hpp written out), the same bits on a pool of 2 threads, and
// against the product in double within γ_{N+1}·(|before| + Σ|δ||z|) (N multiply-adds, then the
// accumulation).
template <class S>
void expect_weight_gradient_in_row_blocks(Index rows, Index inputs, Index N) {
  Rng rng = make_rng(17, 0);
  const Mat<S> delta = gaussian(rows, N, rng).cast<S>(), z = gaussian(inputs, N, rng).cast<S>();
  const Mat<S> before = gaussian(rows, inputs, rng).cast<S>();
  const std::string shape =
      std::to_string(rows) + "×" + std::to_string(inputs) + " over " + std::to_string(N);
  ThreadPool pool(2);
  Mat<S> one_thread = before, two_threads = before;
  weight_gradient<S>(delta, z, one_thread, Update::accumulate, nullptr);
  weight_gradient<S>(delta, z, two_threads, Update::accumulate, &pool);
  EXPECT_EQ(one_thread, two_threads) << shape;
  Mat<S> blockwise = before;
  const Index blocks = std::clamp<Index>(rows / 64, 1, 4);
  const Index step = ((rows + blocks - 1) / blocks + 15) / 16 * 16;
  for (Index r0 = 0; r0 < rows; r0 += step) {
    const Index nr = std::min(step, rows - r0);
    gemm(strided_view(delta.middleRows(r0, nr)), strided_view(z.transpose()), blockwise.data() + r0,
         rows, true);
  }
  EXPECT_EQ(one_thread, blockwise) << shape;
  const Mat<double> delta_d = delta.template cast<double>(), z_d = z.template cast<double>(),
                    before_d = before.template cast<double>();
  const Mat<double> exact = before_d + delta_d * z_d.transpose();
  const Mat<double> scale = before_d.cwiseAbs() + delta_d.cwiseAbs() * z_d.cwiseAbs().transpose();
  const double u = std::numeric_limits<S>::epsilon() / 2;
  const double gamma = double(N + 1) * u / (1 - double(N + 1) * u);
  const Mat<double> error = (one_thread.template cast<double>() - exact).cwiseAbs();
  EXPECT_LE((error.array() / scale.array()).maxCoeff(), gamma) << shape;
}

TEST(Layer, WeightGradientInRowBlocks) {
  expect_weight_gradient_in_row_blocks<float>(512, 784, 128);  // a batch of Fashion-MNIST
  expect_weight_gradient_in_row_blocks<float>(300, 37, 1000);  // ragged blocks, a long k
  expect_weight_gradient_in_row_blocks<double>(136, 200, 1000);
  expect_weight_gradient_in_row_blocks<float>(128, 1030, 4100);  // zᵀ over 16 MB: not copied
}

// ∂E/∂b = Σ_n δ_n against a long double sum, within the bound of any order of summation,
// γ_{N−1} Σ_n |δ_n| (γ_k = k u/(1 − k u)), plus one rounding when it accumulates: one row that is
// contiguous, one that is not (a row of a larger matrix), whole packets of rows and a tail, column
// counts that leave 1–3 columns beside the four sums, and a range of columns of a larger matrix.
template <class S>
void expect_bias_gradient_sums_columns() {
  Rng rng = make_rng(16, 0);
  const Mat<S> big = gaussian(37, 131, rng).cast<S>();
  const long double u = std::numeric_limits<S>::epsilon() / 2;
  struct Case {
    Index r0, rows, c0, cols;
  };
  for (const Case& c : {Case{0, 1, 0, 131}, Case{5, 1, 3, 127}, Case{0, 37, 0, 131}, Case{0, 32, 1, 129},
                        Case{3, 16, 2, 7}, Case{0, 8, 0, 1}, Case{0, 37, 4, 0}}) {
    const Mat<S> whole = big.middleRows(c.r0, c.rows);  // a 1-row Mat is contiguous, a row of big not
    for (bool contiguous : {true, false}) {
      if (!contiguous && c.rows == 37) continue;
      const ConstMatRef<S> delta = contiguous ? ConstMatRef<S>(whole.middleCols(c.c0, c.cols))
                                              : ConstMatRef<S>(big.block(c.r0, c.c0, c.rows, c.cols));
      for (Update update : {Update::overwrite, Update::accumulate}) {
        Vec<S> db = Vec<S>::Constant(c.rows, S(0.25));
        bias_gradient<S>(delta, db, update);
        const long double k = std::max<long double>(c.cols - 1, 0), gamma = k * u / (1 - k * u);
        for (Index i = 0; i < c.rows; ++i) {
          long double sum = 0, abs_sum = 0;
          for (Index j = 0; j < c.cols; ++j) {
            sum += delta(i, j);
            abs_sum += std::abs(static_cast<long double>(delta(i, j)));
          }
          long double expected = sum, bound = gamma * abs_sum;
          if (update == Update::accumulate) {
            expected += 0.25L;
            bound = (1 + u) * bound + u * std::abs(expected);
          }
          EXPECT_LE(std::abs(db[i] - expected), bound)
              << c.rows << "×" << c.cols << (contiguous ? "" : " strided") << " row " << i
              << (update == Update::accumulate ? " accumulating" : "");
        }
      }
    }
  }
}
TEST(Layer, BiasGradientSumsColumnsDouble) { expect_bias_gradient_sums_columns<double>(); }
TEST(Layer, BiasGradientSumsColumnsFloat) { expect_bias_gradient_sums_columns<float>(); }

TEST(Layer, MisuseNamesTheShapes) {
  const Mat<double> W = Mat<double>::Zero(3, 4), z = Mat<double>::Zero(5, 2);
  Mat<double> a(3, 2);
  try {
    dense_forward<double>(W, nullptr, z, a, Update::overwrite, nullptr);
    ADD_FAILURE() << "a 3×4 W times a 5×2 z̃ did not throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("3×4 times 5×2 into 3×2"), std::string::npos) << e.what();
  }
  // Rows 0..2 of a 4-row matrix as z: its columns are not contiguous.
  const Mat<double> z4 = Mat<double>::Zero(4, 6);
  Mat<double> a3(3, 6), rows(4, 6);
  EXPECT_THROW(dense_forward<double>(W, nullptr, z4, Activation::tanh, a3, rows.topRows(3),
                                     Update::overwrite, nullptr),
               Error);
}

}  // namespace
}  // namespace nnlab::nn
