// Recipes: JSON round trip and validation; training through a recipe (objective + minibatch
// driver) gives the parameters of the plain training loop bit for bit; the events carry the real
// θ, batch, gradient and learning rate; recorders and stopping.
#include "nnlab/train/recipe.hpp"

#include <gtest/gtest.h>

#include "blobs.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/train/recorder.hpp"

namespace nnlab::train {
namespace {

using json = nlohmann::json;

Recipe blob_recipe() {
  Recipe r;
  r.data = {.data = "blobs.csv", .test_fraction = 0.25, .split_seed = 3};
  r.sizes = {2, 16, 16, 3};
  r.activations = {nn::Activation::tanh, nn::Activation::relu};
  r.dropout = nn::DropoutKind::inverted;
  r.keep = {0.9, 0.6};
  r.init = nn::Init::he_normal;
  r.optimizer = "sgd";
  r.lr = 0.05;
  r.momentum = 0.9;
  r.schedule = "cosine";
  r.batch = 32;
  r.epochs = 3;
  r.seed = 7;
  return r;
}

TEST(Recipe, JsonRoundTrip) {
  const Recipe r = blob_recipe();
  const Recipe back = Recipe::from_json(json::parse(r.to_json().dump()));
  EXPECT_EQ(back.to_json(), r.to_json());
  EXPECT_EQ(back.momentum, 0.9);
  EXPECT_FALSE(back.beta1.has_value());
  EXPECT_EQ(back.sizes, r.sizes);
  EXPECT_EQ(back.data.split_seed, 3u);
}

TEST(Recipe, ReadsTheRecipesOfEarlierVersions) {
  const json old = json::parse(R"json({"data":{"data":"fashion-mnist","target_column":-1,"task":"auto",
    "test_fraction":0.2,"split_seed":1,"standardize":false},"arch":"784-512-512-10",
    "activations":["relu","relu"],"loss":"cross_entropy","bias":true,"tying":"none",
    "dropout":"inverted","keep":[0.9,0.7,0.7],"init":"uniform","optimizer":"adam",
    "optimizer_description":"adam(lr=0.001)","lr":0.001,"weight_decay":0.0,"schedule":"cosine",
    "batch":128,"epochs":20,"sampling":"reshuffle","seed":1,"threads":2,"precision":"float",
    "eval_train":false})json");
  const Recipe r = Recipe::from_json(old);
  EXPECT_EQ(r.sizes, (std::vector<Index>{784, 512, 512, 10}));
  EXPECT_EQ(r.keep, (std::vector<double>{0.9, 0.7, 0.7}));
  EXPECT_EQ(r.loss, nn::Loss::cross_entropy);
}

TEST(Recipe, RejectsWhatIsWrong) {
  const json good = blob_recipe().to_json();
  const auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j;
  };
  EXPECT_THROW(Recipe::from_json(with("lerning_rate", 0.1)), Error);  // unknown field
  EXPECT_THROW(Recipe::from_json(with("lr", "fast")), Error);         // wrong type
  EXPECT_THROW(Recipe::from_json(with("lr", -1)), Error);
  EXPECT_THROW(Recipe::from_json(with("keep", json::array({1.5}))), Error);
  EXPECT_THROW(Recipe::from_json(with("optimizer", "lbfgs")), Error);
  EXPECT_THROW(Recipe::from_json(with("activations", json::array({"swish"}))), Error);
  EXPECT_THROW(Recipe::from_json(json::array()), Error);
  Recipe misfit = blob_recipe();
  misfit.sizes = {3, 8, 3};
  EXPECT_THROW(make_network(misfit, blobs<float>(10, 1)), Error);
}

