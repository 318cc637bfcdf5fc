// Objectives and drivers: the test-function zoo (optim/landscapes.hpp, optim/test_functions.hpp)
// and user-defined Python objectives behind one type-erased Objective, driven by the C++ drivers
// (first-order optimizers by name through minimize(), L-BFGS, Newton), gradient flow and the
// gradient-penalty (modified) losses of backward error analysis. The GIL is released while
// a driver runs; a Python objective takes it back for each call.
#include <fmt/format.h>
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bind.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/analysis/hessian.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/optim/landscapes.hpp"
#include "nnlab/optim/gradient_flow.hpp"
#include "nnlab/optim/lbfgs.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/newton.hpp"
#include "nnlab/optim/noisy_gd.hpp"
#include "nnlab/optim/nonlinear_cg.hpp"
#include "nnlab/optim/perturbed_gd.hpp"
#include "nnlab/optim/saddle_free_newton.hpp"
#include "nnlab/optim/trust_region.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::python {
namespace {

using V = Vec<double>;

template <class F>
Objective wrap(std::shared_ptr<F> f, std::string name) {
  Objective o;
  o.name = std::move(name);
  o.n = f->dim();
  o.value_fn = [f](const V& x) { return double(f->value(x)); };
  o.gradient_fn = [f](const V& x, V& g) { return double(f->gradient(x, g)); };
  o.hvp_fn = [f](const V& x, const V& v, V& Hv) { f->hvp(x, v, Hv); };
  o.hessian_fn = [f](const V& x) { return Mat<double>(f->hessian(x)); };
  if constexpr (requires { f->critical_points(); })
    o.critical_points_fn = [f] { return f->critical_points(); };
  if constexpr (requires { f->start(); }) o.start = f->start();
  if constexpr (requires { f->minimizer(); }) o.minimizer = V(f->minimizer());
  return o;
}

// The zoo by name; n is the dimension of the n-D functions (the 2-D ones ignore it).
Objective test_function(const std::string& name, Index n, double kappa, std::uint64_t seed) {
  using namespace optim;
  require(n >= 1, "test_function: dimension n must be >= 1, got {}", n);
  if (name == "himmelblau") return wrap(std::make_shared<Himmelblau>(), name);
  if (name == "beale") return wrap(std::make_shared<Beale>(), name);
  if (name == "goldstein-price") return wrap(std::make_shared<GoldsteinPrice>(), name);
  if (name == "six-hump-camel") return wrap(std::make_shared<SixHumpCamel>(), name);
  if (name == "saddle") return wrap(std::make_shared<SaddleXY>(), name);
  if (name == "monkey-saddle") return wrap(std::make_shared<MonkeySaddle>(), name);
  if (name == "rastrigin") return wrap(std::make_shared<Rastrigin>(n), name);
  if (name == "styblinski-tang") return wrap(std::make_shared<StyblinskiTang>(n), name);
  if (name == "double-well") return wrap(std::make_shared<DoubleWell>(n), name);
  if (name == "ackley") return wrap(std::make_shared<Ackley>(n), name);
  if (name == "rosenbrock") return wrap(std::make_shared<Rosenbrock<double>>(std::max<Index>(n, 2)), name);
  if (name == "quadratic") {
    require(kappa >= 1, "test_function: quadratic needs kappa >= 1, got {}", kappa);
    Rng rng = make_rng(seed, stream::data);
    return wrap(std::make_shared<Quadratic<double>>(Quadratic<double>::with_condition(n, kappa, rng)), name);
  }
  fail("unknown test function '{}'; known: himmelblau, beale, goldstein-price, six-hump-camel, saddle, "
       "monkey-saddle, rastrigin, styblinski-tang, double-well, ackley, rosenbrock, quadratic",
       name);
}

V call_vector(const py::object& fn, const py::array_t<double>& x, Index n, const char* what,
              const std::string& name, py::object extra = py::none()) {
  py::object r = extra.is_none() ? fn(x) : fn(x, extra);
  auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(r);
  require(bool(a) && a.ndim() == 1 && Index(a.shape(0)) == n,
          "objective '{}': {} must return a 1-D array of length {}", name, what, n);
  return Eigen::Map<const V>(a.data(), n);
}

// A Python objective: value(x) -> float, gradient(x) -> array, optional hvp(x, v) -> array and
// hessian(x) -> (n, n) array. Each call takes the GIL.
// Refuses an x whose length is not the objective's dimension: "{what} has length …".
void require_point(const Objective& f, const V& x, std::string_view what) {
  require(x.size() == f.dim(), "{} has length {} but the objective has dimension {}", what, x.size(), f.dim());
}

Objective python_objective(Index n, py::object value, py::object gradient, py::object hvp,
                           py::object hessian, std::string name) {
  require(n >= 1, "Objective: dimension must be >= 1, got {}", n);
  Objective o;
  o.name = std::move(name);
  o.n = n;
  o.python = true;
  auto x_of = [](const V& x) { return py::array_t<double>(x.size(), x.data()); };
  o.value_fn = [value, x_of](const V& x) {
    py::gil_scoped_acquire gil;
    return value(x_of(x)).cast<double>();
  };
  o.gradient_fn = [value, gradient, x_of, n, nm = o.name](const V& x, V& g) {
    py::gil_scoped_acquire gil;
    const auto xa = x_of(x);
    g = call_vector(gradient, xa, n, "gradient(x)", nm);
    return value(xa).cast<double>();
  };
  if (!hvp.is_none())
    o.hvp_fn = [hvp, x_of, n, nm = o.name](const V& x, const V& v, V& Hv) {
      py::gil_scoped_acquire gil;
      Hv = call_vector(hvp, x_of(x), n, "hvp(x, v)", nm, py::array_t<double>(v.size(), v.data()));
    };
  if (!hessian.is_none())
    o.hessian_fn = [hessian, x_of, n, nm = o.name](const V& x) {
      py::gil_scoped_acquire gil;
      auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(hessian(x_of(x)));
      require(bool(a) && a.ndim() == 2 && Index(a.shape(0)) == n && Index(a.shape(1)) == n,
              "objective '{}': hessian(x) must return an array of shape ({}, {})", nm, n, n);
      Mat<double> H(n, n);
      for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < n; ++j) H(i, j) = a.at(i, j);
      return H;
    };
  return o;
}

