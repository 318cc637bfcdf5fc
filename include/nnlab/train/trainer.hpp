// Minibatch training of an Mlp on a data set: the minibatch driver (optim::sgd_epochs) on the
// network's objective (train/objective.hpp), plus what training a classifier needs around it:
// running and held-out accuracy per epoch, and the parameters of the last completed epoch, to
// which a diverged or interrupted run is reset. Per step: a batch (columns of X and Y), a forward
// pass with fresh dropout masks, backward with the optimizer's step fused into it (unless an
// on_step observer needs θ and the whole gradient before the step); no allocation in the loop.
// Streams: masks from (seed, dropout), batch order from (seed, shuffle), so a run is
// reproducible and independent of the threads. A whole training setup as one value, with a
// JSON form, is a Recipe (train/recipe.hpp).
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
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/optimizer.hpp"

namespace nnlab::train {

struct TrainOptions {
  Index batch = 128;
  int epochs = 10;
  optim::Sampling sampling = optim::Sampling::reshuffle;
  std::uint64_t seed = 1;
  bool eval_train = false;  // also evaluate the full training set each epoch (costs a forward pass)
  Index eval_batch = 1000;
  // Split every batch over the MPI ranks (train/data_parallel.hpp); a collective: every rank
  // calls train() with the same arguments. θ stays the same on all ranks (checked after every
  // epoch); only rank 0 evaluates (the other ranks' records leave the evaluation at −1).
  bool data_parallel = false;
};

struct EpochRecord {
  int epoch = 0;                // epochs completed: 1 after the first
  double loss = 0;              // mean of the epoch's minibatch losses (training mode, with dropout)
  double running_accuracy = 0;  // fraction of training samples classified right during the epoch
  double train_loss = -1, train_accuracy = -1;  // full training set in eval mode (eval_train), else −1
  double test_loss = -1, test_accuracy = -1;    // test set in eval mode, −1 without a test set
  double seconds = 0;           // wall time of the epoch's training steps (evaluation excluded)
  double lr = 0;                // learning rate at the epoch's last step
};

struct TrainResult {
  std::vector<EpochRecord> epochs;
  // The driver's report: diverged when a non-finite loss or parameters stopped the run,
  // interrupted when an observer asked to stop; in both cases θ is reset to the parameters
  // after the last completed epoch.
  optim::Report report;
  std::string message;  // why it stopped early, naming epoch and step
  bool diverged() const { return report.status == optim::Status::diverged; }
  bool interrupted() const { return report.status == optim::Status::interrupted; }
};

// Observe, don't print. on_batch sees every step's batch, loss and learning rate after the step;
// on_step sees θ and its whole batch gradient before the step is taken, which needs the plain
// path: without an on_step observer the optimizer's step is fused into backprop (each layer's W
// and b stepped as soon as their gradient is final and backprop is done with them, while in
// cache; bit-identical to the plain path, see optim/minimize.hpp and nn::Mlp::loss_gradient_step).
// on_epoch sees the epoch's event and its evaluated record. Any of them may return Control::stop
// (Ctrl-C in nnlab train), which ends the run as interrupted. Recorders (train/recorder.hpp)
// plug in here.
template <class Scalar>
struct Observer {
  std::function<optim::Control(const optim::StepEvent<Scalar>&)> on_step = {};
  std::function<optim::Control(const optim::BatchEvent<Scalar>&)> on_batch = {};
  std::function<optim::Control(const optim::EpochEvent<Scalar>&, const EpochRecord&)> on_epoch = {};
};

// Trains net in place. Classification accuracy is reported when the data have labels.
// Throws Error when data and network do not fit together.
template <class Scalar>
TrainResult train(nn::Mlp<Scalar>& net, optim::Optimizer<Scalar>& optimizer,
                  const data::Dataset<Scalar>& train_set,
                  std::type_identity_t<const data::Dataset<Scalar>*> test_set,
                  const TrainOptions& options, ThreadPool* pool = nullptr,
                  const Observer<Scalar>& observer = {});

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
