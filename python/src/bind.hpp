// Shared by the binding's parts: what each binds, Ctrl-C checks, numpy conversions.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <vector>

#include "nnlab/core/types.hpp"

namespace nnlab::python {

namespace py = pybind11;

void bind_labs(py::module_ m);      // nnlab.labs: list, params, run
void bind_networks(py::module_ m);  // Mlp, data sets, checkpoints, train
void bind_optim(py::module_ m);     // objectives, the test-function zoo, minimize

// Runs Python's signal handlers (takes the GIL for it): after Ctrl-C, the KeyboardInterrupt they
// raise leaves as py::error_already_set, unwinding the C++ call; pybind11 re-raises it in Python.
inline void check_signals() {
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

// A 1-D numpy copy of v.
template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> out(py::ssize_t(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

// A numpy copy of an Eigen vector.
template <class S>
py::array_t<S> to_numpy(const Vec<S>& v) {
  py::array_t<S> out(py::ssize_t(v.size()));
  std::copy(v.data(), v.data() + v.size(), out.mutable_data());
  return out;
}

// A numpy view of v, kept alive by `owner`: writes through it change v.
template <class S>
py::array_t<S> view_of(Vec<S>& v, py::handle owner) {
  return py::array_t<S>({py::ssize_t(v.size())}, {py::ssize_t(sizeof(S))}, v.data(), owner);
}

// A samples-as-columns matrix M (features × N, column-major) as numpy's samples-as-rows
// (N, features) array: the same bytes in C order, so a copy of M's memory, not a transpose.
template <class S>
py::array_t<S> rows_of(const Mat<S>& M) {
  py::array_t<S> out({py::ssize_t(M.cols()), py::ssize_t(M.rows())});
  std::copy(M.data(), M.data() + M.size(), out.mutable_data());
  return out;
}

// The inverse: numpy (N, features), or (N,) for one feature, to a features × N matrix.
template <class S>
Mat<S> columns_of(const py::array_t<S, py::array::c_style | py::array::forcecast>& a,
                  const char* what);

template <class S>
Vec<S> vector_of(const py::array_t<S, py::array::c_style | py::array::forcecast>& a,
                 const char* what);

}  // namespace nnlab::python