struct MinimizeResult {
  py::array_t<double> x;
  double value = 0, grad_norm = 0;
  std::string status, method;
  std::int64_t iterations = 0;
  py::array_t<double> trajectory;  // (iterates, dim): every evaluated θ_k, when recorded
  py::array_t<double> values;      // L(θ_k)
};

// Records the iterates and watches for Ctrl-C and a Python callback's verdict: every step for
// Python objectives, else every 1024 steps (taking the GIL costs more than a test function's step).
struct Watcher {
  bool record = true;
  bool python = false;
  py::object callback;  // callback(step, x, value) -> False stops; None: no callback
  std::vector<double> path, values;
  std::optional<py::error_already_set> pending;

  optim::Control operator()(const optim::StepEvent<double>& e) {
    if (record) {
      path.insert(path.end(), e.theta.data(), e.theta.data() + e.theta.size());
      values.push_back(e.loss);
    }
    if (!python && callback.is_none() && e.step % 1024 != 0) return optim::Control::proceed;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!callback.is_none()) {
        py::object verdict = callback(e.step, to_numpy(V(e.theta)), e.loss);
        if (!verdict.is_none() && !verdict.cast<bool>()) return optim::Control::stop;
      }
    } catch (py::error_already_set& err) {
      pending = err;
      return optim::Control::stop;
    }
    return optim::Control::proceed;
  }
};

