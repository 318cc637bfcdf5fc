// The --data family of options shared by `nnlab train`, `eval`, `backprop` and `hessian`, and
// loading the train/test split they name. A source is one of:
//   a known name        fashion-mnist (X: 784 × N pixels in [0, 1], 10 classes)
//   an MNIST-layout folder of {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
//   a CSV file          one sample per row, target column chosen by --target-column; split into
//                       train/test at random (--test-fraction, --split-seed), optionally
//                       standardized with the training part's mean and deviation.
// Everything that determines the split is recorded in the recipe, so eval, backprop and hessian
// rebuild exactly the sets that training saw.
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>

#include "nnlab/data/dataset.hpp"
#include "nnlab/nn/checkpoint.hpp"
#include "nnlab/nn/mlp.hpp"

namespace nnlab::cli {

struct DataSource {
  std::string data;              // name, folder or CSV file
  int target_column = -1;        // CSV: 0-based column of the target, −1 = the last
  std::string task = "auto";     // CSV: classification | regression | auto (integer labels 0..K−1)
  double test_fraction = 0.2;    // CSV: share of rows held out as the test set; 0 = none
  std::uint64_t split_seed = 1;  // CSV: seed of the random split (independent of --seed)
  bool standardize = false;      // CSV: x' = (x − μ)/s with μ, s of the training rows

  nlohmann::ordered_json to_json() const;
  static DataSource from_json(const nlohmann::json& j);  // throws Error on a malformed record
};

// Adds --data (required or not) and the CSV options to a subcommand.
void add_data_options(CLI::App& app, DataSource& source, bool required);

// True if the user set any data option on the command line (eval/backprop otherwise take the
// checkpoint's recipe).
bool data_options_given(const CLI::App& app);

// The data source for a command on a checkpoint: the command line's if any data option was
// given there, else the one recorded in the checkpoint's "recipe" metadata (nnlab train writes
// it). Error naming the checkpoint if there is neither.
DataSource source_for_checkpoint(const CLI::App& app, const DataSource& given,
                                 const std::map<std::string, std::string>& metadata,
                                 const std::filesystem::path& checkpoint);

// Loads the checkpoint and calls run(net, source) with the network in its stored precision and
// the data source given on the command line, else the one recorded in the checkpoint.
template <class Run>
int on_checkpoint(const CLI::App& app, const DataSource& given, const std::string& checkpoint, Run&& run) {
  nn::LoadedCheckpoint loaded = nn::load_checkpoint(checkpoint);
  const DataSource source = source_for_checkpoint(app, given, loaded.metadata, checkpoint);
  return std::visit([&](auto& net) { return run(net, source); }, loaded.model);
}

// The test split, or the training split for split == "train".
template <class Scalar>
const data::Dataset<Scalar>& pick_split(const data::Split<Scalar>& split, const std::string& which,
                                        const DataSource& source);

// Error naming the checkpoint unless the network's ends fit the data (and cross entropy has labels).
template <class Scalar>
void require_fit(const nn::Mlp<Scalar>& net, const data::Dataset<Scalar>& data,
                 const std::filesystem::path& checkpoint);

// Loads the split; a source without a test part has test.size() == 0. Throws Error naming the
// source and the problem.
template <class Scalar>
data::Split<Scalar> load_data(const DataSource& source);

}  // namespace nnlab::cli
