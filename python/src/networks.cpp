// Networks, data sets, checkpoints and training. Arrays are numpy's samples-as-rows, (N, features):
// in C order the same bytes as nnlab's samples-as-columns matrices (features × N, column-major), so
// a data set's X and Y and a network's parameters θ are handed out as views, not copies.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pybind11/stl.h>

#include <optional>
#include <thread>

#include "bind.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/data/source.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/nn/checkpoint.hpp"
#include "nnlab/train/objective.hpp"
#include "nnlab/train/recipe.hpp"

namespace nnlab::python {
namespace {

template <class S>
using In = py::array_t<S, py::array::c_style | py::array::forcecast>;

template <class S>
constexpr const char* dtype_name() {
  return std::is_same_v<S, float> ? "float32" : "float64";
}

// body(S{}) with S = float for dtype "float32", double for "float64".
template <class Body>
py::object by_dtype(const std::string& dtype, Body&& body) {
  if (dtype == "float32") return body(float{});
  require(dtype == "float64", "dtype must be float32 or float64, got '{}'", dtype);
  return body(double{});
}

// A matrix M (features × N, column-major) as a numpy (N, features) view kept alive by owner.
template <class S>
py::array_t<S> rows_view(Mat<S>& M, py::handle owner) {
  return py::array_t<S>({py::ssize_t(M.cols()), py::ssize_t(M.rows())},
                        {py::ssize_t(sizeof(S) * M.rows()), py::ssize_t(sizeof(S))}, M.data(), owner);
}

// A network with the buffers its passes reuse.
template <class S>
struct Net {
  nn::Mlp<S> mlp;
  nn::Cache<S> cache{};
  Mat<S> X{}, T{};  // the last batch (cache.x points at X)
  Vec<S> grad{}, Hv{};
  std::map<std::string, std::string> metadata{};  // a loaded checkpoint's, "nnlab" included

  void set_batch(const In<S>& x, const In<S>& t) {
    X = columns_of<S>(x, "X");
    T = columns_of<S>(t, "T");
    const auto& sizes = mlp.spec().sizes;
    require(X.rows() == sizes.front(), "X has {} features per sample, the network takes {}", X.rows(),
            sizes.front());
    require(T.rows() == sizes.back() && T.cols() == X.cols(),
            "T must have shape ({}, {}) for X of {} samples and {} outputs, got {} samples of {}",
            X.cols(), sizes.back(), X.cols(), sizes.back(), T.cols(), T.rows());
  }
};

nn::MlpSpec make_spec(const std::string& arch, const std::vector<std::string>& activations,
                      const std::string& loss, bool bias, const std::string& dropout,
                      const std::vector<double>& keep, const std::string& tying) {
  nn::MlpSpec spec;
  spec.sizes = nn::MlpSpec::parse_sizes(arch);
  const int L = spec.layers();
  for (const auto& h : activations) spec.activations.push_back(nn::parse_activation(h));
  if (spec.activations.size() == 1) spec.activations.assign(std::size_t(std::max(L - 1, 0)), spec.activations[0]);
  spec.loss = nn::parse_loss(loss);
  spec.bias = bias;
  spec.dropout = nn::parse_dropout_kind(dropout);
  spec.keep = keep;
  spec.tying = nn::parse_tying(tying);
  spec.validate();
  return spec;
}

nlohmann::json to_json(const py::handle& v) {
  if (v.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  if (py::isinstance<py::int_>(v)) return v.cast<std::int64_t>();
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::dict>(v)) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, x] : v.cast<py::dict>()) j[py::str(k).cast<std::string>()] = to_json(x);
    return j;
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& x : py::iter(v)) j.push_back(to_json(x));
    return j;
  }
  return py::str(v).cast<std::string>();  // pathlib.Path
}

// The recipe of keyword arguments, with the names and checks of nnlab train's recipe JSON.
train::Recipe recipe_of(const py::kwargs& kwargs) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : kwargs) j[py::str(k).cast<std::string>()] = to_json(v);
  auto recipe = train::Recipe::from_json(j);
  recipe.validate();
  return recipe;
}