MinimizeResult minimize(const Objective& f, py::object x0, const std::string& method, double lr,
                        std::int64_t max_iters, double grad_tol, double value_tol,
                        std::optional<double> momentum, std::optional<double> beta1,
                        std::optional<double> beta2, std::optional<double> rho,
                        std::optional<double> eps, double weight_decay, const std::string& schedule,
                        double temperature, std::uint64_t seed, bool record, py::object callback) {
  V theta;
  if (x0.is_none()) {
    require(f.start.has_value(), "minimize: objective '{}' has no start point; pass x0", f.name);
    theta = *f.start;
  } else {
    theta = vector_of<double>(x0.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>(), "x0");
    require_point(f, theta, "minimize: x0");
  }
  require(max_iters >= 0, "minimize: max_iters must be >= 0, got {}", max_iters);
  const optim::Stop stop{.max_iters = max_iters, .grad_tol = grad_tol, .value_tol = value_tol};
  Watcher watcher{record, f.python, callback, {}, {}, std::nullopt};
  optim::Report report;
  {
    py::gil_scoped_release release;
    const bool second_order = bool(f.hessian_fn) || bool(f.hvp_fn);
    Rng rng = make_rng(seed, stream::trials);  // the noise of perturbed_gd and noisy_gd
    if (method == "lbfgs") {
      report = optim::lbfgs(f, theta, stop, {}, watcher);
    } else if (method == "nonlinear_cg") {
      report = optim::nonlinear_cg(f, theta, stop, {}, watcher);
    } else if (method == "newton" || method == "trust_region" || method == "saddle_free_newton") {
      require(second_order, "minimize: {} needs the objective's hvp or hessian", method);
      if (method == "newton") {
        optim::NewtonOptions options;
        options.matrix_free = !f.hessian_fn;
        report = optim::newton(f, theta, stop, options, watcher);
      } else if (method == "trust_region") {
        report = optim::trust_region(f, theta, stop, {}, watcher);
      } else {
        report = optim::saddle_free_newton(f, theta, stop, {}, watcher);
      }
    } else if (method == "perturbed_gd") {
      optim::PerturbedGdOptions options;
      options.lr = lr;
      report = optim::perturbed_gd(f, theta, rng, stop, options, watcher);
    } else if (method == "noisy_gd") {
      report = optim::noisy_gd(f, theta, rng, stop, {.lr = lr, .temperature = temperature}, watcher);
    } else {
      auto opt = optim::make_optimizer<double>(
          method, {.lr = lr, .momentum = momentum, .beta1 = beta1, .beta2 = beta2, .rho = rho,
                   .eps = eps, .weight_decay = weight_decay, .schedule = schedule,
                   .horizon_steps = max_iters, .steps_per_epoch = 1});
      report = optim::minimize(f, opt, theta, stop, watcher);
    }
  }
  if (watcher.pending) throw *watcher.pending;
  MinimizeResult r;
  r.x = to_numpy(theta);
  r.value = report.value;
  r.grad_norm = report.grad_norm;
  r.status = std::string(optim::to_string(report.status));
  r.method = method;
  r.iterations = report.iterations;
  const auto k = py::ssize_t(watcher.values.size());
  r.trajectory = py::array_t<double>({k, py::ssize_t(f.dim())});
  std::copy(watcher.path.begin(), watcher.path.end(), r.trajectory.mutable_data());
  r.values = to_numpy(watcher.values);
  return r;
}

// θ(T) of the flow θ' = −∇L(θ) by RK4 (optim::gradient_flow), in blocks of 1024 steps of the same
// dt between which Ctrl-C is checked.
V gradient_flow(const Objective& f, const V& x0, double T, Index steps) {
  require_point(f, x0, "gradient_flow: x0");
  require(steps >= 1 && T >= 0, "gradient_flow: needs steps >= 1 and T >= 0, got {} and {}", steps, T);
  const double dt = T / double(steps);
  constexpr Index block = 1024;
  V theta = x0;
  py::gil_scoped_release release;
  for (Index done = 0; done < steps; done += block) {
    const Index k = std::min(block, steps - done);
    theta = optim::gradient_flow(f, std::move(theta), dt * double(k), k);
    check_signals();
  }
  return theta;
}

