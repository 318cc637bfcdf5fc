// Train and test halves load in parallel (two threads): gunzip dominates the time.
#include "nnlab/data/fashion_mnist.hpp"

#include <fmt/format.h>

#include <future>
#include <string>

#include "nnlab/core/error.hpp"
#include "nnlab/data/idx.hpp"

namespace nnlab::data {

namespace {

constexpr int mnist_classes = 10;

// The file `stem` in dir, raw or gzip'd; an Error listing both names if neither exists.
std::filesystem::path find_file(const std::filesystem::path& dir, const std::string& stem) {
  const auto raw = dir / stem, gz = dir / (stem + ".gz");
  if (std::filesystem::exists(gz)) return gz;
  if (std::filesystem::exists(raw)) return raw;
  fail("'{}': missing '{}' (or '{}.gz'); an MNIST-layout folder holds "
       "{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte[.gz]",
       dir.string(), stem, stem);
}

}  // namespace

template <class Scalar>
Dataset<Scalar> load_idx_half(const std::filesystem::path& dir, std::string_view half, std::string name,
                              std::optional<Index> first) {
  const std::string prefix(half);
  const auto images_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const auto labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  Dataset<Scalar> data;
  IdxImagesShape images;
  Index labels = 0;
  data.X = load_idx_images<Scalar>(images_path, &images, first);
  data.labels = load_idx_labels(labels_path, &labels, first);
  require(labels == images.count, "'{}' has {} labels but '{}' has {} images", labels_path.string(), labels,
          images_path.string(), images.count);
  data.num_classes = mnist_classes;
  data.Y = Mat<Scalar>::Zero(mnist_classes, data.X.cols());
  for (Index j = 0; j < data.X.cols(); ++j) {
    const int label = data.labels[std::size_t(j)];
    require(label >= 0 && label < mnist_classes, "'{}': label {} of sample {} is not in 0..{}",
            labels_path.string(), label, j, mnist_classes - 1);
    data.Y(label, j) = Scalar(1);
  }
  data.name = std::move(name);
  return data;
}

template <class Scalar>
Split<Scalar> load_idx_split(const std::filesystem::path& dir, std::string_view name, SplitHead head) {
  require(std::filesystem::is_directory(dir), "'{}': not a folder", dir.string());
  auto test = std::async(std::launch::async, [&] {
    return load_idx_half<Scalar>(dir, "t10k", fmt::format("{}/test", name), head.test);
  });
  Split<Scalar> split;
  split.train = load_idx_half<Scalar>(dir, "train", fmt::format("{}/train", name), head.train);
  split.test = test.get();
  require(split.train.inputs() == split.test.inputs(),
          "'{}': train images have {} pixels but test images {}", dir.string(),
          split.train.inputs(), split.test.inputs());
  return split;
}

template <class Scalar>
Split<Scalar> load_named(std::string_view name, SplitHead head) {
  if (name == "fashion-mnist") {
    const std::filesystem::path dir(fashion_mnist_dir);
    require(std::filesystem::is_directory(dir),
            "data set 'fashion-mnist': '{}' does not exist; install the Debian package "
            "dataset-fashion-mnist",
            dir.string());
    return load_idx_split<Scalar>(dir, name, head);
  }
  fail("unknown data set '{}'; known: fashion-mnist", name);
}

template Dataset<float> load_idx_half<float>(const std::filesystem::path&, std::string_view, std::string,
                                            std::optional<Index>);
template Dataset<double> load_idx_half<double>(const std::filesystem::path&, std::string_view, std::string,
                                              std::optional<Index>);
template Split<float> load_idx_split<float>(const std::filesystem::path&, std::string_view, SplitHead);
template Split<double> load_idx_split<double>(const std::filesystem::path&, std::string_view, SplitHead);
template Split<float> load_named<float>(std::string_view, SplitHead);
template Split<double> load_named<double>(std::string_view, SplitHead);

}  // namespace nnlab::data
