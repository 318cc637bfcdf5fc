// Every activation, loss, dropout kind and layer configuration of Mlp against central finite
// differences in double; the R-operator's H·v against finite differences of gradients and
// against exact Hessians of small nets.
#include "nnlab/nn/mlp.hpp"

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "nnlab/core/error.hpp"
#include "support/gradient_check.hpp"

namespace nnlab::nn {
namespace {

using testing::compare;
using testing::numeric_gradient;

struct Problem {
  Mat<double> X, T;
};

Problem make_problem(const MlpSpec& spec, Index N, Rng& rng) {
  Problem pr{Mat<double>(spec.sizes.front(), N), Mat<double>::Zero(spec.sizes.back(), N)};
  for (Index i = 0; i < pr.X.size(); ++i) pr.X.data()[i] = normal(rng);
  for (Index n = 0; n < N; ++n) {
    if (spec.loss == Loss::cross_entropy)
      pr.T(Index(uniform_index(rng, std::uint64_t(pr.T.rows()))), n) = 1;
    else
      for (Index k = 0; k < pr.T.rows(); ++k) pr.T(k, n) = normal(rng);
  }
  return pr;
}

MlpSpec spec_of(std::vector<Index> sizes, Activation h, Loss loss) {
  MlpSpec s;
  s.sizes = std::move(sizes);
  s.activations.assign(s.sizes.size() - 2, h);
  s.loss = loss;
  return s;
}

bool has_relu(const MlpSpec& spec) {
  return std::find(spec.activations.begin(), spec.activations.end(), Activation::relu) !=
         spec.activations.end();
}

// Gradient of E at θ by backprop (masks frozen from one training forward) vs central differences,
// on a batch of N samples (N ≥ 128 runs loss_and_gradient in column chunks).
double gradient_error(const MlpSpec& spec, std::uint64_t seed, Index N = 5) {
  Rng rng = make_rng(seed, 0);
  Mlp<double> net(spec);
  net.init(rng, Init::glorot_uniform, 1.5);
  for (Index i = 0; i < net.num_params(); ++i) net.theta()[i] += 0.1 * normal(rng);  // nonzero b
  const Problem pr = make_problem(spec, N, rng);
  Cache<double> cache;
  Vec<double> grad;
  Rng mask_rng = make_rng(seed, stream::dropout);
  net.loss_and_gradient(pr.X, pr.T, cache, grad, Mode::train, &mask_rng);
  const auto E = [&](const Vec<double>& theta) {
    Mlp<double> copy = net;
    copy.theta() = theta;
    Cache<double> c = cache;  // the same masks
    copy.forward(pr.X, c, Mode::frozen_masks);
    return double(loss_value(spec.loss, c.y(), pr.T));
  };
  const double h = has_relu(spec) ? 1e-5 : 1e-3;
  const auto r = compare(grad, numeric_gradient(E, net.theta(), h), 1e-6);
  EXPECT_LT(r.max_rel_error, 1e-7) << "worst coordinate " << r.worst << ": backprop " << r.analytic
                                   << " vs finite differences " << r.numeric;
  return r.max_rel_error;
}

TEST(MlpGradient, EverySmoothActivationAndLoss) {
  std::uint64_t seed = 1;
  for (Activation h : {Activation::identity, Activation::sigmoid, Activation::tanh,
                       Activation::softplus, Activation::gelu})
    for (Loss loss : {Loss::sum_of_squares, Loss::mse, Loss::cross_entropy}) {
      SCOPED_TRACE(to_string(h) + " / " + to_string(loss));
      gradient_error(spec_of({3, 4, 5, 3}, h, loss), seed++);
    }
}

// ReLU: finite differences are meaningful only with steps far below the distance to a kink;
// with random data the pre-activations sit ≥ 1e-3 from 0 and h = 1e-6 stays on one side.
TEST(MlpGradient, Relu) {
  for (Loss loss : {Loss::sum_of_squares, Loss::cross_entropy}) {
    MlpSpec spec = spec_of({4, 6, 6, 2}, Activation::relu, loss);
    gradient_error(spec, 11);
  }
}

TEST(MlpGradient, MixedActivationsNoBiasDeep) {
  MlpSpec spec;
  spec.sizes = {3, 4, 4, 4, 4, 2};
  spec.activations = {Activation::tanh, Activation::gelu, Activation::sigmoid, Activation::softplus};
  spec.bias = false;
  spec.loss = Loss::sum_of_squares;
  gradient_error(spec, 21);
  spec.bias = true;
  gradient_error(spec, 22);
}

TEST(MlpGradient, SingleLayerLinearModel) {
  gradient_error(spec_of({5, 2}, Activation::identity, Loss::mse), 31);
}

TEST(MlpGradient, TiedWeights) {
  MlpSpec spec = spec_of({3, 4, 4, 4, 2}, Activation::tanh, Loss::sum_of_squares);
  spec.tying = Tying::hidden;
  gradient_error(spec, 41);
  spec = spec_of({4, 4, 4, 4}, Activation::softplus, Loss::sum_of_squares);
  spec.tying = Tying::all;
  gradient_error(spec, 42);
  Mlp<double> net(spec);
  EXPECT_EQ(net.num_params(), 16 + 3 * 4);  // one W, three biases
}

// The spec knows θ's length before anything is allocated (nnlab train checks memory with it).
TEST(MlpSpecLayout, NumParamsBeforeAllocationEqualsTheNetwork) {
  for (Tying tying : {Tying::none, Tying::hidden, Tying::all})
    for (bool bias : {true, false}) {
      MlpSpec spec = spec_of({4, 4, 4, 4, 4}, Activation::tanh, Loss::mse);
      spec.tying = tying;
      spec.bias = bias;
      EXPECT_EQ(spec.num_params(), Mlp<float>(spec).num_params()) << to_string(tying) << bias;
    }
  EXPECT_EQ(spec_of({784, 512, 10}, Activation::relu, Loss::cross_entropy).num_params(),
            784 * 512 + 512 + 512 * 10 + 10);
}

TEST(MlpGradient, DropoutKindsWithFrozenMasks) {
  for (DropoutKind kind : {DropoutKind::standard, DropoutKind::inverted})
    for (Loss loss : {Loss::sum_of_squares, Loss::cross_entropy}) {
      MlpSpec spec = spec_of({5, 6, 6, 3}, Activation::tanh, loss);
      spec.dropout = kind;
      spec.keep = {0.8, 0.5, 0.7};
      SCOPED_TRACE(to_string(kind));
      gradient_error(spec, 51);
    }
}

// Batches of ≥ 128 samples on small networks run as two column chunks, each with its own
// forward, loss share and backward: the summed gradient must still be E's, for every loss,
// dropout kind (masks drawn for the whole batch), tying and bias setting.
TEST(MlpGradient, ChunkedBatches) {
  std::uint64_t seed = 61;
  for (Loss loss : {Loss::sum_of_squares, Loss::mse, Loss::cross_entropy})
    for (DropoutKind kind : {DropoutKind::none, DropoutKind::standard, DropoutKind::inverted}) {
      MlpSpec spec = spec_of({4, 5, 5, 3}, Activation::tanh, loss);
      spec.dropout = kind;
      if (kind != DropoutKind::none) spec.keep = {0.8, 0.5, 0.7};
      spec.tying = Tying::hidden;
      spec.bias = seed % 2 == 0;
      SCOPED_TRACE(to_string(loss) + " / " + to_string(kind));
      gradient_error(spec, seed++, 150);  // chunks of 80 and 70 columns
    }
}

// One output unit: ∂E/∂W^(L) is summed from z̃^(L)'s columns panel by panel inside the backward
// pass (Mlp::propagate), not by a product. Hidden widths that leave no whole packet (3), one and a
// tail (9), and four packets and one more (40); with dropout on z^(L) (z̃ ≠ z); a batch in one
// piece (5) and one in two column chunks (150).
TEST(MlpGradient, OneOutputUnit) {
  std::uint64_t seed = 81;
  for (Index width : {3, 9, 40})
    for (DropoutKind kind : {DropoutKind::none, DropoutKind::inverted})
      for (Index N : {5, 150}) {
        MlpSpec spec = spec_of({2, 7, width, 1}, Activation::tanh, Loss::mse);
        spec.dropout = kind;
        if (kind != DropoutKind::none) spec.keep = {1.0, 0.8, 0.6};
        SCOPED_TRACE("width " + std::to_string(width) + ", " + to_string(kind) + ", N = " + std::to_string(N));
        gradient_error(spec, seed++, N);
      }
}

// The same net stepped inside backprop (loss_gradient_step) and after it: the same gradient bit
// for bit, every parameter stepped once, the same θ.
TEST(MlpGradient, OneOutputUnitFusedStepEqualsPlain) {
  const MlpSpec spec = spec_of({2, 9, 40, 1}, Activation::tanh, Loss::mse);
  Mlp<double> net(spec);
  Rng rng = make_rng(83, 0);
  net.init(rng);
  const Problem pr = make_problem(spec, 100, rng);
  Cache<double> plain_cache, fused_cache;
  Vec<double> g_plain, g_fused;
  net.loss_and_gradient(pr.X, pr.T, plain_cache, g_plain);
  Vec<double> expected = net.theta(), stepped = Vec<double>::Zero(net.num_params());
  for (Index i = 0; i < expected.size(); ++i) expected[i] -= 0.1 * g_plain[i];
  Mlp<double> fused = net;
  const Mlp<double>::RangeStep step = [&](Index offset, Index len) {
    for (Index i = offset; i < offset + len; ++i) {
      fused.theta()[i] -= 0.1 * g_fused[i];
      stepped[i] += 1;
    }
  };
  fused.loss_gradient_step(pr.X, pr.T, fused_cache, g_fused, step);
  EXPECT_TRUE(g_fused == g_plain);
  EXPECT_TRUE(stepped == Vec<double>::Ones(net.num_params()));
  EXPECT_TRUE(fused.theta() == expected);
}

// The chunked loss_and_gradient against forward() + backward() on the whole batch at once.
TEST(MlpGradient, ChunkedEqualsWholeBatch) {
  MlpSpec spec = spec_of({3, 16, 16, 2}, Activation::tanh, Loss::cross_entropy);
  Mlp<double> net(spec);
  Rng rng = make_rng(71, 0);
  net.init(rng);
  const Problem pr = make_problem(spec, 300, rng);
  Cache<double> chunked, whole;
  Vec<double> g_chunked, g_whole;
  const double E = net.loss_and_gradient(pr.X, pr.T, chunked, g_chunked);
  net.forward(pr.X, whole);
  EXPECT_NEAR(E, net.backward(pr.T, whole, g_whole), 1e-14 * std::abs(E));
  EXPECT_LT((g_chunked - g_whole).norm(), 1e-14 * g_whole.norm());
  // The cache holds the whole batch either way: every δ and activation.
  for (std::size_t k = 2; k <= 4; ++k)
    EXPECT_LT((chunked.delta[k] - whole.delta[k]).norm(), 1e-14 * whole.delta[k].norm()) << k;
  EXPECT_LT((chunked.y() - whole.y()).norm(), 1e-14 * whole.y().norm());
}

// ---------------------------------------------------------------- Hessian-vector products
double hvp_error(const MlpSpec& spec, std::uint64_t seed) {
  Rng rng = make_rng(seed, 0);
  Mlp<double> net(spec);
  net.init(rng, Init::glorot_uniform, 1.5);
  for (Index i = 0; i < net.num_params(); ++i) net.theta()[i] += 0.1 * normal(rng);  // nonzero b
  const Problem pr = make_problem(spec, 6, rng);
  Vec<double> v(net.num_params());
  for (Index i = 0; i < v.size(); ++i) v[i] = normal(rng);
  v.normalize();
  Cache<double> cache;
  Vec<double> Hv;
  Rng mask_rng = make_rng(seed, stream::dropout);
  net.hvp(pr.X, pr.T, v, cache, Hv, Mode::train, &mask_rng);
  // hvp in its two halves, prepared once for two directions, gives hvp's bits (the training
  // forward's masks frozen; the second direction after a product has run on the state).
  Cache<double> at = cache;
  net.hvp_prepare(pr.X, pr.T, at, Mode::frozen_masks);
  RBuffers<double> rbuf;
  const Vec<double> w = v.reverse();
  const Vec<double>* directions[] = {&v, &w, &v};
  for (const Vec<double>* d : directions) {
    Cache<double> c = cache;
    Vec<double> expected, prepared;
    net.hvp(pr.X, pr.T, *d, c, expected, Mode::frozen_masks);
    net.hvp_prepared(pr.T, *d, at, rbuf, prepared);
    EXPECT_TRUE(prepared == expected);
  }
  const auto gradient = [&](const Vec<double>& theta) {
    Mlp<double> copy = net;
    copy.theta() = theta;
    Cache<double> c = cache;
    Vec<double> g;
    copy.loss_and_gradient(pr.X, pr.T, c, g, Mode::frozen_masks);
    return g;
  };
  const double h = has_relu(spec) ? 1e-5 : 1e-3;
  const auto r = compare(Hv, testing::numeric_directional(gradient, net.theta(), v, h), 1e-4);
  EXPECT_LT(r.max_rel_error, 1e-6) << "worst coordinate " << r.worst << ": R-operator "
                                   << r.analytic << " vs finite differences " << r.numeric;
  return r.max_rel_error;
}

TEST(MlpHvp, MatchesFiniteDifferencesOfGradients) {
  std::uint64_t seed = 100;
  for (Activation h : {Activation::identity, Activation::sigmoid, Activation::tanh,
                       Activation::softplus, Activation::gelu, Activation::relu})
    for (Loss loss : {Loss::sum_of_squares, Loss::mse, Loss::cross_entropy}) {
      SCOPED_TRACE(to_string(h) + " / " + to_string(loss));
      hvp_error(spec_of({3, 5, 4, 3}, h, loss), seed++);
    }
}

// hvp_prepare leaves out g^(2) and δ^(2) when the first hidden layer is piecewise linear (the
// R-passes read them only in R{δ^(2)}'s h'' term): with a curved layer after it, and before it.
TEST(MlpHvp, MixedActivations) {
  using A = Activation;
  for (auto [h1, h2] : {std::pair{A::relu, A::tanh}, std::pair{A::tanh, A::relu}, std::pair{A::identity, A::softplus}}) {
    SCOPED_TRACE(to_string(h1) + ", " + to_string(h2));
    MlpSpec spec = spec_of({3, 5, 4, 3}, h1, Loss::cross_entropy);
    spec.activations = {h1, h2};
    hvp_error(spec, 301);
  }
}

TEST(MlpHvp, TiedNoBiasAndDropout) {
  MlpSpec spec = spec_of({3, 4, 4, 4, 2}, Activation::tanh, Loss::cross_entropy);
  spec.tying = Tying::hidden;
  spec.bias = false;
  hvp_error(spec, 201);
  spec.bias = true;
  spec.dropout = DropoutKind::inverted;
  spec.keep = {0.9, 0.6, 0.5, 0.7};
  hvp_error(spec, 202);
}

Mat<double> hessian_by_hvp(const Mlp<double>& net, const Problem& pr) {
  Mat<double> H(net.num_params(), net.num_params());
  Cache<double> cache;
  Vec<double> Hv;
  for (Index i = 0; i < H.cols(); ++i) {
    net.hvp(pr.X, pr.T, Vec<double>::Unit(H.cols(), i), cache, Hv);
    H.col(i) = Hv;
  }
  return H;
}

// A single linear layer y = W x + b with E = ½ Σ‖y − t‖²: H = (Σ_n x̂_n x̂_nᵀ) ⊗ I with x̂ = (x, 1),
// in θ = [vec W (column-major), b]. Exact, no finite differences.
TEST(MlpHessian, ExactForLinearLeastSquares) {
  MlpSpec spec = spec_of({3, 2}, Activation::identity, Loss::sum_of_squares);
  Rng rng = make_rng(7, 0);
  Mlp<double> net(spec);
  net.init(rng);
  const Problem pr = make_problem(spec, 5, rng);
  const Mat<double> H = hessian_by_hvp(net, pr);
  Mat<double> Xh(4, 5);
  Xh << pr.X, Mat<double>::Ones(1, 5);
  const Mat<double> C = Xh * Xh.transpose();
  Mat<double> expected = Mat<double>::Zero(8, 8);
  // θ index of W(j, i) is i*2 + j; of b(j) is 6 + j.
  const auto index = [](Index input, Index out) { return input < 3 ? input * 2 + out : 6 + out; };
  for (Index i = 0; i < 4; ++i)
    for (Index k = 0; k < 4; ++k)
      for (Index j = 0; j < 2; ++j) expected(index(i, j), index(k, j)) = C(i, k);
  EXPECT_LT((H - expected).norm(), 1e-12 * expected.norm());
}

// Softmax regression, E = −1/N Σ log s_t: H = 1/N Σ_n x̂ x̂ᵀ ⊗ (diag(s_n) − s_n s_nᵀ).
TEST(MlpHessian, ExactForSoftmaxRegression) {
  MlpSpec spec = spec_of({2, 3}, Activation::identity, Loss::cross_entropy);
  Rng rng = make_rng(8, 0);
  Mlp<double> net(spec);
  net.init(rng, Init::uniform, 3.0);
  const Problem pr = make_problem(spec, 4, rng);
  const Mat<double> H = hessian_by_hvp(net, pr);
  Cache<double> cache;
  net.forward(pr.X, cache);
  Mat<double> S;
  softmax(cache.y(), S);
  Mat<double> expected = Mat<double>::Zero(9, 9);
  const auto index = [](Index input, Index out) { return input < 2 ? input * 3 + out : 6 + out; };
  for (Index n = 0; n < 4; ++n) {
    Vec<double> xh(3);
    xh << pr.X.col(n), 1;
    const Vec<double> s = S.col(n);
    const Mat<double> A = Mat<double>(s.asDiagonal()) - s * s.transpose();
    for (Index i = 0; i < 3; ++i)
      for (Index k = 0; k < 3; ++k)
        for (Index j = 0; j < 3; ++j)
          for (Index l = 0; l < 3; ++l) expected(index(i, j), index(k, l)) += xh[i] * xh[k] * A(j, l) / 4;
  }
  EXPECT_LT((H - expected).norm(), 1e-12 * expected.norm());
}

// On a deeper smooth net the assembled Hessian must be symmetric to rounding (finite differences
// of gradients are not), and the Gauss–Newton matrix positive semidefinite.
TEST(MlpHessian, SymmetricAndGaussNewtonPsd) {
  MlpSpec spec = spec_of({3, 4, 3, 2}, Activation::tanh, Loss::cross_entropy);
  Rng rng = make_rng(9, 0);
  Mlp<double> net(spec);
  net.init(rng, Init::glorot_uniform, 2.0);
  const Problem pr = make_problem(spec, 6, rng);
  const Mat<double> H = hessian_by_hvp(net, pr);
  EXPECT_LT((H - H.transpose()).norm(), 1e-12 * H.norm());
  Mat<double> G(H.rows(), H.cols());
  Cache<double> cache;
  Vec<double> Gv;
  for (Index i = 0; i < G.cols(); ++i) {
    net.gnvp(pr.X, pr.T, Vec<double>::Unit(G.cols(), i), cache, Gv);
    G.col(i) = Gv;
  }
  EXPECT_LT((G - G.transpose()).norm(), 1e-12 * G.norm());
  Eigen::SelfAdjointEigenSolver<Mat<double>> eig(G);
  EXPECT_GT(eig.eigenvalues().minCoeff(), -1e-12 * eig.eigenvalues().maxCoeff());
  EXPECT_GT((H - G).norm(), 1e-3 * H.norm());  // a tanh net is not Gauss–Newton-exact
}

// ---------------------------------------------------------------- dropout statistics
TEST(MlpDropout, MaskMeanIsKeepProbability) {
  for (DropoutKind kind : {DropoutKind::standard, DropoutKind::inverted}) {
    MlpSpec spec = spec_of({50, 40, 2}, Activation::identity, Loss::sum_of_squares);
    spec.dropout = kind;
    spec.keep = {0.8, 0.3};
    Mlp<double> net(spec);
    Rng rng = make_rng(3, 0);
    net.init(rng);
    const Mat<double> X = Mat<double>::Ones(50, 1000);
    Cache<double> cache;
    net.forward(X, cache, Mode::train, &rng);
    for (int k : {1, 2}) {
      const double p = spec.keep[std::size_t(k - 1)];
      const Mat<double>& m = cache.mask[std::size_t(k)];
      const double scale = kind == DropoutKind::inverted ? 1 / p : 1;
      const double kept = (m.array() != 0).cast<double>().mean();
      const double n = double(m.size());
      EXPECT_NEAR(kept, p, 4 * std::sqrt(p * (1 - p) / n)) << "layer " << k;
      EXPECT_TRUE(((m.array() == 0) || (m.array() == scale)).all());
    }
  }
}

// E[training output] equals the inference output for both kinds (linear net, so exact in
// expectation): the standard kind scales by p at inference, the inverted by 1/p in training.
TEST(MlpDropout, ExpectedTrainingActivationEqualsInference) {
  for (DropoutKind kind : {DropoutKind::standard, DropoutKind::inverted}) {
    MlpSpec spec = spec_of({6, 5, 3}, Activation::identity, Loss::sum_of_squares);
    spec.dropout = kind;
    spec.keep = {0.7, 0.5};
    Mlp<double> net(spec);
    Rng rng = make_rng(4, 0);
    net.init(rng);
    Mat<double> x(6, 1);
    for (Index i = 0; i < 6; ++i) x(i) = normal(rng);
    Cache<double> cache;
    net.forward(x, cache, Mode::eval);
    const Vec<double> inference = cache.y().col(0);
    const int trials = 40000;
    Vec<double> sum = Vec<double>::Zero(3), sum2 = Vec<double>::Zero(3);
    const Mat<double> X = x.replicate(1, trials);
    net.forward(X, cache, Mode::train, &rng);
    sum = cache.y().rowwise().sum();
    sum2 = cache.y().array().square().rowwise().sum();
    for (Index j = 0; j < 3; ++j) {
      const double mean = sum[j] / trials, var = sum2[j] / trials - mean * mean;
      EXPECT_NEAR(mean, inference[j], 4 * std::sqrt(var / trials)) << to_string(kind) << " output " << j;
    }
  }
}

TEST(MlpDropout, InvertedIsIdentityAtInference) {
  MlpSpec spec = spec_of({4, 3, 2}, Activation::tanh, Loss::sum_of_squares);
  Mlp<double> plain(spec);
  spec.dropout = DropoutKind::inverted;
  spec.keep = {0.5, 0.5};
  Mlp<double> dropped(spec);
  Rng rng = make_rng(5, 0);
  plain.init(rng);
  dropped.theta() = plain.theta();
  const Mat<double> X = Mat<double>::Random(4, 7);
  Cache<double> c1, c2;
  plain.forward(X, c1);
  dropped.forward(X, c2);
  EXPECT_EQ(c1.y(), c2.y());
}

// ---------------------------------------------------------------- validation and layout
TEST(MlpSpec, ParsesAndRejects) {
  EXPECT_EQ(MlpSpec::parse_sizes("784-512-10"), (std::vector<Index>{784, 512, 10}));
  for (const char* bad : {"", "784", "784--10", "784-0-10", "a-b", "784-512-", "-5-3", "1.5-2",
                          "2-99999999999999999999-1"})
    EXPECT_THROW(MlpSpec::parse_sizes(bad), Error) << bad;
  MlpSpec spec = spec_of({4, 3, 2}, Activation::tanh, Loss::sum_of_squares);
  spec.keep = {0.5, 1.5};
  EXPECT_THROW(Mlp<double>{spec}, Error);
  spec.keep = {0.0, 0.5};
  EXPECT_THROW(Mlp<double>{spec}, Error);
  spec.keep = {0.5};
  EXPECT_THROW(Mlp<double>{spec}, Error);
  spec = spec_of({4, 3, 5, 2}, Activation::tanh, Loss::sum_of_squares);
  spec.activations.pop_back();
  EXPECT_THROW(Mlp<double>{spec}, Error);
  EXPECT_THROW(parse_activation("swish"), Error);
  EXPECT_THROW(parse_dropout_kind("gaussian"), Error);
  spec = spec_of({4, 3, 5, 2}, Activation::tanh, Loss::sum_of_squares);
  spec.tying = Tying::hidden;
  EXPECT_THROW(Mlp<double>{spec}, Error);
}

TEST(MlpLayout, ParameterViewsAreContiguousAndOrdered) {
  Mlp<float> net(spec_of({784, 512, 512, 10}, Activation::relu, Loss::cross_entropy));
  EXPECT_EQ(net.num_params(), 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
  EXPECT_EQ(net.W_offset(1), 0);
  EXPECT_EQ(net.b_offset(1), 784 * 512);
  EXPECT_EQ(net.W_offset(2), 784 * 512 + 512);
  EXPECT_EQ(net.b_offset(3), net.num_params() - 10);
  net.W(2)(3, 4) = 7.0f;
  EXPECT_EQ(net.theta()[net.W_offset(2) + 4 * 512 + 3], 7.0f);  // column-major
}

TEST(MlpLayout, WrongInputSizeIsAnError) {
  Mlp<double> net(spec_of({4, 3, 2}, Activation::tanh, Loss::sum_of_squares));
  Cache<double> cache;
  EXPECT_THROW(net.forward(Mat<double>::Zero(5, 2), cache), Error);
  Vec<double> g;
  EXPECT_THROW(net.backward(Mat<double>::Zero(2, 2), cache, g), Error);
  // A batch large enough to run in column chunks: the targets' shape is checked there too.
  EXPECT_THROW(net.loss_and_gradient(Mat<double>::Zero(4, 200), Mat<double>::Zero(3, 200), cache, g),
               Error);
}

// The vectorized double tanh against std::tanh: tiny to saturated arguments of both signs, a
// dense sweep of [−21, 21] (across every reduction interval and the clamp at 20), IEEE specials,
// and a count that leaves a partial vector at the end.
TEST(Activation, VectorizedTanhMatchesStd) {
  std::vector<double> xs = {0.0, -0.0, 0.625, -0.625, std::nextafter(0.625, 0.0), 19.9, 20.0, 20.5,
                            710.0, -1e300, 5e-324};
  for (int e = -40; e <= 5; ++e)
    for (int i = 1; i <= 64; ++i) xs.push_back(std::ldexp((i % 2 ? 1 : -1) * (1 + i / 64.0), e));
  for (int i = 0; i <= 4000; ++i) xs.push_back(0.5 + i * 0.25 / 4000);  // [0.5, 0.75]
  for (int i = 0; i <= 200001; ++i) xs.push_back(-21 + i * 42.0 / 200001);
  Mat<double> a = Eigen::Map<Mat<double>>(xs.data(), 1, Index(xs.size())), z;
  activate(Activation::tanh, a, z);
  double worst = 0;
  for (Index i = 0; i < a.cols(); ++i) {
    const double exact = std::tanh(a(0, i));
    ASSERT_EQ(std::signbit(z(0, i)), std::signbit(exact)) << a(0, i);
    worst = std::max(worst, std::abs(z(0, i) - exact) / std::max(std::abs(exact), 0x1p-1022));
  }
  EXPECT_LE(worst, 3 * 0x1p-52);  // 3 ulp (measured worst: 2.1)
  // Five: the first four go through the vector kernel (AVX2: 4 lanes), the last through the tail.
  Mat<double> special(1, 5), t;
  special << std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(), -0.0, std::numeric_limits<double>::quiet_NaN();
  activate(Activation::tanh, special, t);
  EXPECT_EQ(t(0, 0), 1.0);
  EXPECT_EQ(t(0, 1), -1.0);
  EXPECT_TRUE(std::isnan(t(0, 2)));  // a NaN must reach the loss, where divergence is caught
  EXPECT_TRUE(t(0, 3) == 0.0 && std::signbit(t(0, 3)));
  EXPECT_TRUE(std::isnan(t(0, 4)));
}

// The float activations (sigmoid and tanh by Eigen, softplus and GELU by SLEEF; identity and relu
// are exact) and their derivatives against double on the same arguments, saturated, moderate and
// tiny: within 8 float ulp. (tests/nn/activation_test.cpp checks GELU and softplus against long
// double, to its tails.)
TEST(Activation, FloatMatchesDouble) {
  std::vector<double> xs;
  for (int i = -3000; i <= 3000; ++i) xs.push_back(i / 100.0);
  for (int e = -30; e <= -5; ++e) xs.insert(xs.end(), {std::ldexp(1.0, e), -std::ldexp(1.0, e)});
  const Index n = Index(xs.size());
  const Mat<float> af = Eigen::Map<Mat<double>>(xs.data(), 1, n).cast<float>();
  const Mat<float> gf = Mat<float>::Ones(1, n);
  const Mat<double> a = af.cast<double>(), g = gf.cast<double>();  // the same arguments exactly
  Mat<double> z, d;
  Mat<float> zf, df;
  for (Activation act : {Activation::identity, Activation::relu, Activation::sigmoid,
                         Activation::tanh, Activation::softplus, Activation::gelu}) {
    activate(act, a, z);
    activate(act, af, zf);
    times_derivative(act, a, z, g, d);
    times_derivative(act, af, zf, gf, df);
    for (Index i = 0; i < n; ++i) {
      EXPECT_NEAR(zf(0, i), z(0, i), 8 * 0x1p-23 * std::max(std::abs(z(0, i)), 1e-30)) << to_string(act) << " h(" << a(0, i) << ")";
      // h' of sigmoid and tanh is read from z as z(1 − z) and 1 − z², so the 8 ulp z may be off
      // by near |z| = 1 (8 · 2⁻²⁴) carry over doubled, absolutely: SSE's float tanh rounds to 1
      // from |x| = 7.9, where 1 − tanh² is still 4.8e-7.
      EXPECT_NEAR(df(0, i), d(0, i), 8 * 0x1p-23 * std::abs(d(0, i)) + 2 * 8 * 0x1p-24) << to_string(act) << " h'(" << a(0, i) << ")";
    }
  }
}

// h' and h'' of tanh and sigmoid where the unit saturates, against long double references
// 1/cosh²(a), σ(a)σ(−a) and their products: from z alone (1 − z², z(1 − z)) the relative error grows
// like ε/(1 − |z|), to 100% where z rounds to ±1 (double tanh at |a| ≥ 19.1, float at 9); the
// library switches to a-based formulas before 1 − |z| falls below 2⁻¹⁰ (double) or 2⁻⁸ (float),
// which bounds the error by ~2000ε = 4.5e-13 (double) and ~1000ε = 1.2e-4 (float).
// Arguments from 0.1 to 300 of both signs: each magnitude in a batch of its own (so both the
// z-based and the a-based form are checked near the switch), and all in one batch whose length
// leaves a partial block; h'' also in place (out aliasing g).
template <class S>
void expect_accurate_derivatives(const std::vector<S>& xs) {
  const Index n = Index(xs.size());
  const Mat<S> a = Eigen::Map<const Mat<S>>(xs.data(), 1, n), g = Mat<S>::Ones(1, n);
  const S tolerance = std::numeric_limits<S>::epsilon() * 2048;
  for (Activation h : {Activation::tanh, Activation::sigmoid}) {
    Mat<S> z, d, d2 = g;
    activate(h, a, z);
    times_derivative(h, a, z, g, d);
    times_second_derivative(h, a, z, d2, d2);  // in place
    for (Index i = 0; i < n; ++i) {
      const long double x = a(0, i);
      const long double zx = h == Activation::tanh ? std::tanh(x) : 1 / (1 + std::exp(-x));
      const long double dx = h == Activation::tanh ? 1 / std::pow(std::cosh(x), 2) : zx / (1 + std::exp(x));
      const long double d2x = h == Activation::tanh ? -2 * zx * dx : dx * (1 - 2 * zx);
      if (dx < std::numeric_limits<S>::min()) {
        EXPECT_LE(std::abs(d(0, i)), std::numeric_limits<S>::min()) << to_string(h) << " h'(" << x << ")";
        continue;
      }
      EXPECT_LE(std::abs(d(0, i) - dx) / dx, tolerance) << to_string(h) << " h'(" << x << ") = " << d(0, i);
      // σ'' at a ≈ 0 has 1 − 2σ cancelling (a separate matter); at saturation 1 − 2σ ≈ ±1.
      if (std::abs(x) >= 2) {
        EXPECT_LE(std::abs(d2(0, i) - d2x) / std::abs(d2x), 2 * tolerance) << to_string(h) << " h''(" << x << ")";
      }
    }
  }
}

template <class S>
void expect_accurate_derivatives_at_saturation() {
  std::vector<S> all;
  for (double m : {0.1, 0.7, 1.2, 1.5, 2.0, 3.0, 3.5, 4.0, 5.0, 8.0, 10.0, 15.0, 19.5, 25.0, 40.0, 75.0, 300.0}) {
    std::vector<S> xs;
    for (double sign : {1.0, -1.0})
      for (int k = 0; k < 7; ++k) xs.push_back(S(sign * m * (1 + k / 64.0)));
    expect_accurate_derivatives(xs);
    all.insert(all.end(), xs.begin(), xs.end());
  }
  expect_accurate_derivatives(all);
}

TEST(Activation, DerivativesStayAccurateAtSaturationDouble) { expect_accurate_derivatives_at_saturation<double>(); }
TEST(Activation, DerivativesStayAccurateAtSaturationFloat) { expect_accurate_derivatives_at_saturation<float>(); }

// tanh's h' away from saturation is g·(1 − z²) from the given z: within one rounding of each
// product (1 − z² by FMA or not, then the product with g) of the long double value, at every
// length from 1 to 200 (whole blocks of 64 values and every partial one, every partial vector),
// each value with the bits it has in the long batch, and the same in place (out aliasing g).
template <class S>
void expect_tanh_derivative_from_z() {
  Rng rng = make_rng(23, 0);
  const Index n = 200;
  Mat<S> a(1, n), g(1, n), z, d;
  for (Index i = 0; i < n; ++i) {
    a(0, i) = S(2.5 * (2 * uniform01(rng) - 1));  // 1 − |z| ≥ 0.013: the z-based form everywhere
    g(0, i) = S(normal(rng));
  }
  activate(Activation::tanh, a, z);
  times_derivative(Activation::tanh, a, z, g, d);
  const long double u = std::numeric_limits<S>::epsilon() / 2;
  for (Index i = 0; i < n; ++i) {
    const long double zi = z(0, i), hp = 1 - zi * zi, exact = g(0, i) * hp;
    // 1 − z² rounded (and z² before it, relative to z² ≤ 1 − |1 − z²|·…: bounded by u·z²), then ·g.
    const long double bound = u * std::abs(exact) + 2 * u * std::abs(g(0, i)) * (zi * zi + std::abs(hp));
    EXPECT_LE(std::abs(d(0, i) - exact), bound) << "h'(" << a(0, i) << ")";
  }
  for (Index m = 1; m <= n; ++m) {
    Mat<S> dm, gm = g.leftCols(m);
    times_derivative<S>(Activation::tanh, a.leftCols(m), z.leftCols(m), g.leftCols(m), dm);
    times_derivative<S>(Activation::tanh, a.leftCols(m), z.leftCols(m), gm, gm);  // in place
    EXPECT_TRUE(dm == d.leftCols(m) && gm == d.leftCols(m)) << "length " << m;
  }
}
TEST(Activation, TanhDerivativeFromZDouble) { expect_tanh_derivative_from_z<double>(); }
TEST(Activation, TanhDerivativeFromZFloat) { expect_tanh_derivative_from_z<float>(); }

// One seeded training step's loss, gradient and HVP must be the same bit for bit on 1 and on 2
// threads.
template <class S>
void expect_same_on_one_and_two_threads(const MlpSpec& spec, Index N) {
  Mlp<S> net(spec);
  Rng rng = make_rng(6, 0);
  net.init(rng);
  Mat<S> X = Mat<S>::Random(spec.sizes.front(), N), T = Mat<S>::Zero(spec.sizes.back(), N);
  for (Index n = 0; n < N; ++n) T(n % T.rows(), n) = 1;
  Vec<S> g[2], hv[2], v = Vec<S>::Random(net.num_params());
  S E[2];
  Cache<S> cache;
  ThreadPool one(1), two(2);
  for (int t : {0, 1}) {
    ThreadPool* pool = t == 0 ? &one : &two;
    Rng r = make_rng(9, stream::dropout);
    E[t] = net.loss_and_gradient(X, T, cache, g[t], Mode::train, &r, pool);
    net.hvp(X, T, v, cache, hv[t], Mode::frozen_masks, nullptr, pool);
  }
  EXPECT_EQ(E[0], E[1]);
  EXPECT_TRUE(g[0] == g[1]);
  EXPECT_TRUE(hv[0] == hv[1]);
}

// A wide network: its large products run in row blocks.
TEST(MlpParallel, RowBlocksBitIdenticalForOneAndTwoThreads) {
  MlpSpec spec = spec_of({300, 256, 256, 10}, Activation::relu, Loss::cross_entropy);
  spec.dropout = DropoutKind::inverted;
  spec.keep = {0.8, 0.5, 0.5};
  expect_same_on_one_and_two_threads<float>(spec, 128);
}

// A small network on a large batch: its two column chunks (of 3.4 MFLOP each, enough to go to
// the pool) run on two threads or one. On 256 columns (0.86 MFLOP a chunk, on the pool too,
// Mlp::loss_and_gradient) in float and double too.
TEST(MlpParallel, ChunkedBatchBitIdenticalForOneAndTwoThreads) {
  MlpSpec spec = spec_of({2, 32, 32, 1}, Activation::tanh, Loss::mse);
  spec.dropout = DropoutKind::inverted;
  spec.keep = {1.0, 0.8, 0.8};
  expect_same_on_one_and_two_threads<double>(spec, 1024);
  expect_same_on_one_and_two_threads<double>(spec, 256);
  expect_same_on_one_and_two_threads<float>(spec, 256);
}

}  // namespace
}  // namespace nnlab::nn
