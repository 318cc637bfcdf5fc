// nnlab hessian: the extreme eigenvalues and the trace of the Hessian ∇²E of a checkpoint's loss
// on the first N samples of a split, in inference mode, from exact Hessian-vector products
// (R-operator at a fixed θ, train::FixedHessian: the forward pass and δ once, the R-passes per
// product): Lanczos with full reorthogonalization (its basis in the model's
// precision, its Gram–Schmidt passes on the thread pool) for the eigenvalues, Hutchinson's
// estimator for the trace, stochastic Lanczos quadrature for the spectral density
// (analysis/hessian.hpp). The largest eigenvalue is the sharpness:
// gradient descent with a step size above 2/λ_max leaves this point along its eigenvector.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "command.hpp"
#include "data_source.hpp"
#include "nnlab/analysis/hessian.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/train/objective.hpp"

namespace nnlab::cli {
namespace {

struct HessianArgs {
  std::string checkpoint;
  DataSource source;
  std::string split = "train";
  Index first = 1000;
  int iterations = 30;
  int top = 5;
  int trace_probes = 0;
  int density = 0;
  std::uint64_t seed = 1;
  int threads = 0;
  std::string out;
};

// Refuses, before the data load and any product, a Lanczos run whose vectors cannot fit in
// memory (it would end in "out of memory" after minutes, or run on in swap). A lower bound: the
// basis Q (D × m in the model's precision, m = min(iterations, D)), four work vectors of D doubles
// and the m × m eigenvectors of T twice.
void require_lanczos_memory(Index parameters, int iterations, std::size_t basis_bytes) {
  const double D = double(parameters), m = double(std::min<Index>(iterations, parameters));
  const double b = double(basis_bytes);
  const double need = b * m * D + 8 * (4 * D + 2 * m * m);
  const double available = available_memory();
  require(available == 0 || need <= available,
          "--iterations {}: Lanczos on {:.0f} parameters keeps {:.0f} vectors of them in {}, at "
          "least {:.1f} GB, but {:.1f} GB of memory is available; lower --iterations (at most about "
          "{:.0f})",
          iterations, D, m, b == 4 ? "float" : "double", need / 1e9, available / 1e9,
          std::floor(std::max(0.0, available - 32 * D) / (b * D + 16 * m)));
}

template <class S>
int hessian(nn::Mlp<S>& net, const HessianArgs& args, const DataSource& source) {
  if (!args.out.empty()) require_new_output_file(args.out, "--out", {args.checkpoint, source.data, source.targets});
  require(args.trace_probes != 1, "--trace-probes 1: a standard error needs at least 2 probes; use 0 "
          "(no trace) or 2 or more");
  require(args.top <= args.iterations, "--top {} needs --iterations ≥ {} (Lanczos finds at most one "
          "eigenvalue per iteration)", args.top, args.top);
  require_lanczos_memory(net.num_params(), args.iterations, sizeof(S));
  // Only the samples used are loaded (Fashion-MNIST's files only as far as they reach).
  const data::Dataset<S> d =
      load_chosen_split<S>(source, args.split, args.first > 0 ? std::optional<Index>(args.first) : std::nullopt);
  require_fit(net, d, args.checkpoint);
  require(d.size() > 0, "the {} split of {} has no samples", args.split, d.name);
  ThreadPool pool(args.threads > 0 ? args.threads : std::clamp(int(std::thread::hardware_concurrency()), 1, 4));

  // H·v of the loss on these samples (inference mode) in the model's precision; Lanczos and
  // Hutchinson work in double. The operator computes the forward pass and δ's once, here, and
  // each product then runs only the R-passes (train::FixedHessian).
  const train::NetworkObjective<S> objective(net, d, {.pool = &pool});
  const auto prepare_start = std::chrono::steady_clock::now();
  const analysis::HvpFn H = analysis::hvp_operator(objective, net.theta());
  const double prepare_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - prepare_start).count();
  int products = 0;
  double product_seconds = 0;
  const analysis::HvpFn hvp = [&products, &product_seconds, &H](const Vec<double>& v, Vec<double>& Hv) {
    const auto t0 = std::chrono::steady_clock::now();
    H(v, Hv);
    product_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++products;
  };
  const Index D = net.num_params();
  // The basis in the model's precision: a float model's products carry float rounding anyway.
  const analysis::LanczosOptions lanczos_options{
      .basis = std::is_same_v<S, float> ? analysis::BasisPrecision::float32 : analysis::BasisPrecision::float64,
      .pool = &pool};
  const auto start = std::chrono::steady_clock::now();
  Rng rng = make_rng(args.seed, stream::trials);
  const analysis::Spectrum spectrum = analysis::lanczos(hvp, D, args.iterations, rng, lanczos_options);
  const double lanczos_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double lanczos_product_seconds = product_seconds;
  const double loss = double(objective.value(net.theta()));
  // Measured residuals of the printed pairs (the top ones and the smallest): in float the
  // products' rounding, not β_m|s_m|, limits them.
  const auto top = std::size_t(std::min<Index>(args.top, spectrum.iterations));
  std::vector<double> residuals;
  for (std::size_t i = 0; i < top; ++i) residuals.push_back(analysis::residual(hvp, spectrum, i));
  residuals.push_back(analysis::residual(hvp, spectrum, spectrum.ritz_values.size() - 1));
  std::optional<analysis::TraceEstimate> trace;
  if (args.trace_probes > 0) trace = analysis::hutchinson_trace(hvp, D, args.trace_probes, rng);
  std::optional<analysis::SpectralDensity> density;
  if (args.density > 0) density = analysis::spectral_density(hvp, D, args.iterations, args.density, rng, lanczos_options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string loss_name = nn::to_string(net.spec().loss);
  fmt::print("{}: Hessian of the {} loss E = {:.6g} on {} sample(s) of {} ({} split), {} "
             "parameters, inference mode\n",
             args.checkpoint, loss_name, loss, d.size(), d.name, args.split, D);
  fmt::print("Lanczos, {} iterations; a residual |Hu - lambda u| bounds the distance to a true "
             "eigenvalue:\n", spectrum.iterations);
  for (std::size_t i = 0; i < top; ++i)
    fmt::print("  lambda_{:<3} {:>14.6g}   residual {:.1e}\n", i + 1, spectrum.ritz_values[i],
               residuals[i]);
  fmt::print("  lambda_min  {:>14.6g}   residual {:.1e}\n", spectrum.ritz_values.back(),
             residuals.back());
  const char* basis_kind = std::is_same_v<S, float> ? "float" : "double";
  fmt::print("Lanczos: {:.1f} ms per iteration, {:.1f} ms of it in H v (after {:.1f} ms computing the "
             "forward pass and deltas all products share); basis of {} vectors in {}, orthonormal to "
             "{:.1e} (max |Q^T Q - I|, measured), {} second Gram-Schmidt pass(es)\n",
             1e3 * lanczos_seconds / spectrum.iterations,
             1e3 * lanczos_product_seconds / spectrum.iterations, 1e3 * prepare_seconds,
             spectrum.iterations, basis_kind, spectrum.orthogonality, spectrum.second_passes);
  if (std::is_same_v<S, float>)
    fmt::print("  the residuals above come from one float product of each unit Ritz vector: the float "
               "basis does not enter them, the products' float rounding does\n");
  if (spectrum.ritz_values[0] > 0) {
    fmt::print("near this point (quadratic model), gradient descent on these samples is stable "
               "only for step sizes below 2/lambda_1 = {:.4g}\n", 2 / spectrum.ritz_values[0]);
    // A Ritz value lies below the largest eigenvalue, so an unconverged one overstates the limit.
    if (residuals[0] > 1e-2 * spectrum.ritz_values[0])
      fmt::print("  caution: lambda_1 has not converged (residual {:.1e}); the true lambda_max may "
                 "be larger and the limit smaller: raise --iterations\n", residuals[0]);
  }
  if (trace)
    fmt::print("trace (Hutchinson, {} probes): {:.6g} ± {:.2g} (standard error)\n", trace->probes,
               trace->mean, trace->standard_error);
  // The density's share in 12 equal bins over the range of its nodes, with a bar each.
  std::vector<std::array<double, 3>> bins;  // lo, hi, share
  if (density) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& nodes : density->nodes)
      for (double t : nodes) lo = std::min(lo, t), hi = std::max(hi, t);
    const double width = hi > lo ? (hi - lo) / 12 : 1;
    for (int b = 0; b < 12; ++b) {
      const double a = lo + b * width, z = b == 11 ? std::nextafter(hi, INFINITY) : a + width;
      bins.push_back({a, z, density->mass(a, z)});
    }
    const auto m1 = density->moment(1), m2 = density->moment(2);
    fmt::print("spectral density (stochastic Lanczos quadrature, {} probes x {} steps) of the {} "
               "eigenvalues:\n  tr H / D = {:.6g} ± {:.2g}, tr H^2 / D = {:.6g} ± {:.2g} (standard errors)\n"
               "  share of the eigenvalues in each interval:\n",
               density->nodes.size(), args.iterations, D, m1.value, m1.se, m2.value, m2.se);
    for (const auto& [a, z, share] : bins)
      fmt::print("  [{:>11.4g}, {:>11.4g})  {:<9.3g} {}\n", a, z, share, std::string(std::size_t(std::lround(40 * share)), '#'));
  }
  fmt::print("{} Hessian-vector products in {:.2f} s (and {:.2f} s before them for the forward pass "
             "and deltas)\n", products, seconds, prepare_seconds);

