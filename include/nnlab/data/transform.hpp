// Transforms of a Dataset (X: features × N, samples are columns).
//   Standardizer: x'_i = (x_i − μ_i) / s_i with μ, s the per-feature mean and population
//   standard deviation of the set it was fit on (s_i = 0 → 1, so constant features map to 0);
//   fit on the training set, apply the same μ, s to every set.
//   train_test_split: a random partition; subset: chosen columns; head: the first n;
//   average_pool: square images at a lower resolution (the mean of each k × k block).
#pragma once
#include <vector>

#include "nnlab/core/rng.hpp"
#include "nnlab/data/dataset.hpp"

namespace nnlab::data {

template <class Scalar>
struct Standardizer {
  Vec<Scalar> mean;   // μ: one entry per feature
  Vec<Scalar> scale;  // s: the standard deviation, or 1 where it is 0

  static Standardizer fit(const Mat<Scalar>& X);
  static Standardizer fit(const Dataset<Scalar>& data) { return fit(data.X); }

  Mat<Scalar> apply(const Mat<Scalar>& X) const;
  Dataset<Scalar> apply(Dataset<Scalar> data) const;  // X transformed, targets untouched
  Mat<Scalar> invert(const Mat<Scalar>& X) const;     // x = s ⊙ x' + μ
};

// Shuffles the samples with rng and puts round(test_fraction · N) of them in the test set;
// both sets must be non-empty.
template <class Scalar>
Split<Scalar> train_test_split(const Dataset<Scalar>& data, double test_fraction, Rng& rng);

// The samples at `indices` (repeats allowed, as in a bootstrap), in that order.
template <class Scalar>
Dataset<Scalar> subset(const Dataset<Scalar>& data, const std::vector<Index>& indices);

// n distinct samples drawn at random (a shuffle of all indices, cut to n), in the drawn order;
// n ≤ size.
template <class Scalar>
Dataset<Scalar> random_subset(const Dataset<Scalar>& data, Index n, Rng& rng);

// The first n samples; n ≤ size.
template <class Scalar>
Dataset<Scalar> head(const Dataset<Scalar>& data, Index n);

// Each sample a side × side image stored row by row; the result holds the means of its k × k
// blocks, (side/k)² features in the same layout (28 × 28 Fashion-MNIST, k = 2: 14 × 14). Error
// unless inputs = side² and k divides side.
template <class Scalar>
Dataset<Scalar> average_pool(const Dataset<Scalar>& data, Index side, Index k);

}  // namespace nnlab::data
