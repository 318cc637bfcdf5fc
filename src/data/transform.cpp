// Moments are accumulated in double (two passes: mean, then squared deviations) so that
// float data sets of 60000 samples standardize as accurately as double ones.
#include "nnlab/data/transform.hpp"

#include <cmath>
#include <numeric>

#include "nnlab/core/error.hpp"

namespace nnlab::data {

template <class Scalar>
Standardizer<Scalar> Standardizer<Scalar>::fit(const Mat<Scalar>& X) {
  require(X.cols() > 0, "Standardizer: cannot fit on an empty data set ({} × 0)", X.rows());
  const Mat<double> Xd = X.template cast<double>();
  const Vec<double> mu = Xd.rowwise().mean();
  const Vec<double> sd =
      ((Xd.colwise() - mu).rowwise().squaredNorm() / double(X.cols())).cwiseSqrt();
  Standardizer s;
  s.mean = mu.cast<Scalar>();
  s.scale = (sd.array() > 0).select(sd, 1.0).template cast<Scalar>();
  return s;
}

template <class Scalar>
Mat<Scalar> Standardizer<Scalar>::apply(const Mat<Scalar>& X) const {
  require(X.rows() == mean.size(), "Standardizer: fit on {} features, applied to {}",
          mean.size(), X.rows());
  return (X.colwise() - mean).array().colwise() / scale.array();
}

template <class Scalar>
Dataset<Scalar> Standardizer<Scalar>::apply(Dataset<Scalar> data) const {
  data.X = apply(data.X);
  return data;
}

template <class Scalar>
Mat<Scalar> Standardizer<Scalar>::invert(const Mat<Scalar>& X) const {
  require(X.rows() == mean.size(), "Standardizer: fit on {} features, inverted on {}",
          mean.size(), X.rows());
  return (X.array().colwise() * scale.array()).matrix().colwise() + mean;
}

template <class Scalar>
Dataset<Scalar> subset(const Dataset<Scalar>& data, const std::vector<Index>& indices) {
  Dataset<Scalar> out;
  out.X.resize(data.X.rows(), Index(indices.size()));
  out.Y.resize(data.Y.rows(), Index(indices.size()));
  const bool has_labels = !data.labels.empty();
  if (has_labels) out.labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const Index j = indices[k];
    require(j >= 0 && j < data.size(), "subset of '{}': index {} is outside 0..{}", data.name, j,
            data.size() - 1);
    out.X.col(Index(k)) = data.X.col(j);
    out.Y.col(Index(k)) = data.Y.col(j);
    if (has_labels) out.labels[k] = data.labels[std::size_t(j)];
  }
  out.num_classes = data.num_classes;
  out.name = data.name;
  return out;
}

template <class Scalar>
Split<Scalar> train_test_split(const Dataset<Scalar>& data, double test_fraction, Rng& rng) {
  require(test_fraction > 0 && test_fraction < 1,
          "train_test_split: test_fraction {} must be in (0, 1)", test_fraction);
  const Index n = data.size();
  const auto n_test = Index(std::lround(test_fraction * double(n)));
  require(n_test >= 1 && n_test <= n - 1,
          "train_test_split of '{}': test_fraction {} of {} samples leaves an empty set",
          data.name, test_fraction, n);
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index(0));
  shuffle(order, rng);
  const auto middle = order.begin() + (n - n_test);
  return {subset(data, std::vector<Index>(order.begin(), middle)),
          subset(data, std::vector<Index>(middle, order.end()))};
}

template <class Scalar>
Dataset<Scalar> random_subset(const Dataset<Scalar>& data, Index n, Rng& rng) {
  require(n >= 0 && n <= data.size(), "{} samples requested from '{}', which has {}", n, data.name, data.size());
  std::vector<Index> order(std::size_t(data.size()));
  std::iota(order.begin(), order.end(), Index(0));
  shuffle(order, rng);
  order.resize(std::size_t(n));
  return subset(data, order);
}

template <class Scalar>
Dataset<Scalar> head(const Dataset<Scalar>& data, Index n) {
  require(n >= 0 && n <= data.size(), "head of '{}': n = {} must be in 0..{}", data.name, n,
          data.size());
  return {data.X.leftCols(n), data.Y.leftCols(n),
          data.labels.empty() ? std::vector<int>{}
                              : std::vector<int>(data.labels.begin(), data.labels.begin() + n),
          data.num_classes, data.name};
}

template <class Scalar>
Dataset<Scalar> average_pool(const Dataset<Scalar>& data, Index side, Index k) {
  require(side >= 1 && data.inputs() == side * side, "average_pool: '{}' has {} features, not {}² = {}",
          data.name, data.inputs(), side, side * side);
  require(k >= 1 && side % k == 0, "average_pool: blocks of {} do not tile a side of {}", k, side);
  const Index out = side / k;
  Dataset<Scalar> pooled{Mat<Scalar>::Zero(out * out, data.size()), data.Y, data.labels, data.num_classes,
                         data.name};
  const Scalar weight = Scalar(1) / Scalar(k * k);
  for (Index r = 0; r < side; ++r)
    for (Index c = 0; c < side; ++c)
      pooled.X.row((r / k) * out + c / k) += weight * data.X.row(r * side + c);
  return pooled;
}

template struct Standardizer<float>;
template struct Standardizer<double>;
template Split<float> train_test_split<float>(const Dataset<float>&, double, Rng&);
template Split<double> train_test_split<double>(const Dataset<double>&, double, Rng&);
template Dataset<float> subset<float>(const Dataset<float>&, const std::vector<Index>&);
template Dataset<double> subset<double>(const Dataset<double>&, const std::vector<Index>&);
template Dataset<float> random_subset<float>(const Dataset<float>&, Index, Rng&);
template Dataset<double> random_subset<double>(const Dataset<double>&, Index, Rng&);
template Dataset<float> head<float>(const Dataset<float>&, Index);
template Dataset<float> average_pool<float>(const Dataset<float>&, Index, Index);
template Dataset<double> average_pool<double>(const Dataset<double>&, Index, Index);
template Dataset<double> head<double>(const Dataset<double>&, Index);

}  // namespace nnlab::data
