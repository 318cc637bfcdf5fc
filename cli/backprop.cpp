// nnlab backprop: one forward and backward pass of a checkpoint on chosen samples, in inference
// mode, written as a safetensors file (PRML 5.3.1 notation, L weight layers):
//   loss                 E (shape []), with the checkpoint's reduction over the N chosen samples
//   dW1, db1, …          ∂E/∂W^(k) = δ^(k+1) z̃^(k)ᵀ as (n_{k+1}, n_k), ∂E/∂b^(k) as (n_{k+1});
//                        z̃^(k) = p_k z^(k) with standard dropout (inference scaling), else z^(k)
//   z1 … zL              z^(1) = x, z^(k) = h(a^(k)) unscaled, each (N, n_k): one row per sample
//   a2 … a{L+1}          a^(k+1) = W^(k) z̃^(k) + b^(k), each (N, n_{k+1}); a{L+1} = y
//   delta2 … delta{L+1}  δ^(k) = ∂E/∂a^(k), each (N, n_k)
//   t                    the targets, (N, n_{L+1})
//   HW1, Hb1, …          with --direction v: the Hessian-vector product ∇²E·v (R-operator)
// With a mean loss (cross_entropy, mse) E = (1/N) Σ_n E_n, so δ and the gradients carry the 1/N.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include "command.hpp"
#include "data_source.hpp"
#include "nnlab/data/transform.hpp"
#include "nnlab/nn/checkpoint.hpp"

namespace nnlab::cli {
namespace {

struct BackpropArgs {
  std::string checkpoint;
  DataSource source;
  std::string split = "train";
  std::string samples = "0";
  std::string direction;
  std::string out;
};

std::vector<Index> parse_samples(const std::string& text) {
  std::vector<Index> indices;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, end - start);
    long long i = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), i);
    require(ec == std::errc() && ptr == part.data() + part.size() && !part.empty() && i >= 0,
            "--samples: '{}' is not a sample index (expected e.g. 0,5,7)", part);
    indices.push_back(Index(i));
    start = end + 1;
  }
  return indices;
}

std::string loss_reduction(nn::Loss loss) {
  switch (loss) {
    case nn::Loss::cross_entropy:
      return "cross_entropy: E = -(1/N) sum_n sum_k t_nk log softmax(y_n)_k, a mean over the N "
             "samples, so delta and the gradients carry 1/N";
    case nn::Loss::mse:
      return "mse: E = 1/(N K) sum_n sum_k (y_nk - t_nk)^2, a mean over all N K entries, so delta "
             "and the gradients carry 1/(N K)";
    case nn::Loss::sum_of_squares:
      return "sum_of_squares: E = 1/2 sum_n ||y_n - t_n||^2, a sum: delta^(L+1) = y - t";
  }
  return {};
}