py::dict epoch_dict(const train::EpochRecord& e) {
  py::dict d;
  d["epoch"] = e.epoch;
  d["loss"] = e.loss;
  d["running_accuracy"] = e.running_accuracy;
  d["train_loss"] = e.train_loss;
  d["train_accuracy"] = e.train_accuracy;
  d["test_loss"] = e.test_loss;
  d["test_accuracy"] = e.test_accuracy;
  d["seconds"] = e.seconds;
  d["lr"] = e.lr;
  return d;
}

template <class S>
py::dict train_net(Net<S>& net, const data::Dataset<S>& train_set, const data::Dataset<S>* test_set,
                   py::object on_epoch, int threads, py::kwargs kwargs) {
  const train::Recipe recipe = recipe_of(kwargs);
  std::optional<py::error_already_set> pending;
  // Ctrl-C and a callback's exception end the run as interrupted (θ back at the last completed
  // epoch), then are raised here; on_epoch(record) returning False stops it quietly.
  train::Observer<S> observer;
  observer.on_step = [&](const optim::StepEvent<S>& e) {
    if (e.step % 64 != 0) return optim::Control::proceed;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() == 0) return optim::Control::proceed;
    pending = py::error_already_set();
    return optim::Control::stop;
  };
  observer.on_epoch = [&](const optim::EpochEvent<S>&, const train::EpochRecord& record) {
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!on_epoch.is_none()) {
        py::object verdict = on_epoch(epoch_dict(record));
        if (!verdict.is_none() && !verdict.cast<bool>()) return optim::Control::stop;
      }
    } catch (py::error_already_set& e) {
      pending = e;
      return optim::Control::stop;
    }
    return optim::Control::proceed;
  };
  require(threads >= 0, "threads must be >= 0 (0: all cores), got {}", threads);
  train::TrainResult result;
  {
    py::gil_scoped_release release;
    ThreadPool pool(threads > 0 ? threads : std::max(1, int(std::thread::hardware_concurrency())));
    result = train::train(recipe, net.mlp, train_set, test_set, &pool, observer);
  }
  if (pending) throw *pending;
  py::list epochs;
  for (const auto& e : result.epochs) epochs.append(epoch_dict(e));
  py::dict out;
  out["epochs"] = epochs;
  out["status"] = std::string(optim::to_string(result.report.status));
  out["steps"] = result.report.iterations;
  out["message"] = result.message;
  return out;
}

// The loss of the network's architecture on a data set as a function of θ, for the drivers and the
// Hessian tools: a copy of the network and the data (later changes to either do not reach it),
// started at the network's θ. A float32 network converts θ to float for each evaluation.
template <class S>
Objective network_objective(const Net<S>& n, const data::Dataset<S>& d) {
  struct State {
    nn::Mlp<S> net;
    data::Dataset<S> data;
    std::unique_ptr<train::NetworkObjective<S>> f{};
    Vec<S> x{}, v{}, g{}, Hv{};
  };
  auto st = std::make_shared<State>(State{n.mlp, d});
  st->f = std::make_unique<train::NetworkObjective<S>>(st->net, st->data);
  Objective o;
  o.name = fmt::format("{} loss of {} on {}", nn::to_string(n.mlp.spec().loss),
                       fmt::join(n.mlp.spec().sizes, "-"), d.name);
  o.n = n.mlp.num_params();
  o.start = n.mlp.theta().template cast<double>();
  o.value_fn = [st](const Vec<double>& x) {
    st->x = x.cast<S>();
    return double(st->f->value(st->x));
  };
  o.gradient_fn = [st](const Vec<double>& x, Vec<double>& g) {
    st->x = x.cast<S>();
    st->g.resize(st->x.size());
    const double value = double(st->f->gradient(st->x, st->g));
    g = st->g.template cast<double>();
    return value;
  };
  o.hvp_fn = [st](const Vec<double>& x, const Vec<double>& v, Vec<double>& Hv) {
    st->x = x.cast<S>();
    st->v = v.cast<S>();
    st->Hv.resize(st->x.size());
    st->f->hvp(st->x, st->v, st->Hv);
    Hv = st->Hv.template cast<double>();
  };
  // Lanczos, Hutchinson and SLQ at one x: the forward pass and δ's once (the same bits as hvp_fn).
  o.hessian_at_fn = [st](const Vec<double>& x) -> Objective::Operator {
    auto H = std::make_shared<train::FixedHessian<S>>(st->f->hessian_at(x.cast<S>()));
    return [st, H, v_s = Vec<S>(), Hv_s = Vec<S>()](const Vec<double>& v, Vec<double>& Hv) mutable {
      v_s = v.cast<S>();
      H->hvp(v_s, Hv_s);
      Hv = Hv_s.template cast<double>();
    };
  };
  return o;
}