// L + c·(1/K) Σ_k ‖∇G_k‖² (optim::GradientPenalty; G = [L] by default) on copies of the objectives.
Objective gradient_penalty(const Objective& loss, double coefficient, std::optional<std::vector<Objective>> terms) {
  struct State {
    Objective loss;
    std::vector<Objective> terms;
    std::vector<const Objective*> pointers{};
    std::optional<optim::GradientPenalty<Objective>> penalty{};
  };
  auto st = std::make_shared<State>(State{loss, terms ? std::move(*terms) : std::vector<Objective>{loss}});
  Objective o;
  o.n = loss.n;
  o.start = loss.start;
  o.python = loss.python;
  for (const Objective& t : st->terms) {
    require(bool(t.hvp_fn), "gradient_penalty: term '{}' has no hvp (its gradient needs H·∇G)", t.name);
    st->pointers.push_back(&t);
    o.python = o.python || t.python;
  }
  st->penalty.emplace(st->loss, std::span<const Objective* const>(st->pointers), coefficient);
  o.name = terms ? fmt::format("{} + {:g}·mean of {} squared gradient norms", loss.name, coefficient, st->terms.size())
                 : fmt::format("{} + {:g}·|grad|²", loss.name, coefficient);
  o.value_fn = [st](const V& x) { return st->penalty->value(x); };
  o.gradient_fn = [st](const V& x, V& g) { return st->penalty->gradient(x, g); };
  return o;
}

// method(H, dimension, rng) on the exact H·v of f at x (a copy), without the GIL; `what` names
// the caller in the error for a wrong x.
template <class Method>
auto at_hessian(const Objective& f, const V& x, std::uint64_t seed, std::string_view what,
                const Method& method) {
  require_point(f, x, fmt::format("{}: x", what));
  const V at = x;
  Rng rng = make_rng(seed, stream::trials);
  py::gil_scoped_release release;
  return method(analysis::hvp_operator(f, at), f.dim(), rng);
}

void bind_hessian(py::module_ m) {
  m.def("lanczos", [](const Objective& f, const V& x, int iterations, std::uint64_t seed) {
        const analysis::Spectrum s =
            at_hessian(f, x, seed, "lanczos", [&](const auto& H, Index n, Rng& rng) {
          return analysis::lanczos(H, n, iterations, rng);
        });
        py::dict out;
        out["ritz_values"] = to_numpy(s.ritz_values);
        out["residual_bounds"] = to_numpy(s.residual_bounds);
        out["iterations"] = s.iterations;
        return out;
      }, py::arg("objective"), py::arg("x"), py::arg("iterations") = 20, py::arg("seed") = 1,
      "Lanczos with full reorthogonalization on exact H·v at x: ritz_values (largest first), "
      "their residual_bounds, iterations. The extreme ones converge first (λ_max: sharpness).");
  m.def("power_iteration", [](const Objective& f, const V& x, int iterations, std::uint64_t seed) {
        const analysis::PowerIteration p =
            at_hessian(f, x, seed, "power_iteration", [&](const auto& H, Index n, Rng& rng) {
          return analysis::power_iteration(H, n, iterations, rng);
        });
        return py::make_tuple(p.eigenvalue, p.residual);
      }, py::arg("objective"), py::arg("x"), py::arg("iterations") = 100, py::arg("seed") = 1,
      "(ρ, r): the Rayleigh quotient after power iteration and its residual; an eigenvalue of H lies in [ρ − r, ρ + r]");
  m.def("hutchinson_trace", [](const Objective& f, const V& x, int probes, std::uint64_t seed) {
        const analysis::TraceEstimate t =
            at_hessian(f, x, seed, "hutchinson_trace", [&](const auto& H, Index n, Rng& rng) {
          return analysis::hutchinson_trace(H, n, probes, rng);
        });
        return py::make_tuple(t.mean, t.standard_error);
      }, py::arg("objective"), py::arg("x"), py::arg("probes") = 50, py::arg("seed") = 1,
      "(estimate, standard error) of tr H at x from Rademacher probes");
  m.def("spectral_density", [](const Objective& f, const V& x, const V& t, double sigma, int iterations,
                               int probes, std::uint64_t seed) {
        const analysis::SpectralDensity d =
            at_hessian(f, x, seed, "spectral_density", [&](const auto& H, Index n, Rng& rng) {
          return analysis::spectral_density(H, n, iterations, probes, rng);
        });
        py::list nodes, weights;
        for (std::size_t i = 0; i < d.nodes.size(); ++i) {
          nodes.append(to_numpy(d.nodes[i]));
          weights.append(to_numpy(d.weights[i]));
        }
        py::dict out;
        out["nodes"] = nodes;
        out["weights"] = weights;
        out["density"] = to_numpy(d.smoothed(std::vector<double>(t.data(), t.data() + t.size()), sigma));
        return out;
      }, py::arg("objective"), py::arg("x"), py::arg("t"), py::arg("sigma"), py::arg("iterations") = 30,
      py::arg("probes") = 10, py::arg("seed") = 1,
      "Stochastic Lanczos quadrature: per probe the nodes and weights, and the density smoothed by a "
      "Gaussian of deviation sigma at the points t");
}

}  // namespace

