// Loading a data::Source (see source.hpp): known names, MNIST-layout folders, CSV files split
// at random into train/test with a recorded seed.
#include "nnlab/data/source.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/json_number.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/data/csv.hpp"
#include "nnlab/data/fashion_mnist.hpp"
#include "nnlab/data/idx.hpp"
#include "nnlab/data/npy.hpp"
#include "nnlab/data/npz.hpp"
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
Split<Scalar> split_as_recorded(const Dataset<Scalar>& all, const Source& source);

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
  return split_as_recorded(load_csv<Scalar>(path, options), source);
}

// The test part (test_fraction, split_seed) and the standardization, for CSV and NPY sources.
template <class Scalar>
Split<Scalar> split_as_recorded(const Dataset<Scalar>& all, const Source& source) {
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

// Inputs X (samples × features) and targets Y (samples, or samples × outputs) from numpy, with
// how errors name each: numpy's row per sample becomes a column of X and Y.
struct NumpyArrays {
  Mat<double> X, Y;  // non-finite entries were refused when they were read
  NpyInfo xinfo, yinfo;
  std::string x, y;  // "--data 'X.npy'" / "'d.npz' array 'X'"
};

template <class Scalar>
Split<Scalar> split_numpy(const NumpyArrays& a, const std::string& name, const Source& source) {
  require(a.xinfo.shape.size() == 2,
          "{}: X has shape ({},), but it must be 2-D (samples, features); for one feature save "
          "X.reshape(-1, 1)", a.x, a.xinfo.shape.empty() ? 0 : a.xinfo.shape[0]);
  require(a.X.rows() == a.Y.rows(), "{} has {} samples (rows) but {} has {}", a.x, a.X.rows(), a.y, a.Y.rows());
  require(a.X.rows() >= 1 && a.X.cols() >= 1, "{}: shape ({}, {}) holds no data", a.x, a.X.rows(), a.X.cols());
  require(a.Y.cols() >= 1, "{}: shape ({}, 0) holds no targets", a.y, a.Y.rows());
  const Mat<double>& Y = a.Y;
  const bool column = Y.cols() == 1;
  bool classification = source.task == "classification";
  if (source.task == "auto") classification = column && looks_like_labels(Y, 0);
  Dataset<Scalar> all;
  all.name = name;
  all.X = a.X.transpose().cast<Scalar>();
  if (!classification) {
    all.Y = Y.transpose().cast<Scalar>();
    return split_as_recorded(all, source);
  }
  require(column, "{}: shape ({}, {}); class labels must be one per sample, shape ({},)", a.y, Y.rows(), Y.cols(),
          Y.rows());
  all.labels.resize(std::size_t(Y.rows()));
  for (Index i = 0; i < Y.rows(); ++i) {
    const double t = Y(i, 0);
    require(t >= 0 && t < 1e6 && t == std::floor(t),
            "{}: entry [{}] is {}; class labels must be integers 0..K-1 (or pass --task regression)", a.y, i, t);
    all.labels[std::size_t(i)] = int(t);
    all.num_classes = std::max(all.num_classes, int(t) + 1);
  }
  require(all.num_classes >= 2, "{}: one class only (label 0); classification needs at least 2", a.y);
  all.Y = Mat<Scalar>::Zero(all.num_classes, Y.rows());
  for (std::size_t j = 0; j < all.labels.size(); ++j) all.Y(all.labels[j], Index(j)) = Scalar(1);
  return split_as_recorded(all, source);
}

// X.npy and y.npy (np.save). Errors name the file, and the entry where one is at fault.
template <class Scalar>
Split<Scalar> load_npy_split(const Source& source) {
  const std::string& xname = source.data;
  const std::string& yname = source.targets;
  require(!yname.empty(),
          "--data '{}' is an NPY file of inputs; name its targets with --targets y.npy (one per row of X)", xname);
  require(source.target_column == -1,
          "--target-column {} is for CSV files; with --data X.npy the targets are --targets '{}'",
          source.target_column, yname);
  std::error_code ec;
  require(std::filesystem::is_regular_file(yname, ec), "--targets '{}': no such file", yname);
  require(std::filesystem::path(yname).extension() == ".npy",
          "--targets '{}': expected an NPY file (.npy) of shape (samples,) or (samples, outputs)", yname);
  NumpyArrays a;
  a.x = fmt::format("--data '{}'", xname), a.y = fmt::format("--targets '{}'", yname);
  a.X = load_npy<double>(xname, &a.xinfo);
  a.Y = load_npy<double>(yname, &a.yinfo);
  return split_numpy<Scalar>(a, std::filesystem::path(xname).filename().string(), source);
}

// An NPZ archive (np.savez or np.savez_compressed) holding X and y by name, or as its only two
// positional arrays arr_0 (X) and arr_1 (y).
template <class Scalar>
Split<Scalar> load_npz_split(const Source& source) {
  const std::string& name = source.data;
  require(source.target_column == -1,
          "--target-column {} is for CSV files; --data '{}' holds its targets as the array y", source.target_column,
          name);
  const NpzArchive archive(name);
  const bool named = archive.contains("X") && archive.contains("y");
  const bool positional = archive.keys() == std::vector<std::string>{"arr_0", "arr_1"};
  require(named || positional,
          "--data '{}' holds {}; expected arrays X and y (np.savez(path, X=X, y=y)) or exactly two positional "
          "arrays (np.savez(path, X, y))",
          name, archive.keys().empty() ? "no arrays" : fmt::format("{}", fmt::join(archive.keys(), ", ")));
  const std::string x_key = named ? "X" : "arr_0", y_key = named ? "y" : "arr_1";
  NumpyArrays a;
  a.x = fmt::format("--data '{}' array '{}'", name, x_key), a.y = fmt::format("--data '{}' array '{}'", name, y_key);
  a.X = archive.load<double>(x_key, &a.xinfo);
  a.Y = archive.load<double>(y_key, &a.yinfo);
  return split_numpy<Scalar>(a, std::filesystem::path(name).filename().string(), source);
}

}  // namespace

