#include <fmt/format.h>

#include "bind.hpp"
#include "nnlab/core/error.hpp"

namespace nnlab::python {

template <class S>
Mat<S> columns_of(const py::array_t<S, py::array::c_style | py::array::forcecast>& a,
                  const char* what) {
  require(a.ndim() == 1 || a.ndim() == 2,
          "{}: expected an array of shape (samples, features) or (samples,), got {} dimensions",
          what, a.ndim());
  const Index n = Index(a.shape(0)), d = a.ndim() == 2 ? Index(a.shape(1)) : 1;
  Mat<S> M(d, n);
  std::copy(a.data(), a.data() + M.size(), M.data());
  return M;
}

template <class S>
Vec<S> vector_of(const py::array_t<S, py::array::c_style | py::array::forcecast>& a,
                 const char* what) {
  require(a.ndim() == 1, "{}: expected a 1-D array, got {} dimensions", what, a.ndim());
  Vec<S> v(Index(a.shape(0)));
  std::copy(a.data(), a.data() + v.size(), v.data());
  return v;
}

template Mat<float> columns_of(const py::array_t<float, py::array::c_style | py::array::forcecast>&, const char*);
template Mat<double> columns_of(const py::array_t<double, py::array::c_style | py::array::forcecast>&, const char*);
template Vec<float> vector_of(const py::array_t<float, py::array::c_style | py::array::forcecast>&, const char*);
template Vec<double> vector_of(const py::array_t<double, py::array::c_style | py::array::forcecast>&, const char*);

}  // namespace nnlab::python
