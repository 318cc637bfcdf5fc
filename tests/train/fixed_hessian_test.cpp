// The fixed-θ Hessian operator (NetworkObjective::hessian_at, Mlp::hvp_prepare/hvp_prepared): its
// products against the from-scratch H·v bit for bit (float and double, every activation, the
// losses, standard dropout's inference scaling, 1 and 2 threads, chunked sets kept or not) and
// against central differences of the gradient; and that it is H at θ as it was when made.
#include <gtest/gtest.h>

#include "blobs.hpp"
#include "nnlab/analysis/hessian.hpp"
#include "nnlab/train/objective.hpp"

namespace nnlab::train {
namespace {

// 2-256-256-3: wide enough that the products split into row blocks at 2 threads.
template <class S>
nn::Mlp<S> wide_net(nn::Activation h, nn::Loss loss, nn::DropoutKind dropout, std::uint64_t seed) {
  nn::MlpSpec spec;
  spec.sizes = {2, 256, 256, 3};
  spec.activations = {h, h};
  spec.loss = loss;
  spec.dropout = dropout;
  if (dropout != nn::DropoutKind::none) spec.keep = {0.9, 0.7, 0.6};
  nn::Mlp<S> net(spec);
  Rng rng = make_rng(seed, stream::init);
  net.init(rng);
  return net;
}

template <class S>
Vec<S> direction(Index n, std::uint64_t seed) {
  Rng rng = make_rng(seed, stream::trials);
  Vec<S> v(n);
  for (Index i = 0; i < n; ++i) v[i] = S(normal(rng));
  return v;
}

template <class S>
void expect_same_bits_as_hvp() {
  const auto d = blobs<S>(400, 21);
  const nn::Activation activations[] = {nn::Activation::relu, nn::Activation::tanh, nn::Activation::sigmoid,
                                        nn::Activation::softplus, nn::Activation::gelu};
  const nn::Loss losses[] = {nn::Loss::cross_entropy, nn::Loss::mse, nn::Loss::sum_of_squares};
  int case_index = 0;
  for (nn::Activation h : activations)
    for (nn::Loss loss : losses) {
      // Standard dropout scales by p in inference mode: the state keeps its masks and z̃.
      const auto dropout = case_index++ % 2 ? nn::DropoutKind::standard : nn::DropoutKind::none;
      nn::Mlp<S> net = wide_net<S>(h, loss, dropout, 22 + std::uint64_t(case_index));
      const std::string what = nn::to_string(h) + " " + nn::to_string(loss) + " " + nn::to_string(dropout);
      std::vector<Vec<S>> by_threads;
      for (int threads : {1, 2}) {
        ThreadPool pool(threads);
        const NetworkObjective<S> f(net, d, {.pool = &pool});
        const FixedHessian<S> H = f.hessian_at(net.theta());
        Vec<S> Hv, expected, direct;
        nn::Cache<S> cache;
        // Several directions through one operator: a product leaves the kept state as it was.
        for (std::uint64_t k = 0; k < 3; ++k) {
          const Vec<S> v = direction<S>(net.num_params(), 30 + k);
          H.hvp(v, Hv);
          f.hvp(net.theta(), v, expected);
          net.hvp(d.X, d.Y, v, cache, direct, nn::Mode::eval, nullptr, &pool);
          EXPECT_TRUE(Hv == expected) << what << ", " << threads << " thread(s), direction " << k;
          EXPECT_TRUE(Hv == direct) << what << ", " << threads << " thread(s), direction " << k;
          if (k == 0) by_threads.push_back(Hv);
        }
      }
      EXPECT_TRUE(by_threads[0] == by_threads[1]) << what << ": 1 against 2 threads";
    }
}

TEST(FixedHessian, SameBitsAsTheFromScratchProductInDouble) { expect_same_bits_as_hvp<double>(); }
TEST(FixedHessian, SameBitsAsTheFromScratchProductInFloat) { expect_same_bits_as_hvp<float>(); }

// Hv against (∇E(θ + hv) − ∇E(θ − hv)) / 2h of the double network; the float operator against the
// same double differences at θ rounded to float (its own rounding, ~1e-6, is the difference).
TEST(FixedHessian, MatchesFiniteDifferencesOfTheGradient) {
  const auto d = blobs<double>(300, 40);
  for (nn::Activation h : {nn::Activation::tanh, nn::Activation::gelu, nn::Activation::softplus}) {
    nn::Mlp<double> net = wide_net<double>(h, nn::Loss::cross_entropy, nn::DropoutKind::none, 41);
    nn::Mlp<float> net_f(net.spec());
    net_f.theta() = net.theta().cast<float>();
    net.theta() = net_f.theta().cast<double>();  // the same θ in both
    const Vec<double> theta = net.theta(), v = direction<double>(net.num_params(), 42);
    const NetworkObjective<double> f(net, d);
    Vec<double> Hv, gp, gm;
    f.hessian_at(theta).hvp(v, Hv);
    const double step = 1e-5;
    f.gradient(Vec<double>(theta + step * v), gp);
    f.gradient(Vec<double>(theta - step * v), gm);
    const Vec<double> fd = (gp - gm) / (2 * step);
    EXPECT_LE((fd - Hv).norm(), 1e-6 * Hv.norm()) << nn::to_string(h);

    const auto d_f = d.cast<float>();
    const NetworkObjective<float> f_f(net_f, d_f);
    Vec<float> Hv_f;
    f_f.hessian_at(net_f.theta()).hvp(v.cast<float>(), Hv_f);
    EXPECT_LE((fd - Hv_f.cast<double>()).norm(), 1e-4 * Hv.norm()) << nn::to_string(h);
  }
}

// A set of several chunks: kept chunks and chunks prepared again in each product (budget
// exhausted) give NetworkObjective::hvp's bits, weights and summation order included.
TEST(FixedHessian, ChunksKeptOrNotGiveTheObjectivesBits) {
  const auto d = blobs<double>(250, 50);
  for (nn::Loss loss : {nn::Loss::cross_entropy, nn::Loss::sum_of_squares}) {
    nn::Mlp<double> net = wide_net<double>(nn::Activation::tanh, loss, nn::DropoutKind::none, 51);
    const Vec<double> v = direction<double>(net.num_params(), 52);
    Vec<double> expected, Hv;
    NetworkObjective<double>(net, d, {.chunk = 64}).hvp(net.theta(), v, expected);
    // One chunk of 64 samples keeps a, z, g, δ of both hidden layers and a, δ of the output,
    // and its copied inputs and targets: (4·256·2 + 2·3 + 2 + 3)·64 doubles.
    const std::size_t chunk_bytes = (4 * 256 * 2 + 2 * 3 + 2 + 3) * 64 * sizeof(double);
    const std::pair<std::size_t, int> budgets[] = {{0, 0}, {2 * chunk_bytes, 2}, {std::size_t(1) << 30, 4}};
    for (const auto& [budget, kept] : budgets) {
      const NetworkObjective<double> f(net, d, {.chunk = 64, .hessian_bytes = budget});
      const FixedHessian<double> H = f.hessian_at(net.theta());
      EXPECT_EQ(H.chunks(), 4);
      EXPECT_EQ(H.kept_chunks(), kept) << budget;
      for (int repeat = 0; repeat < 2; ++repeat) {
        H.hvp(v, Hv);
        EXPECT_TRUE(Hv == expected) << nn::to_string(loss) << ", budget " << budget << ", product " << repeat;
      }
    }
  }
}

// The operator is H at θ as it was: changing the network's θ afterwards (or evaluating the
// objective elsewhere) does not reach it, and it still works after being moved.
TEST(FixedHessian, IsTheHessianAtTheThetaItWasMadeAt) {
  const auto d = blobs<double>(200, 60);
  nn::Mlp<double> net = wide_net<double>(nn::Activation::softplus, nn::Loss::mse, nn::DropoutKind::none, 61);
  const NetworkObjective<double> f(net, d, {.chunk = 64});
  const Vec<double> theta = net.theta(), v = direction<double>(net.num_params(), 62);
  Vec<double> expected, Hv, elsewhere;
  f.hvp(theta, v, expected);
  FixedHessian<double> made = f.hessian_at(theta);
  net.theta() *= 1.5;
  f.hvp(net.theta(), v, elsewhere);
  const FixedHessian<double> H = std::move(made);
  H.hvp(v, Hv);
  EXPECT_TRUE(Hv == expected);
  EXPECT_FALSE(Hv == elsewhere);
  // hvp_operator takes the fixed-θ path for a network objective, at θ as it is when made.
  net.theta() = theta;
  const analysis::HvpFn op = analysis::hvp_operator(f, net.theta());
  net.theta() *= 2;
  Vec<double> through_operator;
  op(v, through_operator);
  EXPECT_TRUE(through_operator == expected);
}

TEST(FixedHessian, KeepsWhatItSaysPerSample) {
  const auto d = blobs<float>(1000, 70);
  nn::Mlp<float> net = wide_net<float>(nn::Activation::relu, nn::Loss::cross_entropy, nn::DropoutKind::none, 71);
  const NetworkObjective<float> f(net, d);
  const FixedHessian<float> H = f.hessian_at(net.theta());
  // a, z of two hidden layers of 256, g, δ of the second (relu's h'' = 0: the R-passes read no
  // g^(2), δ^(2)) and a, δ of 3 outputs, per sample, in float; the inputs are the objective's own
  // (one chunk: not copied).
  const std::size_t state = (4 * 256 + 2 * 256 + 2 * 3) * 1000 * sizeof(float);
  EXPECT_EQ(H.bytes(), state);
  Vec<float> Hv;
  H.hvp(Vec<float>::Ones(net.num_params()), Hv);
  // and after a product the R-passes' buffers: R{a}, R{z̃}, R{δ} and R{g} (no scratch for h''
  // terms).
  const std::size_t r = (3 * 256 * 2 + 2 * 3 + 256) * 1000 * sizeof(float);
  EXPECT_EQ(H.bytes(), state + r);
}

}  // namespace
}  // namespace nnlab::train
