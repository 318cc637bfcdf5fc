// The network loss as an objective: whole-set value, gradient and H·v against direct passes and
// finite differences, chunked passes against one pass, the batch gradient against a training
// step's, and a driver on it (Lanczos on it: tests/analysis/hessian_test.cpp).
#include "nnlab/train/objective.hpp"

#include <gtest/gtest.h>

#include "blobs.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/transform.hpp"
#include "nnlab/optim/gradient_flow.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/sgd.hpp"

namespace nnlab::train {
namespace {

static_assert(optim::HvpObjective<NetworkObjective<double>>);
static_assert(optim::StochasticObjective<NetworkObjective<float>>);

nn::Mlp<double> tanh_net(std::uint64_t seed, nn::Loss loss = nn::Loss::cross_entropy) {
  nn::MlpSpec spec;
  spec.sizes = {2, 12, 9, 3};
  spec.activations = {nn::Activation::tanh, nn::Activation::softplus};
  spec.loss = loss;
  nn::Mlp<double> net(spec);
  Rng rng = make_rng(seed, stream::init);
  net.init(rng);
  return net;
}

TEST(NetworkObjective, WholeSetPassesEqualTheNetworksOwn) {
  const auto d = blobs<double>(300, 1);
  nn::Mlp<double> net = tanh_net(2);
  const NetworkObjective<double> f(net, d);
  const Vec<double> theta = net.theta();
  Vec<double> g, g_direct, Hv, Hv_direct, v = Vec<double>::Random(net.num_params());
  nn::Cache<double> cache;
  const double E_direct = net.loss_and_gradient(d.X, d.Y, cache, g_direct);
  net.hvp(d.X, d.Y, v, cache, Hv_direct);
  EXPECT_EQ(f.gradient(theta, g), E_direct);  // a copy of θ, not the network's own
  EXPECT_TRUE(g == g_direct);
  f.hvp(theta, v, Hv);
  EXPECT_TRUE(Hv == Hv_direct);
  EXPECT_NEAR(f.value(theta), E_direct, 1e-15 * std::abs(E_direct));
}

// Chunks re-weighted by |c|/N (means) or summed (sum_of_squares) give the one-pass result.
TEST(NetworkObjective, ChunkedPassesEqualOnePass) {
  for (nn::Loss loss : {nn::Loss::cross_entropy, nn::Loss::sum_of_squares}) {
    const auto d = blobs<double>(250, 3);
    nn::Mlp<double> net = tanh_net(4, loss);
    const NetworkObjective<double> one(net, d), chunked(net, d, {.chunk = 64});
    const Vec<double> v = Vec<double>::Random(net.num_params());
    Vec<double> g1, g2, h1, h2;
    const double E1 = one.gradient(net.theta(), g1), E2 = chunked.gradient(net.theta(), g2);
    one.hvp(net.theta(), v, h1);
    chunked.hvp(net.theta(), v, h2);
    EXPECT_NEAR(E1, E2, 1e-13 * std::abs(E1));
    EXPECT_LE((g1 - g2).norm(), 1e-13 * g1.norm());
    EXPECT_LE((h1 - h2).norm(), 1e-13 * h1.norm());
    EXPECT_NEAR(chunked.value(net.theta()), E1, 1e-13 * std::abs(E1));
  }
}

// ∇L against central differences of value(θ), H·v against central differences of ∇L.
TEST(NetworkObjective, GradientAndHvpMatchFiniteDifferences) {
  const auto d = blobs<double>(120, 5);
  nn::Mlp<double> net = tanh_net(6);
  const NetworkObjective<double> f(net, d, {.chunk = 50});
  const Vec<double> theta = net.theta(), v = Vec<double>::Random(net.num_params());
  Vec<double> g, Hv, gp, gm;
  f.gradient(theta, g);
  f.hvp(theta, v, Hv);
  const double h = 1e-5;
  const double directional = (f.value(theta + h * v) - f.value(theta - h * v)) / (2 * h);
  EXPECT_NEAR(g.dot(v), directional, 1e-8 * std::abs(directional) + 1e-10);
  f.gradient(theta + h * v, gp);
  f.gradient(theta - h * v, gm);
  EXPECT_LE(((gp - gm) / (2 * h) - Hv).norm(), 1e-6 * Hv.norm());
}

// The batch gradient is one training step's: the batch's columns, masks from (seed, dropout).
TEST(NetworkObjective, BatchGradientIsTheTrainingStepsGradient) {
  const auto d = blobs<float>(100, 7);
  nn::MlpSpec spec;
  spec.sizes = {2, 16, 3};
  spec.activations = {nn::Activation::relu};
  spec.dropout = nn::DropoutKind::inverted;
  spec.keep = {1.0, 0.6};
  nn::Mlp<float> net(spec);
  Rng init = make_rng(8, stream::init);
  net.init(init);
  const NetworkObjective<float> f(net, d, {.seed = 9});
  const std::vector<Index> batch = {5, 0, 99, 42};
  Vec<float> g, g_direct;
  const float E = f.gradient(net.theta(), batch, g);
  Mat<float> X(2, 4), T(3, 4);
  for (Index j = 0; j < 4; ++j) X.col(j) = d.X.col(batch[std::size_t(j)]), T.col(j) = d.Y.col(batch[std::size_t(j)]);
  Rng masks = make_rng(9, stream::dropout);
  nn::Cache<float> cache;
  EXPECT_EQ(net.loss_and_gradient(X, T, cache, g_direct, nn::Mode::train, &masks), E);
  EXPECT_TRUE(g == g_direct);
  EXPECT_EQ(f.batch_labels(), (std::vector<int>{d.labels[5], d.labels[0], d.labels[99], d.labels[42]}));
}

TEST(NetworkObjective, GradientDescentOnItLowersTheLoss) {
  const auto d = blobs<double>(200, 10);
  nn::Mlp<double> net = tanh_net(11);
  const NetworkObjective<double> f(net, d);
  optim::Sgd<double> gd({.lr = 0.5});
  const double before = f.value(net.theta());
  const optim::Report r = optim::minimize(f, gd, net.theta(), {.max_iters = 200, .grad_tol = 0});
  EXPECT_EQ(r.status, optim::Status::max_iters);
  EXPECT_LT(r.value, 0.5 * before);
}

TEST(NetworkObjective, RejectsDataThatDoNotFit) {
  const auto d = blobs<double>(20, 15);
  nn::MlpSpec spec;
  spec.sizes = {3, 4, 3};
  spec.activations = {nn::Activation::tanh};
  nn::Mlp<double> net(spec);
  EXPECT_THROW(NetworkObjective<double>(net, d), Error);
  nn::Mlp<double> ok = tanh_net(16);
  EXPECT_THROW(NetworkObjective<double>(ok, d, {.chunk = 0}), Error);
  const NetworkObjective<double> f(ok, d);
  Vec<double> g;
  EXPECT_THROW(f.gradient(Vec<double>::Zero(3), g), Error);
}

// The explicit regularizer's value and gradient: the same as optim::GradientPenalty built from
// one objective per block, and its gradient against central differences of its value.
TEST(PenalizedGradient, EqualsGradientPenaltyOfTheBlocksAndFiniteDifferences) {
  const auto d = blobs<double>(24, 5);
  nn::Mlp<double> net = tanh_net(6);
  const Index sub = 6;
  const double lambda = 0.3;
  nn::Cache<double> cache;
  Vec<double> g;
  const double F = penalized_gradient(net, d.X, d.Y, sub, lambda, cache, g);

  std::vector<data::Dataset<double>> blocks;
  for (Index k = 0; k < d.size() / sub; ++k) {
    std::vector<Index> idx;
    for (Index i = k * sub; i < (k + 1) * sub; ++i) idx.push_back(i);
    blocks.push_back(data::subset(d, idx));
  }
  nn::Mlp<double> copy = net;
  const NetworkObjective<double> whole(copy, d);
  std::vector<NetworkObjective<double>> terms;
  for (const auto& b : blocks) terms.emplace_back(copy, b);
  std::vector<const NetworkObjective<double>*> ptrs;
  for (const auto& t : terms) ptrs.push_back(&t);
  const optim::GradientPenalty<NetworkObjective<double>> reference(whole, ptrs, lambda);
  Vec<double> g_ref;
  EXPECT_NEAR(F, reference.gradient(net.theta(), g_ref), 1e-13 * std::abs(F));
  EXPECT_LE((g - g_ref).norm(), 1e-12 * g_ref.norm());

  Rng rng = make_rng(7, 1);
  Vec<double> v(net.num_params());
  for (Index i = 0; i < v.size(); ++i) v(i) = normal(rng);
  const double eps = 1e-5;
  Vec<double> unused;
  nn::Mlp<double> plus = net, minus = net;
  plus.theta() += eps * v;
  minus.theta() -= eps * v;
  const double fd = (penalized_gradient(plus, d.X, d.Y, sub, lambda, cache, unused) -
                     penalized_gradient(minus, d.X, d.Y, sub, lambda, cache, unused)) / (2 * eps);
  EXPECT_NEAR(fd, g.dot(v), 1e-7 * std::abs(g.dot(v)));
  EXPECT_THROW(penalized_gradient(net, d.X, d.Y, 5, lambda, cache, g), Error);
}

}  // namespace
}  // namespace nnlab::train
