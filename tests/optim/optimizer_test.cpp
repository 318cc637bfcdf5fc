// make_optimizer: every name builds its optimizer, "sgd" + momentum is PyTorch's SGD(momentum),
// schedules pass through, unknown names and unused options are rejected.
#include "nnlab/optim/optimizer.hpp"

#include <gtest/gtest.h>

#include "nnlab/core/error.hpp"
#include "quadratic_fixture.hpp"

namespace nnlab::optim {
namespace {

TEST(Optimizer, EveryNameBuildsAndConverges) {
  for (const std::string_view name : optimizer_names) {
    OptimizerConfig config{.lr = 0.01};
    if (name == "adagrad") config.lr = 1.0;
    if (name == "adam" || name == "rmsprop") config.schedule = "cosine", config.horizon_steps = 2000;
    Optimizer<double> opt = make_optimizer<double>(name, config);
    EXPECT_EQ(opt.name(), name);
    EXPECT_LE(testing::relative_error_after(opt, 20000), 1e-6) << name;
  }
}

TEST(Optimizer, SgdWithMomentumIsHeavyBall) {
  Optimizer<double> plain = make_optimizer<double>("sgd", {.lr = 0.05});
  EXPECT_TRUE(std::holds_alternative<Sgd<double>>(plain.variant()));
  Optimizer<double> opt = make_optimizer<double>("sgd", {.lr = 0.05, .momentum = 0.9});
  ASSERT_TRUE(std::holds_alternative<Momentum<double>>(opt.variant()));
  Momentum<double> reference({.lr = 0.05, .momentum = 0.9});
  Vec<double> a = Vec<double>::Ones(2), b = a, g(2);
  for (int t = 0; t < 3; ++t) {
    g << t + 1.0, -0.5 * t;
    opt.step(a, g);
    reference.step(b, g);
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(opt.steps(), 3);
  EXPECT_EQ(opt.describe(), "momentum(lr=0.05, schedule=constant, momentum=0.9, weight_decay=0)");
}

TEST(Optimizer, SchedulePassesThrough) {
  Optimizer<float> opt = make_optimizer<float>(
      "adam", {.lr = 0.1, .schedule = "step:2:0.5", .steps_per_epoch = 3});
  Vec<float> theta = Vec<float>::Zero(1), g = Vec<float>::Ones(1);
  EXPECT_DOUBLE_EQ(opt.lr(), 0.1);
  for (int t = 0; t < 6; ++t) opt.step(theta, g);
  EXPECT_DOUBLE_EQ(opt.lr(), 0.05);  // decays after 2 epochs of 3 steps
  opt.reset();
  EXPECT_DOUBLE_EQ(opt.lr(), 0.1);
  EXPECT_EQ(opt.steps(), 0);
}

TEST(Optimizer, RejectsUnknownNamesAndUnusedOptions) {
  try {
    make_optimizer<double>("adamw", {});
    ADD_FAILURE();
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'adamw'"), std::string::npos) << message;
    for (const std::string_view name : optimizer_names)
      EXPECT_NE(message.find(name), std::string::npos) << message;
  }
  EXPECT_THROW(make_optimizer<double>("sgd", {.beta1 = 0.9}), Error);
  EXPECT_THROW(make_optimizer<double>("adam", {.momentum = 0.9}), Error);
  EXPECT_THROW(make_optimizer<double>("adagrad", {.rho = 0.9}), Error);
  EXPECT_THROW(make_optimizer<double>("rmsprop", {.beta2 = 0.9}), Error);
  EXPECT_THROW(make_optimizer<double>("momentum", {.momentum = 1.0}), Error);
  EXPECT_THROW(make_optimizer<double>("adam", {.lr = -1}), Error);
  EXPECT_THROW(make_optimizer<double>("adam", {.schedule = "cosine"}), Error);  // no horizon
  EXPECT_NO_THROW(make_optimizer<double>("rmsprop", {.rho = 0.99, .eps = 1e-6}));
}

}  // namespace
}  // namespace nnlab::optim
