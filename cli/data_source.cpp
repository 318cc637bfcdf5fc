// The --data options of the commands that read data, and the data source of a checkpoint.
#include "data_source.hpp"

#include <filesystem>

#include "nnlab/core/error.hpp"

namespace nnlab::cli {
namespace {

constexpr const char* data_options[] = {"--data", "--targets", "--target-column", "--task", "--test-fraction",
                                        "--split-seed", "--standardize"};

bool data_options_given(const CLI::App& app) {
  for (const char* name : data_options)
    if (app.count(name) > 0) return true;
  return false;
}

}  // namespace

void add_data_options(CLI::App& app, DataSource& source, bool required) {
  auto* data = app.add_option("--data", source.data,
                              "fashion-mnist, a folder in the MNIST IDX layout, a CSV file "
                              "(one sample per row), an NPY file X of shape (samples, features) "
                              "with --targets, or an NPZ file holding arrays X and y");
  if (required) data->required();
  app.add_option("--targets", source.targets,
                 "NPY: file y of shape (samples,) or (samples, outputs) for --data X.npy");
  app.add_option("--target-column", source.target_column,
                 "CSV: 0-based column holding the target (-1 = the last)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 1 << 20));
  app.add_option("--task", source.task,
                 "CSV, NPY, NPZ: classification, regression, or auto (classification iff the targets "
                 "are one column holding exactly the integers 0..K-1)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "classification", "regression"}));
  app.add_option("--test-fraction", source.test_fraction,
                 "CSV, NPY: share of rows held out as the test set (0 = no test set)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--split-seed", source.split_seed, "CSV, NPY: seed of the random train/test split")
      ->capture_default_str();
  app.add_flag("--standardize", source.standardize,
               "CSV, NPY: standardize features with the training rows' mean and standard deviation");
}

DataSource source_for_checkpoint(const CLI::App& app, const DataSource& given,
                                 const std::map<std::string, std::string>& metadata,
                                 const std::filesystem::path& checkpoint) {
  const auto recorded = metadata.find("recipe");
  if (recorded == metadata.end()) {
    require(data_options_given(app) && !given.data.empty(),
            "{} records no data source (it was not written by nnlab train); pass --data", checkpoint.string());
    return given;
  }
  // Only the recipe's data source: a recipe field this version does not know (a newer writer)
  // must not stop eval, backprop or hessian.
  DataSource source;
  try {
    const nlohmann::json recipe = nlohmann::json::parse(recorded->second);
    require(recipe.is_object() && recipe.contains("data"), "the recipe metadata names no data; pass --data");
    source = DataSource::from_json(recipe["data"]);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the recipe metadata is not JSON ({}); pass --data", checkpoint.string(), e.what());
  } catch (const Error& e) {
    fail("{}: {}", checkpoint.string(), e.what());
  }
  // X and y come as a pair: a new --data replaces the recorded --targets too.
  if (app.count("--data") || app.count("--targets")) source.targets = given.targets;
  if (app.count("--data")) source.data = given.data;
  if (app.count("--target-column")) source.target_column = given.target_column;
  if (app.count("--task")) source.task = given.task;
  if (app.count("--test-fraction")) source.test_fraction = given.test_fraction;
  if (app.count("--split-seed")) source.split_seed = given.split_seed;
  if (app.count("--standardize")) source.standardize = given.standardize;
  return source;
}

template <class Scalar>
data::Dataset<Scalar> load_chosen_split(const DataSource& source, const std::string& which,
                                        std::optional<Index> first) {
  const bool train = which == "train";
  data::Split<Scalar> split = data::load_split<Scalar>(
      source, train ? data::SplitHead{.train = first, .test = 0} : data::SplitHead{.train = 0, .test = first});
  if (train) return std::move(split.train);
  require(split.test.size() > 0, "{} has no test split (--test-fraction 0); use --split train",
          source.data);
  return std::move(split.test);
}

template <class Scalar>
void require_fit(const nn::Mlp<Scalar>& net, const data::Dataset<Scalar>& data,
                 const std::filesystem::path& checkpoint) {
  const auto& sizes = net.spec().sizes;
  require(data.inputs() == sizes.front() && data.outputs() == sizes.back(),
          "{} maps {} inputs to {} outputs, but {} has {} inputs and {} outputs", checkpoint.string(),
          sizes.front(), sizes.back(), data.name, data.inputs(), data.outputs());
  require(net.spec().loss != nn::Loss::cross_entropy || data.is_classification(),
          "{} uses cross-entropy loss, but {} has no class labels", checkpoint.string(), data.name);
}

template data::Dataset<float> load_chosen_split<float>(const DataSource&, const std::string&,
                                                      std::optional<Index>);
template data::Dataset<double> load_chosen_split<double>(const DataSource&, const std::string&,
                                                        std::optional<Index>);
template void require_fit<float>(const nn::Mlp<float>&, const data::Dataset<float>&,
                                 const std::filesystem::path&);
template void require_fit<double>(const nn::Mlp<double>&, const data::Dataset<double>&,
                                  const std::filesystem::path&);

}  // namespace nnlab::cli
