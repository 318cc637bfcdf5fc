// Loading what --data names (see data_source.hpp): known names, MNIST-layout folders, CSV files
// split at random into train/test with a recorded seed.
#include "data_source.hpp"

#include <cmath>
#include <filesystem>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/data/csv.hpp"
#include "nnlab/data/fashion_mnist.hpp"
#include "nnlab/data/transform.hpp"

namespace nnlab::cli {
namespace {

constexpr const char* data_options[] = {"--data", "--target-column", "--task", "--test-fraction",
                                        "--split-seed", "--standardize"};

bool is_known_name(const std::string& name) { return name == "fashion-mnist"; }

// A target column is taken for class labels when its values are exactly the integers 0..K−1
// (K ≥ 2, every class present): counts or scores that start elsewhere stay regression targets.
bool looks_like_labels(const Mat<double>& rows, Index column) {
  double max = -1;
  std::vector<bool> seen;
  for (Index i = 0; i < rows.rows(); ++i) {
    const double v = rows(i, column);
    if (v < 0 || v > 1000 || v != std::floor(v)) return false;
    const auto c = std::size_t(v);
    if (c >= seen.size()) seen.resize(c + 1, false);
    seen[c] = true;
    max = std::max(max, v);
  }
  if (max < 1) return false;
  for (bool s : seen)
    if (!s) return false;
  return true;
}

template <class Scalar>
data::Split<Scalar> load_csv_split(const DataSource& source) {
  const std::filesystem::path path = source.data;
  data::CsvOptions options;
  options.target_column = source.target_column;
  if (source.task == "auto") {
    const Mat<double> rows = data::read_csv_matrix(path, options);
    require(rows.cols() >= 2, "{}: need at least one feature column and a target column, got {} column(s)",
            path.string(), rows.cols());
    const Index column = source.target_column < 0 ? rows.cols() - 1 : source.target_column;
    require(column < rows.cols(), "{}: --target-column {} is outside the file's {} columns (0-based)",
            path.string(), source.target_column, rows.cols());
    options.classification = looks_like_labels(rows, column);
  } else {
    options.classification = source.task == "classification";
  }
  const data::Dataset<Scalar> all = data::load_csv<Scalar>(path, options);
  data::Split<Scalar> split;
  if (source.test_fraction == 0) {
    split.train = all;
    split.test = {Mat<Scalar>(all.inputs(), 0), Mat<Scalar>(all.outputs(), 0), {}, all.num_classes,
                  all.name + "/test"};
  } else {
    Rng rng = make_rng(source.split_seed, stream::data);
    split = data::train_test_split(all, source.test_fraction, rng);
  }
  split.train.name = all.name + "/train";
  split.test.name = all.name + "/test";
  if (source.standardize) {
    const auto standardizer = data::Standardizer<Scalar>::fit(split.train);
    split.train = standardizer.apply(std::move(split.train));
    if (split.test.size() > 0) split.test = standardizer.apply(std::move(split.test));
  }
  return split;
}

}  // namespace

nlohmann::ordered_json DataSource::to_json() const {
  return {{"data", data},
          {"target_column", target_column},
          {"task", task},
          {"test_fraction", test_fraction},
          {"split_seed", split_seed},
          {"standardize", standardize}};
}

DataSource DataSource::from_json(const nlohmann::json& j) {
  try {
    DataSource s;
    s.data = j.at("data").get<std::string>();
    s.target_column = j.value("target_column", s.target_column);
    s.task = j.value("task", s.task);
    s.test_fraction = j.value("test_fraction", s.test_fraction);
    s.split_seed = j.value("split_seed", s.split_seed);
    s.standardize = j.value("standardize", s.standardize);
    return s;
  } catch (const nlohmann::json::exception& e) {
    fail("the recorded data source is malformed ({})", e.what());
  }
}

void add_data_options(CLI::App& app, DataSource& source, bool required) {
  auto* data = app.add_option("--data", source.data,
                              "fashion-mnist, a folder in the MNIST IDX layout, or a CSV file "
                              "(one sample per row)");
  if (required) data->required();
  app.add_option("--target-column", source.target_column,
                 "CSV: 0-based column holding the target (-1 = the last)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 1 << 20));
  app.add_option("--task", source.task,
                 "CSV: classification, regression, or auto (classification iff the target column "
                 "holds exactly the integers 0..K-1)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "classification", "regression"}));
  app.add_option("--test-fraction", source.test_fraction,
                 "CSV: share of rows held out as the test set (0 = no test set)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  app.add_option("--split-seed", source.split_seed, "CSV: seed of the random train/test split")
      ->capture_default_str();
  app.add_flag("--standardize", source.standardize,
               "CSV: standardize features with the training rows' mean and standard deviation");
}

bool data_options_given(const CLI::App& app) {
  for (const char* name : data_options)
    if (app.count(name) > 0) return true;
  return false;
}

DataSource source_for_checkpoint(const CLI::App& app, const DataSource& given,
                                 const std::map<std::string, std::string>& metadata,
                                 const std::filesystem::path& checkpoint) {
  if (data_options_given(app)) {
    require(!given.data.empty(), "CSV options need --data FILE");
    return given;
  }
  const auto recipe = metadata.find("recipe");
  require(recipe != metadata.end(),
          "{} records no data source (it was not written by nnlab train); pass --data", checkpoint.string());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(recipe->second);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the recipe metadata is not JSON ({}); pass --data", checkpoint.string(), e.what());
  }
  require(j.is_object() && j.contains("data"), "{}: the recipe metadata names no data; pass --data",
          checkpoint.string());
  return DataSource::from_json(j["data"]);
}

template <class Scalar>
const data::Dataset<Scalar>& pick_split(const data::Split<Scalar>& split, const std::string& which,
                                        const DataSource& source) {
  if (which == "train") return split.train;
  require(split.test.size() > 0, "{} has no test split (--test-fraction 0); use --split train",
          source.data);
  return split.test;
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

template <class Scalar>
data::Split<Scalar> load_data(const DataSource& source) {
  require(!source.data.empty(), "no data given (--data fashion-mnist, an MNIST-layout folder or a CSV file)");
  if (is_known_name(source.data)) return data::load_named<Scalar>(source.data);
  const std::filesystem::path path = source.data;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return data::load_idx_split<Scalar>(path, path.filename().string());
  require(std::filesystem::is_regular_file(path, ec),
          "--data '{}' is neither a known data set (fashion-mnist) nor an existing folder or CSV file",
          source.data);
  return load_csv_split<Scalar>(source);
}

template const data::Dataset<float>& pick_split<float>(const data::Split<float>&, const std::string&,
                                                      const DataSource&);
template const data::Dataset<double>& pick_split<double>(const data::Split<double>&,
                                                        const std::string&, const DataSource&);
template void require_fit<float>(const nn::Mlp<float>&, const data::Dataset<float>&,
                                 const std::filesystem::path&);
template void require_fit<double>(const nn::Mlp<double>&, const data::Dataset<double>&,
                                  const std::filesystem::path&);
template data::Split<float> load_data<float>(const DataSource&);
template data::Split<double> load_data<double>(const DataSource&);

}  // namespace nnlab::cli
