// A data set: inputs X (features × samples, samples are columns) and targets Y
// (outputs × samples). Classification keeps integer labels and Y as one-hot columns, so
// squared and cross-entropy losses read the same Y.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "nnlab/core/types.hpp"

namespace nnlab::data {

template <class Scalar>
struct Dataset {
  Mat<Scalar> X;            // n_in × N
  Mat<Scalar> Y;            // n_out × N (one-hot for classification)
  std::vector<int> labels;  // N class indices, or empty for regression
  int num_classes = 0;      // 0 for regression
  std::string name;

  Index size() const { return X.cols(); }
  Index inputs() const { return X.rows(); }
  Index outputs() const { return Y.rows(); }
  bool is_classification() const { return num_classes > 0; }

  template <class To>
  Dataset<To> cast() const {
    return {X.template cast<To>(), Y.template cast<To>(), labels, num_classes, name};
  }
};

template <class Scalar>
struct Split {
  Dataset<Scalar> train, test;
};

// How many samples of each half of a split to load: the first n (all of them if fewer), or all
// when unset. MNIST-layout files are then read only as far as those samples reach.
struct SplitHead {
  std::optional<Index> train{}, test{};
};

}  // namespace nnlab::data
