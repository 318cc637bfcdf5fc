// Fashion-MNIST from the Debian package (skipped if absent) and MNIST-layout folders.
#include "nnlab/data/fashion_mnist.hpp"

#include <gtest/gtest.h>

#include <string>

#include "nnlab/data/gzip.hpp"
#include "temp_dir.hpp"

namespace nnlab::data {
namespace {

bool fashion_mnist_installed() {
  return std::filesystem::exists(std::filesystem::path(fashion_mnist_dir) /
                                 "train-labels-idx1-ubyte.gz");
}

void check_mnist_half(const Dataset<float>& d, Index n) {
  ASSERT_EQ(d.size(), n);
  ASSERT_EQ(d.inputs(), 784);
  ASSERT_EQ(d.outputs(), 10);
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.X.minCoeff(), 0.0f);
  EXPECT_EQ(d.X.maxCoeff(), 1.0f);
  // Xiao et al. 2017: the classes are exactly balanced in both halves.
  std::vector<Index> counts(10, 0);
  for (int l : d.labels) ++counts[std::size_t(l)];
  for (Index c : counts) EXPECT_EQ(c, n / 10);
  // Y is the one-hot encoding of the labels.
  EXPECT_EQ(d.Y.colwise().sum().minCoeff(), 1.0f);
  EXPECT_EQ(d.Y.colwise().sum().maxCoeff(), 1.0f);
  for (Index j = 0; j < n; j += 997) EXPECT_EQ(d.Y(d.labels[std::size_t(j)], j), 1.0f);
}

// The time bound is on the process's CPU time (user + system, both loader threads), which
// other jobs on a shared machine do not inflate the way they inflate wall time.
// Load time is measured by BM_LoadFashionMnist in bench/epoch_bench.cpp, not asserted here.
TEST(FashionMnist, LoadsFullSet) {
  if (!fashion_mnist_installed()) GTEST_SKIP() << "Debian package dataset-fashion-mnist absent";
  const Split<float> split = load_named<float>("fashion-mnist");
  check_mnist_half(split.train, 60000);
  check_mnist_half(split.test, 10000);
  EXPECT_EQ(split.train.name, "fashion-mnist/train");
  EXPECT_EQ(split.test.name, "fashion-mnist/test");
}

TEST(FashionMnist, UnknownNameListsKnownOnes) {
  EXPECT_ERROR_CONTAINS(load_named<float>("imagenet"), "unknown data set 'imagenet'",
                        "fashion-mnist");
}

void put_u32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(char((v >> shift) & 0xff));
}

std::string images(std::uint32_t n) {
  std::string s;
  for (std::uint32_t v : {0x803u, n, 2u, 2u}) put_u32(s, v);
  for (std::uint32_t i = 0; i < 4 * n; ++i) s.push_back(char(i));
  return s;
}

std::string labels(const std::vector<int>& l) {
  std::string s;
  for (std::uint32_t v : {0x801u, std::uint32_t(l.size())}) put_u32(s, v);
  for (int x : l) s.push_back(char(x));
  return s;
}

// A folder of 3 training and 2 test images of 2 × 2, files raw and gzip'd.
void write_tiny_folder(const testing::TempDir& dir) {
  dir.write("train-images-idx3-ubyte.gz", gzip(images(3)));
  dir.write("train-labels-idx1-ubyte", labels({2, 0, 9}));
  dir.write("t10k-images-idx3-ubyte", images(2));
  dir.write("t10k-labels-idx1-ubyte.gz", gzip(labels({5, 5})));
}

