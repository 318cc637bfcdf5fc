// Loading a data::Source (see source.hpp): known names, MNIST-layout folders, CSV files split
// at random into train/test with a recorded seed.
#include "nnlab/data/source.hpp"

#include <cmath>
#include <filesystem>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/data/csv.hpp"
#include "nnlab/data/fashion_mnist.hpp"
#include "nnlab/data/idx.hpp"
#include "nnlab/data/transform.hpp"

namespace nnlab::data {
namespace {

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
Split<Scalar> load_csv_split(const Source& source) {
  const std::filesystem::path path = source.data;
  CsvOptions options;
  options.target_column = source.target_column;
  if (source.task == "auto") {
    const Mat<double> rows = read_csv_matrix(path, options);
    require(rows.cols() >= 2, "{}: need at least one feature column and a target column, got {} column(s)",
            path.string(), rows.cols());
    const Index column = source.target_column < 0 ? rows.cols() - 1 : source.target_column;
    require(column < rows.cols(), "{}: target column {} is outside the file's {} columns (0-based)",
            path.string(), source.target_column, rows.cols());
    options.classification = looks_like_labels(rows, column);
  } else {
    options.classification = source.task == "classification";
  }
  const Dataset<Scalar> all = load_csv<Scalar>(path, options);
  Split<Scalar> split;
  if (source.test_fraction == 0) {
    split.train = all;
    split.test = {Mat<Scalar>(all.inputs(), 0), Mat<Scalar>(all.outputs(), 0), {}, all.num_classes,
                  all.name + "/test"};
  } else {
    Rng rng = make_rng(source.split_seed, stream::data);
    split = train_test_split(all, source.test_fraction, rng);
  }
  split.train.name = all.name + "/train";
  split.test.name = all.name + "/test";
  if (source.standardize) {
    const auto standardizer = Standardizer<Scalar>::fit(split.train);
    split.train = standardizer.apply(std::move(split.train));
    if (split.test.size() > 0) split.test = standardizer.apply(std::move(split.test));
  }
  return split;
}

}  // namespace

bool Source::is_known_name() const { return data == "fashion-mnist"; }

Source Source::absolute() const {
  Source s = *this;
  if (!is_known_name() && !data.empty()) s.data = std::filesystem::absolute(data).lexically_normal().string();
  return s;
}

nlohmann::ordered_json Source::to_json() const {
  return {{"data", data},
          {"target_column", target_column},
          {"task", task},
          {"test_fraction", test_fraction},
          {"split_seed", split_seed},
          {"standardize", standardize}};
}

Source Source::from_json(const nlohmann::json& j) {
  try {
    Source s;
    s.data = j.at("data").get<std::string>();
    s.target_column = j.value("target_column", s.target_column);
    s.task = j.value("task", s.task);
    s.test_fraction = j.value("test_fraction", s.test_fraction);
    s.split_seed = j.value("split_seed", s.split_seed);
    s.standardize = j.value("standardize", s.standardize);
    require(s.task == "auto" || s.task == "classification" || s.task == "regression",
            "the recorded data source has task '{}' (auto, classification or regression)", s.task);
    require(s.test_fraction >= 0 && s.test_fraction < 1,
            "the recorded data source has test_fraction {} (must be in [0, 1))", s.test_fraction);
    return s;
  } catch (const nlohmann::json::exception& e) {
    fail("the recorded data source is malformed ({})", e.what());
  }
}

template <class Scalar>
Split<Scalar> load_split(const Source& source) {
  require(!source.data.empty(), "no data given (--data fashion-mnist, an MNIST-layout folder or a CSV file)");
  if (source.is_known_name()) return load_named<Scalar>(source.data);
  const std::filesystem::path path = source.data;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return load_idx_split<Scalar>(path, path.filename().string());
  require(std::filesystem::is_regular_file(path, ec),
          "--data '{}' is neither a known data set (fashion-mnist) nor an existing folder or CSV file",
          source.data);
  // Read as CSV, a binary array only gets a confusing complaint about its first "line".
  const std::string extension = path.extension().string();
  require(extension != ".npy" && extension != ".npz",
          "--data '{}': NPY/NPZ files are not read by --data yet (the library's data::load_npy reads "
          ".npy); convert to CSV, one sample per row",
          source.data);
  return load_csv_split<Scalar>(source);
}

template Split<float> load_split<float>(const Source&);
template Split<double> load_split<double>(const Source&);

}  // namespace nnlab::data
