// Mlp::shard_loss_and_gradient, the per-rank part of data-parallel training, against
// loss_and_gradient on the whole batch: each column's masks are the same bits; the shares'
// gradients and losses add up to the whole batch's within the rounding of a sum over the batch
// taken in another order; the whole batch as one shard is loss_and_gradient.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/gemm.hpp"
#include "nnlab/nn/mlp.hpp"

namespace nnlab::nn {
namespace {

using S = float;

// Row blocks in the products (130×203 over 150 columns), dropout on every layer input.
MlpSpec wide_spec() {
  MlpSpec spec;
  spec.sizes = {37, 203, 130, 3};
  spec.activations = {Activation::relu, Activation::tanh};
  spec.dropout = DropoutKind::inverted;
  spec.keep = {0.8, 0.5, 0.7};
  return spec;
}
// Small: loss_and_gradient runs batches of ≥ 128 in two column chunks.
MlpSpec small_spec() {
  MlpSpec spec;
  spec.sizes = {5, 9, 3};
  spec.activations = {Activation::tanh};
  spec.dropout = DropoutKind::standard;
  spec.keep = {1.0, 0.6};
  return spec;
}

struct Batch {
  Mat<S> X, T;
};
Batch batch_for(const MlpSpec& spec, Index N) {
  Rng rng = make_rng(7, stream::data);
  Batch b{Mat<S>(spec.sizes.front(), N), Mat<S>::Zero(spec.sizes.back(), N)};
  for (Index i = 0; i < b.X.size(); ++i) b.X.data()[i] = S(normal(rng));
  for (Index n = 0; n < N; ++n) b.T(Index(uniform_index(rng, std::uint64_t(b.T.rows()))), n) = 1;
  return b;
}
Mlp<S> net_for(const MlpSpec& spec) {
  Mlp<S> net(spec);
  Rng rng = make_rng(3, stream::init);
  net.init(rng);
  return net;
}

using Shards = std::vector<std::pair<Index, Index>>;  // (first column, columns)
// The shards of a batch of N over K ranks as train::shard_of cuts them (contiguous, the first
// N mod K one longer).
Shards balanced(Index N, int K) {
  Shards s;
  for (int r = 0; r < K; ++r) s.push_back({r * (N / K) + std::min<Index>(r, N % K), N / K + (r < N % K)});
  return s;
}
// Shards of whole gemm panels, the last one ragged.
Shards aligned(Index N, Index panels) {
  Shards s;
  for (Index c0 = 0; c0 < N; c0 += panels * gemm_panel) s.push_back({c0, std::min(panels * gemm_panel, N - c0)});
  return s;
}

TEST(MlpShard, EveryColumnGetsTheWholeBatchsMask) {
  for (const MlpSpec& spec : {wide_spec(), small_spec()}) {
    const Mlp<S> net = net_for(spec);
    const Batch b = batch_for(spec, 150);
    Cache<S> whole;
    Vec<S> g;
    Rng rng = make_rng(1, stream::dropout);
    net.loss_and_gradient(b.X, b.T, whole, g, Mode::train, &rng);
    const std::uint64_t next = rng();
    for (const auto& [c0, n] : balanced(150, 3)) {
      Cache<S> part;
      Rng shard_rng = make_rng(1, stream::dropout);
      net.shard_loss_and_gradient(b.X, b.T, c0, n, part, g, Mode::train, &shard_rng);
      for (int k = 1; k <= net.layers(); ++k)
        if (whole.dropped[std::size_t(k)]) {
          EXPECT_EQ(part.mask[std::size_t(k)].middleCols(c0, n), whole.mask[std::size_t(k)].middleCols(c0, n))
              << "layer " << k << ", shard at " << c0;
        }
      EXPECT_EQ(shard_rng(), next) << "the mask stream advances as in the whole batch's pass";
    }
  }
}

// |Σ_r g_r − g| ≤ 2γ_N Σ_n |δ_n||z̃_n| per entry of ∂E/∂W (and Σ_n |δ_n| for ∂E/∂b): both sums
// are within γ_N Σ|terms| of the exact one whatever their order (Higham, Accuracy and Stability
// of Numerical Algorithms, §4.2). The per-column terms are the same bits when a shard's products
// use the same gemm kernels for its columns as the whole batch's (shards of whole 48-column
// panels whose products split in the same row blocks); otherwise they differ by the rounding of
// the forward dot products, about u relative, well inside the bound's slack (measured here:
// the worst entry at ≤ 0.1 of the bound, printed).
TEST(MlpShard, SharesAddUpWithinTheRoundingOfTheSumOverTheBatch) {
  for (const MlpSpec& spec : {wide_spec(), small_spec()}) {
    const Mlp<S> net = net_for(spec);
    const Index N = 150;
    const Batch b = batch_for(spec, N);
    Cache<S> whole;
    Vec<S> g;
    Rng rng = make_rng(1, stream::dropout);
    const S E = net.loss_and_gradient(b.X, b.T, whole, g, Mode::train, &rng);
    for (const Shards& shards : {aligned(N, 1), aligned(N, 2), balanced(N, 2), balanced(N, 3), balanced(N, 7)}) {
      const auto K = shards.size();
      Vec<S> sum = Vec<S>::Zero(net.num_params()), part;
      double E_sum = 0;
      for (const auto& [c0, n] : shards) {
        Cache<S> cache;
        Rng shard_rng = make_rng(1, stream::dropout);
        E_sum += double(net.shard_loss_and_gradient(b.X, b.T, c0, n, cache, part, Mode::train, &shard_rng));
        sum += part;
      }
      const double u = std::numeric_limits<S>::epsilon() / 2, gamma = N * u / (1 - N * u);
      Vec<double> bound(net.num_params());
      for (int k = 1; k <= net.layers(); ++k) {
        const Mat<double> d = whole.delta[std::size_t(k + 1)].template cast<double>().cwiseAbs();
        const Mat<double> z = whole.input_of(k).template cast<double>().cwiseAbs();
        Eigen::Map<Mat<double>>(bound.data() + net.W_offset(k), d.rows(), z.rows()) = 2 * gamma * d * z.transpose();
        bound.segment(net.b_offset(k), d.rows()) = 2 * gamma * d.rowwise().sum();
      }
      double worst = 0;
      Index differing = 0;
      for (Index i = 0; i < g.size(); ++i) {
        const double diff = std::abs(double(sum[i]) - double(g[i]));
        differing += diff > 0;
        worst = std::max(worst, diff / (bound[i] + std::numeric_limits<double>::min()));
      }
      EXPECT_LE(worst, 1.0) << "K = " << K << ": the worst entry is this many times the bound";
      std::printf("K = %zu, first shard %td columns: worst |Σ g_r − g| / bound = %.3g\n", K, shards[0].second, worst);
      EXPECT_GT(differing, 0) << "K = " << K << ": the sum over the batch runs in another order, so "
                                              "some entries round differently";
      EXPECT_NEAR(E_sum, double(E), 2 * gamma * double(E)) << "K = " << K;
    }
  }
}

TEST(MlpShard, WholeBatchIsLossAndGradientAndEmptyShardIsZero) {
  for (const MlpSpec& spec : {wide_spec(), small_spec()}) {
    const Mlp<S> net = net_for(spec);
    const Batch b = batch_for(spec, 150);
    Cache<S> c1, c2;
    Vec<S> g1, g2;
    Rng r1 = make_rng(1, stream::dropout), r2 = make_rng(1, stream::dropout);
    const S E1 = net.loss_and_gradient(b.X, b.T, c1, g1, Mode::train, &r1);
    const S E2 = net.shard_loss_and_gradient(b.X, b.T, 0, 150, c2, g2, Mode::train, &r2);
    EXPECT_EQ(E1, E2);
    EXPECT_EQ(g1, g2);
    const S E0 = net.shard_loss_and_gradient(b.X, b.T, 150, 0, c2, g2, Mode::train, &r2);
    EXPECT_EQ(E0, S(0));
    EXPECT_EQ(g2, Vec<S>::Zero(net.num_params()));
    net.loss_and_gradient(b.X, b.T, c1, g1, Mode::train, &r1);
    EXPECT_EQ(r1(), r2()) << "an empty shard draws the batch's masks too";
    EXPECT_THROW(net.shard_loss_and_gradient(b.X, b.T, 100, 51, c2, g2, Mode::train, &r2), Error);
  }
}

}  // namespace
}  // namespace nnlab::nn
