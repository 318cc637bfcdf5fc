// Lab dropout-ensemble (sheet 9.1.3): dropout as an exponential ensemble; p = KEEP probability.
// A network whose n ≤ 16 hidden units are dropped (inputs kept) is 2^n weight-sharing subnetworks,
// one per mask m ∈ {0,1}^n, drawn with P(m) = p^|m| (1−p)^(n−|m|); a_m are the output
// pre-activations (logits) of subnetwork m and s_m = softmax(a_m) its class probabilities:
//   arithmetic mean     AM  = Σ_m P(m) s_m                      (the ensemble, as in bagging)
//   normalized geometric NGM ∝ exp(Σ_m P(m) log s_m) = softmax(Σ_m P(m) a_m)
//   weight scaling      WS  = softmax(a(p·1)): one pass with every dropped unit times p
//   Monte Carlo         MC_k = (1/k) Σ_{i≤k} s_{m_i}, m_i ~ P:  E‖MC_k − AM‖² = tr Σ / k
// If a_m is affine in m (one softmax layer on dropped inputs), Σ_m P(m) a_m = a(p·1), so NGM = WS
// exactly; if the whole network is linear in its masks, the mean output equals WS. With a ReLU
// between two dropped layers neither holds, and the gaps are measured.
// Networks: S = 784-n-10 ReLU, D = 784-(n/2)-(n/2)-10 ReLU, Lin = D with identity activations,
// trained with standard dropout on the hidden units; all 2^n masks enumerated at test points.
// Part (c) trains a narrow and a wide 784-H-10 ReLU network on a Fashion-MNIST subset at several p.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
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
#include "nnlab/nn/layer.hpp"
#include "nnlab/train/recipe.hpp"

namespace nnlab::labs {
namespace {

using experiment::Estimate, experiment::pm;

// Monte Carlo sample sizes k of (b): 1 to 1000, about evenly spaced in log k.
constexpr std::array<int, 10> k_grid = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
// "Equal to rounding" in float64: the sums run over 2^16 terms of size ≤ 1, each rounded at
// u = 1.1e-16, so 1e-12 leaves three orders of magnitude; "detectably nonzero" is 10⁶ × that.
constexpr double exact_tol = 1e-12;
constexpr double nonzero_min = 1e-6;
// Weight scaling is "small" next to the spread of the subnetworks when it is worth at least one
// Monte Carlo sample, k* = tr Σ / ‖WS − AM‖² ≥ 1: closer to the ensemble than a single sampled
// subnetwork is on average (measured 2.3 to 6 on network D at seeds 1..5, see the docs).
constexpr double k_star_min = 1;
// The sheet's keep probability, at which (c) compares dropout with no dropout (p = 1).
constexpr double sheet_p = 0.5;

// The lab's theory or one of its mutants (DropoutEnsemble::mutants()); the enumeration, the
// Monte Carlo draws and the training runs never read it.
struct Theory {
  std::string_view mutant;