template <class S>
void bind_dataset(py::module_ m, const char* name) {
  using D = data::Dataset<S>;
  py::class_<D>(m, name, "A data set: X (samples, features), Y (samples, outputs; one-hot for classes), "
                         "labels (class indices or empty). X and Y are views.")
      .def(py::init([](const In<S>& X, const py::array& y, int num_classes, std::string name) {
             D d;
             d.X = columns_of<S>(X, "X");
             d.name = std::move(name);
             if (num_classes > 0) {
               auto labels = py::array_t<int, py::array::c_style | py::array::forcecast>::ensure(y);
               require(bool(labels) && labels.ndim() == 1 && Index(labels.shape(0)) == d.X.cols(),
                       "labels must be a 1-D integer array of {} entries", d.X.cols());
               d.num_classes = num_classes;
               d.Y = Mat<S>::Zero(num_classes, d.X.cols());
               for (Index i = 0; i < d.X.cols(); ++i) {
                 const int c = labels.at(i);
                 require(c >= 0 && c < num_classes, "label {} of sample {} is outside 0..{}", c, i, num_classes - 1);
                 d.labels.push_back(c);
                 d.Y(c, i) = 1;
               }
             } else {
               d.Y = columns_of<S>(y.cast<In<S>>(), "y");
               require(d.Y.cols() == d.X.cols(), "X has {} samples but y has {}", d.X.cols(), d.Y.cols());
             }
             return d;
           }),
           py::arg("X"), py::arg("y"), py::arg("num_classes") = 0, py::arg("name") = "python",
           "X: (samples, features); y: targets (samples,) or (samples, outputs), or with "
           "num_classes > 0 integer labels 0..num_classes-1 (Y becomes one-hot).")
      .def_property_readonly("X", [](py::object self) { return rows_view(self.cast<D&>().X, self); })
      .def_property_readonly("Y", [](py::object self) { return rows_view(self.cast<D&>().Y, self); })
      .def_property_readonly("labels", [](const D& d) { return to_numpy(d.labels); })
      .def_readonly("num_classes", &D::num_classes)
      .def_readonly("name", &D::name)
      .def_property_readonly("size", &D::size)
      .def_property_readonly("dtype", [](const D&) { return dtype_name<S>(); })
      .def("__len__", &D::size)
      .def("__repr__", [](const D& d) {
        return fmt::format("<Dataset {}: {} samples, {} inputs, {} outputs, {}>", d.name, d.size(),
                           d.inputs(), d.outputs(), dtype_name<S>());
      });
}

