// Lab gd-vs-sgd (sheet 9.2.1, 9.2.4): gradient descent vs stochastic gradient descent.
//   L(θ) = (1/N) Σ_i ℓ_i(θ),  GD: θ ← θ − η ∇L(θ),  SGD: θ ← θ − η ĝ_B,  ĝ_B = (1/B) Σ_{i∈batch} ∇ℓ_i(θ)
// The stochasticity is the choice of the batch. With Σ = (1/N) Σ_i (∇ℓ_i − ∇L)(∇ℓ_i − ∇L)ᵀ the
// per-example gradient covariance at θ (the population of N examples),
//   E‖ĝ_B − ∇L‖² = tr(Σ)/B                      B indices drawn with replacement,
//   E‖ĝ_B − ∇L‖² = tr(Σ)/B · (N − B)/(N − 1)    a uniform B-subset (one batch of a reshuffled epoch).
// With a constant step and batches drawn with replacement, SGD on least squares settles at a noise
// floor E[L − L*] ≈ η tr(Σ*)/(4B) (Σ* at θ*, small η), while GD converges linearly.
// Parallelism: a batch gradient is a mean of per-example gradients, so it is the size-weighted mean
// of the gradients of any split of the batch into shards: one step vectorizes over the batch and
// splits over threads without changing its result.
// Data: least squares (optim::LeastSquares, x ~ N(0, I_D)) and a subset of Fashion-MNIST with a
// one-hidden-layer ReLU network (cross-entropy); Fashion-MNIST's folder is a path parameter.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/data/transform.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/optim/batch_sampler.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/sgd.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "nnlab/train/objective.hpp"
#include "nnlab/train/recipe.hpp"

namespace nnlab::labs {
namespace {

using experiment::Estimate, experiment::Member, experiment::Welford, experiment::pm;
using optim::Sampling;
using Clock = std::chrono::steady_clock;

// Monte Carlo draws of a variance cell are split into this many chunks, one stream each, merged
// in order, so the estimates do not depend on the thread count.
constexpr std::size_t chunks = 16;
// GD's excess loss is compared with its bound while the bound is above this fraction of the
// initial excess: below it the rounding of θ (≈ 1e-16 |θ*|) is no longer small against θ − θ*.
constexpr double gd_floor = 1e-12;
// Throughput is the best of this many timings of tp_examples / repeats examples each.
constexpr int repeats = 3;

// CPU seconds of the calling thread: while other processes hold the core, this clock stops.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::string_view sampling_name(Sampling s) {
  return s == Sampling::reshuffle ? "without replacement" : "with replacement";
}

// The lab's theory of minibatch noise, or one of its mutants (GdVsSgd::mutants()); the Monte Carlo
// draws and the training runs never read it.
struct Theory {
  std::string_view mutant;

