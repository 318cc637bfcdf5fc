// Rnn: backpropagation through time against central differences of E in double, and misuse.
#include "nnlab/nn/rnn.hpp"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "support/gradient_check.hpp"

namespace nnlab::nn {
namespace {

Mat<double> gaussian(Index rows, Index cols, Rng& rng, double scale = 1) {
  Mat<double> M(rows, cols);
  for (Index i = 0; i < M.size(); ++i) M.data()[i] = scale * normal(rng);
  return M;
}

TEST(Rnn, BackpropThroughTimeMatchesFiniteDifferences) {
  for (Activation h : {Activation::tanh, Activation::sigmoid}) {
    Rng rng = make_rng(21, 0);
    Rnn<double> rnn({.n_in = 2, .n_hidden = 4, .n_out = 3, .h = h});
    rnn.theta() = gaussian(rnn.num_params(), 1, rng, 0.7);
    std::vector<Mat<double>> x;
    for (int t = 0; t < 7; ++t) x.push_back(gaussian(2, 5, rng));
    const Mat<double> targets = gaussian(3, 5, rng);
    Vec<double> grad, unused;
    RnnCache<double> cache;
    rnn.loss_and_gradient(x, targets, grad, cache);
    const Vec<double> theta = rnn.theta();
    const auto E = [&](const Vec<double>& t) {
      Rnn<double> copy = rnn;
      copy.theta() = t;
      RnnCache<double> c;
      Vec<double> g;
      return copy.loss_and_gradient(x, targets, g, c);
    };
    const auto r = testing::compare(grad, testing::numeric_gradient(E, theta, 2e-4), 1e-6);
    EXPECT_LT(r.max_rel_error, 1e-8) << to_string(h) << ", worst coordinate " << r.worst << ": " << r.analytic
                                     << " vs " << r.numeric;
  }
}

// With |tanh'| ≤ 1: ‖δ_{t−1}‖ ≤ ‖W_hh‖₂ ‖δ_t‖ at every step (Bengio et al. 1994).
TEST(Rnn, DeltaShrinksByAtMostTheSpectralNormPerStep) {
  Rng rng = make_rng(22, 0);
  Rnn<double> rnn({.n_in = 2, .n_hidden = 6, .n_out = 1});
  rnn.theta() = gaussian(rnn.num_params(), 1, rng);
  auto W_hh = rnn.view(rnn.theta()).W_hh;
  W_hh *= 0.7 / Eigen::JacobiSVD<Mat<double>>(W_hh).singularValues()(0);
  std::vector<Mat<double>> x;
  for (int t = 0; t < 12; ++t) x.push_back(gaussian(2, 3, rng));
  Vec<double> grad;
  RnnCache<double> cache;
  rnn.loss_and_gradient(x, gaussian(1, 3, rng), grad, cache);
  for (std::size_t t = 12; t >= 2; --t)
    EXPECT_LE(cache.delta[t - 1].norm(), 0.7 * cache.delta[t].norm() * (1 + 1e-12)) << t;
}

TEST(Rnn, MisuseNamesTheShapes) {
  Rnn<double> rnn({.n_in = 2, .n_hidden = 3, .n_out = 1});
  Vec<double> grad;
  RnnCache<double> cache;
  EXPECT_THROW(rnn.loss_and_gradient({}, Mat<double>::Zero(1, 1), grad, cache), Error);
  EXPECT_THROW(rnn.loss_and_gradient({Mat<double>::Zero(3, 1)}, Mat<double>::Zero(1, 1), grad, cache), Error);
  EXPECT_THROW(Rnn<double>({.n_in = 0}), Error);
}

}  // namespace
}  // namespace nnlab::nn
