// NPY files (numpy's format, versions 1.0, 2.0, 3.0): magic "\x93NUMPY", version, a
// little-endian header length, a Python-dict header {'descr', 'fortran_order', 'shape'},
// then the C-order data. A numpy array of shape (rows, cols) loads as an Eigen rows × cols
// matrix with the same (i, j) entries; shape (n,) loads as an n × 1 column. Dtypes '<f4',
// '<f8', '<i4', '<i8', '|u1' are converted to Scalar. Errors name the file and the problem; a
// NaN or Inf entry (also an '<f8' value beyond float's range read as float) is an error naming
// its position, [i, j] or [i].
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/core/types.hpp"

namespace nnlab::data {

// What the header said, for callers that check rank or dtype: shape as stored ((n,) for a 1-D
// array), descr as numpy writes it ('<f8', '<i8', …).
struct NpyInfo {
  std::vector<std::uint64_t> shape;
  std::string descr;
};

template <class Scalar>
Mat<Scalar> load_npy(const std::filesystem::path& path, NpyInfo* info = nullptr);
// The same from the bytes of an NPY file (a member of an NPZ archive); `name` names it in errors.
template <class Scalar>
Mat<Scalar> parse_npy(std::string_view bytes, const std::string& name, NpyInfo* info = nullptr);

// Writes a version 1.0 file in C order: '<f8' for double, '<f4' for float; shape (rows, cols)
// for a matrix, (n,) for a vector. Atomic (temporary file + rename).
template <class Scalar>
void save_npy(const std::filesystem::path& path, const Mat<Scalar>& matrix);
template <class Scalar>
void save_npy(const std::filesystem::path& path, const Vec<Scalar>& vector);

}  // namespace nnlab::data
