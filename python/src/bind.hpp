// Shared by the binding's parts: what each binds, Ctrl-C checks, numpy conversions.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/core/types.hpp"
#include "nnlab/optim/critical_points.hpp"

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
Mat<S> columns_of(const py::array_t<S, py::array::c_style | py::array::forcecast>& a, const char* what) {
  require(a.ndim() == 1 || a.ndim() == 2,
          "{}: expected an array of shape (samples, features) or (samples,), got {} dimensions",
          what, a.ndim());
  const Index n = Index(a.shape(0)), d = a.ndim() == 2 ? Index(a.shape(1)) : 1;
  Mat<S> M(d, n);
  std::copy(a.data(), a.data() + M.size(), M.data());
  return M;
}

template <class S>
Vec<S> vector_of(const py::array_t<S, py::array::c_style | py::array::forcecast>& a, const char* what) {
  require(a.ndim() == 1, "{}: expected a 1-D array, got {} dimensions", what, a.ndim());
  Vec<S> v(Index(a.shape(0)));
  std::copy(a.data(), a.data() + v.size(), v.data());
  return v;
}

// L(θ) with value, gradient and, where known, H·v and the dense Hessian.
struct Objective {
  using Scalar = double;
  std::string name;
  Index n = 0;
  std::function<double(const Vec<double>&)> value_fn;
  std::function<double(const Vec<double>&, Vec<double>&)> gradient_fn;
  std::function<void(const Vec<double>&, const Vec<double>&, Vec<double>&)> hvp_fn;  // empty: none
  std::function<Mat<double>(const Vec<double>&)> hessian_fn;     // empty: none
  // H at x as an operator that computes what its products share once (a network's loss:
  // train::FixedHessian); empty: hvp at x for each product.
  using Operator = std::function<void(const Vec<double>&, Vec<double>&)>;
  std::function<Operator(const Vec<double>&)> hessian_at_fn;
  std::function<std::vector<optim::CriticalPoint>()> critical_points_fn;
  std::optional<Vec<double>> start, minimizer;
  bool python = false;  // calls back into Python: the drivers check Ctrl-C at every step

  Index dim() const { return n; }
  double value(const Vec<double>& x) const { return value_fn(x); }
  double gradient(const Vec<double>& x, Vec<double>& g) const { return gradient_fn(x, g); }
  void hvp(const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) const {
    require(bool(hvp_fn), "objective '{}' has no Hessian-vector product", name);
    hvp_fn(x, v, Hv);
  }
  // What analysis::hvp_operator takes: H at x as it is now, products by hvp(v, Hv).
  struct AtPoint {
    Operator apply;
    void hvp(const Vec<double>& v, Vec<double>& Hv) const { apply(v, Hv); }
  };
  AtPoint hessian_at(const Vec<double>& x) const {
    if (hessian_at_fn) return {hessian_at_fn(x)};
    return {[this, x](const Vec<double>& v, Vec<double>& Hv) { hvp(x, v, Hv); }};
  }
  Mat<double> hessian(const Vec<double>& x) const {
    if (hessian_fn) return hessian_fn(x);
    // Column by column from H·v, for objectives that only have that.
    Mat<double> H(n, n);
    Vec<double> e = Vec<double>::Zero(n), Hv(n);
    for (Index i = 0; i < n; ++i) {
      e(i) = 1;
      hvp(x, e, Hv);
      H.col(i) = Hv;
      e(i) = 0;
    }
    return H;
  }
};

}  // namespace nnlab::python
