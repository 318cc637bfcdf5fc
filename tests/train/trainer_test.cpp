// The training loop: learns a separable problem, is deterministic across thread counts, and
// stops cleanly on divergence.
#include "nnlab/train/trainer.hpp"

#include <gtest/gtest.h>

#include "blobs.hpp"
#include "nnlab/core/error.hpp"

namespace nnlab::train {
namespace {

nn::MlpSpec small_spec() {
  nn::MlpSpec spec;
  spec.sizes = {2, 32, 32, 3};
  spec.activations = {nn::Activation::relu, nn::Activation::relu};
  spec.dropout = nn::DropoutKind::inverted;
  spec.keep = {1.0, 0.8, 0.8};
  return spec;
}

TEST(Trainer, LearnsSeparableBlobs) {
  const auto train_set = blobs(2000, 1), test_set = blobs(500, 2);
  nn::Mlp<float> net(small_spec());
  Rng rng = make_rng(1, stream::init);
  net.init(rng);
  auto opt = optim::make_optimizer<float>("sgd", {.lr = 0.1, .momentum = 0.9});
  std::vector<EpochRecord> seen;
  Observer<float> observer{.on_epoch = [&](const optim::EpochEvent<float>&, const EpochRecord& e) {
    seen.push_back(e);
    return optim::Control::proceed;
  }};
  const TrainResult r =
      train(net, opt, train_set, &test_set, {.batch = 64, .epochs = 5, .seed = 3}, nullptr, observer);
  ASSERT_FALSE(r.diverged()) << r.message;
  ASSERT_EQ(r.epochs.size(), 5u);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_LT(r.epochs.back().loss, r.epochs.front().loss);
  // Blobs 3.4σ apart: the Bayes error is below 0.1%, so ≥ 98% is a low bar a broken loop misses.
  EXPECT_GT(r.epochs.back().test_accuracy, 0.98);
}

TEST(Trainer, BitIdenticalForOneAndTwoThreads) {
  const auto train_set = blobs(600, 4);
  nn::MlpSpec spec = small_spec();
  spec.sizes = {2, 256, 256, 3};  // large enough for the products to be split into blocks
  std::vector<Vec<float>> thetas;
  for (int threads : {1, 2}) {
    nn::Mlp<float> net(spec);
    Rng rng = make_rng(5, stream::init);
    net.init(rng);
    auto opt = optim::make_optimizer<float>("adam", {.lr = 1e-3});
    ThreadPool pool(threads);
    train(net, opt, train_set, nullptr, {.batch = 100, .epochs = 2, .seed = 6}, &pool);
    thetas.push_back(net.theta());
  }
  EXPECT_TRUE(thetas[0] == thetas[1]);
}

TEST(Trainer, DivergenceStopsCleanly) {
  const auto train_set = blobs(500, 7);
  nn::Mlp<float> net(small_spec());
  Rng rng = make_rng(7, stream::init);
  net.init(rng);
  auto opt = optim::make_optimizer<float>("sgd", {.lr = 1e8});
  const TrainResult r = train(net, opt, train_set, nullptr, {.batch = 50, .epochs = 3, .seed = 1});
  EXPECT_TRUE(r.diverged());
  EXPECT_NE(r.message.find("diverged"), std::string::npos);
  EXPECT_TRUE(net.theta().allFinite());
}

TEST(Trainer, RejectsDataThatDoNotFit) {
  auto train_set = blobs(100, 8);
  nn::MlpSpec spec = small_spec();
  spec.sizes = {3, 8, 8, 3};
  nn::Mlp<float> net(spec);
  auto opt = optim::make_optimizer<float>("sgd", {.lr = 0.1});
  EXPECT_THROW(train(net, opt, train_set, nullptr, {}), Error);
}

}  // namespace
}  // namespace nnlab::train