bool Source::is_known_name() const { return data == "fashion-mnist"; }

Source Source::absolute() const {
  Source s = *this;
  if (!is_known_name() && !data.empty()) s.data = std::filesystem::absolute(data).lexically_normal().string();
  if (!targets.empty()) s.targets = std::filesystem::absolute(targets).lexically_normal().string();
  return s;
}

nlohmann::ordered_json Source::to_json() const {
  nlohmann::ordered_json j = {{"data", data}};
  if (!targets.empty()) j["targets"] = targets;  // NPY only: older records have no such field
  j["target_column"] = target_column;
  j["task"] = task;
  j["test_fraction"] = test_fraction;
  j["split_seed"] = split_seed;
  j["standardize"] = standardize;
  return j;
}

Source Source::from_json(const nlohmann::json& j) {
  try {
    Source s;
    s.data = j.at("data").get<std::string>();
    s.targets = j.value("targets", s.targets);
    const auto integer = [&]<class T>(const char* key, T fallback) {
      if (!j.contains(key)) return fallback;
      const auto v = json_integer<T>(j[key]);
      require(v.has_value(), "the recorded data source has {} {} (an integer in [{}, {}])", key, j[key].dump(),
              std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
      return *v;
    };
    s.target_column = integer("target_column", s.target_column);
    s.task = j.value("task", s.task);
    s.test_fraction = j.value("test_fraction", s.test_fraction);
    s.split_seed = integer("split_seed", s.split_seed);
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
Split<Scalar> load_split(const Source& source, SplitHead head) {
  for (const auto& n : {head.train, head.test})
    require(!n || *n >= 0, "cannot keep a negative number ({}) of samples", n.value_or(0));
  require(!source.data.empty(),
          "no data given (--data fashion-mnist, an MNIST-layout folder, a CSV file, X.npy --targets y.npy or an NPZ "
          "file)");
  const std::filesystem::path path = source.data;
  // Targets that no loader reads must not be ignored quietly.
  require(source.targets.empty() || path.extension() == ".npy",
          "--targets '{}' goes with --data X.npy only; '{}' is not an NPY file", source.targets, source.data);
  if (source.is_known_name()) return load_named<Scalar>(source.data, head);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return load_idx_split<Scalar>(path, path.filename().string(), head);
  require(std::filesystem::is_regular_file(path, ec),
          "--data '{}' is neither a known data set (fashion-mnist) nor an existing folder, CSV, NPY or NPZ file",
          source.data);
  // Read as CSV, a binary array would only get a confusing complaint about its first "line".
  const std::string extension = path.extension().string();
  Split<Scalar> split = extension == ".npy"   ? load_npy_split<Scalar>(source)
                        : extension == ".npz" ? load_npz_split<Scalar>(source)
                                              : load_csv_split<Scalar>(source);
  // Cut after the split (and the standardization fit on the whole training part), as a
  // prefix of the split loaded whole.
  const auto cut = [](Dataset<Scalar>& d, std::optional<Index> n) {
    if (n && *n < d.size()) d = data::head(d, *n);
  };
  cut(split.train, head.train);
  cut(split.test, head.test);
  return split;
}

template Split<float> load_split<float>(const Source&, SplitHead);
template Split<double> load_split<double>(const Source&, SplitHead);

}  // namespace nnlab::data
