// Data-parallel training under mpirun with 2 and 3 ranks (ctest mpi.data_parallel.K): every rank
// runs every test. Against the single-process run of the same network, data, optimizer and seed
// (tests/train/data_parallel_runs.hpp: uneven last batches, dropout on every layer input):
//   - θ is the same bits on every rank, and the same bits again when the run is repeated (the
//     gradient sum has a fixed order for a fixed K);
//   - θ and the per-epoch losses differ from the single-process run's by at most the rounding
//     error of float training itself, measured as the distance of the single-process float run
//     from the same run in double: the data-parallel run reorders one sum over the batch per
//     layer, a part of the rounding that float-vs-double measures in full;
//   - only rank 0 evaluates (the other ranks' records leave the evaluation at −1);
//   - a stop asked by one rank stops every rank at the same step.
// Ranks other than 0 write to /dev/null (mpi::Session); a failure on any of them fails mpirun.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "nnlab/core/mpi.hpp"
#include "train/data_parallel_runs.hpp"

namespace nnlab::train {
namespace {

std::vector<std::byte> bytes_of(const Vec<float>& v) {
  std::vector<std::byte> b(std::size_t(v.size()) * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(DataParallelMpi, EqualsTheSingleProcessRunWithinItsRounding) {
  ASSERT_GE(mpi::size(), 2) << "run under mpirun";
  for (const auto& c : testing::cases()) {
    const auto dp = testing::train_case<float>(c, true);
    const auto plain = testing::train_case<float>(c, false);
    const auto exact = testing::train_case<double>(c, false);

    // The same bits on every rank.
    for (const auto& theta : mpi::allgather(bytes_of(dp.theta))) EXPECT_TRUE(theta == bytes_of(dp.theta)) << c.name;

    const double rounding = (plain.theta.cast<double>() - exact.theta).cwiseAbs().maxCoeff();
    const double differ = (dp.theta - plain.theta).cwiseAbs().maxCoeff();
    EXPECT_LE(differ, rounding) << c.name << ": max |θ_K − θ_1| vs max |θ_float − θ_double|";
    double loss_rounding = 0, loss_differ = 0, test_rounding = 0, test_differ = 0;
    ASSERT_EQ(dp.epochs.size(), plain.epochs.size());
    for (std::size_t e = 0; e < plain.epochs.size(); ++e) {
      loss_rounding = std::max(loss_rounding, std::abs(plain.epochs[e].loss - exact.epochs[e].loss));
      loss_differ = std::max(loss_differ, std::abs(dp.epochs[e].loss - plain.epochs[e].loss));
      EXPECT_EQ(dp.epochs[e].running_accuracy, plain.epochs[e].running_accuracy) << c.name << ", epoch " << e + 1;
      if (mpi::rank() == 0) {
        test_rounding = std::max(test_rounding, std::abs(plain.epochs[e].test_loss - exact.epochs[e].test_loss));
        test_differ = std::max(test_differ, std::abs(dp.epochs[e].test_loss - plain.epochs[e].test_loss));
      } else {
        EXPECT_EQ(dp.epochs[e].test_loss, -1) << "only rank 0 evaluates";
      }
    }
    EXPECT_LE(loss_differ, loss_rounding) << c.name << ": per-epoch losses";
    EXPECT_LE(test_differ, test_rounding) << c.name << ": per-epoch test losses";
    if (mpi::rank() == 0)
      std::printf("%s, K = %d: max |θ_K − θ_1| = %.3g, max |θ_float − θ_double| = %.3g; losses %.3g, %.3g\n",
                  c.name.c_str(), mpi::size(), differ, rounding, loss_differ, loss_rounding);
  }
}

// One rank alone asks to stop (as Ctrl-C reaching one rank first would): every rank stops at the
// same step and resets θ to the same epoch.
TEST(DataParallelMpi, AStopAskedByOneRankStopsEveryRankAtTheSameStep) {
  nn::MlpSpec spec;
  spec.sizes = {2, 16, 3};
  spec.activations = {nn::Activation::relu};
  const auto data = blobs<float>(300, 7);
  nn::Mlp<float> net(spec);
  Rng rng = make_rng(5, stream::init);
  net.init(rng);
  auto opt = optim::make_optimizer<float>("sgd", {.lr = 0.1});
  const int last = mpi::size() - 1;
  Observer<float> observer{.on_batch = [&](const optim::BatchEvent<float>& e) {
    return mpi::rank() == last && e.step == 7 ? optim::Control::stop : optim::Control::proceed;
  }};
  const TrainResult r =
      train(net, opt, data, nullptr, {.batch = 100, .epochs = 5, .seed = 2, .data_parallel = true}, nullptr, observer);
  EXPECT_TRUE(r.interrupted());
  EXPECT_EQ(r.report.iterations, 8) << "stopped after step 7 (0-based) on every rank";
  EXPECT_EQ(r.epochs.size(), 2u) << "3 steps per epoch: two epochs completed";
  for (const auto& theta : mpi::allgather(bytes_of(net.theta()))) EXPECT_TRUE(theta == bytes_of(net.theta()));
}

TEST(DataParallelMpi, RepeatsBitForBit) {
  const auto c = testing::cases().front();
  const auto a = testing::train_case<float>(c, true, 2), b = testing::train_case<float>(c, true, 2);
  EXPECT_TRUE(a.theta == b.theta);
}

}  // namespace
}  // namespace nnlab::train

int main(int argc, char** argv) {
  nnlab::mpi::Session session(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