template <class S>
void bind_net(py::module_ m, const char* name) {
  using N = Net<S>;
  py::class_<N>(m, name, "A dense network (nnlab::nn::Mlp): one flat parameter vector, exact "
                         "gradients and Hessian-vector products. Build it with nnlab.Mlp(...).")
      .def_property("parameters",
                    [](py::object self) { return view_of(self.cast<N&>().mlp.theta(), self); },
                    [](N& n, const In<S>& theta) {
                      const Vec<S> v = vector_of<S>(theta, "parameters");
                      require(v.size() == n.mlp.num_params(), "parameters: expected {} values, got {}",
                              n.mlp.num_params(), v.size());
                      n.mlp.theta() = v;
                    },
                    "θ = [W1, b1, W2, b2, ...] (each W column-major) as a numpy view: writes change the network")
      .def_property_readonly("num_params", [](const N& n) { return n.mlp.num_params(); })
      .def_property_readonly("sizes", [](const N& n) { return n.mlp.spec().sizes; })
      .def_property_readonly("activations", [](const N& n) {
        std::vector<std::string> out;
        for (auto h : n.mlp.spec().activations) out.push_back(nn::to_string(h));
        return out;
      })
      .def_property_readonly("loss", [](const N& n) { return nn::to_string(n.mlp.spec().loss); })
      .def_property_readonly("dtype", [](const N&) { return dtype_name<S>(); })
      .def_readonly("metadata", &N::metadata, "A loaded checkpoint's metadata (e.g. the recipe)")
      .def("W", [](py::object self, int k) {
             N& n = self.cast<N&>();
             require(k >= 1 && k <= n.mlp.layers(), "W: layer must be in 1..{}, got {}", n.mlp.layers(), k);
             auto W = n.mlp.W(k);
             return py::array_t<S>({py::ssize_t(W.rows()), py::ssize_t(W.cols())},
                                   {py::ssize_t(sizeof(S)), py::ssize_t(sizeof(S) * W.rows())}, W.data(), self);
           }, py::arg("k"), "W^(k) of shape (n_{k+1}, n_k), a view into parameters")
      .def("b", [](py::object self, int k) {
             N& n = self.cast<N&>();
             require(n.mlp.spec().bias, "b: the network has no biases");
             require(k >= 1 && k <= n.mlp.layers(), "b: layer must be in 1..{}, got {}", n.mlp.layers(), k);
             auto b = n.mlp.b(k);
             return py::array_t<S>({py::ssize_t(b.size())}, {py::ssize_t(sizeof(S))}, b.data(), self);
           }, py::arg("k"), "b^(k) of length n_{k+1}, a view into parameters")
      .def("forward", [](N& n, const In<S>& X, bool train, std::uint64_t seed) {
             n.X = columns_of<S>(X, "X");
             require(n.X.rows() == n.mlp.spec().sizes.front(), "X has {} features per sample, the network takes {}",
                     n.X.rows(), n.mlp.spec().sizes.front());
             Rng rng = make_rng(seed, stream::dropout);
             {
               py::gil_scoped_release release;
               n.mlp.forward(n.X, n.cache, train ? nn::Mode::train : nn::Mode::eval, &rng);
             }
             return rows_of(n.cache.y());
           }, py::arg("X"), py::kw_only(), py::arg("train") = false, py::arg("seed") = 1,
           "The outputs y (samples, outputs) for inputs X (samples, inputs): in eval mode (standard "
           "dropout scales by p), or with train=True under dropout masks drawn from seed (see masks())")
      .def("masks", [](const N& n) {
             py::dict out;
             for (int k = 1; k <= n.mlp.layers(); ++k)
               if (std::size_t(k) < n.cache.dropped.size() && n.cache.dropped[std::size_t(k)])
                 out[py::int_(k)] = rows_of(n.cache.mask[std::size_t(k)]);
             return out;
           }, "The dropout masks m^(k) of the last forward, (samples, n_k) per layer input k it acted on: "
              "r ~ Bernoulli(p) (standard) or r/p (inverted)")
      .def("loss_and_gradient", [](N& n, const In<S>& X, const In<S>& T, bool train, std::uint64_t seed) {
             n.set_batch(X, T);
             n.grad.resize(n.mlp.num_params());
             Rng rng = make_rng(seed, stream::dropout);
             S loss;
             {
               py::gil_scoped_release release;
               loss = n.mlp.loss_and_gradient(n.X, n.T, n.cache, n.grad, train ? nn::Mode::train : nn::Mode::eval, &rng);
             }
             return py::make_tuple(double(loss), to_numpy(n.grad));
           }, py::arg("X"), py::arg("T"), py::kw_only(), py::arg("train") = false, py::arg("seed") = 1,
           "(E, ∂E/∂θ) on the batch X (samples, inputs), T (samples, outputs): in eval mode, or with "
           "train=True under dropout masks drawn from seed (the masks of forward(X, train=True, seed=seed))")
      .def("backprop", [](N& n, const In<S>& X, const In<S>& T) {
             n.set_batch(X, T);
             n.grad.resize(n.mlp.num_params());
             S loss;
             {
               py::gil_scoped_release release;
               loss = n.mlp.loss_and_gradient(n.X, n.T, n.cache, n.grad);
             }
             py::dict out, a, z, delta;
             const int L = n.mlp.layers();
             for (int k = 2; k <= L + 1; ++k) {
               a[py::int_(k)] = rows_of(n.cache.a[std::size_t(k)]);
               delta[py::int_(k)] = rows_of(n.cache.delta[std::size_t(k)]);
             }
             for (int k = 2; k <= L; ++k) z[py::int_(k)] = rows_of(n.cache.z[std::size_t(k)]);
             out["loss"] = double(loss);
             out["grad"] = to_numpy(n.grad);
             out["a"] = a;
             out["z"] = z;
             out["delta"] = delta;
             return out;
           }, py::arg("X"), py::arg("T"),
           "Forward and backward with everything kept: loss, grad, and dicts a, z, delta keyed by the "
           "layer index k of PRML 5.3.1 (a^(k), δ^(k) for k = 2..L+1, z^(k) for k = 2..L), each (samples, n_k)")
      .def("hvp", [](N& n, const In<S>& X, const In<S>& T, const In<S>& v) {
             n.set_batch(X, T);
             const Vec<S> dir = vector_of<S>(v, "v");
             require(dir.size() == n.mlp.num_params(), "hvp: v must have {} entries, got {}", n.mlp.num_params(), dir.size());
             n.Hv.resize(n.mlp.num_params());
             {
               py::gil_scoped_release release;
               n.mlp.hvp(n.X, n.T, dir, n.cache, n.Hv);
             }
             return to_numpy(n.Hv);
           }, py::arg("X"), py::arg("T"), py::arg("v"), "The exact Hessian of E in θ times v (R-operator)")
      .def("dataset_loss", [](N& n, const data::Dataset<S>& d) {
             py::gil_scoped_release release;
             return n.mlp.dataset_loss(d.X, d.Y);
           }, py::arg("data"), "The loss on a whole data set in eval mode (as nnlab eval)")
      .def("accuracy", [](N& n, const data::Dataset<S>& d) {
             require(d.is_classification(), "accuracy: {} has no class labels", d.name);
             py::gil_scoped_release release;
             return n.mlp.accuracy(d.X, d.labels);
           }, py::arg("data"), "The share of samples classified right, in eval mode")
      .def("objective", &network_objective<S>, py::arg("data"),
           "The loss on `data` as an Objective of θ (value, gradient, hvp), started at this θ: "
           "for minimize() and nnlab.hessian. It holds copies of the network and the data.")
      .def("save", [](const N& n, const std::string& path, const std::map<std::string, std::string>& extra) {
             nn::save_checkpoint(path, n.mlp, extra);
           }, py::arg("path"), py::arg("metadata") = std::map<std::string, std::string>{},
           "Saves a safetensors checkpoint, as nnlab train does (readable by nnlab eval, numpy, PyTorch)")
      .def("train", [](N& n, const data::Dataset<S>& train_set, const data::Dataset<S>* test_set,
                       py::object on_epoch, int threads, py::kwargs kwargs) {
             return train_net(n, train_set, test_set, on_epoch, threads, kwargs);
           }, py::arg("train_set"), py::arg("test_set") = nullptr, py::kw_only(),
           py::arg("on_epoch") = py::none(), py::arg("threads") = 1,
           R"(Trains in place by a recipe given as keyword arguments with nnlab train's names and
checks (optimizer, lr, momentum, schedule, batch, epochs, sampling, seed, ...; the recipe JSON of a
checkpoint). on_epoch(record) is called after each epoch; returning False stops. Ctrl-C stops
with θ of the last completed epoch and raises KeyboardInterrupt. Returns epochs, status, message.)")
      .def("__repr__", [](const N& n) {
        return fmt::format("<Mlp {} {} {} loss, {} parameters, {}>", fmt::join(n.mlp.spec().sizes, "-"),
                           n.mlp.spec().activations.empty() ? "linear" : nn::to_string(n.mlp.spec().activations[0]),
                           nn::to_string(n.mlp.spec().loss), n.mlp.num_params(), dtype_name<S>());
      });
}

