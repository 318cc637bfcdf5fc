#include "nnlab/train/recipe.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "nnlab/core/error.hpp"
#include "nnlab/core/json_number.hpp"
#include "nnlab/core/rng.hpp"

namespace nnlab::train {
namespace {

using json = nlohmann::json;

std::string sampling_name(optim::Sampling s) {
  return s == optim::Sampling::reshuffle ? "reshuffle" : "with_replacement";
}

// keep as given ({p}, {p_in, p_hidden} or one per layer input) → one p per layer input z^(1..L).
std::vector<double> keep_per_layer(std::vector<double> p, int L) {
  if (p.size() == 1) p.insert(p.begin(), 1.0);
  if (p.size() == 2 && L != 2) p.resize(std::size_t(L), p[1]);
  require(int(p.size()) == L,
          "keep {{{}}}: give 1 value (hidden layers), 2 (input, hidden) or {} (one per layer input)",
          fmt::join(p, ", "), L);
  return p;
}

// j[key] as T if present, else fallback; Error naming the field if it has the wrong type.
template <class T>
T field(const json& j, const char* key, T fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const auto v = json_integer<T>(j[key]);
    if (!v)
      fail("recipe field '{}' must be an integer in [{}, {}], got {}", key, std::numeric_limits<T>::min(),
           std::numeric_limits<T>::max(), j[key].dump());
    return *v;
  }
  try {
    return j[key].get<T>();
  } catch (const json::exception&) {
    fail("recipe field '{}' has the wrong type: {}", key, j[key].dump());
  }
}

std::optional<double> optional_field(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return field<double>(j, key, 0);
}

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

void Recipe::validate() const {
  require(data.test_fraction >= 0 && data.test_fraction < 1, "test fraction must be in [0, 1), got {}",
          data.test_fraction);
  require(!activations.empty(), "the recipe names no hidden activation");
  if (dropout != nn::DropoutKind::none) {
    require(keep.size() >= 1, "dropout needs keep probabilities");
    for (double p : keep)
      require(p > 0 && p <= 1,
              "keep probability {} is not in (0, 1] (p is the probability of KEEPING a unit; "
              "PyTorch's Dropout(p) takes the drop probability 1 - p)",
              p);
  }
  require(std::find(optim::optimizer_names.begin(), optim::optimizer_names.end(), optimizer) !=
              optim::optimizer_names.end(),
          "unknown optimizer '{}'; valid: {}", optimizer, fmt::join(optim::optimizer_names, ", "));
  require(lr > 0 && std::isfinite(lr), "the learning rate must be positive, got {}", lr);
  require(weight_decay >= 0 && std::isfinite(weight_decay), "weight decay must be ≥ 0, got {}", weight_decay);
  require(batch >= 1, "batch size must be ≥ 1, got {}", batch);
  require(epochs >= 0, "epochs must be ≥ 0, got {}", epochs);
  require(precision == "float" || precision == "double", "precision must be float or double, got '{}'",
          precision);
}

template <class S>
nn::MlpSpec Recipe::spec_for(const data::Dataset<S>& train_set) const {
  validate();
  nn::MlpSpec spec;
  const Index n_in = train_set.inputs(), n_out = train_set.outputs();
  spec.sizes = sizes.empty() ? std::vector<Index>{n_in, 512, 512, n_out} : sizes;
  require(spec.sizes.size() >= 2 && spec.sizes.front() == n_in && spec.sizes.back() == n_out,
          "architecture {} does not fit the data: {} has {} inputs and {} outputs{}, so it must read "
          "{}-…-{}",
          fmt::join(spec.sizes, "-"), train_set.name, n_in, n_out,
          train_set.is_classification() ? fmt::format(" ({} classes)", train_set.num_classes) : "", n_in,
          n_out);
  const int L = spec.layers();
  spec.activations = activations;
  if (spec.activations.size() == 1) spec.activations.assign(std::size_t(L - 1), activations[0]);
  require(int(spec.activations.size()) == L - 1,
          "the recipe lists {} activations, the architecture has {} hidden layers", activations.size(), L - 1);
  spec.loss = loss.value_or(train_set.is_classification() ? nn::Loss::cross_entropy : nn::Loss::mse);
  require(spec.loss != nn::Loss::cross_entropy || train_set.is_classification(),
          "cross_entropy loss needs class labels, but {} is a regression set (use mse or sum_of_squares)",
          train_set.name);
  spec.bias = bias;
  spec.tying = tying;
  spec.dropout = dropout;
  if (dropout != nn::DropoutKind::none) spec.keep = keep_per_layer(keep, L);
  spec.validate();
  return spec;
}

template <class S>
Recipe Recipe::resolved_for(const data::Dataset<S>& train_set) const {
  const nn::MlpSpec spec = spec_for(train_set);
  Recipe r = *this;
  r.data = data.absolute();
  r.sizes = spec.sizes;
  r.activations = spec.activations;
  r.loss = spec.loss;
  r.keep = spec.keep;
  r.batch = std::min(batch, train_set.size());
  return r;
}

template <class S>
optim::Optimizer<S> Recipe::make_optimizer(Index train_size) const {
  optim::OptimizerConfig config{.lr = lr,
                                .momentum = momentum,
                                .beta1 = beta1,
                                .beta2 = beta2,
                                .rho = rho,
                                .eps = eps,
                                .weight_decay = weight_decay,
                                .schedule = schedule};
  const Index B = std::min(batch, train_size);
  config.steps_per_epoch = (train_size + B - 1) / B;
  config.horizon_steps = std::max<std::int64_t>(1, config.steps_per_epoch * epochs);
  return optim::make_optimizer<S>(optimizer, config);
}

TrainOptions Recipe::options() const {
  return {.batch = batch, .epochs = epochs, .sampling = sampling, .seed = seed, .eval_train = eval_train};
}

nlohmann::ordered_json Recipe::to_json() const {
  std::vector<std::string> h;
  for (auto a : activations) h.push_back(nn::to_string(a));
  return {{"data", data.to_json()},
          {"arch", fmt::format("{}", fmt::join(sizes, "-"))},
          {"activations", h},
          {"loss", loss ? json(nn::to_string(*loss)) : json(nullptr)},
          {"bias", bias},
          {"tying", nn::to_string(tying)},
          {"dropout", nn::to_string(dropout)},
          {"keep", keep},
          {"init", nn::to_string(init)},
          {"optimizer", optimizer},
          {"lr", lr},
          {"momentum", optional_json(momentum)},
          {"beta1", optional_json(beta1)},
          {"beta2", optional_json(beta2)},
          {"rho", optional_json(rho)},
          {"eps", optional_json(eps)},
          {"weight_decay", weight_decay},
          {"schedule", schedule},
          {"batch", batch},
          {"epochs", epochs},
          {"sampling", sampling_name(sampling)},
          {"seed", seed},
          {"precision", precision},
          {"eval_train", eval_train}};
}

Recipe Recipe::from_json(const nlohmann::json& j) {
  require(j.is_object(), "a recipe is a JSON object, got {}", j.dump());
  // Written by earlier versions for information only.
  static const std::set<std::string> legacy = {"optimizer_description", "threads"};
  const std::set<std::string> known = [] {
    std::set<std::string> keys;
    const nlohmann::ordered_json fields = Recipe{}.to_json();
    for (const auto& [key, value] : fields.items()) keys.insert(key);
    return keys;
  }();
  for (const auto& [key, value] : j.items())
    require(known.count(key) || legacy.count(key), "unknown recipe field '{}'", key);
  Recipe r;
  if (j.contains("data")) r.data = data::Source::from_json(j["data"]);
  const auto arch = field<std::string>(j, "arch", "");
  if (!arch.empty()) r.sizes = nn::MlpSpec::parse_sizes(arch);
  if (j.contains("activations")) {
    r.activations.clear();
    for (const auto& name : field<std::vector<std::string>>(j, "activations", {}))
      r.activations.push_back(nn::parse_activation(name));
  }
  if (const auto loss = field<std::string>(j, "loss", ""); !loss.empty()) r.loss = nn::parse_loss(loss);
  r.bias = field(j, "bias", r.bias);
  r.tying = nn::parse_tying(field<std::string>(j, "tying", nn::to_string(r.tying)));
  r.dropout = nn::parse_dropout_kind(field<std::string>(j, "dropout", nn::to_string(r.dropout)));
  r.keep = field(j, "keep", r.keep);
  r.init = nn::parse_init(field<std::string>(j, "init", nn::to_string(r.init)));
  r.optimizer = field(j, "optimizer", r.optimizer);
  r.lr = field(j, "lr", r.lr);
  r.momentum = optional_field(j, "momentum");
  r.beta1 = optional_field(j, "beta1");
  r.beta2 = optional_field(j, "beta2");
  r.rho = optional_field(j, "rho");
  r.eps = optional_field(j, "eps");
  r.weight_decay = field(j, "weight_decay", r.weight_decay);
  r.schedule = field(j, "schedule", r.schedule);
  r.batch = field(j, "batch", r.batch);
  r.epochs = field(j, "epochs", r.epochs);
  r.sampling = optim::parse_sampling(field<std::string>(j, "sampling", sampling_name(r.sampling)));
  r.seed = field(j, "seed", r.seed);
  r.precision = field(j, "precision", r.precision);
  r.eval_train = field(j, "eval_train", r.eval_train);
  r.validate();
  return r;
}

template <class S>
nn::Mlp<S> make_network(const Recipe& recipe, const data::Dataset<S>& train_set) {
  nn::Mlp<S> net(recipe.spec_for(train_set));
  Rng rng = make_rng(recipe.seed, stream::init);
  net.init(rng, recipe.init);
  return net;
}

template <class S>
TrainResult train(const Recipe& recipe, nn::Mlp<S>& net, const data::Dataset<S>& train_set,
                  std::type_identity_t<const data::Dataset<S>*> test_set, ThreadPool* pool,
                  const Observer<S>& observer) {
  recipe.validate();
  optim::Optimizer<S> optimizer = recipe.make_optimizer<S>(train_set.size());
  return train(net, optimizer, train_set, test_set, recipe.options(), pool, observer);
}

template nn::MlpSpec Recipe::spec_for<float>(const data::Dataset<float>&) const;
template nn::MlpSpec Recipe::spec_for<double>(const data::Dataset<double>&) const;
template Recipe Recipe::resolved_for<float>(const data::Dataset<float>&) const;
template Recipe Recipe::resolved_for<double>(const data::Dataset<double>&) const;
template optim::Optimizer<float> Recipe::make_optimizer<float>(Index) const;
template optim::Optimizer<double> Recipe::make_optimizer<double>(Index) const;
template nn::Mlp<float> make_network<float>(const Recipe&, const data::Dataset<float>&);
template nn::Mlp<double> make_network<double>(const Recipe&, const data::Dataset<double>&);
template TrainResult train<float>(const Recipe&, nn::Mlp<float>&, const data::Dataset<float>&,
                                  const data::Dataset<float>*, ThreadPool*, const Observer<float>&);
template TrainResult train<double>(const Recipe&, nn::Mlp<double>&, const data::Dataset<double>&,
                                   const data::Dataset<double>*, ThreadPool*, const Observer<double>&);

}  // namespace nnlab::train