// Integer fields take integers within their type's range, exactly: get<int>() cast 1e30 to int
// (undefined behaviour, found by fuzz/recipe_fuzz.cpp on target_column 4e9) and wrapped a seed
// of -1 to 2^64 - 1. An integral float (1e3, written by hand) is that integer.
TEST(Recipe, IntegerFieldsAreExactAndInRange) {
  const json base = Recipe{}.to_json();
  const auto with = [&](const char* key, json value) {
    json j = base;
    j[key] = std::move(value);
    return j;
  };
  const auto message = [](const json& j) {
    try {
      Recipe::from_json(j);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(with("epochs", 1e30)), "recipe field 'epochs' must be an integer in [-2147483648, 2147483647], got 1e+30");
  EXPECT_EQ(message(with("epochs", 2.5)), "recipe field 'epochs' must be an integer in [-2147483648, 2147483647], got 2.5");
  EXPECT_EQ(message(with("seed", -1)), "recipe field 'seed' must be an integer in [0, 18446744073709551615], got -1");
  EXPECT_EQ(Recipe::from_json(with("batch", 1e3)).batch, 1000);
  EXPECT_EQ(Recipe::from_json(with("seed", 18446744073709551615ull)).seed, 18446744073709551615ull);
  json data = base;
  data["data"]["target_column"] = 4e9;
  EXPECT_EQ(message(data), "the recorded data source has target_column 4000000000.0 (an integer in [-2147483648, 2147483647])");
  data["data"]["target_column"] = 2;
  data["data"]["split_seed"] = 1e300;
  EXPECT_NE(message(data).find("the recorded data source has split_seed 1e+300"), std::string::npos) << message(data);
}

TEST(Recipe, ResolvesTheNetworkForTheData) {
  Recipe r = blob_recipe();
  r.sizes.clear();
  r.activations = {nn::Activation::relu};
  r.keep = {0.5};
  r.batch = 1000;
  const Recipe resolved = r.resolved_for(blobs<float>(100, 2));
  EXPECT_EQ(resolved.sizes, (std::vector<Index>{2, 512, 512, 3}));
  EXPECT_EQ(resolved.activations.size(), 2u);
  EXPECT_EQ(resolved.keep, (std::vector<double>{1.0, 0.5, 0.5}));
  EXPECT_EQ(resolved.loss, nn::Loss::cross_entropy);
  EXPECT_EQ(resolved.batch, 100);
  EXPECT_TRUE(std::filesystem::path(resolved.data.data).is_absolute());
}

// The training loop as it was written before the objective layer: gather a batch, a training
// pass with masks from (seed, dropout), one optimizer step.
Vec<float> plain_loop(const Recipe& r, const data::Dataset<float>& d) {
  nn::Mlp<float> net(r.spec_for(d));
  Rng init = make_rng(r.seed, stream::init);
  net.init(init, r.init);
  optim::OptimizerConfig config{.lr = r.lr, .momentum = r.momentum, .schedule = r.schedule};
  config.steps_per_epoch = (d.size() + r.batch - 1) / r.batch;
  config.horizon_steps = config.steps_per_epoch * r.epochs;
  auto opt = optim::make_optimizer<float>(r.optimizer, config);
  optim::BatchSampler sampler(d.size(), r.batch, r.sampling, make_rng(r.seed, stream::shuffle));
  Rng masks = make_rng(r.seed, stream::dropout);
  nn::Cache<float> cache;
  Mat<float> X, T;
  Vec<float> g;
  FlushToZero ftz;
  for (int epoch = 0; epoch < r.epochs; ++epoch)
    for (Index b = 0; b < sampler.batches_per_epoch(); ++b) {
      const auto batch = sampler.next();
      X.resize(2, Index(batch.size()));
      T.resize(3, Index(batch.size()));
      for (std::size_t j = 0; j < batch.size(); ++j)
        X.col(Index(j)) = d.X.col(batch[j]), T.col(Index(j)) = d.Y.col(batch[j]);
      net.loss_and_gradient(X, T, cache, g, nn::Mode::train, &masks);
      opt.step(net.theta(), g);
    }
  return net.theta();
}

TEST(Recipe, TrainingThroughTheRecipeEqualsThePlainLoop) {
  const auto d = blobs<float>(300, 4);
  const Recipe r = blob_recipe();
  nn::Mlp<float> net = make_network(r, d);
  ThreadPool pool(2);
  const TrainResult result = train(r, net, d, nullptr, &pool);
  ASSERT_EQ(result.report.status, optim::Status::max_iters) << result.message;
  EXPECT_EQ(result.report.iterations, 3 * 10);
  EXPECT_TRUE(net.theta() == plain_loop(r, d));
}

// Every step event's θ, batch and gradient are the real ones: a replica network with a replica
// mask stream computes the same gradient at the event's θ on the event's batch, and with plain
// SGD the next event's θ is θ − η g of this one.
TEST(Recipe, StepEventsCarryTheRealThetaBatchGradientAndRate) {
  const auto d = blobs<float>(120, 5);
  Recipe r = blob_recipe();
  r.momentum.reset();
  nn::Mlp<float> net = make_network(r, d), replica = make_network(r, d);
  Rng masks = make_rng(r.seed, stream::dropout);
  nn::Cache<float> cache;
  Mat<float> X, T;
  Vec<float> g, expected_next;
  int checked = 0;
  Observer<float> observer{.on_step = [&](const optim::StepEvent<float>& e) {
    if (expected_next.size() > 0) {
      EXPECT_LE((e.theta - expected_next).norm(), 1e-6f * e.theta.norm());
    }
    replica.theta() = e.theta;
    X.resize(2, Index(e.batch.size()));
    T.resize(3, Index(e.batch.size()));
    for (std::size_t j = 0; j < e.batch.size(); ++j)
      X.col(Index(j)) = d.X.col(e.batch[j]), T.col(Index(j)) = d.Y.col(e.batch[j]);
    EXPECT_EQ(replica.loss_and_gradient(X, T, cache, g, nn::Mode::train, &masks), float(e.loss));
    EXPECT_TRUE(g == e.g);
    expected_next = e.theta - float(e.lr) * e.g;
    ++checked;
    return optim::Control::proceed;
  }};
  train(r, net, d, nullptr, nullptr, observer);
  EXPECT_EQ(checked, 3 * 4);
}

TEST(Recorders, TurnEventsIntoSeries) {
  const auto d = blobs<float>(200, 6);
  Recipe r = blob_recipe();
  r.batch = 20;
  nn::Mlp<float> net = make_network(r, d);
  const Vec<float> start = net.theta();
  auto loss = loss_curve<float>(4);
  auto dist = distance_to<float>(start, 4);
  auto epochs = epoch_loss_curve<float>();
  const auto both = observe(loss, dist);
  const TrainResult result = train(r, net, d, nullptr, nullptr,
                                   {.on_step = both, .on_epoch = [&](const auto& e, const EpochRecord&) {
                                      epochs(e);
                                      return optim::Control::proceed;
                                    }});
  ASSERT_EQ(loss.x().size(), 8u);  // steps 0, 4, …, 28 of 30
  EXPECT_EQ(loss.x()[1], 4.0);
  EXPECT_EQ(dist.y()[0], 0.0);  // θ_0 is the start
  EXPECT_GT(dist.y().back(), 0.0);
  ASSERT_EQ(epochs.y().size(), 3u);
  for (std::size_t e = 0; e < 3; ++e) EXPECT_EQ(epochs.y()[e], result.epochs[e].loss);
  const experiment::Line line = loss.line();
  EXPECT_EQ(line.name, "loss");
  EXPECT_EQ(line.y, loss.y());
  EXPECT_THROW(loss_curve<float>(0), Error);
}

// An observer's stop ends the run as interrupted and resets θ to the last completed epoch.
TEST(Recorders, StopResetsToTheLastEpoch) {
  const auto d = blobs<float>(100, 7);
  Recipe r = blob_recipe();
  r.batch = 25;
  nn::Mlp<float> net = make_network(r, d);
  Vec<float> after_first;
  Observer<float> observer{
      .on_step = [](const optim::StepEvent<float>& e) {
        return e.step == 6 ? optim::Control::stop : optim::Control::proceed;
      },
      .on_epoch = [&](const optim::EpochEvent<float>& e, const EpochRecord&) {
        after_first = e.theta;
        return optim::Control::proceed;
      }};
  const TrainResult result = train(r, net, d, nullptr, nullptr, observer);
  EXPECT_TRUE(result.interrupted());
  EXPECT_EQ(result.epochs.size(), 1u);
  EXPECT_TRUE(net.theta() == after_first);
  EXPECT_NE(result.message.find("interrupted at epoch 2, step 2"), std::string::npos) << result.message;
}

}  // namespace
}  // namespace nnlab::train