template <class S>
py::object make_net(const nn::MlpSpec& spec, std::uint64_t seed, const std::string& init, double gain) {
  Net<S> n{nn::Mlp<S>(spec)};
  Rng rng = make_rng(seed, stream::init);  // as train::make_network: the same seed, the same θ
  n.mlp.init(rng, nn::parse_init(init), gain);
  return py::cast(std::move(n));
}

// The network a recipe describes for a training set, as nnlab train builds it: the same recipe
// and seed give the same θ. The recipe's precision is the data set's unless given.
template <class S>
py::object make_network(const data::Dataset<S>& train_set, py::kwargs kwargs) {
  const std::string precision = std::is_same_v<S, float> ? "float" : "double";
  if (!kwargs.contains("precision")) kwargs["precision"] = precision;
  const train::Recipe recipe = recipe_of(kwargs).resolved_for(train_set);
  require(recipe.precision == precision, "make_network: the recipe's precision is {}, the data set is {}",
          recipe.precision, dtype_name<S>());
  Net<S> n{train::make_network(recipe, train_set)};
  n.metadata["recipe"] = recipe.to_json().dump();
  return py::cast(std::move(n));
}

template <class S>
py::tuple split_of(data::Split<S> s) {
  return py::make_tuple(std::move(s.train), std::move(s.test));
}

