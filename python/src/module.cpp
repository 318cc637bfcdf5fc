// _nnlab: the compiled part of the Python package nnlab (python/nnlab/__init__.py re-exports it).
// nnlab::Error becomes ValueError and nnlab::FileError OSError, with the CLI's messages.
#include <pybind11/pybind11.h>

#include "bind.hpp"
#include "nnlab/core/error.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_nnlab, m) {
  m.doc() = "nnlab: labs, networks, objectives and optimizers of the C++ library nnlab";
  m.attr("__version__") = NNLAB_VERSION;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const nnlab::FileError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const nnlab::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  nnlab::python::bind_labs(m.def_submodule("labs", "The labs: one per question of the sheet"));
  nnlab::python::bind_networks(m);
  nnlab::python::bind_optim(m);
}
