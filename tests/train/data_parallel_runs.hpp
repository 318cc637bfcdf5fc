// The runs the data-parallel tests compare: the same network, data, optimizer and seed trained
// by train() in one process, and with TrainOptions::data_parallel over however many ranks the
// test runs on (tests/train: one, without mpirun; tests/mpi: 2 and 3 under mpirun). Batches of
// 150 over 650 samples: the last batch of each epoch has 50, so shards are uneven (K = 3: 50, 50,
// 50 and 17, 17, 16; K = 2: 75, 75 and 25, 25). Inverted dropout on every layer input.
#pragma once
#include <string>
#include <vector>

#include "blobs.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/train/trainer.hpp"

namespace nnlab::train::testing {

struct Case {
  std::string name;
  std::vector<Index> sizes;
  std::string optimizer;
};

// small: 2-32-32-3, whose single-process batches of ≥ 128 run in two column chunks; wide:
// 2-256-256-3, whose products run in row blocks.
inline std::vector<Case> cases() {
  return {{"small, adam", {2, 32, 32, 3}, "adam"}, {"wide, momentum", {2, 256, 256, 3}, "momentum"}};
}

template <class S>
struct Run {
  Vec<S> theta;
  std::vector<EpochRecord> epochs;
};

template <class S>
Run<S> train_case(const Case& c, bool data_parallel, int epochs = 3, int threads = 1) {
  nn::MlpSpec spec;
  spec.sizes = c.sizes;
  spec.activations = {nn::Activation::relu, nn::Activation::tanh};
  spec.dropout = nn::DropoutKind::inverted;
  spec.keep = {0.9, 0.7, 0.8};
  const auto train_set = blobs<S>(650, 4), test_set = blobs<S>(200, 5);
  nn::Mlp<S> net(spec);
  Rng rng = make_rng(5, stream::init);
  net.init(rng);
  auto opt = optim::make_optimizer<S>(c.optimizer, {.lr = c.optimizer == "adam" ? 3e-3 : 0.05,
                                                    .schedule = "cosine", .horizon_steps = 5 * epochs,
                                                    .steps_per_epoch = 5});
  ThreadPool pool(threads);
  const TrainResult r = train(net, opt, train_set, &test_set,
                              {.batch = 150, .epochs = epochs, .seed = 6, .data_parallel = data_parallel}, &pool);
  return {net.theta(), r.epochs};
}

}  // namespace nnlab::train::testing