  // The factor by which the one-pass prediction multiplies every dropped unit.
  double inference_scale(double p) const {
    if (mutant == "keep-drop") return 1 - p;
    if (mutant == "scale-p-squared") return p * p;
    return p;
  }
  bool normalize_geometric_mean() const { return mutant != "unnormalized-gm"; }
  // Monte Carlo error ‖MC_k − AM‖ ∝ k^exponent, i.e. E‖MC_k − AM‖² = tr Σ · k^(2·exponent).
  double mc_exponent() const { return mutant == "mc-slope-one" ? -1.0 : -0.5; }
  // Sign of test error(p = ½) − test error(p = 1): dropout hurts (+1) or helps (−1).
  int dropout_effect(bool narrow) const {
    if (mutant == "always-helps") return -1;
    return narrow ? +1 : -1;
  }
};

enum Net { single = 0, deep = 1, linear = 2 };
constexpr std::array<std::string_view, 3> net_name = {"S (one ReLU layer)", "D (two ReLU layers)",
                                                      "Lin (two linear layers)"};

// Hidden layer sizes of each network for n hidden units in all.
std::vector<Index> hidden_sizes(Net net, Index n) {
  if (net == single) return {n};
  return {n / 2, n - n / 2};
}

// All 2^n masks as the columns of an n × 2^n matrix: unit j is kept in mask c iff bit j of c is
// set. Rows follow the hidden units layer by layer (z^(2) first).
Mat<double> all_masks(Index n) {
  const Index C = Index(1) << n;
  Mat<double> M(n, C);
  for (Index c = 0; c < C; ++c)
    for (Index j = 0; j < n; ++j) M(j, c) = double((c >> j) & 1);
  return M;
}

// P(m) = p^|m| (1−p)^(n−|m|) for every mask of all_masks(n).
Vec<double> mask_probabilities(Index n, double p) {
  Vec<double> w(Index(1) << n);
  for (Index c = 0; c < w.size(); ++c) {
    const int kept = std::popcount(std::uint64_t(c));
    w(c) = std::pow(p, kept) * std::pow(1 - p, double(n - kept));
  }
  return w;
}

// The logits a_m (K × C) of the network at the input x for the C masks in the columns of M (its
// rows: the hidden units, layer by layer; inputs are kept). A column of M equal to p·1 gives the
// weight-scaled network, a 0/1 column one subnetwork.
Mat<double> masked_logits(const nn::Mlp<double>& net, const Vec<double>& x, const Mat<double>& M) {
  Mat<double> z = net.W(1) * x;  // a^(2), one column: z^(1) = x is never dropped
  z.colwise() += net.b(1);
  Index row = 0;
  for (int k = 2; k <= net.layers(); ++k) {
    Mat<double> h(z.rows(), z.cols());
    nn::activate(net.spec().activations[std::size_t(k - 2)], z, h);  // z^(k) = h(a^(k))
    const auto m = M.middleRows(row, h.rows());
    row += h.rows();
    const Mat<double> dropped = h.cols() == 1 ? Mat<double>(m.array().colwise() * h.col(0).array())
                                              : Mat<double>(m.cwiseProduct(h));
    z = net.W(k) * dropped;  // a^(k+1) = W^(k) (m^(k) ⊙ z^(k)) + b^(k)
    z.colwise() += net.b(k);
  }
  return z;
}

// Column-wise softmax S and log-softmax of logits A, one exp per entry.
void softmax_columns(const Mat<double>& A, Mat<double>& S, Mat<double>& logS) {
  const Eigen::RowVectorXd top = A.colwise().maxCoeff();
  logS = A.rowwise() - top;
  S = logS.array().exp();
  const Eigen::RowVectorXd sum = S.colwise().sum();
  S.array().rowwise() /= sum.array();
  logS.rowwise() -= sum.array().log().matrix();
}

Vec<double> softmax(const Vec<double>& a) {
  Mat<double> S, logS;
  softmax_columns(a, S, logS);
  return S.col(0);
}

// What one test point gives, for one network at one p.
struct PointStats {
  double ngm_ws = 0;                // max_k |NGM_k − WS_k|
  double mean_logit_ws = 0;         // ‖Σ P(m) a_m − a_WS‖∞ / ‖a_WS‖∞
  double am_ws2 = 0;                // ‖AM − WS‖²
  double ngm_am2 = 0;               // ‖NGM − AM‖²
  double trace = 0;                 // tr Σ = E‖s_m‖² − ‖AM‖²
  double engine_gap = 0;            // ‖a(p·1) − engine inference logits‖∞ / ‖·‖∞
  std::array<double, 4> correct{};  // AM, NGM, WS, one random subnetwork: 1 if right
  std::array<double, k_grid.size()> mc{};  // mean over repetitions of ‖MC_k − AM‖² / tr Σ
};

// The ensemble of one network at one test point: all 2^n masks, the weight-scaled pass, and
// (when reps > 0) the Monte Carlo averages of k sampled subnetworks, k ∈ k_grid.
PointStats enumerate(const nn::Mlp<double>& net, const Vec<double>& x, int label, double p,
                     const Mat<double>& masks, const Vec<double>& prob, const Theory& theory,
                     int reps, Rng& rng) {
  const Index n = masks.rows();
  PointStats out;
  const Mat<double> A = masked_logits(net, x, masks);
  Mat<double> S, logS;
  softmax_columns(A, S, logS);
  const Vec<double> am = S * prob;
  const Vec<double> mean_logit = A * prob;
  Vec<double> ngm = (logS * prob).array().exp();
  if (theory.normalize_geometric_mean()) ngm /= ngm.sum();
  const double second = S.colwise().squaredNorm() * prob;
  out.trace = second - am.squaredNorm();

  const Vec<double> a_ws =
      masked_logits(net, x, Mat<double>::Constant(n, 1, theory.inference_scale(p))).col(0);
  const Vec<double> ws = softmax(a_ws);
  out.ngm_ws = (ngm - ws).cwiseAbs().maxCoeff();
  out.mean_logit_ws = (mean_logit - a_ws).cwiseAbs().maxCoeff() / a_ws.cwiseAbs().maxCoeff();
  out.am_ws2 = (am - ws).squaredNorm();
  out.ngm_am2 = (ngm - am).squaredNorm();

  // The engine's inference pass (standard dropout multiplies by p) against the measurement's
  // weight-scaled forward pass at the true p: the enumeration computes the engine's network.
  nn::Cache<double> cache;
  const Mat<double> X = x;
  net.forward(X, cache);
  const Vec<double> a_p = masked_logits(net, x, Mat<double>::Constant(n, 1, p)).col(0);
  out.engine_gap = (a_p - cache.y().col(0)).cwiseAbs().maxCoeff() / a_p.cwiseAbs().maxCoeff();

  const auto argmax = [](const Vec<double>& v) {
    Index i = 0;
    v.maxCoeff(&i);
    return int(i);
  };
  Mat<double> one(n, 1);
  nn::sample_keep_mask<double>(p, 1.0, rng, one);
  out.correct = {double(argmax(am) == label), double(argmax(ngm) == label),
                 double(argmax(ws) == label),
                 double(argmax(masked_logits(net, x, one).col(0)) == label)};

  if (reps > 0) {
    const int total = std::accumulate(k_grid.begin(), k_grid.end(), 0);
    Mat<double> M(n, total), Smc, logSmc;
    for (int r = 0; r < reps; ++r) {
      nn::sample_keep_mask<double>(p, 1.0, rng, M);  // independent masks for every k
      softmax_columns(masked_logits(net, x, M), Smc, logSmc);
      Index offset = 0;
      for (std::size_t i = 0; i < k_grid.size(); ++i) {
        const Index k = k_grid[i];
        const Vec<double> mc = Smc.middleCols(offset, k).rowwise().mean();
        out.mc[i] += (mc - am).squaredNorm() / out.trace / reps;
        offset += k;
      }
    }
  }
  return out;
}

// Training recipe of every network here: Adam on cross-entropy, standard dropout with keep p on
// the hidden units (inputs kept); p = 1 trains without dropout.
train::Recipe recipe_for(std::vector<Index> sizes, nn::Activation h, double p, Index batch,
                         int epochs, double lr, std::uint64_t seed, std::string precision) {
  train::Recipe r;
  r.sizes = std::move(sizes);
  r.activations = {h};
  r.loss = nn::Loss::cross_entropy;
  r.dropout = p < 1 ? nn::DropoutKind::standard : nn::DropoutKind::none;
  r.keep = {p};
  r.optimizer = "adam";
  r.lr = lr;
  r.schedule = "cosine";
  r.batch = batch;
  r.epochs = epochs;
  r.seed = seed;
  r.precision = std::move(precision);
  return r;
}

std::string sci(double v) { return fmt::format("{:.2g}", v); }

class DropoutEnsemble : public Lab {
 public:
  std::string id() const override { return "dropout-ensemble"; }
  std::string sheet() const override { return "9.1.3"; }
  std::string question() const override {
    return "How is dropout with p = ½ related to bagging, is the ensemble feasible, and does "
           "dropout always help?";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        fashion_dir_spec("without it the lab uses two spirals instead"),
        spec("hidden", T::integer,
             "hidden units n of the enumerated networks (all 2^n masks; two-layer nets split n in "
             "halves)",
             "16", "12", 2, 16),
        spec("p_list", T::real_list,
             "keep probabilities of the enumerated networks, the first for (b); one ≠ ½ separates "
             "keep from drop",
             "0.5,0.8", "", 0.05, 0.95),
        spec("ens_train", T::integer, "training images of the enumerated networks", "3000", "1500",
             100, 60000),
        spec("ens_epochs", T::integer, "epochs of the enumerated networks", "10", "6", 1, 1000),
        spec("ens_lr", T::real, "Adam step size of the enumerated networks (cosine schedule)",
             "0.003", "", 1e-6, 1),
        spec("points", T::integer, "test images at which all masks are enumerated", "200", "40", 4,
             10000),
        spec("mc_reps", T::integer, "independent Monte Carlo sweeps k = 1…1000 per test image", "8",
             "4", 1, 1000),
        spec("narrow", T::integer, "hidden units of the narrow network of (c)", "4", "", 1, 64),
        spec("wide", T::integer, "hidden units of the wide network of (c)", "256", "128", 16, 4096),
        spec("help_p", T::real_list, "keep probabilities of (c); must hold 0.5 and 1",
             "0.2,0.35,0.5,0.7,1", "0.5,1", 0.05, 1),
        spec("help_train", T::integer, "training images of (c)", "500", "", 100, 60000),
        spec("help_test", T::integer, "test images of (c)", "5000", "2000", 100, 10000),
        spec("help_epochs", T::integer, "epochs of (c)", "40", "", 1, 1000),
        spec("help_lr", T::real, "Adam step size of (c) (cosine schedule)", "0.003", "", 1e-6, 1),
        spec("help_trials", T::integer, "training subsets and initializations of the wide network",
             "10", "6", 2, 1000),
        spec("narrow_trials", T::integer,
             "training subsets and initializations of the narrow network (the first help_trials "
             "are the wide network's)",
             "32", "24", 2, 1000),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {{"keep-drop", "weight scaling multiplies by 1 − p (p read as the drop probability)", {"a"}},
            {"scale-p-squared", "weight scaling multiplies by p²", {"a"}},
            {"unnormalized-gm", "the geometric mean of the subnetworks is not renormalized", {"a"}},
            {"mc-slope-one", "Monte Carlo error falls like 1/k (slope −1 on log-log axes)", {"b"}},
            {"always-helps", "dropout with p = ½ lowers the test error at every width", {"c"}}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    const std::vector<double> help_p = params.real_list("help_p");
    for (double p : {sheet_p, 1.0})
      require(std::find(help_p.begin(), help_p.end(), p) != help_p.end(),
              "dropout-ensemble: help_p = {} must contain {} (part (c) compares p = {} with no "
              "dropout)",
              fmt::join(help_p, ","), p, sheet_p);
    Result result;
    const bool real = params.available("fashion_dir");
    const data::Split<float> none;
    const data::Split<float>& fashion = real ? shared_fashion_mnist(params.path("fashion_dir")) : none;
    context.report(0.05, "training the enumerated networks");

    // (b) averages the networks (a) enumerates: both need them.
    const bool run_a = runs_part(*this, context, "a"), run_b = runs_part(*this, context, "b");
    auto since = result.mark();
    Ensemble e;
    if (run_a || run_b)
      e = ensemble(params, context, theory, fashion, real, result);
    else
      e.answer = skipped_part(*this, context);
    result.assign("a", since);
    since = result.mark();
    const std::string feasible = part_answer(*this, context, "b", [&] { return monte_carlo(params, e, theory, result); });
    result.assign("b", since);
    since = result.mark();
    context.report(0.6, "narrow and wide networks at several p");
    const std::string helps =
        part_answer(*this, context, "c", [&] { return dropout_helps(params, context, theory, fashion, real, result); });
    result.assign("c", since);
    context.report(1.0, "done");

    result.notation = {
        {"p", "KEEP probability of a hidden unit (PyTorch's Dropout takes $1-p$)", ""},
        {"n", "number of dropped (hidden) units; $2^n$ subnetworks", ""},
        {"m", "a dropout mask in $\\{0,1\\}^n$, $P(m) = p^{|m|}(1-p)^{n-|m|}$", ""},
        {"a_m", "output pre-activations (logits) of subnetwork $m$ at a test input", ""},
        {"s_m", "$\\operatorname{softmax}(a_m)$, the class probabilities of subnetwork $m$", ""},
        {"\\text{AM}", "arithmetic mean $\\sum_m P(m)\\,s_m$ (the ensemble average)", ""},
        {"\\text{NGM}", "normalized geometric mean of the $s_m$, weights $P(m)$", ""},
        {"\\text{WS}", "weight scaling: one pass with every hidden unit times $p$", ""},
        {"\\text{MC}_k", "mean of $s_m$ over $k$ sampled masks", ""},
        {"\\operatorname{tr}\\Sigma",
         "$\\mathbb{E}\\|s_m - \\text{AM}\\|^2$, the spread of the subnetworks", ""},
        {"k^*",
         "$\\operatorname{tr}\\Sigma / \\|\\text{WS} - \\text{AM}\\|^2$: Monte Carlo samples WS is "
         "worth",
         ""},
    };
    const std::string data_name = real ? "Fashion-MNIST" : "two spirals (Fashion-MNIST absent)";
    result.parts =
        {
            {"a",
             "What is the relation between bagging and dropout with keep probability ½ on every "
             "hidden layer?",
             e.answer,
             R"(A network with $n$ dropped units defines $2^n$ subnetworks, one per mask $m$; all share the weights. Each training step samples one $m$ and takes a gradient step of that subnetwork on one minibatch — like bagging, each member sees a different random part of the data, but the members are not independent models: they share every parameter. The ensemble's prediction is the average over masks, $\text{AM} = \sum_m P(m)\, s_m$, at $p = \frac{1}{2}$ the plain mean of $2^n$ networks.

Weight scaling replaces that sum by one pass. For one softmax layer on dropped inputs $z$, $a_m = W(m \odot z) + b$ is affine in $m$, so with weights $P(m)$

$$\log \text{NGM} = \sum_m P(m) \log s_m - \text{const} = \sum_m P(m)\, a_m - \text{const}' = W(p z) + b - \text{const}',$$

since $\sum_m P(m)\, m = p\mathbf{1}$; the constants do not depend on the class and vanish when normalizing: $\text{NGM} = \operatorname{softmax}(pWz + b) = \text{WS}$ exactly. If the network's output $y_m$ is linear in every mask (linear hidden layers, independent masks), $\mathbb{E}[y_m] = y(p\mathbf{1})$ by linearity of expectation: WS is the arithmetic mean. With a nonlinearity between dropped layers neither identity holds; then WS approximates both means.)"},
            {"b", "Is it feasible to average the ensemble?", feasible,
             R"(The exact mean costs $2^n$ forward passes: 65536 for 16 units, $2^{3072}$ for the dropout paper's $3 \times 1024$ network. Monte Carlo averages $k$ sampled subnetworks; for independent masks

$$\mathbb{E}\|\text{MC}_k - \text{AM}\|^2 = \frac{1}{k}\,\mathbb{E}\|s_m - \text{AM}\|^2 = \frac{\operatorname{tr}\Sigma}{k},$$

so its root-mean-square error falls like $k^{-1/2}$: a slope of $-\frac{1}{2}$ on log-log axes. Weight scaling costs one pass and has a fixed error $\|\text{WS} - \text{AM}\|$; Monte Carlo beats it only beyond $k^* = \operatorname{tr}\Sigma / \|\text{WS} - \text{AM}\|^2$ passes.)"},
            {"c", "Does dropout always help, in terms of bias and variance?", real ? fmt::format("No: {}.", helps) : helps, R"(Dropout trains each subnetwork with about $pn$ of the $n$ units and averages them, which lowers the variance of the prediction (the average of many differently fitted members) and adds bias (each member is a smaller network, and the shared weights must serve all of them). When the network is large for the data, the variance term dominates and dropout lowers the test error; when it is small, the network already underfits, the bias added by training subnetworks of $pn$ units dominates, and dropout raises the test error. The measurement compares test and training error at $p = \frac{1}{2}$ and $p = 1$ (no dropout), paired over training sets and initializations.)"},
        };
    result.answer = fmt::format(
        "Dropout with $p = \\frac{{1}}{{2}}$ trains an ensemble of $2^n$ subnetworks that share "
        "their weights, each step one member on one minibatch: bagging with shared parameters "
        "(a). On {}: for one softmax layer the normalized geometric mean of all $2^n$ members is "
        "the weight-scaled network to {} (claim 1), for a linear network the arithmetic mean is "
        "(claim 2), and with ReLUs between two dropped layers weight scaling misses the exact "
        "ensemble by {} in probability, which a Monte Carlo average matches only with $k^* = "
        "{:.3g}$ sampled subnetworks (a, b). The exact average costs $2^n$ passes and Monte "
        "Carlo's "
        "error falls only like $k^{{-1/2}}$ (b), so weight scaling is what makes the ensemble "
        "feasible. Dropout does not always help: {} (c).",
        data_name, sci(e.ngm_ws_worst), sci(e.deep_gap), e.k_star, helps);
    return result;
  }

 private:
  struct Ensemble {
    std::string answer;
    double ngm_ws_worst = 0, deep_gap = 0, k_star = 0;
    double p = 0.5;  // the p of (b)
    Index n = 0, points = 0;
    int reps = 0;
    std::vector<PointStats> deep;  // network D at p, one entry per test point
  };

  // Training and test sets of (a) and (b): Fashion-MNIST subsets, or two spirals without it.
  static data::Split<double> ensemble_data(const Params& params, const data::Split<float>& fashion,
                                           bool real, Rng& rng) {
    const Index n_train = params.integer("ens_train"), points = params.integer("points");
    if (real)
      return {data::random_subset(fashion.train, n_train, rng).cast<double>(),
              data::random_subset(fashion.test, points, rng).cast<double>()};
    return {data::spirals<double>(n_train, 1.5, 0.1, rng),
            data::spirals<double>(points, 1.5, 0.1, rng)};
  }

  // (a) Train S, D and Lin at every p, enumerate all masks at the test points.
  static Ensemble ensemble(const Params& params, const Context& context, const Theory& theory,
                           const data::Split<float>& fashion, bool real, Result& result) {
    const Index n = params.integer("hidden");
    const std::vector<double> p_list = params.real_list("p_list");
    Rng rng = context.rng("ensemble-data");
    const data::Split<double> split = ensemble_data(params, fashion, real, rng);
    const Index inputs = split.train.inputs(), classes = split.train.outputs();
    const int epochs = int(params.integer("ens_epochs"));
    const std::size_t cells = p_list.size() * 3;
    const auto spec_of = [&](std::size_t cell) {
      const Net net = Net(cell % 3);
      std::vector<Index> sizes{inputs};
      for (Index h : hidden_sizes(net, n)) sizes.push_back(h);
      sizes.push_back(classes);
      return recipe_for(sizes, net == linear ? nn::Activation::identity : nn::Activation::relu,
                        p_list[cell / 3], 32, epochs, params.real("ens_lr"), 0, "double");
    };
    const auto thetas = context.sweep<std::vector<double>>(
        "ensemble-train", cells, 1, [&](std::size_t cell, std::size_t, Rng& trial_rng) {
          train::Recipe recipe = spec_of(cell);
          recipe.seed = trial_rng();
          nn::Mlp<double> net = train::make_network(recipe, split.train);
          const auto trained = train::train(recipe, net, split.train, nullptr, context.pool());
          require(!trained.diverged(), "dropout-ensemble: training {} at p = {} diverged: {}",
                  net_name[cell % 3], p_list[cell / 3], trained.message);
          return std::vector<double>(net.theta().data(), net.theta().data() + net.theta().size());
        });

    const Mat<double> masks = all_masks(n);
    std::vector<Vec<double>> prob;
    for (double p : p_list) prob.push_back(mask_probabilities(n, p));
    const Index points = split.test.size();
    const int reps = int(params.integer("mc_reps"));
    const auto stats = context.sweep<PointStats>(
        "ensemble-points", cells, std::size_t(points),
        [&](std::size_t cell, std::size_t t, Rng& trial_rng) {
          const double p = p_list[cell / 3];
          nn::Mlp<double> net(spec_of(cell).spec_for(split.train));
          net.theta() =
              Eigen::Map<const Vec<double>>(thetas[cell].data(), Index(thetas[cell].size()));
          const bool mc = cell % 3 == deep && cell / 3 == 0;
          return enumerate(net, split.test.X.col(Index(t)), split.test.labels[t], p, masks,
                           prob[cell / 3], theory, mc ? reps : 0, trial_rng);
        });

    // Per (p, network): worst exact gaps, mean squared gaps, accuracies.
    Ensemble e;
    e.p = p_list.front(), e.n = n, e.points = points, e.reps = reps;
    e.deep.assign(stats.begin() + deep * points, stats.begin() + (deep + 1) * points);
    Table table{"ensemble",
                "Exact ensemble over all $2^n$ masks vs weight scaling, per network and $p$",
                {"$p$", "network", "$\\max|\\text{NGM} - \\text{WS}|$",
                 "$\\max\\|\\bar a - a_{\\text{WS}}\\|_\\infty$ (rel.)",
                 "$\\text{rms}\\|\\text{AM} - \\text{WS}\\|$",
                 "$\\text{rms}\\|\\text{NGM} - \\text{AM}\\|$", "$\\operatorname{tr}\\Sigma$",
                 "$k^*$", "accuracy AM / NGM / WS / one subnet"},
                {},
                ""};
    double ngm_ws_single = 0, linear_gap = 0, engine_gap = 0;
    double deep_nonzero = std::numeric_limits<double>::infinity(),
           deep_logit_nonzero = deep_nonzero;
    double k_star_min_seen = deep_nonzero, deep_accuracy = 0;
    std::vector<std::string> k_star_text;
    for (std::size_t cell = 0; cell < cells; ++cell) {
      const double p = p_list[cell / 3];
      const Net net = Net(cell % 3);
      double ngm_ws = 0, logit = 0, am_ws2 = 0, ngm_am2 = 0, trace = 0;
      std::array<double, 4> accuracy{};
      for (Index t = 0; t < points; ++t) {
        const PointStats& s = stats[cell * std::size_t(points) + std::size_t(t)];
        ngm_ws = std::max(ngm_ws, s.ngm_ws), logit = std::max(logit, s.mean_logit_ws);
        am_ws2 += s.am_ws2 / double(points), ngm_am2 += s.ngm_am2 / double(points);
        trace += s.trace / double(points);
        engine_gap = std::max(engine_gap, s.engine_gap);
        for (std::size_t i = 0; i < 4; ++i) accuracy[i] += s.correct[i] / double(points);
      }
      const double k_star = trace / am_ws2;
      table.rows.push_back({p, std::string(net_name[net]), ngm_ws, logit, std::sqrt(am_ws2),
                            std::sqrt(ngm_am2), trace, k_star,
                            fmt::format("{:.3f} / {:.3f} / {:.3f} / {:.3f}", accuracy[0],
                                        accuracy[1], accuracy[2], accuracy[3])});
      if (net == single) ngm_ws_single = std::max(ngm_ws_single, ngm_ws);
      if (net == linear) linear_gap = std::max(linear_gap, logit);
      if (net == deep) {
        deep_nonzero = std::min(deep_nonzero, std::sqrt(am_ws2));
        deep_logit_nonzero = std::min(deep_logit_nonzero, logit);
        k_star_min_seen = std::min(k_star_min_seen, k_star);
        k_star_text.push_back(fmt::format("{:.3g} at $p = {}$", k_star, p));
        if (cell / 3 == 0)
          e.deep_gap = std::sqrt(am_ws2), e.k_star = k_star, deep_accuracy = accuracy[2];
      }
    }
    table.caption = fmt::format(
        "For S the normalized geometric mean is the weight-scaled network to {} at every $p$; "
        "for Lin the mean logits are the weight-scaled logits to {}; for D both gaps are "
        "nonzero (rms $\\|\\text{{AM}} - \\text{{WS}}\\|$ at least {}) and small next to the "
        "spread $\\operatorname{{tr}}\\Sigma$ of the subnetworks. Each row: {} test images, "
        "$n = {}$ hidden units, $2^{{{}}}$ = {} masks each; accuracies against the true labels. "
        "Networks this small underfit under strong dropout: D at $p = {}$ classifies {:.0f}% of "
        "the test images right with weight scaling, the effect part (c) measures.",
        sci(ngm_ws_single), sci(linear_gap), sci(deep_nonzero), points, n, n, Index(1) << n,
        p_list.front(), 100 * deep_accuracy);
    result.tables.push_back(std::move(table));

    const std::string p_set = fmt::format("{}", fmt::join(p_list, ", "));
    result.claims.push_back(experiment::at_most(
        "for one softmax layer on dropped inputs, the normalized geometric mean over all masks is "
        "the weight-scaled network: $\\text{NGM} = \\operatorname{softmax}(pWz + b)$",
        fmt::format("network S ({} ReLU units): largest $|\\text{{NGM}}_k - \\text{{WS}}_k|$ over "
                    "{} test images, {} classes, $p \\in \\{{{}\\}}$",
                    n, points, classes, p_set),
        ngm_ws_single, exact_tol));
    result.claims.push_back(experiment::at_most(
        "for a network linear in its masks, the mean output over all masks is the weight-scaled "
        "output",
        fmt::format("network Lin (identity activations, two dropped layers): largest "
                    "$\\|\\sum_m P(m) a_m - a_{{\\text{{WS}}}}\\|_\\infty / "
                    "\\|a_{{\\text{{WS}}}}\\|_\\infty$, $p \\in \\{{{}\\}}$",
                    p_set),
        linear_gap, exact_tol));
    result.claims.push_back(experiment::at_least(
        "with a ReLU between two dropped layers, weight scaling is not the ensemble mean: the "
        "gap is detectably nonzero",
        fmt::format("network D: rms $\\|\\text{{AM}} - \\text{{WS}}\\|$ over the test images, "
                    "smallest over $p \\in \\{{{}\\}}$ (rounding: $10^{{-15}}$)",
                    p_set),
        deep_nonzero, nonzero_min));
    result.claims.push_back(experiment::at_least(
        "... and so are the mean logits: $\\sum_m P(m) a_m \\ne a_{\\text{WS}}$ (the ReLU is "
        "not linear)",
        fmt::format("network D: largest relative $\\|\\bar a - a_{{\\text{{WS}}}}\\|_\\infty$, "
                    "smallest over $p$"),
        deep_logit_nonzero, nonzero_min));
    result.claims.push_back(experiment::at_least(
        "... but small: weight scaling is closer to the ensemble than a sampled subnetwork is: "
        "$\\|\\text{WS} - \\text{AM}\\|^2 \\le \\operatorname{tr}\\Sigma$",
        fmt::format("network D: $k^* = \\operatorname{{tr}}\\Sigma / \\|\\text{{WS}} - "
                    "\\text{{AM}}\\|^2$ (means over test images), smallest over $p$"),
        k_star_min_seen, k_star_min));
    result.claims.push_back(experiment::at_most(
        "the enumeration's forward pass with every hidden unit times $p$ is the engine's "
        "standard-dropout inference network",
        "largest relative gap between the two logit vectors, every network, $p$ and test image",
        engine_gap, exact_tol));

    e.ngm_ws_worst = ngm_ws_single;
    e.answer = fmt::format(
        "Dropout trains a bag of $2^n$ subnetworks that share their weights: each step samples a "
        "mask $m$ and trains subnetwork $m$ on one minibatch. At test time the ensemble average "
        "is replaced by one weight-scaled pass. Enumerating all {} masks of networks with $n = "
        "{}$ hidden units trained on {} at $p \\in \\{{{}\\}}$: for one softmax layer (S) the "
        "normalized geometric mean is weight scaling to {} (claim 1); for a network linear in "
        "its masks (Lin) the mean output is, to {} (claim 2); with a ReLU between two dropped "
        "layers (D) weight scaling is off by rms {} from the arithmetic mean, nonzero (claims 3, "
        "4) but worth $k^*$ = {} Monte Carlo samples (claim 5).",
        Index(1) << n, n, real ? "Fashion-MNIST" : "two spirals", p_set, sci(ngm_ws_single),
        sci(linear_gap), sci(e.deep_gap), fmt::join(k_star_text, ", "));
    return e;
  }

  // (b) Monte Carlo error against the exact mean, network D at the first p.
  static std::string monte_carlo(const Params&, const Ensemble& e, const Theory& theory,
                                 Result& result) {
    const std::size_t K = k_grid.size();
    std::vector<double> ks, rms, err, ratio_terms;
    Vec<double> ratios(e.points);
    double trace = 0, am_ws2 = 0, ngm_am2 = 0;
    for (const PointStats& s : e.deep) {
      trace += s.trace / double(e.points), am_ws2 += s.am_ws2 / double(e.points);
      ngm_am2 += s.ngm_am2 / double(e.points);
    }
    Line mc{"Monte Carlo, k sampled subnetworks", {}, {}, {}, "points"};
    Line law{"theory √(tr Σ / k)", {}, {}, {}, "lines"};
    for (std::size_t i = 0; i < K; ++i) {
      // Mean over test images of ‖MC_k − AM‖²/tr Σ_t, then the rms in units of √(mean tr Σ).
      Vec<double> terms(e.points);
      for (Index t = 0; t < e.points; ++t) terms(t) = e.deep[std::size_t(t)].mc[i];
      const Estimate m = experiment::mean_estimate(terms);
      const double k = k_grid[i];
      ks.push_back(k), rms.push_back(std::sqrt(m.value * trace));
      mc.x.push_back(k), mc.y.push_back(rms.back());
      mc.err.push_back(0.5 * m.se / m.value * rms.back());
      law.x.push_back(k), law.y.push_back(std::sqrt(trace / k));
    }
    for (Index t = 0; t < e.points; ++t) {
      double r = 0;
      for (std::size_t i = 0; i < K; ++i)
        r += e.deep[std::size_t(t)].mc[i] / std::pow(double(k_grid[i]), 2 * theory.mc_exponent()) /
             double(K);
      ratios(t) = r;
    }
    const experiment::LineFit fit = experiment::fit_log_log(ks, rms);
    const double half = 4 * fit.slope.se;
    result.claims.push_back(experiment::slope_in(
        "Monte Carlo dropout's error falls like $k^{-1/2}$",
        fmt::format("slope of $\\log$ rms $\\|\\text{{MC}}_k - \\text{{AM}}\\|$ on $\\log k$, "
                    "$k = 1 \\ldots {}$, network D at $p = {}$, {} test images × {} sweeps; "
                    "allowed: theory ± 4 SE of the fit",
                    k_grid.back(), e.p, e.points, e.reps),
        fit, theory.mc_exponent() - half, theory.mc_exponent() + half));
    result.claims.push_back(experiment::within_se(
        "and exactly: $\\mathbb{E}\\|\\text{MC}_k - \\text{AM}\\|^2 = \\operatorname{tr}\\Sigma / "
        "k$ "
        "with $\\operatorname{tr}\\Sigma$ from the enumeration",
        fmt::format("mean over test images of $\\|\\text{{MC}}_k - \\text{{AM}}\\|^2$ divided by "
                    "the theory's $\\operatorname{{tr}}\\Sigma\\,k^{{{}}}$, averaged over the {} "
                    "values of $k$",
                    2 * theory.mc_exponent(), K),
        experiment::mean_estimate(ratios), 1, 4));

    Figure figure{
        .id = "monte-carlo",
        .title = "Monte Carlo dropout vs weight scaling: distance to the exact ensemble mean",
        .x_label = "sampled subnetworks k",
        .y_label = "rms distance to the arithmetic mean",
        .log_x = true,
        .log_y = true};
    const double ws = std::sqrt(am_ws2), ngm = std::sqrt(ngm_am2);
    figure.lines = {
        mc,
        law,
        {"weight scaling (one pass)", {1, double(k_grid.back())}, {ws, ws}, {}, "lines"},
        {"normalized geometric mean", {1, double(k_grid.back())}, {ngm, ngm}, {}, "lines"}};
    figure.caption = fmt::format(
        "The Monte Carlo error falls along $\\sqrt{{\\operatorname{{tr}}\\Sigma/k}}$ (fitted slope "
        "{}, claim 7) and crosses weight scaling's fixed error {} at $k^* = {:.3g}$. "
        "Network D ($n = {}$) at $p = {}$, rms over {} test images of the class-probability "
        "vectors; error bars ± SE.",
        pm(fit.slope), sci(ws), e.k_star, e.n, e.p, e.points);
    result.figures.push_back(std::move(figure));

    return fmt::format(
        "Exactly only for tiny networks: the exact average needs $2^n$ forward passes ({} here, "
        "$2^{{3072}}$ for the dropout paper's $3 \\times 1024$ network). A Monte Carlo average of "
        "$k$ sampled "
        "subnetworks has rms error $\\sqrt{{\\operatorname{{tr}}\\Sigma/k}}$, slope {} on log-log "
        "axes (claims 7, 8); weight scaling costs one pass and is as close to the exact "
        "mean as $k^* = {:.3g}$ sampled subnetworks (rms {} vs {} for one subnetwork). The "
        "dropout paper found $k \\approx 50$ for its networks.",
        Index(1) << e.n, pm(fit.slope), e.k_star, sci(ws), sci(std::sqrt(trace)));
  }

  // (c) Test error vs p for a narrow and a wide network on a Fashion-MNIST subset.
  static std::string dropout_helps(const Params& params, const Context& context,
                                   const Theory& theory, const data::Split<float>& fashion,
                                   bool real, Result& result) {
    if (!real) {
      const std::string note = fmt::format(
          "Fashion-MNIST ({}) is absent (Debian package dataset-fashion-mnist), so the "
          "narrow-vs-wide comparison was skipped.",
          params.path("fashion_dir"));
      result.tables.push_back({"helps", "Does dropout help? (skipped)", {"note"}, {{note}}, ""});
      return note;
    }
    std::vector<double> p_grid = params.real_list("help_p");
    std::sort(p_grid.begin(), p_grid.end());
    p_grid.erase(std::unique(p_grid.begin(), p_grid.end()), p_grid.end());
    const auto at = [&](double p) {  // run() checked that p_grid holds ½ and 1
      return std::size_t(std::find(p_grid.begin(), p_grid.end(), p) - p_grid.begin());
    };
    const std::size_t i_half = at(sheet_p), i_one = at(1.0);
    const std::array<Index, 2> widths = {params.integer("narrow"), params.integer("wide")};
    // The narrow network is cheap and its result varies more between training sets (which few
    // units it ends up with), so it gets more of them.
    const std::array<std::size_t, 2> trials = {std::size_t(params.integer("narrow_trials")),
                                               std::size_t(params.integer("help_trials"))};
    const int epochs = int(params.integer("help_epochs"));
    // Trial t of every (width, p) trains on the same subset from the same initialization seed, so
    // differences between p are paired.
    Rng rng = context.rng("helps-data");
    const data::Dataset<float> test = data::random_subset(fashion.test, params.integer("help_test"), rng);
    const Index n_train = params.integer("help_train");
    require(n_train <= fashion.train.size(),
            "dropout-ensemble: help_train = {} exceeds the {} "
            "training images",
            n_train, fashion.train.size());
    std::vector<std::vector<Index>> subsets;
    std::vector<std::uint64_t> seeds;
    std::vector<Index> order(std::size_t(fashion.train.size()));
    for (std::size_t t = 0; t < std::max(trials[0], trials[1]); ++t) {
      std::iota(order.begin(), order.end(), Index(0));
      shuffle(order, rng);
      subsets.emplace_back(order.begin(), order.begin() + n_train);
      seeds.push_back(rng());
    }
    const std::size_t P = p_grid.size();
    enum Measure { test_error = 0, train_error = 1, test_loss = 2 };
    std::array<std::vector<std::array<double, 3>>, 2> runs;
    for (std::size_t w = 0; w < 2; ++w)
      runs[w] = context.sweep<std::array<double, 3>>(
          w == 0 ? "helps-narrow" : "helps-wide", P, trials[w],
          [&](std::size_t i, std::size_t t, Rng&) {
            const double p = p_grid[i];
            const data::Dataset<float> train_set = data::subset(fashion.train, subsets[t]);
            train::Recipe recipe = recipe_for({train_set.inputs(), widths[w], train_set.outputs()},
                                              nn::Activation::tanh, p, 32, epochs,
                                              params.real("help_lr"), seeds[t], "float");
            nn::Mlp<float> net = train::make_network(recipe, train_set);
            const auto trained = train::train(recipe, net, train_set, nullptr, context.pool());
            require(!trained.diverged(),
                    "dropout-ensemble: training width {} at p = {} diverged: {}", widths[w], p,
                    trained.message);
            return std::array<double, 3>{
                1 - net.accuracy(test.X, test.labels, 1000, context.pool()),
                1 - net.accuracy(train_set.X, train_set.labels, 1000, context.pool()),
                net.dataset_loss(test.X, test.Y, 1000, context.pool())};
          });
    const auto column = [&](std::size_t w, std::size_t i, Measure which) {
      Vec<double> v = Vec<double>::Zero(Index(trials[w]));
      for (std::size_t t = 0; t < trials[w]; ++t) v(Index(t)) = runs[w][i * trials[w] + t][which];
      return v;
    };
    // Paired change from p = 1 (no dropout) to p = ½.
    const auto change = [&](std::size_t w, Measure which) {
      return experiment::paired_difference(column(w, i_half, which), column(w, i_one, which));
    };

    Figure figure{.id = "helps",
                  .title = "Test error vs keep probability: a narrow and a wide network",
                  .x_label = "keep probability p (1 = no dropout)",
                  .y_label = "test error",
                  .log_x = false,
                  .log_y = false};
    Table table{
        "helps",
        "Test error, training error and test cross-entropy vs $p$ (mean ± SE over training sets)",
        {"hidden units", "$p$", "test error", "training error", "test − training error",
         "test cross-entropy"},
        {},
        ""};
    Figure loss_figure{
        .id = "helps-loss",
        .title = "Test cross-entropy vs keep probability: a narrow and a wide network",
        .x_label = "keep probability p (1 = no dropout)",
        .y_label = "test cross-entropy (nats)",
        .log_x = false,
        .log_y = false};
    for (std::size_t w = 0; w < 2; ++w) {
      Line line{fmt::format("{} hidden units", widths[w]), {}, {}, {}, "linespoints"};
      Line loss_line = line;
      for (std::size_t i = 0; i < P; ++i) {
        const Estimate test = experiment::mean_estimate(column(w, i, test_error));
        const Estimate train = experiment::mean_estimate(column(w, i, train_error));
        const Estimate loss = experiment::mean_estimate(column(w, i, test_loss));
        line.x.push_back(p_grid[i]), line.y.push_back(test.value), line.err.push_back(test.se);
        loss_line.x.push_back(p_grid[i]), loss_line.y.push_back(loss.value);
        loss_line.err.push_back(loss.se);
        table.rows.push_back({double(widths[w]), p_grid[i], pm(test), pm(train),
                              test.value - train.value, pm(loss)});
      }
      figure.lines.push_back(std::move(line));
      loss_figure.lines.push_back(std::move(loss_line));
    }
    const Estimate narrow_test = change(0, test_error), narrow_train = change(0, train_error);
    const Estimate wide_test = change(1, test_error), wide_loss = change(1, test_loss);
    const Estimate wide_gap = experiment::paired_difference(
        column(1, i_half, test_error) - column(1, i_half, train_error),
        column(1, i_one, test_error) - column(1, i_one, train_error));
    // The theory's direction: +1 = dropout raises the quantity, −1 = lowers it.
    const auto directed = [&](std::string statement, std::string what, std::size_t w,
                              const Estimate& e, int sign) {
      result.claims.push_back(experiment::exceeds(
          std::move(statement),
          fmt::format("{} at $p = \\frac{{1}}{{2}}$ minus at $p = 1$, paired over {} training sets "
                      "and initializations, times {:+d} (the claimed direction)",
                      what, trials[w], sign),
          Estimate{sign * e.value, e.se}, 0, 4));
    };
    const int narrow_sign = theory.dropout_effect(true), wide_sign = theory.dropout_effect(false);
    directed(
        fmt::format("dropout with $p = \\frac{{1}}{{2}}$ {} the test error of the narrow network "
                    "({} hidden units)",
                    narrow_sign > 0 ? "raises" : "lowers", widths[0]),
        "test error", 0, narrow_test, narrow_sign);
    directed(fmt::format("... because it adds bias: the narrow network's training error {} too",
                         narrow_sign > 0 ? "rises" : "falls"),
             "training error", 0, narrow_train, narrow_sign);
    directed(
        fmt::format("dropout with $p = \\frac{{1}}{{2}}$ {} the test cross-entropy of the wide "
                    "network ({} hidden units)",
                    wide_sign > 0 ? "raises" : "lowers", widths[1]),
        "test cross-entropy", 1, wide_loss, wide_sign);
    directed(
        "... because it removes variance: the wide network's gap between test and training "
        "error shrinks",
        "test minus training error", 1, wide_gap, -1);

    figure.caption = fmt::format(
        "At $p = \\frac{{1}}{{2}}$ the narrow network's test error changes by {} against no "
        "dropout and the wide network's by {} (paired differences ± SE). Tanh networks "
        "784-$H$-10, {} training images, {} test images, {} epochs of Adam, mean ± SE over {} "
        "(narrow) and {} (wide) training sets and initializations.",
        pm(narrow_test), pm(wide_test), n_train, test.size(), epochs, trials[0], trials[1]);
    table.caption = fmt::format(
        "Bias and variance at $p = \\frac{{1}}{{2}}$ against $p = 1$: the narrow network's "
        "training error changes by {} (bias); the wide network's test-minus-training gap by {} "
        "(variance) and its test cross-entropy by {}.",
        pm(narrow_train), pm(wide_gap), pm(wide_loss));
    loss_figure.caption = fmt::format(
        "Dropout's two effects on one scale: at $p = \\frac{{1}}{{2}}$ the test cross-entropy "
        "changes by {} for the narrow network and by {} for the wide one against no dropout "
        "(paired differences ± SE; claim 11). The runs of the test-error figure, mean ± SE over "
        "training sets.",
        pm(change(0, test_loss)), pm(wide_loss));
    result.figures.push_back(std::move(figure));
    result.figures.push_back(std::move(loss_figure));
    result.tables.push_back(std::move(table));
    return fmt::format(
        "on Fashion-MNIST ({} training images), dropout with $p = \\frac{{1}}{{2}}$ changes the "
        "test error of a {}-unit network by {} and its training error by {}: it adds bias to a "
        "network that already underfits (claims 9, 10). For a {}-unit network it changes "
        "the gap between test and training error by {} and the test cross-entropy by {} (claims "
        "11, 12): less variance; its classification error changes by {} at this training budget",
        params.integer("help_train"), widths[0], pm(narrow_test), pm(narrow_train), widths[1],
        pm(wide_gap), pm(wide_loss), pm(wide_test));
  }
};

}  // namespace

NNLAB_REGISTER_LAB(DropoutEnsemble);

}  // namespace nnlab::labs
