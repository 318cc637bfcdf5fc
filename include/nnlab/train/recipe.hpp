// A whole training setup as one value: data source, architecture, dropout, initialization,
// optimizer and schedule, batch, epochs, sampling, seed and precision. `nnlab train` builds one
// from its flags and stores it (resolved, as JSON) in every checkpoint and log; `eval`,
// `backprop` and `hessian` read it back; a lab trains a network by building one:
//
//   train::Recipe r;                       // the defaults of `nnlab train`
//   r.sizes = {1, 64, 64, 1};  r.activations = {nn::Activation::tanh};
//   r.dropout = nn::DropoutKind::none;  r.optimizer = "sgd";  r.lr = 0.05;  r.epochs = 50;
//   nn::Mlp<double> net = train::make_network(r, train_set);   // initialized from (seed, init)
//   train::TrainResult result = train::train(r, net, train_set, &test_set, pool, observer);
//
// The same recipe and seed give the same parameters bit for bit, on any thread count.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnlab/core/thread_pool.hpp"
#include "nnlab/data/dataset.hpp"
#include "nnlab/data/source.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/batch_sampler.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/train/trainer.hpp"

namespace nnlab::train {

struct Recipe {
  data::Source data{.data = "fashion-mnist"};
  // Network. sizes n_1, …, n_{L+1}; empty: <inputs>-512-512-<outputs> of the data.
  std::vector<Index> sizes;
  std::vector<nn::Activation> activations = {nn::Activation::relu};  // one for every hidden layer,
                                                                     // or one per hidden layer
  std::optional<nn::Loss> loss;  // empty: cross_entropy for class labels, mse otherwise
  bool bias = true;
  nn::Tying tying = nn::Tying::none;
  nn::DropoutKind dropout = nn::DropoutKind::inverted;
  // KEEP probabilities: {p} for the hidden layers (inputs kept), {p_in, p_hidden}, or one per
  // layer input {p_1, …, p_L}. Ignored without dropout.
  std::vector<double> keep = {0.9, 0.7};
  nn::Init init = nn::Init::uniform;
  // Optimizer (optim/optimizer.hpp): name, η₀, the options it uses (unset = its default) and
  // the schedule in Schedule::parse's spelling, over the run's steps.
  std::string optimizer = "adam";
  double lr = 1e-3;
  std::optional<double> momentum, beta1, beta2, rho, eps;
  double weight_decay = 0;
  std::string schedule = "cosine";
  // Loop.
  Index batch = 128;  // larger than the training set: the whole set
  int epochs = 20;
  optim::Sampling sampling = optim::Sampling::reshuffle;
  std::uint64_t seed = 1;  // initialization, dropout masks and batch order
  std::string precision = "float";  // float or double: which Mlp<Scalar> `nnlab train` builds
  bool eval_train = false;          // also evaluate the whole training set after each epoch

  // Throws Error naming the first setting out of range (the data-independent checks).
  void validate() const;

  // The network for a training set: sizes, activations per layer, keep per layer input and the
  // loss resolved. Error when the architecture does not fit the data.
  template <class S>
  nn::MlpSpec spec_for(const data::Dataset<S>& train_set) const;
  // This recipe with the network resolved for the training set, the batch capped at its size,
  // and the data path absolute: what a checkpoint records.
  template <class S>
  Recipe resolved_for(const data::Dataset<S>& train_set) const;

  // The optimizer for a run over `train_size` samples (the schedule's horizon is the run).
  template <class S>
  optim::Optimizer<S> make_optimizer(Index train_size) const;
  TrainOptions options() const;

  nlohmann::ordered_json to_json() const;
  // Reads what to_json writes (and the recipes of earlier versions); throws Error naming a
  // missing, ill-typed or unknown field.
  static Recipe from_json(const nlohmann::json& j);
};

// The network the recipe describes for the training set, initialized from (seed, init).
template <class S>
nn::Mlp<S> make_network(const Recipe& recipe, const data::Dataset<S>& train_set);

// Trains net by the recipe's optimizer, schedule, batch, epochs, sampling and seed (train() in
// trainer.hpp).
template <class S>
TrainResult train(const Recipe& recipe, nn::Mlp<S>& net, const data::Dataset<S>& train_set,
                  std::type_identity_t<const data::Dataset<S>*> test_set, ThreadPool* pool = nullptr,
                  const Observer<S>& observer = {});

}  // namespace nnlab::train