  if (!args.out.empty()) {
    nlohmann::ordered_json j = {{"checkpoint", args.checkpoint},
                                {"data", source.to_json()},
                                {"split", args.split},
                                {"dataset", d.name},
                                {"samples", d.size()},
                                {"parameters", D},
                                {"mode", "eval"},
                                {"loss_kind", loss_name},
                                {"loss", loss},
                                {"seed", args.seed},
                                {"lanczos", {{"iterations", spectrum.iterations},
                                             {"ritz_values", spectrum.ritz_values},
                                             {"residual_bounds", spectrum.residual_bounds},
                                             {"basis", basis_kind},
                                             {"orthogonality", spectrum.orthogonality},
                                             {"second_passes", spectrum.second_passes},
                                             {"seconds", lanczos_seconds},
                                             {"product_seconds", lanczos_product_seconds},
                                             {"prepare_seconds", prepare_seconds}}},
                                {"top", std::vector<double>(spectrum.ritz_values.begin(),
                                                            spectrum.ritz_values.begin() + long(top))},
                                {"top_residuals", std::vector<double>(residuals.begin(), residuals.end() - 1)},
                                {"lambda_min", spectrum.ritz_values.back()},
                                {"lambda_min_residual", residuals.back()},
                                {"trace", nullptr},
                                {"density", nullptr},
                                {"hvp_products", products},
                                {"seconds", seconds}};
    if (trace)
      j["trace"] = {{"probes", trace->probes}, {"mean", trace->mean},
                    {"standard_error", trace->standard_error}};
    if (density) {
      nlohmann::ordered_json moments = nlohmann::ordered_json::array();
      for (int k = 1; k <= 4; ++k) {
        const auto e = density->moment(k);
        moments.push_back({{"k", k}, {"mean", e.value}, {"standard_error", e.se}});
      }
      nlohmann::ordered_json histogram = nlohmann::ordered_json::array();
      for (const auto& [a, z, share] : bins) histogram.push_back({{"lo", a}, {"hi", z}, {"share", share}});
      j["density"] = {{"probes", density->nodes.size()}, {"iterations", args.iterations},
                      {"nodes", density->nodes},     {"weights", density->weights},
                      {"moments", moments},          {"histogram", histogram}};
    }
    write_file_atomic(args.out, j.dump(2) + "\n");
    fmt::print("wrote {}\n", args.out);
  }
  return exit_ok;
}