  // E‖ĝ_B − ∇L‖² / tr(Σ) for a batch of B of the N examples.
  double variance_factor(double B, double N, Sampling s) const {
    const double scale = mutant == "inverse-B-squared" ? 1 / (B * B)
                         : mutant == "inverse-sqrt-B"  ? 1 / std::sqrt(B)
                                                       : 1 / B;
    if (s == Sampling::with_replacement || mutant == "replacement-formula") return scale;
    return scale * (N - B) / (mutant == "finite-population-N" ? N : N - 1);
  }
  // The exponent b of the noise floor ∝ B^b of constant-step SGD with replacement (the floor is
  // proportional to the variance of one step's gradient).
  double floor_exponent(double N) const {
    return std::log(variance_factor(2, N, Sampling::with_replacement) /
                    variance_factor(1, N, Sampling::with_replacement)) /
           std::log(2.0);
  }
};

// The per-example gradient covariance's trace tr(Σ) = (1/N) Σ_i ‖∇ℓ_i‖² − ‖∇L‖², from batch
// gradients of single examples, and ∇L.
template <class F>
double trace_sigma(const F& f, const Vec<double>& theta, Vec<double>& full) {
  full.resize(f.dim());
  f.gradient(theta, full);
  Vec<double> g(f.dim());
  double sum = 0;
  for (Index i = 0; i < f.num_samples(); ++i) {
    f.gradient(theta, std::span<const Index>(&i, 1), g);
    sum += g.squaredNorm();
  }
  return sum / double(f.num_samples()) - full.squaredNorm();
}

// ‖ĝ_B − ∇L‖² over `draws` batches from the kernel's sampler: every batch with replacement, the
// first batch of each reshuffled epoch without (a uniform B-subset; the epoch's other batches
// are dependent on it and skipped).
template <class F>
Welford batch_deviation(const F& f, const Vec<double>& theta, const Vec<double>& full, Index B,
                        Sampling s, std::int64_t draws, Rng& rng) {
  optim::BatchSampler sampler(f.num_samples(), B, s, rng);
  Vec<double> g(f.dim());
  Welford w;
  for (std::int64_t m = 0; m < draws; ++m) {
    f.gradient(theta, sampler.next(), g);
    w.add((g - full).squaredNorm());
    if (s == Sampling::reshuffle)
      for (Index k = 1; k < sampler.batches_per_epoch(); ++k) sampler.next();
  }
  return w;
}

// The classification set of (a)–(c): a random subset of Fashion-MNIST's training images, or, when
// the folder is absent, Gaussian images labelled by a random linear teacher (same shapes).
struct Images {
  data::Dataset<double> data;
  bool fashion = false;
};

Images load_images(const Params& params, const Context& context) {
  const Index n = params.integer("fm_n");
  Rng rng = context.rng("images");
  if (params.available("fashion_dir")) {
    const auto& train = shared_fashion_mnist(params.path("fashion_dir")).train;
    require(n <= train.size(), "gd-vs-sgd: fm_n = {} exceeds the {} training images", n, train.size());
    return {data::random_subset(train, n, rng).cast<double>(), true};
  }
  const Mat<double> W = data::gaussian_matrix(10, 784, rng);
  data::Dataset<double> d;
  d.X = (data::gaussian_matrix(784, n, rng).array() * 0.25 + 0.5).max(0.0).min(1.0).matrix();
  const Mat<double> scores = W * d.X;
  d.num_classes = 10;
  d.Y = Mat<double>::Zero(10, n);
  for (Index i = 0; i < n; ++i) {
    Index k = 0;
    scores.col(i).maxCoeff(&k);
    d.labels.push_back(int(k));
    d.Y(k, i) = 1;
  }
  d.name = "stand-in images";
  return {std::move(d), false};
}

train::Recipe image_recipe(const Params& params, Index batch, double lr, Sampling s, std::uint64_t seed) {
  train::Recipe r;
  r.sizes = {784, params.integer("fm_hidden"), 10};
  r.activations = {nn::Activation::relu};
  r.loss = nn::Loss::cross_entropy;
  r.dropout = nn::DropoutKind::none;
  r.optimizer = "sgd";
  r.lr = lr;
  r.schedule = "constant";
  r.batch = batch;
  r.epochs = int(params.integer("fm_epochs"));
  r.sampling = s;
  r.seed = seed;
  r.precision = "double";
  r.eval_train = true;
  return r;
}

std::vector<Index> batch_list(const Params& params, std::string_view name, Index N) {
  std::vector<Index> out;
  for (double b : params.real_list(name)) {
    require(b == std::floor(b) && b >= 1 && b < double(N),
            "gd-vs-sgd: {} holds {}, but every batch size must be an integer in [1, {}) (N = {})", name,
            b, N, N);
    out.push_back(Index(b));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

class GdVsSgd : public Lab {
 public:
  std::string id() const override { return "gd-vs-sgd"; }
  std::string sheet() const override { return "9.2.1, 9.2.4"; }
  std::string question() const override {
    return "GD vs SGD: where the stochasticity comes from, what it costs and buys per epoch, and "
           "why minibatches parallelize";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("lin_n", T::integer, "samples N of the least-squares problem", "256", "", 16, 1e6),
        spec("lin_d", T::integer, "features D of the least-squares problem, x ~ N(0, I)", "8", "", 1, 200),
        spec("lin_sigma", T::real, "noise standard deviation of the least-squares targets", "1", "", 0.01, 100),
        spec("lin_lr", T::real, "SGD step η on least squares (GD takes 1/λmax)", "0.01", "", 1e-5, 0.5),
        spec("lin_epochs", T::integer, "epochs of the least-squares training curves", "40", "25", 2, 1e5),
        spec("lin_batches", T::real_list, "SGD batch sizes of the least-squares curves (≤ lin_n)", "1,16",
             "", 1, 1e6),
        spec("floor_batches", T::real_list, "batch sizes of the noise-floor runs (with replacement)",
             "1,4,16,64", "", 1, 1e6),
        spec("floor_steps", T::integer, "steps averaged per noise-floor run, after the burn-in",
             "20000", "6000", 100, 1e8),
        spec("floor_trials", T::integer, "independent noise-floor runs per batch size", "24", "12", 3, 1e5),
        spec("var_n", T::integer, "examples of the least-squares variance check (the first var_n; "
             "small, so that (N − B)/(N − 1) and (N − B)/N differ)", "16", "", 4, 1e5),
        spec("var_batches", T::real_list, "batch sizes of the least-squares variance check (< var_n)",
             "1,2,4,8,12,15", "", 1, 1e6),
        spec("var_draws", T::integer, "minibatches drawn per batch size and sampling mode",
             "1000000", "200000", 1000, 1e9),
        fashion_dir_spec("without it stand-in images of the same shape are used"),
        spec("fm_n", T::integer, "training images N taken from Fashion-MNIST (a random subset)",
             "1000", "500", 20, 60000),
        spec("fm_hidden", T::integer, "hidden ReLU units of the 784-H-10 network", "32", "", 1, 4096),
        spec("fm_batches", T::real_list, "SGD batch sizes on the images (GD, B = N, is added)",
             "1,10,100", "", 1, 60000),
        spec("fm_lr", T::real, "SGD step η on the images", "0.05", "", 1e-5, 10),
        spec("fm_gd_lr", T::real, "GD step η on the images", "0.5", "", 1e-5, 100),
        spec("fm_epochs", T::integer, "epochs of the image training runs", "15", "5", 1, 1e5),
        spec("fm_trials", T::integer, "initializations of the image training runs", "5", "3", 2, 1e4),
        spec("fm_var_batches", T::real_list, "batch sizes of the image variance check (< fm_n)",
             "1,10,100,500,900", "1,10,50,250,450", 1, 60000),
        spec("fm_var_draws", T::integer, "minibatches drawn per batch size and mode on the images",
             "480", "240", 16, 1e7),
        spec("tp_batches", T::real_list, "batch sizes of the throughput measurement",
             "1,4,16,64,256", "", 1, 60000),
        spec("tp_examples", T::integer, "examples processed per throughput measurement", "100000",
             "12000", 1000, 1e9),
        spec("threads", T::real_list, "thread counts of the data-parallel measurement", "1,2", "", 1, 256),
    };
  }

  std::vector<Mutant> mutants() const override {
    // Parts: the variance formula is (b)'s theory; (a)'s noise floor scales with it at B ≪ N.
    return {{"replacement-formula",
             "the variance tr(Σ)/B of sampling with replacement used for batches without replacement", {"b"}},
            {"finite-population-N", "the finite-population factor (N − B)/N instead of (N − B)/(N − 1)", {"b"}},
            {"inverse-B-squared", "the minibatch gradient's variance falls like 1/B² (the SE read as the variance)",
             {"a", "b"}},
            {"inverse-sqrt-B", "the minibatch gradient's variance falls like 1/√B (the SE's scaling)", {"a", "b"}}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    Result result;
    Rng rng = context.rng("regression");
    const auto problem = optim::LeastSquares<double>::synthetic(
        params.integer("lin_n"), params.integer("lin_d"), params.real("lin_sigma"), rng);
    context.report(0.0, "loading images");
    const Images images = load_images(params, context);

    auto since = result.mark();
    const std::string curves_floor_training = part_answer(*this, context, "a", [&] {
      context.report(0.05, "least squares: GD and SGD curves, noise floor");
      const std::string curves = regression_curves(params, context, problem, result);
      const std::string floor = noise_floor(params, context, theory, problem, result);
      context.report(0.3, "images: GD and SGD training");
      return curves + " " + floor + " " + image_training(params, context, images, result);
    });
    result.assign("a", since);

    since = result.mark();
    context.report(0.5, "minibatch gradient variance");
    const std::string variance = regression_variance(params, context, theory, problem, result);
    const std::string image_variance = network_variance(params, context, theory, images, result);
    result.assign("b", since);

    since = result.mark();
    context.report(0.8, "throughput and data parallelism");
    const std::string parallel = part_answer(*this, context, "c", [&] { return parallelism(params, context, images, result); });
    result.assign("c", since);
    context.report(1.0, "done");

    const std::string source =
        images.fashion ? fmt::format("{} Fashion-MNIST training images", images.data.size())
                       : fmt::format("{} stand-in images (Fashion-MNIST is absent at {})",
                                     images.data.size(), params.path("fashion_dir"));
    result.notation = {
        {"\\theta", "the parameters, one flat vector", ""},
        {"N", "training examples", ""},
        {"B", "batch size (examples per step); $B = N$ is GD", ""},
        {"\\ell_i", "the loss on example $i$; $L = \\frac{1}{N}\\sum_i \\ell_i$", ""},
        {"\\hat g_B", "the minibatch gradient $\\frac{1}{B}\\sum_{i \\in \\text{batch}} \\nabla\\ell_i$", ""},
        {"\\Sigma", "per-example gradient covariance at $\\theta$, over the $N$ examples (divided by $N$)", ""},
        {"\\Sigma^*", "$\\Sigma$ at the minimizer $\\theta^*$", ""},
        {"\\eta", "the learning rate (step size); $\\epsilon$ in Smith et al. (2021), the paper the sheet asks to read", ""},
        {"L^*", "the least-squares minimum $L(\\theta^*)$", ""},
    };
    result.parts = {
        {"a",
         "What's the difference between regular gradient descent (GD) and stochastic gradient "
         "descent (SGD)?",
         curves_floor_training,
         R"(GD takes one step per pass over the data, along the exact gradient: $\theta_{k+1} = \theta_k - \eta\nabla L(\theta_k)$, $\nabla L = \frac{1}{N}\sum_{i=1}^N \nabla\ell_i$. SGD takes $N/B$ steps per pass, each along the gradient of a random batch: $\theta_{k+1} = \theta_k - \eta\,\hat g_B(\theta_k)$, with $\mathbb{E}[\hat g_B] = \nabla L$. On a quadratic $L - L^* = \frac{1}{2}e^\top H e$, $e = \theta - \theta^*$, GD contracts $e_{k+1} = (I - \eta H)e_k$, so

$$L(\theta_k) - L^* \le \rho^{2k}\,(L(\theta_0) - L^*), \qquad \rho = \max_i |1 - \eta\lambda_i| .$$

SGD adds noise $\xi_k = \hat g_B - \nabla L$ to every step. With batches drawn with replacement the noise is independent across steps with covariance $\Sigma/B$; the stationary covariance $P$ of $e$ solves $HP + PH - \eta\,\mathbb{E}[\hat H P \hat H] = \eta\,\Sigma^*/B$, so for small $\eta$

$$\mathbb{E}[L - L^*] = \frac{1}{2}\operatorname{tr}(HP) \approx \frac{\eta\,\operatorname{tr}(\Sigma^*)}{4B} :$$

a floor that a constant step never gets below, proportional to $\eta$ and to the variance of one step's gradient, $1/B$.)"},
        {"b",
         "Where does the stochasticity come from?",
         "From the choice of the batch: at a fixed $\\theta$ nothing else is random, and the "
         "minibatch gradient's variance is $\\operatorname{tr}\\Sigma/B$ with replacement and "
         "$\\operatorname{tr}\\Sigma/B\\cdot(N-B)/(N-1)$ without. " + variance + " " + image_variance,
         R"(From the choice of the batch only: $\hat g_B$ is the mean of $B$ of the $N$ per-example gradients, at a fixed $\theta$ nothing else is random. Write $d_i = \nabla\ell_i - \nabla L$, $\frac{1}{N}\sum_i d_i = 0$, $\frac{1}{N}\sum_i \|d_i\|^2 = \operatorname{tr}\Sigma$. With replacement the $B$ draws are independent: $\mathbb{E}\|\hat g_B - \nabla L\|^2 = \operatorname{tr}\Sigma / B$. Without replacement (a uniform $B$-subset, as each batch of a reshuffled epoch is), two different draws are dependent: for $i \ne j$ in the batch $\mathbb{E}[d_i^\top d_j] = \frac{1}{N(N-1)}\sum_{a \ne b} d_a^\top d_b = -\frac{\operatorname{tr}\Sigma}{N-1}$, since $\sum_{a \ne b} d_a^\top d_b = \|\sum_a d_a\|^2 - \sum_a \|d_a\|^2 = -N\operatorname{tr}\Sigma$. So

$$\mathbb{E}\|\hat g_B - \nabla L\|^2 = \frac{1}{B^2}\Big(B\operatorname{tr}\Sigma - B(B-1)\frac{\operatorname{tr}\Sigma}{N-1}\Big) = \frac{\operatorname{tr}\Sigma}{B}\cdot\frac{N-B}{N-1},$$

which is $\operatorname{tr}\Sigma$ at $B = 1$, half the with-replacement value at $B \approx N/2$ and $0$ at $B = N$ (GD).)"},
        {"c",
         "What's another benefit of minibatch algorithms like SGD? (Think of parallelizability.)",
         parallel,
         R"(A batch gradient is a sum of independent per-example terms. On one core the $B$ examples of a batch go through each layer together, as one matrix product $A = WZ$ with $Z$ of $B$ columns, which uses the vector units and caches far better than $B$ matrix-vector products; so examples per second grow with $B$. Across cores the batch splits into shards $S_1, \dots, S_K$:

$$\hat g_B = \frac{1}{B}\sum_{i \in \text{batch}} \nabla\ell_i = \sum_{k=1}^K \frac{|S_k|}{B}\,\hat g_{S_k},$$

the size-weighted mean of the shard gradients, computed in parallel and added (data parallelism). The step is the same as on one thread; with the summation order fixed by the shapes, even its rounding is.)"},
    };
    result.answer = fmt::format(
        "GD steps along the exact gradient once per pass over the data; SGD steps $N/B$ times per "
        "pass along the gradient of a random batch (a). Per pass, SGD gets further early (claim 3), but with a "
        "constant step it stops at a noise floor proportional to $\\eta/B$ (claim 2), where GD "
        "converges linearly (claim 1). The stochasticity is the choice of the batch: at a fixed "
        "$\\theta$ the minibatch gradient's variance is $\\operatorname{{tr}}\\Sigma/B$ with "
        "replacement and $\\operatorname{{tr}}\\Sigma/B\\cdot(N-B)/(N-1)$ without, measured to Monte "
        "Carlo precision (b). Minibatches also parallelize: one batch is one matrix product per "
        "layer, and the shard gradients of a split batch average to the batch gradient exactly "
        "(c). Data: least squares and {}.",
        source);
    return result;
  }

 private:
  // (a) GD vs SGD on least squares, from θ = 0: excess loss per epoch, and GD's linear rate.
  static std::string regression_curves(const Params& params, const Context& context,
                                       const optim::LeastSquares<double>& f, Result& result) {
    const Index N = f.num_samples();
    const int epochs = int(params.integer("lin_epochs"));
    const double eta = params.real("lin_lr");
    const Mat<double> H = f.hessian(f.start());
    const Eigen::SelfAdjointEigenSolver<Mat<double>> eigen(H);
    const double lambda_max = eigen.eigenvalues().maxCoeff(), lambda_min = eigen.eigenvalues().minCoeff();
    require(eta < 2 / lambda_max, "gd-vs-sgd: lin_lr = {} must be below 2/λmax = {:.3g}", eta, 2 / lambda_max);
    const double eta_gd = 1 / lambda_max;
    const double rho = std::max(std::abs(1 - eta_gd * lambda_max), std::abs(1 - eta_gd * lambda_min));
    const auto excess = [&](const Vec<double>& theta) {
      const Vec<double> e = theta - f.minimizer();
      return 0.5 * e.dot(H * e);
    };

    // GD: one step per epoch.
    std::vector<double> gd;
    Vec<double> theta = f.start();
    optim::Sgd<double> gd_opt(optim::SgdOptions{.lr = eta_gd});
    optim::minimize(f, gd_opt, theta, {.max_iters = epochs, .grad_tol = 0},
                    [&](const optim::StepEvent<double>& e) { gd.push_back(excess(e.theta)); });
    double worst = 0;  // from k = 1: at k = 0 the ratio is 1 by definition
    for (std::size_t k = 1; k < gd.size(); ++k) {
      const double bound = std::pow(rho, 2.0 * double(k)) * gd.front();
      if (bound < gd_floor * gd.front()) break;
      worst = std::max(worst, gd[k] / bound);
    }
    result.claims.push_back(experiment::at_most(
        "full-batch GD converges linearly: $L(\\theta_k) - L^* \\le \\rho^{2k}(L(\\theta_0) - L^*)$",
        fmt::format("largest ratio of GD's excess loss to the bound over epochs $k \\ge 1$ with bound "
                    "≥ {:.0e} of the initial excess ($\\eta = 1/\\lambda_{{\\max}}$, $\\rho = {:.3f}$)",
                    gd_floor, rho),
        worst, 1 + 1e-6));

    // SGD: N/B steps per epoch, both samplings, excess after each epoch.
    const std::vector<Index> batches = batch_list(params, "lin_batches", N + 1);
    const std::vector<Sampling> modes = {Sampling::reshuffle, Sampling::with_replacement};
    const auto runs = context.sweep<std::vector<double>>(
        "curves", batches.size() * modes.size(), 1, [&](std::size_t cell, std::size_t, Rng& rng) {
          optim::BatchSampler sampler(N, batches[cell / 2], modes[cell % 2], rng);
          optim::Sgd<double> opt(optim::SgdOptions{.lr = eta});
          Vec<double> th = f.start();
          std::vector<double> curve = {excess(th)};
          optim::sgd_epochs(f, opt, th, sampler, epochs, [&](const optim::EpochEvent<double>& e) {
            curve.push_back(excess(e.theta));
          });
          return curve;
        });
    Figure figure{.id = "regression-epochs",
                  .title = "Least squares: excess loss per epoch, GD and SGD",
                  .x_label = "epochs (passes over the N examples)", .y_label = "L(θ) − L*",
                  .log_x = false, .log_y = true};
    std::vector<double> x(std::size_t(epochs) + 1);
    std::iota(x.begin(), x.end(), 0.0);
    Line gd_line{fmt::format("GD, η = 1/λmax = {:.3g}", eta_gd), x, {}, {}, "linespoints"};
    for (double v : gd) gd_line.y.push_back(std::max(v, 1e-30));
    figure.lines.push_back(std::move(gd_line));
    for (std::size_t c = 0; c < runs.size(); ++c)
      figure.lines.push_back({fmt::format("SGD B = {}, {}, η = {}", batches[c / 2],
                                          sampling_name(modes[c % 2]), eta),
                              x, runs[c], {}, "lines"});
    // The smallest batch with replacement against GD: after one epoch, and where GD goes below it.
    const std::vector<double>& sgd = runs[1];
    const Index b0 = batches.front();
    std::size_t cross = 1;
    while (cross < gd.size() && gd[cross] >= sgd[cross]) ++cross;
    const std::string crossing =
        cross < gd.size() ? fmt::format("GD is below it from epoch {} on", cross)
                          : fmt::format("GD stays above it for all {} epochs", epochs);
    figure.caption = fmt::format(
        "After one epoch SGD with $B = {}$ is at {:.3g} and GD at {:.3g}; {}. GD falls by "
        "$\\rho^2 = {:.3g}$ per epoch, to {:.2g} after {} epochs; SGD ($B = {}$, with replacement) "
        "ends at {:.3g}, at its noise floor (claim 2).",
        b0, sgd[1], gd[1], crossing, rho * rho, gd.back(), epochs, b0, sgd.back());
    result.figures.push_back(std::move(figure));
    return fmt::format(
        "On least squares ($N = {}$, $D = {}$), GD with $\\eta = 1/\\lambda_{{\\max}}$ falls by "
        "$\\rho^2 = {:.3g}$ per epoch to {:.2g} after {} epochs, within its bound $\\rho^{{2k}}$ "
        "(claim 1). SGD with $\\eta = {}$ and $B = {}$ is at {:.3g} after its first epoch (GD: "
        "{:.3g}) and at {:.3g} after the last.",
        N, f.dim(), rho * rho, gd.back(), epochs, eta, b0, sgd[1], gd[1], sgd.back());
  }

  // (a) The noise floor of constant-step SGD with replacement vs B: E[L − L*] ≈ η tr(Σ*)/(4B).
  static std::string noise_floor(const Params& params, const Context& context, const Theory& theory,
                                 const optim::LeastSquares<double>& f, Result& result) {
    const Index N = f.num_samples();
    const double eta = params.real("lin_lr");
    const auto steps = params.integer("floor_steps");
    const auto trials = std::size_t(params.integer("floor_trials"));
    std::vector<Index> batches;
    for (double b : params.real_list("floor_batches")) {
      require(b == std::floor(b) && b <= double(N), "gd-vs-sgd: floor_batches holds {}, not an integer in [1, {}]", b, N);
      batches.push_back(Index(b));
    }
    std::sort(batches.begin(), batches.end());
    batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
    require(batches.size() >= 3, "gd-vs-sgd: floor_batches needs at least 3 distinct batch sizes, got {}",
            batches.size());
    const Mat<double> H = f.hessian(f.start());
    const double lambda_min = Eigen::SelfAdjointEigenSolver<Mat<double>>(H).eigenvalues().minCoeff();
    // From θ* the covariance of θ − θ* approaches its stationary value like (1 − 2ηλmin)^k.
    const auto burn = std::int64_t(std::ceil(8 / (2 * eta * lambda_min)));
    Vec<double> g_star;
    const double tr_star = trace_sigma(f, f.minimizer(), g_star);

    const auto floors = context.sweep<double>(
        "floor", batches.size(), trials, [&](std::size_t cell, std::size_t, Rng& rng) {
          optim::BatchSampler sampler(N, batches[cell], Sampling::with_replacement, rng);
          optim::Sgd<double> opt(optim::SgdOptions{.lr = eta});
          Vec<double> theta = f.minimizer(), e(f.dim());
          double sum = 0;
          const std::int64_t total = burn + steps;
          const std::int64_t epochs = (total + sampler.batches_per_epoch() - 1) / sampler.batches_per_epoch();
          optim::sgd_epochs(f, opt, theta, sampler, epochs, [&](const optim::StepEvent<double>& ev) {
            if (ev.step >= total) return optim::Control::stop;
            if (ev.step >= burn) {
              e = ev.theta - f.minimizer();
              sum += 0.5 * e.dot(H * e);
            }
            return optim::Control::proceed;
          });
          return sum / double(steps);
        });
    std::vector<double> xs, ys;
    Table table{"noise-floor", "Noise floor of constant-step SGD with replacement on least squares",
                {"$B$", "$\\mathbb{E}[L - L^*]$ measured", "$\\eta\\operatorname{tr}(\\Sigma^*)/(4B)$",
                 "measured / prediction"},
                {}, ""};
    Line measured{"measured (time average, ± SE)", {}, {}, {}, "points"};
    Line predicted{"η tr(Σ*)/(4B)", {}, {}, {}, "lines"};
    for (std::size_t c = 0; c < batches.size(); ++c) {
      const Estimate est = experiment::mean_estimate(
          Eigen::Map<const Vec<double>>(floors.data() + c * trials, Index(trials)));
      const double B = double(batches[c]);
      const double prediction = eta * tr_star / (4 * B);
      xs.push_back(B), ys.push_back(est.value);
      table.rows.push_back({B, pm(est), prediction, est.value / prediction});
      measured.x.push_back(B), measured.y.push_back(est.value), measured.err.push_back(est.se);
      predicted.x.push_back(B), predicted.y.push_back(prediction);
    }
    const experiment::LineFit fit = experiment::fit_log_log(xs, ys);
    const double exponent = theory.floor_exponent(double(N));
    result.claims.push_back(experiment::slope_in(
        "constant-step SGD with replacement stalls at a noise floor proportional to the variance of "
        "one step's gradient, $\\propto 1/B$",
        fmt::format("slope of $\\log \\mathbb{{E}}[L - L^*]$ on $\\log B$, $B \\in$ {{{}}}, $\\eta = {}$, "
                    "{} runs of {} steps each",
                    fmt::join(batches, ", "), eta, trials, steps),
        fit, exponent - 0.15, exponent + 0.15));
    table.caption = fmt::format(
        "The floor falls with slope {:.3f} ± {:.3f} in $\\log B$ (claim 2) and sits at {:.3g} to "
        "{:.3g} times the small-$\\eta$ prediction, which drops the $O(\\eta)$ term "
        "$\\eta\\,\\mathbb{{E}}[\\hat H P \\hat H]$ of the derivation. Each run starts at "
        "$\\theta^*$, discards {} steps (the covariance of $\\theta - \\theta^*$ is then within "
        "$e^{{-8}}$ of stationary) and averages the next {}.",
        fit.slope.value, fit.slope.se, table_min_ratio(table), table_max_ratio(table), burn, steps);
    result.tables.push_back(std::move(table));
    Figure figure{.id = "noise-floor", .title = "Noise floor of SGD vs batch size (least squares)",
                  .x_label = "batch size B", .y_label = "E[L − L*] at stationarity",
                  .log_x = true, .log_y = true};
    figure.lines = {measured, predicted};
    figure.caption = fmt::format(
        "The measured floor follows $\\eta\\operatorname{{tr}}(\\Sigma^*)/(4B)$: fitted slope "
        "{:.3f} ({} batch sizes), from {:.3g} at $B = {}$ to {:.3g} at $B = {}$.",
        fit.slope.value, batches.size(), ys.front(), batches.front(), ys.back(), batches.back());
    result.figures.push_back(std::move(figure));
    return fmt::format(
        "With a constant step and batches drawn with replacement SGD does not converge: its excess "
        "loss settles at {:.3g} for $B = {}$ and {:.3g} for $B = {}$, a slope of {:.3f} in $\\log B$ "
        "(claim 2), near $\\eta\\operatorname{{tr}}(\\Sigma^*)/(4B)$.",
        ys.front(), batches.front(), ys.back(), batches.back(), fit.slope.value);
  }

  static double table_min_ratio(const Table& t) {
    double v = std::numeric_limits<double>::infinity();
    for (const auto& row : t.rows) v = std::min(v, std::get<double>(row.back()));
    return v;
  }
  static double table_max_ratio(const Table& t) {
    double v = -std::numeric_limits<double>::infinity();
    for (const auto& row : t.rows) v = std::max(v, std::get<double>(row.back()));
    return v;
  }

  // (a) GD vs SGD on the images: training loss per epoch, per update and per second.
  static std::string image_training(const Params& params, const Context& context, const Images& images,
                                    Result& result) {
    const data::Dataset<double>& data = images.data;
    const Index N = data.size();
    const int epochs = int(params.integer("fm_epochs"));
    const auto trials = std::size_t(params.integer("fm_trials"));
    const std::vector<Index> batches = batch_list(params, "fm_batches", N);
    struct Run {
      Index batch;
      Sampling sampling;
      double lr;
    };
    std::vector<Run> runs;
    for (Index b : batches) runs.push_back({b, Sampling::reshuffle, params.real("fm_lr")});
    for (Index b : batches) runs.push_back({b, Sampling::with_replacement, params.real("fm_lr")});
    runs.push_back({N, Sampling::reshuffle, params.real("fm_gd_lr")});  // GD
    // One initialization per trial, shared by every run: differences are paired.
    Rng init_rng = context.rng("image-init");
    std::vector<std::uint64_t> inits(trials);
    for (auto& s : inits) s = init_rng();

    // Per run: the training loss after epochs 0..E, then the cumulative seconds after 1..E.
    const auto out = context.sweep<std::vector<double>>(
        "image-training", runs.size(), trials, [&](std::size_t cell, std::size_t t, Rng& rng) {
          const Run& run = runs[cell];
          train::Recipe recipe = image_recipe(params, run.batch, run.lr, run.sampling, inits[t]);
          nn::Mlp<double> net = train::make_network(recipe, data);
          std::vector<double> v = {net.dataset_loss(data.X, data.Y)};
          recipe.seed = rng();  // this run's batch order
          const train::TrainResult r = train::train(recipe, net, data, nullptr, nullptr);
          require(!r.diverged(), "gd-vs-sgd: image training with B = {} diverged: {}", run.batch, r.message);
          for (const auto& e : r.epochs) v.push_back(e.train_loss);
          double seconds = 0;
          for (const auto& e : r.epochs) v.push_back(seconds += e.seconds);
          return v;
        });
    const auto E = std::size_t(epochs);
    // Mean over trials of run c's entry j.
    const auto mean_of = [&](std::size_t c, std::size_t j) {
      double s = 0;
      for (std::size_t t = 0; t < trials; ++t) s += out[c * trials + t][j];
      return s / double(trials);
    };
    Figure by_epoch{.id = "images-epochs", .title = "Images: training loss per example gradients computed",
                    .x_label = "example gradients computed (epochs × N)", .y_label = "training loss (cross-entropy)",
                    .log_x = false, .log_y = true};
    Figure by_update{.id = "images-updates", .title = "Images: training loss per parameter update",
                     .x_label = "parameter updates (steps)", .y_label = "training loss (cross-entropy)",
                     .log_x = true, .log_y = true};
    Figure by_time{.id = "images-seconds", .title = "Images: training loss per second of training",
                   .x_label = "seconds of training (wall clock, one thread per run)",
                   .y_label = "training loss (cross-entropy)", .log_x = true, .log_y = true,
                   .wall_clock = true};
    Table table{"images-final", "Images: training loss after the last epoch",
                {"run", "$\\eta$", "updates per epoch", fmt::format("loss after {} epochs", epochs)}, {}, ""};
    for (std::size_t c = 0; c < runs.size(); ++c) {
      const Run& run = runs[c];
      const bool gd = run.batch == N;
      const std::string name = gd ? std::string("GD (B = N)")
                                  : fmt::format("SGD B = {}, {}", run.batch, sampling_name(run.sampling));
      const double per_epoch = double((N + run.batch - 1) / run.batch);
      Line le{name, {}, {}, {}, "linespoints"}, lu{name, {}, {}, {}, "linespoints"}, lt{name, {}, {}, {}, "linespoints"};
      for (std::size_t j = 0; j <= E; ++j) {
        le.x.push_back(double(j) * double(N)), le.y.push_back(mean_of(c, j));
        if (j > 0) {
          lu.x.push_back(double(j) * per_epoch), lu.y.push_back(mean_of(c, j));
          lt.x.push_back(mean_of(c, E + j)), lt.y.push_back(mean_of(c, j));
        }
      }
      by_epoch.lines.push_back(std::move(le));
      by_update.lines.push_back(std::move(lu));
      by_time.lines.push_back(std::move(lt));
      table.rows.push_back({name, run.lr, per_epoch, mean_of(c, E)});
    }
    // GD against SGD at its best batch size (the lowest mean final loss without replacement), as
    // GD runs at its own step: each method as tuned. Paired over the initializations.
    const std::size_t gd_cell = runs.size() - 1;
    std::size_t sgd_cell = 0;
    for (std::size_t c = 1; c < batches.size(); ++c)
      if (mean_of(c, E) < mean_of(sgd_cell, E)) sgd_cell = c;
    Vec<double> gd_final(static_cast<Index>(trials)), sgd_final(static_cast<Index>(trials));
    for (std::size_t t = 0; t < trials; ++t) {
      gd_final(Index(t)) = out[gd_cell * trials + t][E];
      sgd_final(Index(t)) = out[sgd_cell * trials + t][E];
    }
    const Estimate gain = experiment::paired_difference(gd_final, sgd_final);
    result.claims.push_back(experiment::exceeds(
        fmt::format("per pass over the data, SGD at its best batch size ($B = {}$, {} updates per "
                    "epoch) trains further than GD (1 update per epoch)",
                    batches[sgd_cell], (N + batches[sgd_cell] - 1) / batches[sgd_cell]),
        fmt::format("training loss of GD minus that of SGD after {} epochs, paired over {} "
                    "initializations",
                    epochs, trials),
        gain, 0, 4));
    by_epoch.caption = fmt::format(
        "Per example gradient computed, SGD trains further than GD: after {} epochs SGD with "
        "$B = {}$ is at {:.3g}, with $B = {}$ at {:.3g}, with $B = {}$ at {:.3g}, and GD at {:.3g} "
        "(claim 3). Each curve is the mean over {} initializations, the same ones for every run.",
        epochs, batches.front(), mean_of(0, E), batches[sgd_cell], mean_of(sgd_cell, E), batches.back(),
        mean_of(batches.size() - 1, E), mean_of(gd_cell, E), trials);
    by_update.caption = fmt::format(
        "Per update the order changes: after its {} updates GD is at {:.3g}, SGD with $B = {}$ was "
        "at {:.3g} after its first {} updates (one epoch): each of GD's updates uses all {} "
        "example gradients.",
        epochs, mean_of(gd_cell, E), batches.back(), mean_of(batches.size() - 1, 1),
        (N + batches.back() - 1) / batches.back(), N);
    by_time.caption = fmt::format(
        "Per second (data only, no claim: the times depend on the machine and its load): GD's {} "
        "epochs took {:.3g} s, SGD with $B = {}$ took {:.3g} s and with $B = {}$ {:.3g} s; small "
        "batches pay the per-update overhead, which (c) measures.",
        epochs, mean_of(gd_cell, 2 * E), batches.front(), mean_of(0, 2 * E), batches.back(),
        mean_of(sgd_cell, 2 * E));
    table.caption = fmt::format("Mean over {} initializations; GD runs at $\\eta = {}$, SGD at $\\eta = {}$.",
                                trials, params.real("fm_gd_lr"), params.real("fm_lr"));
    result.figures.push_back(std::move(by_epoch));
    result.figures.push_back(std::move(by_update));
    result.figures.push_back(std::move(by_time));
    result.tables.push_back(std::move(table));
    return fmt::format(
        "On {} images (784-{}-10 ReLU network, cross-entropy), after {} epochs the training loss is "
        "{:.3g} for SGD with $B = {}$ and {:.3g} for GD (claim 3): per example gradient computed, "
        "SGD makes more progress.",
        N, params.integer("fm_hidden"), epochs, mean_of(sgd_cell, E), batches[sgd_cell], mean_of(gd_cell, E));
  }

  // (b) Variance of the minibatch gradient on least squares with small N, where (N − B)/(N − 1)
  // and (N − B)/N differ by 1/N.
  static std::string regression_variance(const Params& params, const Context& context,
                                         const Theory& theory, const optim::LeastSquares<double>& problem,
                                         Result& result) {
    const Index N = params.integer("var_n");
    require(N <= problem.num_samples() && N > problem.dim(),
            "gd-vs-sgd: var_n = {} must lie in ({}, {}] (more examples than features, at most lin_n)", N,
            problem.dim(), problem.num_samples());
    const optim::LeastSquares<double> f(problem.X().leftCols(N), problem.y().head(N));
    const std::vector<Index> batches = batch_list(params, "var_batches", N);
    const std::int64_t draws = params.integer("var_draws");
    const Vec<double> theta = f.start();
    Vec<double> full;
    const double tr = trace_sigma(f, theta, full);
    const std::vector<Sampling> modes = {Sampling::reshuffle, Sampling::with_replacement};
    const std::size_t cells = batches.size() * modes.size();
    const auto parts = context.sweep<Welford>(
        "regression-variance", cells, chunks, [&](std::size_t cell, std::size_t chunk, Rng& rng) {
          const std::int64_t n = draws / std::int64_t(chunks) + (std::int64_t(chunk) < draws % std::int64_t(chunks));
          return batch_deviation(f, theta, full, batches[cell / 2], modes[cell % 2], n, rng);
        });
    return variance_evidence("regression", fmt::format("least squares, the first $N = {}$ examples, $\\theta = 0$", N),
                             theory, batches, modes, parts, tr, N, true, result);
  }

  // (b) The same on the images, at the network's initialization.
  static std::string network_variance(const Params& params, const Context& context, const Theory& theory,
                                      const Images& images, Result& result) {
    const data::Dataset<double>& data = images.data;
    const Index N = data.size();
    const std::vector<Index> batches = batch_list(params, "fm_var_batches", N);
    const std::int64_t draws = params.integer("fm_var_draws");
    Rng init_rng = context.rng("image-variance");
    const train::Recipe recipe = image_recipe(params, 1, params.real("fm_lr"), Sampling::reshuffle, init_rng());
    nn::Mlp<double> net = train::make_network(recipe, data);
    Vec<double> full;
    const Vec<double> theta = net.theta();
    const double tr = [&] {
      const train::NetworkObjective<double> f(net, data, {.pool = context.pool()});
      return trace_sigma(f, theta, full);
    }();
    const std::vector<Sampling> modes = {Sampling::reshuffle, Sampling::with_replacement};
    const std::size_t cells = batches.size() * modes.size();
    const auto parts = context.sweep<Welford>(
        "image-variance", cells, chunks, [&](std::size_t cell, std::size_t chunk, Rng& rng) {
          nn::Mlp<double> copy = net;
          const train::NetworkObjective<double> f(copy, data);
          const std::int64_t n = draws / std::int64_t(chunks) + (std::int64_t(chunk) < draws % std::int64_t(chunks));
          return batch_deviation(f, theta, full, batches[cell / 2], modes[cell % 2], n, rng);
        });
    return variance_evidence("images",
                             fmt::format("{} {}, 784-{}-10 network at its initialization", N,
                                         images.fashion ? "Fashion-MNIST images" : "stand-in images",
                                         params.integer("fm_hidden")),
                             theory, batches, modes, parts, tr, N, false, result);
  }

  // Claim, table and figure of one variance check; parts: cell-major Welford chunks.
  static std::string variance_evidence(const std::string& id, const std::string& setting, const Theory& theory,
                                       const std::vector<Index>& batches, const std::vector<Sampling>& modes,
                                       const std::vector<Welford>& parts, double tr, Index N, bool power,
                                       Result& result) {
    std::vector<Member> family;
    Table table{id + "-variance",
                fmt::format("Minibatch gradient variance $\\mathbb{{E}}\\|\\hat g_B - \\nabla L\\|^2$: {}", setting),
                {"$B$", "sampling", "measured / $\\operatorname{tr}\\Sigma$", "its SE", "theory / $\\operatorname{tr}\\Sigma$",
                 "$z$ of $\\log$(measured / theory)"},
                {}, ""};
    if (power) table.columns.push_back("$z$ if the factor were $(N-B)/N$");
    Figure figure{.id = id + "-variance",
                  .title = fmt::format("Minibatch gradient variance vs batch size ({})", id),
                  .x_label = "batch size B", .y_label = "E‖ĝ_B − ∇L‖² / tr Σ",
                  .log_x = true, .log_y = true};
    std::vector<std::string> names = {"without replacement", "with replacement"};
    double half_ratio = 0, half_B = 0, smallest_power = std::numeric_limits<double>::infinity();
    for (std::size_t m = 0; m < modes.size(); ++m) {
      Line measured{fmt::format("measured, {}", names[m]), {}, {}, {}, "points"};
      Line predicted{fmt::format("theory, {}", names[m]), {}, {}, {}, "lines"};
      for (std::size_t b = 0; b < batches.size(); ++b) {
        Welford w;
        for (std::size_t k = 0; k < chunks; ++k) w.merge(parts[(b * modes.size() + m) * chunks + k]);
        const Estimate raw = w.estimate();
        const double B = double(batches[b]);
        const double predicted_value = tr * theory.variance_factor(B, double(N), modes[m]);
        // On the log scale: a sample variance's SE shrinks with the estimate, so on the raw scale
        // low estimates get inflated z-scores (experiment/stats.hpp).
        const Estimate log_ratio = experiment::log_ratio(raw, {predicted_value, 0});
        family.push_back({fmt::format("B = {}, {}", batches[b], names[m]), log_ratio});
        std::vector<experiment::Cell> row = {B, names[m], raw.value / tr, raw.se / tr,
                                             predicted_value / tr, experiment::z_score(log_ratio, 0)};
        if (power) {
          // The true theory's value with N in place of N − 1: how far that wrong factor would sit.
          const double wrong = modes[m] == Sampling::reshuffle ? (double(N) - B) / (B * double(N)) : 1 / B;
          const double z = experiment::z_score(experiment::log_ratio(raw, {tr * wrong, 0}), 0);
          row.push_back(modes[m] == Sampling::reshuffle ? experiment::Cell(z) : experiment::Cell("—"));
          if (modes[m] == Sampling::reshuffle) smallest_power = std::min(smallest_power, std::abs(z));
        }
        table.rows.push_back(std::move(row));
        measured.x.push_back(B), measured.y.push_back(raw.value / tr), measured.err.push_back(raw.se / tr);
        predicted.x.push_back(B), predicted.y.push_back(predicted_value / tr);
        if (modes[m] == Sampling::reshuffle && 2 * batches[b] <= N) {
          half_B = B;
          Welford wr;
          for (std::size_t k = 0; k < chunks; ++k) wr.merge(parts[(b * modes.size() + 1) * chunks + k]);
          half_ratio = raw.value / wr.mean();
        }
      }
      figure.lines.push_back(std::move(measured));
      figure.lines.push_back(std::move(predicted));
    }
    const std::uint64_t draws = [&] {
      Welford w;
      for (std::size_t k = 0; k < chunks; ++k) w.merge(parts[k]);
      return w.count();
    }();
    const std::size_t claim_number = result.claims.size() + 1;
    result.claims.push_back(experiment::within_se(
        fmt::format("{}: the minibatch gradient's variance is $\\operatorname{{tr}}\\Sigma/B$ with "
                    "replacement and $\\operatorname{{tr}}\\Sigma/B\\cdot(N-B)/(N-1)$ without",
                    id == "regression" ? "least squares" : "network"),
        fmt::format("$\\log$(measured / theory) for each $B$ and sampling, {} minibatches each ({})",
                    draws, setting),
        family, 0, 4));
    table.caption = fmt::format(
        "Every measured variance sits within {:.2g} SE of its theory (claim {}); without replacement "
        "at $B = {}$ it is {:.3f} times the with-replacement one, as $(N-B)/(N-1) = {:.3f}$ says.{}",
        result.claims.back().value, claim_number, half_B, half_ratio, (double(N) - half_B) / double(N - 1),
        power ? fmt::format(" The last column is the power against the factor $(N-B)/N$: that theory "
                            "would sit at least {:.3g} SE away at every $B$ without replacement.",
                            smallest_power)
              : std::string());
    table.data = !power;
    figure.caption = fmt::format(
        "Measured variance (points, ± SE) on the theory (lines): with replacement it falls as $1/B$, "
        "without it falls faster and vanishes as $B \\to N = {}$ (claim {}). At $B = {}$ the ratio of "
        "the two is {:.3f}.",
        N, claim_number, half_B, half_ratio);
    result.tables.push_back(std::move(table));
    result.figures.push_back(std::move(figure));
    return fmt::format(
        "On {}, every measured variance lies within {:.2g} SE of its formula, and at $B = {}$ of "
        "$N = {}$ the variance without replacement is {:.3f} times that with (claim {}).",
        setting, result.claims.back().value, half_B, N, half_ratio, claim_number);
  }

  // (c) Examples per second vs batch size (one thread) and vs threads; the data-parallel identity.
  static std::string parallelism(const Params& params, const Context& context, const Images& images,
                                 Result& result) {
    const data::Dataset<double>& data = images.data;
    const Index N = data.size();
    Rng rng = context.rng("parallelism");
    const train::Recipe recipe = image_recipe(params, 1, params.real("fm_lr"), Sampling::reshuffle, rng());
    const nn::Mlp<double> start = train::make_network(recipe, data);
    const std::int64_t examples = params.integer("tp_examples");
    const Rng order = context.rng("throughput");

    // Examples per second of SGD steps (batch gradient + update) at batch B on `pool`, in one
    // timing of examples / repeats examples: by the calling thread's CPU clock on one thread (a
    // core shared with other processes stops that clock instead of stretching the timing), by the
    // wall clock on a pool (its workers' time is not the caller's).
    const auto throughput = [&](Index B, ThreadPool* pool) {
      nn::Mlp<double> net = start;
      const train::NetworkObjective<double> f(net, data, {.pool = pool});
      optim::BatchSampler sampler(N, B, Sampling::reshuffle, order);
      optim::Sgd<double> opt(optim::SgdOptions{.lr = params.real("fm_lr")});
      Vec<double> g(f.dim());
      for (int k = 0; k < 3; ++k) f.gradient(net.theta(), sampler.next(), g);  // warm the caches
      const auto seconds = [pool] {
        return pool ? std::chrono::duration<double>(Clock::now().time_since_epoch()).count() : thread_seconds();
      };
      std::int64_t done = 0;
      const double t0 = seconds();
      while (done < examples / repeats) {
        const auto batch = sampler.next();
        f.gradient(net.theta(), batch, g);
        opt.step(net.theta(), g);
        done += std::int64_t(batch.size());
      }
      return double(done) / (seconds() - t0);
    };
    const std::vector<Index> batches = batch_list(params, "tp_batches", N + 1);
    require(batches.size() >= 2, "gd-vs-sgd: tp_batches needs at least 2 distinct batch sizes, got {}",
            batches.size());
    Table by_batch{"throughput-batch", "Examples per second of SGD steps vs batch size, one thread",
                   {"$B$", "examples / s", "relative to $B = " + std::to_string(batches.front()) + "$"}, {}, ""};
    Figure figure{.id = "throughput", .title = "Throughput of SGD steps vs batch size (one thread)",
                  .x_label = "batch size B", .y_label = "examples per second", .log_x = true, .log_y = true};
    Line line{"784-H-10 network, one thread", {}, {}, {}, "linespoints"};
    // The best of `repeats` timings per batch size, the sizes taken in turn in each round, so a
    // slow phase of the machine falls on all of them: load only ever slows a timing down.
    std::vector<double> rates(batches.size(), 0.0);
    for (int r = 0; r < repeats; ++r)
      for (std::size_t i = 0; i < batches.size(); ++i) rates[i] = std::max(rates[i], throughput(batches[i], nullptr));
    for (std::size_t i = 0; i < batches.size(); ++i) {
      by_batch.rows.push_back({double(batches[i]), rates[i], rates[i] / rates.front()});
      line.x.push_back(double(batches[i])), line.y.push_back(rates[i]);
    }
    figure.lines.push_back(std::move(line));
    // The best batch size against the smallest: where the rate peaks depends on the caches.
    const auto best = std::size_t(std::max_element(rates.begin(), rates.end()) - rates.begin());
    const double speedup = rates[best] / rates.front();
    result.claims.push_back(experiment::at_least(
        fmt::format("vectorization: one core processes at least 3× as many examples per second in "
                    "batches as {} at a time",
                    batches.front()),
        fmt::format("examples/s at the best $B$ of {{{}}} ($B = {}$) over examples/s at $B = {}$, each "
                    "the best of {} timings of {} examples, the sizes in turn (CPU time of the one thread)",
                    fmt::join(batches, ", "), batches[best], batches.front(), repeats, examples / repeats),
        speedup, 3));
    result.claims.back().wall_clock = true;
    figure.caption = fmt::format(
        "Examples per second grow {:.3g}-fold from $B = {}$ to $B = {}$, the fastest (claim {}): a "
        "batch goes through each layer as one matrix product. Measured on this machine, by the CPU "
        "clock of the one thread.",
        speedup, batches.front(), batches[best], result.claims.size());
    by_batch.caption = "Measured on this machine by the CPU clock of the one thread (no claim on absolute times).";

    // Threads: the same steps at B = N on pools of 1, 2, … threads.
    Table by_threads{"throughput-threads", fmt::format("Examples per second of full-batch steps ($B = {}$) vs threads", N),
                     {"threads", "examples / s", "relative to 1 thread"}, {}, ""};
    std::vector<double> thread_rates;
    for (double t : params.real_list("threads")) {
      require(t == std::floor(t), "gd-vs-sgd: threads holds {}, not an integer", t);
      ThreadPool pool(static_cast<int>(t));
      double rate = 0;
      for (int r = 0; r < repeats; ++r) rate = std::max(rate, throughput(N, &pool));
      thread_rates.push_back(rate);
      by_threads.rows.push_back({t, thread_rates.back(), thread_rates.back() / thread_rates.front()});
    }
    by_threads.caption = fmt::format(
        "Data only: the machine's cores may be shared. From {} to {} threads the rate changes "
        "{:.3g}-fold.",
        params.real_list("threads").front(), params.real_list("threads").back(),
        thread_rates.back() / thread_rates.front());

    // The identity behind data parallelism: mean of shard gradients = batch gradient.
    nn::Mlp<double> net = start;
    const train::NetworkObjective<double> f(net, data);
    std::vector<Index> all(static_cast<std::size_t>(N));
    std::iota(all.begin(), all.end(), Index(0));
    Vec<double> full(f.dim()), shard(f.dim()), sum(f.dim());
    f.gradient(net.theta(), all, full);
    double worst_shards = 0;
    Table shards{"shards", "Mean of shard gradients vs the full-batch gradient",
                 {"shards $K$", "shard sizes", "$\\|\\sum_k \\frac{|S_k|}{B}\\hat g_{S_k} - \\hat g_B\\| / \\|\\hat g_B\\|$"},
                 {}, ""};
    for (Index K : {Index(2), Index(3), Index(7)}) {
      sum.setZero();
      for (Index k = 0; k < K; ++k) {
        const Index lo = k * N / K, hi = (k + 1) * N / K;
        f.gradient(net.theta(), std::span<const Index>(all).subspan(std::size_t(lo), std::size_t(hi - lo)), shard);
        sum += (double(hi - lo) / double(N)) * shard;
      }
      const double err = (sum - full).norm() / full.norm();
      worst_shards = std::max(worst_shards, err);
      shards.rows.push_back({double(K), fmt::format("{} to {}", N / K, (N + K - 1) / K), err});
    }
    result.claims.push_back(experiment::at_most(
        "data parallelism: the size-weighted mean of shard gradients is the batch gradient (to rounding)",
        fmt::format("largest relative difference over splits of the $B = {}$ batch into 2, 3 and 7 shards", N),
        worst_shards, 1e-12));
    shards.caption = fmt::format(
        "Largest relative difference {:.2g}: float64 rounding, as the shards' sums are added in "
        "another order (claim {}).",
        worst_shards, result.claims.size());

    // The library's threaded step: one epoch of SGD on 1 and on 2 threads.
    const auto train_on = [&](int threads) {
      ThreadPool pool(threads);
      nn::Mlp<double> n = start;
      train::Recipe r = recipe;
      r.batch = std::min<Index>(100, N);
      r.epochs = 1;
      r.eval_train = false;
      train::train(r, n, data, nullptr, &pool);
      return n.theta();
    };
    const double thread_gap = (train_on(1) - train_on(2)).cwiseAbs().maxCoeff();
    result.claims.push_back(experiment::at_most(
        "the library's threaded training step gives the same parameters on 1 and 2 threads",
        fmt::format("largest $|\\theta_{{1\\,\\text{{thread}}}} - \\theta_{{2\\,\\text{{threads}}}}|$ "
                    "after one epoch of SGD with $B = {}$",
                    std::min<Index>(100, N)),
        thread_gap, 0));

    by_batch.wall_clock = by_threads.wall_clock = figure.wall_clock = true;
    result.tables.push_back(std::move(by_batch));
    result.tables.push_back(std::move(by_threads));
    result.tables.push_back(std::move(shards));
    result.figures.push_back(std::move(figure));
    return fmt::format(
        "Parallelism. On one core SGD steps with $B = {}$ process {:.3g} times as many examples per "
        "second as $B = {}$ (claim {}), because a batch is one matrix product per layer. Split over "
        "threads, the shard gradients' size-weighted mean equals the batch gradient to {:.1e} "
        "(claim {}), and an epoch of training on 2 threads ends at the parameters of 1 thread, "
        "largest difference {:.3g} (claim {}). On this machine {} threads ran full-batch steps "
        "{:.3g} times as fast as 1 (data only).",
        batches[best], speedup, batches.front(), result.claims.size() - 2, worst_shards,
        result.claims.size() - 1, thread_gap, result.claims.size(), params.real_list("threads").back(),
        thread_rates.back() / thread_rates.front());
  }
};

}  // namespace

NNLAB_REGISTER_LAB(GdVsSgd);

}  // namespace nnlab::labs