TEST(IdxSplit, LoadsRawAndGzipFilesOfAnMnistFolder) {
  testing::TempDir dir;
  write_tiny_folder(dir);
  const Split<double> split = load_idx_split<double>(dir.path(), "tiny");
  EXPECT_EQ(split.train.X.rows(), 4);
  EXPECT_EQ(split.train.labels, (std::vector<int>{2, 0, 9}));
  EXPECT_EQ(split.test.labels, (std::vector<int>{5, 5}));
  EXPECT_EQ(split.train.Y(9, 2), 1.0);
  EXPECT_EQ(split.train.Y.sum(), 3.0);
  EXPECT_EQ(split.train.X(1, 0), 1.0 / 255);
  EXPECT_EQ(split.train.name, "tiny/train");
}

TEST(IdxSplit, LoadsOneHalfWithoutTheOther) {
  testing::TempDir dir;
  dir.write("train-images-idx3-ubyte.gz", gzip(images(3)));
  dir.write("train-labels-idx1-ubyte", labels({2, 0, 9}));
  const Dataset<float> train = load_idx_half<float>(dir.path(), "train", "tiny/train");
  EXPECT_EQ(train.labels, (std::vector<int>{2, 0, 9}));
  EXPECT_EQ(train.Y(0, 1), 1.0f);
  EXPECT_EQ(train.name, "tiny/train");
  EXPECT_ERROR_CONTAINS(load_idx_half<float>(dir.path(), "t10k", "tiny/test"), "missing",
                        "t10k-images-idx3-ubyte");
}

// A head of each half: the first samples of the split loaded whole, or none; the halves'
// label counts are still checked against their images.
TEST(IdxSplit, LoadsTheFirstSamplesOfEachHalf) {
  testing::TempDir dir;
  write_tiny_folder(dir);
  const Split<double> all = load_idx_split<double>(dir.path(), "tiny");
  const Split<double> head = load_idx_split<double>(dir.path(), "tiny", {.train = 2, .test = 0});
  EXPECT_TRUE(head.train.X == all.train.X.leftCols(2));
  EXPECT_TRUE(head.train.Y == all.train.Y.leftCols(2));
  EXPECT_EQ(head.train.labels, (std::vector<int>{2, 0}));
  EXPECT_EQ(head.test.size(), 0);
  EXPECT_EQ(head.test.inputs(), 4);
  dir.write("t10k-labels-idx1-ubyte.gz", gzip(labels({5, 5, 1})));
  EXPECT_ERROR_CONTAINS(load_idx_split<double>(dir.path(), "tiny", {.train = 1, .test = 1}), "has 3 labels",
                        "has 2 images");
}

TEST(IdxSplit, MissingFileIsNamed) {
  testing::TempDir dir;
  dir.write("train-images-idx3-ubyte.gz", gzip(images(3)));
  EXPECT_ERROR_CONTAINS(load_idx_split<float>(dir.path()), "missing",
                        "train-labels-idx1-ubyte");
}

TEST(IdxSplit, LabelCountMismatch) {
  testing::TempDir dir;
  dir.write("train-images-idx3-ubyte", images(3));
  dir.write("train-labels-idx1-ubyte", labels({1, 2}));
  dir.write("t10k-images-idx3-ubyte", images(1));
  dir.write("t10k-labels-idx1-ubyte", labels({1}));
  EXPECT_ERROR_CONTAINS(load_idx_split<float>(dir.path()), "has 2 labels", "has 3 images");
}

TEST(IdxSplit, LabelOutOfRange) {
  testing::TempDir dir;
  dir.write("train-images-idx3-ubyte", images(1));
  dir.write("train-labels-idx1-ubyte", labels({10}));
  dir.write("t10k-images-idx3-ubyte", images(1));
  dir.write("t10k-labels-idx1-ubyte", labels({1}));
  EXPECT_ERROR_CONTAINS(load_idx_split<float>(dir.path()), "train-labels-idx1-ubyte",
                        "label 10 of sample 0 is not in 0..9");
}

TEST(IdxSplit, NotAFolder) {
  EXPECT_ERROR_CONTAINS(load_idx_split<float>("/nonexistent/mnist"), "/nonexistent/mnist",
                        "not a folder");
}

}  // namespace
}  // namespace nnlab::data