Subcommand setup(CLI::App& parent) {
  auto args = std::make_shared<HessianArgs>();
  CLI::App* app = parent.add_subcommand(
      "hessian",
      "Top eigenvalues, the smallest eigenvalue and the trace of a checkpoint's loss Hessian, "
      "from exact Hessian-vector products");
  app->footer(
      "E is the checkpoint's loss with its reduction (cross_entropy and mse are means) on the first\n"
      "--first samples of the split, in inference mode. Lanczos keeps --iterations vectors of all\n"
      "parameters in the model's precision (a float 784-512-512-10 net: 2.7 MB each). Without\n"
      "--data, the data source recorded by nnlab train is used. See docs/cli.md.");
  app->add_option("checkpoint", args->checkpoint, "model.safetensors written by nnlab train")->required();
  add_data_options(*app, args->source, false);
  app->add_option("--split", args->split, "train or test")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "train"}));
  app->add_option("--first", args->first, "use the first N samples of the split (0 = all)")
      ->capture_default_str()
      ->check(CLI::Range(Index(0), Index(1) << 40));
  app->add_option("--iterations", args->iterations, "Lanczos iterations (one H v each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app->add_option("--top", args->top, "how many of the largest eigenvalues to print")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app->add_option("--trace-probes", args->trace_probes,
                  "Rademacher probes for Hutchinson's trace estimate (0 = no trace)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app->add_option("--density", args->density,
                  "probes for the spectral density by stochastic Lanczos quadrature, each of --iterations "
                  "steps (0 = none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  app->add_option("--seed", args->seed, "seed of the Lanczos start and the probes")->capture_default_str();
  app->add_option("--threads", args->threads, "worker threads (0 = up to 4)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_option("--out", args->out, "also write the results as JSON to this file");
  return {app, [args, app] {
            return on_checkpoint(*app, args->source, args->checkpoint,
                                 [&](auto& net, const DataSource& source) { return hessian(net, *args, source); });
          }};
}

const Registrar registrar{65, setup};

}  // namespace
}  // namespace nnlab::cli