void bind_optim(py::module_ m) {
  bind_hessian(m.def_submodule("hessian", "Spectrum and trace of an objective's Hessian from exact H·v"));
  py::class_<Objective>(m, "Objective", R"(An objective L(x), x in R^dim, for the C++ drivers.

Objective(dim, value, gradient, hvp=None, hessian=None, name="python") wraps Python functions:
value(x) -> float, gradient(x) -> array of length dim, hvp(x, v) -> array, hessian(x) -> (dim, dim).
test_function(name) gives the zoo's C++ objectives.)")
      .def(py::init(&python_objective), py::arg("dim"), py::arg("value"), py::arg("gradient"),
           py::arg("hvp") = py::none(), py::arg("hessian") = py::none(), py::arg("name") = "python")
      .def_readonly("name", &Objective::name)
      .def_property_readonly("dim", &Objective::dim)
      .def("value", [](const Objective& f, const V& x) {
             require_point(f, x, "value: x");
             py::gil_scoped_release release;
             return f.value(x);
           }, py::arg("x"), "L(x)")
      .def("gradient", [](const Objective& f, const V& x) {
             require_point(f, x, "gradient: x");
             V g(f.dim());
             double value;
             {
               py::gil_scoped_release release;
               value = f.gradient(x, g);
             }
             return py::make_tuple(value, to_numpy(g));
           }, py::arg("x"), "(L(x), the gradient at x)")
      .def("hvp", [](const Objective& f, const V& x, const V& v) {
             require_point(f, x, "hvp: x");
             require_point(f, v, "hvp: v");
             V Hv(f.dim());
             {
               py::gil_scoped_release release;
               f.hvp(x, v, Hv);
             }
             return to_numpy(Hv);
           }, py::arg("x"), py::arg("v"), "The Hessian at x times v")
      .def("hessian", [](const Objective& f, const V& x) {
             require_point(f, x, "hessian: x");
             py::gil_scoped_release release;
             return Mat<double>(f.hessian(x));
           }, py::arg("x"), "The dense Hessian at x (dim × dim)")
      .def("grid", [](const Objective& f, const V& xs, const V& ys) {
             require(f.dim() == 2, "grid: objective '{}' has dimension {}, not 2", f.name, f.dim());
             Mat<double> Z(ys.size(), xs.size());
             {
               py::gil_scoped_release release;
               V p(2);
               for (Index j = 0; j < ys.size(); ++j)
                 for (Index i = 0; i < xs.size(); ++i) {
                   p << xs(i), ys(j);
                   Z(j, i) = f.value(p);
                 }
             }
             return Z;
           }, py::arg("x"), py::arg("y"),
           "L on the grid of a 2-D objective: Z[j, i] = L(x[i], y[j]), for plt.contour(x, y, Z)")
      .def_property_readonly("start", [](const Objective& f) -> py::object {
             return f.start ? py::object(to_numpy(*f.start)) : py::object(py::none());
           }, "The conventional start point, or None")
      .def_property_readonly("minimizer", [](const Objective& f) -> py::object {
             return f.minimizer ? py::object(to_numpy(*f.minimizer)) : py::object(py::none());
           }, "The known global minimizer, or None")
      .def("critical_points", [](const Objective& f) {
             py::list out;
             if (f.critical_points_fn)
               for (const auto& p : f.critical_points_fn()) {
                 py::dict d;
                 d["kind"] = p.kind;
                 d["x"] = to_numpy(p.x);
                 d["value"] = p.value;
                 d["index"] = p.inertia.negative;
                 d["inertia"] = py::make_tuple(p.inertia.negative, p.inertia.zero, p.inertia.positive);
                 out.append(d);
               }
             return out;
           }, "The known critical points: dicts with kind, x, value, index, inertia (neg, zero, pos)")
      .def("__repr__", [](const Objective& f) { return fmt::format("<Objective {} (dim {})>", f.name, f.n); });

  m.def("test_function", &test_function, py::arg("name"), py::arg("n") = 2, py::arg("kappa") = 10.0,
        py::arg("seed") = 1,
        "A function of the zoo (optim/landscapes.hpp, test_functions.hpp) by name: himmelblau, beale, "
        "goldstein-price, six-hump-camel, saddle, monkey-saddle, rastrigin, styblinski-tang, "
        "double-well, ackley, rosenbrock (n-D), quadratic (n-D, condition number kappa, from seed).");

  m.def("gradient_flow", &gradient_flow, py::arg("objective"), py::arg("x0"), py::arg("T"), py::arg("steps"),
        "θ(T) of the gradient flow θ' = −∇L(θ), θ(0) = x0, by classical Runge–Kutta (order 4) in `steps` "
        "equal steps; gradient descent with step h for N steps approximates it at T = N·h.");
  m.def("gradient_penalty", &gradient_penalty, py::arg("loss"), py::arg("coefficient"),
        py::arg("terms") = py::none(),
        R"(The objective L(x) + c·(1/K) Σ_k ‖∇G_k(x)‖² with its exact gradient ∇L + (2c/K) Σ_k H_k ∇G_k.

With terms=None (G = L) and c = h/4 it is the modified loss L + (h/4)‖∇L‖² whose gradient flow
gradient descent with step h follows to O(h²) (Barrett & Dherin, ICLR 2021); with the m minibatch
losses as terms, SGD's modified loss (Smith et al., ICLR 2021). Every term needs hvp.)");

  py::class_<MinimizeResult>(m, "MinimizeResult", "What a driver returned, with the iterates it visited.")
      .def_readonly("x", &MinimizeResult::x)
      .def_readonly("value", &MinimizeResult::value)
      .def_readonly("grad_norm", &MinimizeResult::grad_norm)
      .def_readonly("status", &MinimizeResult::status)
      .def_readonly("method", &MinimizeResult::method)
      .def_readonly("iterations", &MinimizeResult::iterations)
      .def_readonly("trajectory", &MinimizeResult::trajectory, "(iterates, dim): every evaluated x_k")
      .def_readonly("values", &MinimizeResult::values, "L(x_k) for each row of trajectory")
      .def("__repr__", [](const MinimizeResult& r) {
        return fmt::format("<MinimizeResult {} {} after {} iterations: value {:.6g}, |grad| {:.3g}>",
                           r.method, r.status, r.iterations, r.value, r.grad_norm);
      });
  m.def("minimize", &minimize, py::arg("objective"), py::arg("x0") = py::none(), py::kw_only(),
        py::arg("method") = "sgd", py::arg("lr") = 0.01, py::arg("max_iters") = 1000,
        py::arg("grad_tol") = 1e-8, py::arg("value_tol") = 0.0, py::arg("momentum") = py::none(),
        py::arg("beta1") = py::none(), py::arg("beta2") = py::none(), py::arg("rho") = py::none(),
        py::arg("eps") = py::none(), py::arg("weight_decay") = 0.0,
        py::arg("schedule") = "constant", py::arg("temperature") = 1.0, py::arg("seed") = 1,
        py::arg("record") = true, py::arg("callback") = py::none(),
        R"(Minimizes an Objective from x0 (default: its start point) with a C++ driver.

method: sgd, momentum, nesterov, adagrad, rmsprop, adam (first-order, with lr and the options
they use, as nnlab train's flags); lbfgs, nonlinear_cg; newton, trust_region, saddle_free_newton
(need the objective's hvp or hessian); perturbed_gd (lr) and noisy_gd (lr, temperature), whose
noise is drawn from seed. Stops at max_iters, |grad| <= grad_tol, or
|dL| <= value_tol·max(1, |L|). callback(step, x, value) may return False to stop. The GIL is
released while C++ runs; Ctrl-C raises KeyboardInterrupt.)");
}

}  // namespace nnlab::python
