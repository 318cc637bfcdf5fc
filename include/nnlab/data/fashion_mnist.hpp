// Named real data sets and MNIST-layout folders. A folder in the MNIST layout holds
// {train,t10k}-{images-idx3,labels-idx1}-ubyte, each raw or with a .gz suffix; it loads as a
// train/test Split with X: 784 × N in [0, 1], labels 0..9 and one-hot Y: 10 × N.
// Fashion-MNIST (Xiao et al. 2017: 60000 train + 10000 test 28×28 images of 10 clothing
// classes) comes from the Debian package dataset-fashion-mnist.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "nnlab/data/dataset.hpp"

namespace nnlab::data {

inline constexpr std::string_view fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

// Loads one half of an MNIST-layout folder, "train" or "t10k" (its images and labels), named
// `name`: when only the training images are needed, this reads half the files. With `first`,
// only the first samples (idx.hpp: the files read only as far as they reach).
template <class Scalar>
Dataset<Scalar> load_idx_half(const std::filesystem::path& dir, std::string_view half, std::string name,
                              std::optional<Index> first = std::nullopt);

// Loads an MNIST-layout folder; `name` becomes the data sets' name ("<name>/train", "/test").
template <class Scalar>
Split<Scalar> load_idx_split(const std::filesystem::path& dir, std::string_view name = "idx",
                             SplitHead head = {});

// Loads a data set by name; known: "fashion-mnist". Unknown names get an Error listing them.
template <class Scalar>
Split<Scalar> load_named(std::string_view name, SplitHead head = {});

}  // namespace nnlab::data
