// The --data family of options shared by `nnlab train`, `eval`, `backprop` and `hessian`: they
// fill a data::Source (data/source.hpp). Everything that determines the split is recorded in the
// checkpoint's recipe, so eval, backprop and hessian rebuild exactly the sets that training saw;
// options given on their command line replace only the recorded fields they name.
#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "nnlab/data/dataset.hpp"
#include "nnlab/data/source.hpp"
#include "nnlab/nn/checkpoint.hpp"
#include "nnlab/nn/mlp.hpp"

namespace nnlab::cli {

using DataSource = data::Source;

// Adds --data (required or not) and the CSV options to a subcommand.
void add_data_options(CLI::App& app, DataSource& source, bool required);

// The data source for a command on a checkpoint: the one recorded in the checkpoint's recipe
// (nnlab train writes it) with each data option given on the command line put in its place, so
// `--data` naming the training file again splits it as training did. Without a recorded
// source the command line's alone (then --data is required). Error naming the checkpoint if there
// is neither.
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

// The test split, or the training split for which == "train", loaded alone: all its samples, or
// its first `first` (see data::load_split: Fashion-MNIST's files are then read only as far as
// they reach); nothing of the other half.
template <class Scalar>
data::Dataset<Scalar> load_chosen_split(const DataSource& source, const std::string& which,
                                        std::optional<Index> first = std::nullopt);

// Error naming the checkpoint unless the network's ends fit the data (and cross entropy has labels).
template <class Scalar>
void require_fit(const nn::Mlp<Scalar>& net, const data::Dataset<Scalar>& data,
                 const std::filesystem::path& checkpoint);

}  // namespace nnlab::cli