template <class S>
py::object synthetic(const std::string& kind, Index n, double noise, std::uint64_t seed, double turns) {
  Rng rng = make_rng(seed, stream::data);
  require(n >= 1, "synthetic: n must be >= 1, got {}", n);
  require(noise >= 0, "synthetic: noise must be >= 0, got {}", noise);
  if (kind == "two_moons") return py::cast(data::two_moons<S>(n, noise, rng));
  if (kind == "spirals") return py::cast(data::spirals<S>(n, turns, noise, rng));
  if (kind == "xor_blobs") return py::cast(data::xor_blobs<S>(n, noise, rng));
  if (kind == "sine") return py::cast(data::sine_regression<S>(n, noise, rng));
  fail("unknown synthetic data set '{}'; known: two_moons, spirals, xor_blobs, sine", kind);
}

}  // namespace

void bind_networks(py::module_ m) {
  bind_dataset<float>(m, "DatasetFloat32");
  bind_dataset<double>(m, "DatasetFloat64");
  bind_net<float>(m, "MlpFloat32");
  bind_net<double>(m, "MlpFloat64");

  m.def("_mlp", [](const std::string& arch, const std::vector<std::string>& activations,
                   const std::string& loss, const std::string& dtype, std::uint64_t seed,
                   const std::string& init, double gain, bool bias, const std::string& dropout,
                   const std::vector<double>& keep, const std::string& tying) {
    const auto spec = make_spec(arch, activations, loss, bias, dropout, keep, tying);
    return by_dtype(dtype, [&]<class S>(S) { return make_net<S>(spec, seed, init, gain); });
  });
  m.def("make_network", [](const py::object& train_set, py::kwargs kwargs) {
        if (py::isinstance<data::Dataset<float>>(train_set))
          return make_network(train_set.cast<const data::Dataset<float>&>(), kwargs);
        if (py::isinstance<data::Dataset<double>>(train_set))
          return make_network(train_set.cast<const data::Dataset<double>&>(), kwargs);
        throw py::type_error("make_network: train_set must be a data set (nnlab.Dataset, load_data, synthetic)");
      }, py::arg("train_set"),
        R"(The network a training recipe describes for train_set, initialized as nnlab train does.

The recipe is keyword arguments with the names of the recipe JSON (arch, activations, loss, bias,
dropout, keep, init, seed, ...; precision follows the data set), e.g. the "recipe" metadata of a
checkpoint: make_network(train_set, **json.loads(net.metadata["recipe"])). The resolved recipe is
kept in net.metadata["recipe"]; net.train(train_set, test_set, **recipe) then repeats the run.)");
  m.def("load", [](const std::string& path) {
    auto loaded = nn::load_checkpoint(path);
    return std::visit([&](auto& mlp) -> py::object {
      using S = std::conditional_t<std::is_same_v<std::decay_t<decltype(mlp)>, nn::Mlp<float>>, float, double>;
      return py::cast(Net<S>{std::move(mlp), {}, {}, {}, {}, {}, loaded.metadata});
    }, loaded.model);
  }, py::arg("path"),
        "Loads a checkpoint (nnlab train's model.safetensors, or Mlp.save's) as an Mlp of its dtype");
  m.def("_load_data", [](const std::string& data, const std::string& targets, const std::string& dtype,
                         double test_fraction, std::uint64_t split_seed, bool standardize) {
    data::Source source{.data = data, .targets = targets, .target_column = -1, .task = "auto",
                        .test_fraction = test_fraction, .split_seed = split_seed, .standardize = standardize};
    return by_dtype(dtype, [&]<class S>(S) { return py::object(split_of(data::load_split<S>(source))); });
  });
  m.def("_synthetic", [](const std::string& kind, Index n, double noise, std::uint64_t seed,
                         const std::string& dtype, double turns) {
    return by_dtype(dtype, [&]<class S>(S) { return synthetic<S>(kind, n, noise, seed, turns); });
  });
}

}  // namespace nnlab::python
