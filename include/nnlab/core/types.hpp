// Scalar-generic Eigen aliases. Matrices are column-major and samples are columns:
// a batch of inputs is X: n_1 × batch, so a layer reads A = W Z as in the math.
#pragma once
#include <Eigen/Core>

#include <cstdint>

namespace nnlab {

using Index = Eigen::Index;
template <class Scalar> using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <class Scalar> using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <class Scalar> using VecMap = Eigen::Map<Vec<Scalar>>;
template <class Scalar> using MatMap = Eigen::Map<Mat<Scalar>>;
template <class Scalar> using ConstVecMap = Eigen::Map<const Vec<Scalar>>;
template <class Scalar> using ConstMatMap = Eigen::Map<const Mat<Scalar>>;

}  // namespace nnlab