template <class S>
int backprop(nn::Mlp<S>& net, const BackpropArgs& args, const DataSource& source) {
  require_new_output_file(args.out, "--out", {args.checkpoint, args.direction, source.data, source.targets});
  // The direction is checked before the data load, so a wrong file fails fast.
  std::optional<Vec<S>> v;
  if (!args.direction.empty())
    v = nn::read_parameter_tensors(nn::read_safetensors(args.direction), net, args.direction);
  // Only the samples up to the largest index are loaded: a split shorter than that loads whole,
  // so the message below names its true size.
  const std::vector<Index> indices = parse_samples(args.samples);
  const Index last = *std::max_element(indices.begin(), indices.end());
  const data::Dataset<S> d = load_chosen_split<S>(source, args.split, std::min(last, Index(1) << 40) + 1);
  require_fit(net, d, args.checkpoint);
  for (const Index i : indices)
    require(i < d.size(), "--samples: index {} is outside {} (samples 0..{})", i, d.name, d.size() - 1);
  const data::Dataset<S> chosen = data::subset(d, indices);

  nn::Cache<S> cache;
  Vec<S> grad(net.num_params()), Hv(net.num_params());
  if (v) net.hvp(chosen.X, chosen.Y, *v, cache, Hv, nn::Mode::eval);
  net.loss_and_gradient(chosen.X, chosen.Y, cache, grad, nn::Mode::eval);  // last: cache holds a, z, δ

  const int L = net.layers();
  nn::TensorFile file;
  const auto add = [&](const std::string& name, nn::Tensor tensor) {
    file.tensors[name] = std::move(tensor);
    file.order.push_back(name);
  };
  add("loss", nn::Tensor::scalar<S>(cache.loss));
  nn::add_parameter_tensors(file, net, grad, "d");
  for (int k = 1; k <= L; ++k)
    add(fmt::format("z{}", k), nn::Tensor::from_matrix<S>((k == 1 ? chosen.X : cache.z[std::size_t(k)]).transpose()));
  for (int k = 2; k <= L + 1; ++k)
    add(fmt::format("a{}", k), nn::Tensor::from_matrix<S>(cache.a[std::size_t(k)].transpose()));
  for (int k = 2; k <= L + 1; ++k)
    add(fmt::format("delta{}", k), nn::Tensor::from_matrix<S>(cache.delta[std::size_t(k)].transpose()));
  add("t", nn::Tensor::from_matrix<S>(chosen.Y.transpose()));
  if (v) nn::add_parameter_tensors(file, net, Hv, "H");
  file.metadata = {{"checkpoint", args.checkpoint},
                   {"data", source.to_json().dump()},
                   {"split", args.split},
                   {"dataset", d.name},
                   {"samples", args.samples},
                   {"mode", "eval"},
                   {"loss", loss_reduction(net.spec().loss)},
                   {"layout", "row-major; z, a, delta, t are (samples, n_k): one row per sample; "
                              "dW_k, HW_k are (n_{k+1}, n_k) like W_k"}};
  if (v) file.metadata["direction"] = args.direction;
  nn::write_safetensors(args.out, file);
  fmt::print("{}: loss {:.6g} on {} sample(s) of {}; wrote gradients, a, z, delta{} to {}\n",
             args.checkpoint, double(cache.loss), chosen.size(), d.name, v ? ", Hv" : "", args.out);
  return exit_ok;
}

Subcommand setup(CLI::App& parent) {
  auto args = std::make_shared<BackpropArgs>();
  CLI::App* app = parent.add_subcommand(
      "backprop",
      "Backpropagation of a checkpoint on chosen samples: loss, gradients, a^(k), z^(k), "
      "delta^(k) (and H v) written to a safetensors file");
  app->footer(
      "Written tensors: loss (shape []); dW1, db1, … as the checkpoint's W1, b1 (W_k: (n_{k+1}, n_k));\n"
      "z1..zL, a2..a{L+1}, delta2..delta{L+1}, t: (samples, n_k), one row per sample; with "
      "--direction: HW1, Hb1, … = Hessian times v.\n"
      "Inference mode: no dropout sampling (standard dropout scales by p).\n"
      "Loss reduction: cross_entropy and mse are MEANS, so with N samples delta and the gradients "
      "carry a factor 1/N (1/(N K) for mse); sum_of_squares is 1/2 of the sum. See docs/cli.md.");
  app->add_option("checkpoint", args->checkpoint, "model.safetensors written by nnlab train")->required();
  add_data_options(*app, args->source, false);
  app->add_option("--split", args->split, "train or test")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "train"}));
  app->add_option("--samples", args->samples, "comma list of sample indices in the split")->capture_default_str();
  app->add_option("--direction", args->direction,
                  "safetensors file with W1, b1, … of the model's shapes: also write H v");
  app->add_option("--out", args->out, "the safetensors file to write")->required();
  return {app, [args, app] {
            return on_checkpoint(*app, args->source, args->checkpoint,
                                 [&](auto& net, const DataSource& source) { return backprop(net, *args, source); });
          }};
}

const Registrar registrar{60, setup};

}  // namespace
}  // namespace nnlab::cli
