// Minibatch training of an Mlp on a data set: per step, gather a batch (columns of X and Y),
// forward with fresh dropout masks, backward, one optimizer step. No allocation inside the
// loop (batch buffers, cache and gradient are reused). Streams: masks from (seed, dropout),
// batch order from (seed, shuffle), so a run is reproducible and independent of the threads.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "nnlab/core/thread_pool.hpp"
#include "nnlab/data/dataset.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/batch_sampler.hpp"
#include "nnlab/optim/optimizer.hpp"

namespace nnlab::train {

struct TrainOptions {
  Index batch = 128;
  int epochs = 10;
  optim::Sampling sampling = optim::Sampling::reshuffle;
  std::uint64_t seed = 1;
  bool eval_train = false;  // also evaluate the full training set each epoch (costs a forward pass)
  Index eval_batch = 1000;
};

struct EpochRecord {
  int epoch = 0;                // 1-based
  double loss = 0;              // mean of the epoch's minibatch losses (training mode, with dropout)
  double running_accuracy = 0;  // fraction of training samples classified right during the epoch
  double train_loss = -1, train_accuracy = -1;  // full training set in eval mode (eval_train), else −1
  double test_loss = -1, test_accuracy = -1;    // test set in eval mode, −1 without a test set
  double seconds = 0;           // wall time of the epoch's training steps (evaluation excluded)
  double lr = 0;                // learning rate at the epoch's last step
};

struct TrainResult {
  std::vector<EpochRecord> epochs;
  bool diverged = false;     // a non-finite loss stopped the run; θ is reset to the last epoch's end
  bool interrupted = false;  // stop_requested() stopped the run; θ is reset likewise
  std::string message;       // why it stopped early, naming epoch and step
};

struct Observer {
  std::function<void(int epoch, Index step, Index steps_per_epoch, double loss)> on_step = {};
  std::function<void(const EpochRecord&)> on_epoch = {};
  std::function<bool()> stop_requested = {};  // polled after every step (Ctrl-C in nnlab train)
};

// Trains net in place. Classification accuracy is reported when the data have labels.
// Throws Error when data and network do not fit together.
template <class Scalar>
TrainResult train(nn::Mlp<Scalar>& net, optim::Optimizer<Scalar>& optimizer,
                  const data::Dataset<Scalar>& train_set,
                  std::type_identity_t<const data::Dataset<Scalar>*> test_set,
                  const TrainOptions& options, ThreadPool* pool = nullptr,
                  const Observer& observer = {});

// Sets flush-to-zero and denormals-are-zero for the calling thread while alive (float training:
// decaying momentum of dead units would otherwise crawl through subnormals, ~20% slower).
class FlushToZero {
 public:
  FlushToZero();
  ~FlushToZero();
  FlushToZero(const FlushToZero&) = delete;
  FlushToZero& operator=(const FlushToZero&) = delete;

 private:
  unsigned saved_;
};

}  // namespace nnlab::train
