// Lab bagging-nn (sheet 9.1.2): is bagging neural networks a good idea, and is it feasible?
// An ensemble averages m members f_1 … f_m trained on one training set D. Members that differ
// only in their own randomness (initialization seed; for bagging also a bootstrap resample of D)
// are exchangeable given D: each has the same variance σ² over training sets (and seeds), every
// two the same covariance ρσ². Then, at every test point,
//   E[f̄_m] = E[f_1]                          bias² of the ensemble = bias² of one member,
//   Var[f̄_m] = ρσ² + (1 − ρ)σ²/m             falls toward ρσ², not toward 0,
// and the bootstrap (each member sees ≈ 63% of D) raises σ² and lowers ρ. Measured on a noisy
// 1-D regression y = sin x + ε with the truth known, over many training sets, for a plain
// ensemble (seeds, all data) and a bagged one (bootstrap resamples); and on a Fashion-MNIST
// subset: accuracy, negative log-likelihood and the cost, which grows like m.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/analysis/bias_variance.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/data/transform.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/nn/loss.hpp"
#include "nnlab/nn/mlp.hpp"
#include "nnlab/optim/adam.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/train/objective.hpp"
#include "nnlab/train/recipe.hpp"

namespace nnlab::labs {
namespace {

using analysis::BiasVariance, analysis::MemberSpread;
using experiment::Estimate, experiment::Member, experiment::pm;
using Clock = std::chrono::steady_clock;

// The lab's theory of an average of m exchangeable members, or one of its mutants
// (BaggingNn::mutants()); the training runs and their statistics never read it.
struct Theory {
  std::string_view mutant;

  // Var of the mean of m members from one member's variance σ² and two members' covariance ρσ².
  double ensemble_variance(double sigma2, double covariance, double m) const {
    if (mutant == "independent-members") return sigma2 / m;
    if (mutant == "no-averaging-term") return covariance;
    if (mutant == "inverse-m-squared") return sigma2 / (m * m);
    return covariance + (sigma2 - covariance) / m;
  }
  // bias² of the mean of m members from one member's bias².
  double ensemble_bias2(double member_bias2, double m) const {
    if (mutant == "bias-averages-away") return member_bias2 / m;
    return member_bias2;
  }
};

// The two ensembles of the regression part: plain (seeds, all data) and bagged (bootstrap).
constexpr std::array<std::string_view, 2> schemes{"plain ensemble", "bagged ensemble"};
// Training sets drawn in the fitted-function figures.
constexpr Index shown_sets = 5;

// One member: a 1-H-1 tanh network, full-batch Adam for `steps` steps from its seed's
// initialization; its predictions at X0 (1 × K).
Vec<double> fit_member(const data::Dataset<double>& set, const Mat<double>& X0, Index hidden,
                       Index steps, double lr, std::uint64_t seed) {
  train::Recipe r;
  r.sizes = {1, hidden, 1};
  r.activations = {nn::Activation::tanh};
  r.loss = nn::Loss::mse;
  r.dropout = nn::DropoutKind::none;
  r.seed = seed;
  r.precision = "double";
  nn::Mlp<double> net = train::make_network(r, set);
  const train::NetworkObjective<double> loss(net, set, {});
  optim::Adam<double> adam(optim::AdamOptions{.lr = lr});
  optim::minimize(loss, adam, net.theta(), {.max_iters = steps, .grad_tol = 0});
  nn::Cache<double> cache;
  net.forward(X0, cache);
  return cache.y().row(0).transpose();
}

// The columns `rows` of a data set (with repeats: a bootstrap resample).
data::Dataset<double> take(const data::Dataset<double>& set, const std::vector<Index>& rows) {
  data::Dataset<double> out;
  out.X = set.X(Eigen::all, rows);
  out.Y = set.Y(Eigen::all, rows);
  out.name = set.name;
  return out;
}

// One scheme's statistics over the training sets: the ensembles of m = 1 … M, the members'
// spread, and the ensemble predictions themselves (for the figures).
struct SchemeStats {
  std::vector<BiasVariance> by_m;   // m = 1 … M
  std::vector<Mat<double>> ensemble;  // T × K predictions of the mean of the first m members
  MemberSpread spread;
  double sigma2 = 0, covariance = 0;
};

SchemeStats scheme_stats(const std::vector<Mat<double>>& members, const Vec<double>& truth) {
  SchemeStats s;
  Mat<double> sum = Mat<double>::Zero(members.front().rows(), members.front().cols());
  for (std::size_t m = 1; m <= members.size(); ++m) {
    sum += members[m - 1];
    s.ensemble.push_back(sum / double(m));
    s.by_m.push_back(analysis::bias_variance(s.ensemble.back(), truth));
  }
  s.spread = analysis::member_spread(members);
  s.sigma2 = s.spread.variance_terms.mean();
  s.covariance = s.spread.covariance_terms.mean();
  return s;
}

class BaggingNn : public Lab {
 public:
  std::string id() const override { return "bagging-nn"; }
  std::string sheet() const override { return "9.1.2"; }
  std::string question() const override {
    return "Is bagging neural networks a good idea, in terms of bias and variance, and is it feasible?";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("n", T::integer, "training points of the regression y = sin x + ε, x ~ U[−π, π]", "30",
             "", 4, 1e5),
        spec("sigma", T::real, "noise standard deviation σ_ε of the regression", "0.3", "", 0, 100),
        spec("hidden", T::integer, "tanh hidden units of the 1-H-1 regression network", "16", "", 1,
             1024),
        spec("steps", T::integer, "full-batch Adam steps per regression member", "100", "", 1, 1e6),
        spec("lr", T::real, "Adam step η of the regression members", "0.01", "", 1e-6, 10),
        spec("training_sets", T::integer, "independent training sets T of the regression", "400", "160",
             8, 1e6),
        spec("members", T::integer, "largest ensemble size M of the regression (m = 1 … M)", "16",
             "8", 3, 256),
        spec("test_points", T::integer, "test points: an even grid on [−π, π]", "41", "", 2, 10000),
        fashion_dir_spec("without it part (b) is skipped"),
        spec("fm_n", T::integer, "Fashion-MNIST training images (a random subset; each member "
             "trains on a bootstrap resample of it)", "3000", "1000", 20, 60000),
        spec("fm_test", T::integer, "Fashion-MNIST test images (a random subset)", "2000", "1000", 20,
             10000),
        spec("fm_hidden", T::integer, "hidden ReLU units of the 784-H-10 members", "32", "", 1, 4096),
        spec("fm_epochs", T::integer, "epochs of Adam (batch 32, η = 0.003) per member", "3", "2", 1,
             1000),
        spec("fm_members", T::integer, "largest Fashion-MNIST ensemble (m = 1 … this)", "8", "4", 2, 256),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {{"independent-members",
             "Var(mean of m members) = σ²/m, as if the members' errors were independent (they share "
             "the training set)"},
            {"no-averaging-term",
             "Var(mean of m members) = ρσ², the correlated part only: averaging gains nothing"},
            {"inverse-m-squared", "Var(mean of m members) = σ²/m², the mean's SE read as its variance"},
            {"bias-averages-away", "averaging m members divides the bias² by m, like a variance"}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    Result result;
    context.report(0.0, "regression: training the members");
    auto since = result.mark();
    const std::string regression = regression_part(params, context, theory, result);
    result.assign("a", since);
    since = result.mark();
    context.report(0.5, "Fashion-MNIST: training the members");
    const std::string fashion = fashion_part(params, context, result);
    result.assign("b", since);
    context.report(1.0, "done");

    result.notation = {
        {"D", "a training set of $n$ points $(x_i, y_i)$, $y = \\sin x + \\varepsilon$", ""},
        {"f_k", "ensemble member $k$: a network trained on $D$ (plain) or on a bootstrap resample of $D$ (bagged)", ""},
        {"\\bar f_m", "the ensemble, $\\frac{1}{m}\\sum_{k=1}^m f_k$", ""},
        {"m, M", "ensemble size, and the largest one measured", ""},
        {"\\sigma^2", "one member's variance over training sets (and its own randomness), averaged over test points", ""},
        {"\\rho", "the correlation of two members trained on the same $D$, averaged over test points", ""},
        {"T", "number of independent training sets", ""},
    };
    result.parts = {
        {"a",
         "How useful would bagging be if the ensemble was composed of neural networks (bias and "
         "variance)?",
         regression,
         R"(Members trained on the same $D$ with their own seeds (and their own bootstrap resamples) are exchangeable given $D$: every member has the same mean $\mathbb{E}[f_k] = \mu$ and variance $\sigma^2$, every two the same covariance $\rho\sigma^2$. For the ensemble $\bar f_m = \frac{1}{m}\sum_{k=1}^m f_k$:

$$\mathbb{E}[\bar f_m] = \mu \quad\Rightarrow\quad \text{bias}^2(\bar f_m) = \text{bias}^2(f_1),$$

$$\operatorname{Var}[\bar f_m] = \frac{1}{m^2}\Big(m\sigma^2 + m(m-1)\rho\sigma^2\Big) = \rho\sigma^2 + \frac{(1-\rho)\,\sigma^2}{m}.$$

Averaging removes only the part of the variance the members do not share, $(1-\rho)\sigma^2$; the shared part $\rho\sigma^2$ comes from the training set $D$ itself and stays. A network's variance has a large unshared part (the seed: initialization), so a plain ensemble already cuts it. A bootstrap resample makes the members see different data: each member is worse ($\sigma^2$ up, and its bias changes because it sees fewer distinct points), but they agree less ($\rho$ down).)"},
        {"b",
         "Is bagging neural networks feasible in practice?",
         fashion,
         R"(An ensemble of $m$ networks has $m$ times the parameters, costs $m$ times the training (every member is a full training run) and $m$ forward passes per prediction: cost and memory grow linearly in $m$, while the gain in accuracy and in negative log-likelihood $-\frac{1}{N}\sum_i \log \bar p(y_i \mid x_i)$, $\bar p = \frac{1}{m}\sum_k p_k$, saturates like the variance above. The members are independent, so they train in parallel (no communication), which is what makes ensembles usable at all.)"},
    };
    result.answer = regression + " " + fashion;
    return result;
  }

 private:
  // (a) Bias², variance and MSE of plain and bagged ensembles of m = 1 … M networks over T
  // training sets, the members' σ² and ρ, and the decomposition.
  static std::string regression_part(const Params& params, const Context& context,
                                     const Theory& theory, Result& result) {
    const Index n = params.integer("n"), hidden = params.integer("hidden"),
                steps = params.integer("steps"), K = params.integer("test_points");
    const double sigma = params.real("sigma"), lr = params.real("lr");
    const auto T = std::size_t(params.integer("training_sets"));
    const auto M = std::size_t(params.integer("members"));
    Mat<double> X0(1, K);
    for (Index k = 0; k < K; ++k) X0(0, k) = -M_PI + 2 * M_PI * double(k) / double(K - 1);
    const Vec<double> truth = X0.row(0).array().sin().transpose();

    // Training set t as (x_1 … x_n, y_1 … y_n).
    const auto sets = context.trials<std::vector<double>>("training-sets", T, [&](std::size_t, Rng& rng) {
      const auto d = data::sine_regression<double>(n, sigma, rng);
      std::vector<double> out(std::size_t(2 * n));
      for (Index i = 0; i < n; ++i) out[std::size_t(i)] = d.X(0, i), out[std::size_t(n + i)] = d.Y(0, i);
      return out;
    });
    const auto dataset = [&](std::size_t t) {
      data::Dataset<double> d;
      d.X = Eigen::Map<const Mat<double>>(sets[t].data(), 1, n);
      d.Y = Eigen::Map<const Mat<double>>(sets[t].data() + n, 1, n);
      d.name = "sine";
      return d;
    };
    // Cell t = training set, trial k = member: the plain member (all of D) and the bagged one (a
    // bootstrap resample of D) from the same initialization seed, so the two schemes are paired.
    const auto runs = context.sweep<std::vector<double>>(
        "members", T, M, [&](std::size_t t, std::size_t, Rng& rng) {
          const data::Dataset<double> d = dataset(t);
          const std::uint64_t seed = rng();
          std::vector<Index> rows(static_cast<std::size_t>(n));
          for (auto& i : rows) i = Index(uniform_index(rng, std::uint64_t(n)));
          std::vector<double> out(std::size_t(2 * K));
          VecMap<double>(out.data(), K) = fit_member(d, X0, hidden, steps, lr, seed);
          VecMap<double>(out.data() + K, K) = fit_member(take(d, rows), X0, hidden, steps, lr, seed);
          return out;
        });
    std::array<SchemeStats, 2> stats;
    for (std::size_t s = 0; s < 2; ++s) {
      std::vector<Mat<double>> members(M, Mat<double>(Index(T), K));
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t k = 0; k < M; ++k)
          members[k].row(Index(t)) = Eigen::Map<const Vec<double>>(runs[t * M + k].data() + Index(s) * K, K).transpose();
      stats[s] = scheme_stats(members, truth);
    }
    context.report(0.8, "regression: statistics");

    decomposition_claims(stats, M, theory, result);
    fitted_functions(stats, X0, truth, M, result);
    const std::string story = spread_evidence(stats, M, theory, result);
    return story;
  }

  // The decomposition at every m < M (at m = M it is an identity of the estimators), and the
  // bias of the largest ensemble against one member's.
  static void decomposition_claims(const std::array<SchemeStats, 2>& stats, std::size_t M,
                                   const Theory& theory, Result& result) {
    for (std::size_t s = 0; s < 2; ++s) {
      const SchemeStats& st = stats[s];
      std::vector<Member> gaps;
      for (std::size_t m = 1; m < M; ++m) {
        const Vec<double> predicted =
            st.spread.variance_terms.binaryExpr(st.spread.covariance_terms, [&](double v, double c) {
              return theory.ensemble_variance(v, c, double(m));
            });
        gaps.push_back({fmt::format("m={}", m),
                        experiment::paired_difference(st.by_m[m - 1].variance_terms, predicted)});
      }
      result.claims.push_back(experiment::within_se(
          fmt::format("{}: $\\operatorname{{Var}}[\\bar f_m] = \\rho\\sigma^2 + (1-\\rho)\\sigma^2/m$ "
                      "for $m = 1 \\dots {}$, with the members' measured $\\sigma^2$ and $\\rho$",
                      schemes[s], M - 1),
          "measured ensemble variance minus the decomposition, per training set, paired", gaps, 0, 4));
      const Estimate one = st.by_m.front().bias2, all = st.by_m.back().bias2;
      result.claims.push_back(experiment::within_se(
          fmt::format("{}: averaging leaves the bias alone, $\\text{{bias}}^2(\\bar f_{{{}}}) = "
                      "\\text{{bias}}^2(f_1)$",
                      schemes[s], M),
          fmt::format("bias² of the $m = {}$ ensemble minus the theory from one member's bias² {}", M,
                      pm(one)),
          Estimate{all.value - theory.ensemble_bias2(one.value, double(M)), std::hypot(all.se, one.se)},
          0, 4));
    }
  }

  // Fitted functions of a few training sets, with the spread over all of them, for one network
  // and for the largest bagged ensemble.
  static void fitted_functions(const std::array<SchemeStats, 2>& stats, const Mat<double>& X0,
                               const Vec<double>& truth, std::size_t M, Result& result) {
    const std::vector<double> x(X0.data(), X0.data() + X0.cols());
    const std::vector<double> f(truth.data(), truth.data() + truth.size());
    for (const auto& [s, m, id] : {std::tuple{std::size_t(0), std::size_t(1), "fits-one-network"},
                                   std::tuple{std::size_t(1), M, "fits-bagged"}}) {
      const Mat<double>& F = stats[s].ensemble[m - 1];
      const BiasVariance& bv = stats[s].by_m[m - 1];
      Figure fig{.id = id,
                 .title = m == 1 ? std::string("One network: fitted functions of several training sets")
                                 : fmt::format("Bagged ensemble of $m = {}$: fitted functions of several training sets", m),
                 .x_label = "x", .y_label = "prediction", .log_x = false, .log_y = false};
      fig.lines.push_back({"truth sin x", x, f, {}, "lines"});
      const Vec<double> mean = F.colwise().mean().transpose();
      const Vec<double> sd = bv.variance_point.cwiseSqrt();
      fig.lines.push_back({"mean over training sets ± 1 SD", x,
                           std::vector<double>(mean.data(), mean.data() + mean.size()),
                           std::vector<double>(sd.data(), sd.data() + sd.size()), "linespoints"});
      for (Index t = 0; t < std::min<Index>(shown_sets, F.rows()); ++t) {
        const Vec<double> row = F.row(t).transpose();
        fig.lines.push_back({fmt::format("training set {}", t + 1), x,
                             std::vector<double>(row.data(), row.data() + row.size()), {}, "lines"});
      }
      fig.caption = fmt::format(
          "The fits of {} training sets scatter around their mean with a standard deviation of "
          "{:.3g} on average over $x$ (variance {}); the mean misses $\\sin x$ by bias² {}.",
          shown_sets, std::sqrt(bv.variance.value), pm(bv.variance), pm(bv.bias2));
      result.figures.push_back(std::move(fig));
    }
  }

  // (b) A bagged ensemble of small networks on a Fashion-MNIST subset: accuracy and negative
  // log-likelihood vs m, and the cost (parameters, training seconds, inference seconds per image).
  static std::string fashion_part(const Params& params, const Context& context, Result& result) {
    if (!params.available("fashion_dir"))
      return fmt::format("Part (b) needs Fashion-MNIST, which is absent at {}; it was skipped.",
                         params.path("fashion_dir"));
    const Index n = params.integer("fm_n"), n_test = params.integer("fm_test");
    const auto M = std::size_t(params.integer("fm_members"));
    Rng rng = context.rng("images");
    const auto& fashion = shared_fashion_mnist(params.path("fashion_dir"));
    require(n <= fashion.train.size() && n_test <= fashion.test.size(),
            "bagging-nn: fm_n = {} and fm_test = {} exceed Fashion-MNIST's {} training and {} test "
            "images", n, n_test, fashion.train.size(), fashion.test.size());
    const data::Dataset<double> train_set = data::random_subset(fashion.train, n, rng).cast<double>();
    const data::Dataset<double> test_set = data::random_subset(fashion.test, n_test, rng).cast<double>();

    // Trial 0: one network on all the training images; trial k ≥ 1: bagged member k, on a
    // bootstrap resample. Each returns its test-set class probabilities (10 × n_test), then
    // training seconds, inference seconds and parameters.
    const auto width = std::size_t(10 * n_test);
    const auto runs = context.trials<std::vector<double>>("fashion-members", M + 1, [&](std::size_t k, Rng& r) {
      std::vector<Index> rows(static_cast<std::size_t>(n));
      std::iota(rows.begin(), rows.end(), Index(0));
      if (k > 0)
        for (auto& i : rows) i = Index(uniform_index(r, std::uint64_t(n)));
      const data::Dataset<double> own = data::subset(train_set, rows);
      train::Recipe recipe;
      recipe.sizes = {784, params.integer("fm_hidden"), 10};
      recipe.activations = {nn::Activation::relu};
      recipe.loss = nn::Loss::cross_entropy;
      recipe.dropout = nn::DropoutKind::none;
      recipe.optimizer = "adam";
      recipe.lr = 0.003;
      recipe.schedule = "constant";
      recipe.batch = 32;
      recipe.epochs = int(params.integer("fm_epochs"));
      recipe.seed = r();
      recipe.precision = "double";
      nn::Mlp<double> net = train::make_network(recipe, own);
      const auto t0 = Clock::now();
      train::train(recipe, net, own, nullptr);
      const auto t1 = Clock::now();
      nn::Cache<double> cache;
      net.forward(test_set.X, cache);
      Mat<double> probabilities;
      nn::softmax(cache.y(), probabilities);
      const auto t2 = Clock::now();
      std::vector<double> out(probabilities.data(), probabilities.data() + width);
      out.push_back(std::chrono::duration<double>(t1 - t0).count());
      out.push_back(std::chrono::duration<double>(t2 - t1).count());
      out.push_back(double(net.num_params()));
      return out;
    });
    const auto probabilities = [&](std::size_t k) {
      return Eigen::Map<const Mat<double>>(runs[k].data(), 10, n_test);
    };
    // Per test image: −log p(label), and whether the argmax is the label.
    const auto score = [&](const Mat<double>& p, Vec<double>& nll) {
      nll.resize(n_test);
      std::uint64_t right = 0;
      for (Index i = 0; i < n_test; ++i) {
        const int label = test_set.labels[std::size_t(i)];
        nll(i) = -std::log(std::max(p(label, i), 1e-300));
        Index best = 0;
        p.col(i).maxCoeff(&best);
        right += best == label ? 1 : 0;
      }
      return experiment::proportion(right, std::uint64_t(n_test));
    };
    Vec<double> nll_single, nll_all, nll_members = Vec<double>::Zero(n_test), nll;
    const Estimate single_accuracy = score(probabilities(0), nll_single);

    Mat<double> sum = Mat<double>::Zero(10, n_test);
    double train_seconds = 0, infer_seconds = 0, parameters = 0;
    std::vector<double> m_axis, nll_line, nll_err, error_line, error_err;
    Table table{"fashion", "Fashion-MNIST: a bagged ensemble of $m$ networks, quality and cost",
                {"$m$", "test accuracy ± SE", "test NLL ± SE", "parameters", "training seconds",
                 "inference µs per image"},
                {}, ""};
    for (std::size_t m = 1; m <= M; ++m) {
      const std::vector<double>& member = runs[m];
      sum += probabilities(m);
      train_seconds += member[width], infer_seconds += member[width + 1], parameters += member[width + 2];
      score(probabilities(m), nll);
      nll_members += nll / double(M);
      const Estimate accuracy = score(sum / double(m), nll);
      if (m == M) nll_all = nll;
      const Estimate loss = experiment::mean_estimate(nll);
      m_axis.push_back(double(m));
      nll_line.push_back(loss.value), nll_err.push_back(loss.se);
      error_line.push_back(1 - accuracy.value), error_err.push_back(accuracy.se);
      table.rows.push_back({double(m), pm(accuracy), pm(loss), parameters,
                            fmt::format("{:.3g}", train_seconds),
                            fmt::format("{:.3g}", 1e6 * infer_seconds / double(n_test))});
    }
    const Estimate single_nll = experiment::mean_estimate(nll_single);
    table.rows.push_back({"one network, all images", pm(single_accuracy), pm(single_nll),
                          runs[0][width + 2], fmt::format("{:.3g}", runs[0][width]),
                          fmt::format("{:.3g}", 1e6 * runs[0][width + 1] / double(n_test))});
    const Estimate gain = experiment::paired_difference(nll_members, nll_all);
    result.claims.push_back(experiment::exceeds(
        fmt::format("averaging {} bagged networks' probabilities lowers the test NLL below their "
                    "average member's (Jensen: never above; by how much is their disagreement)", M),
        "average member's test NLL minus the ensemble's, paired over test images", gain, 0, 3));
    const Estimate versus_single = experiment::paired_difference(nll_single, nll_all);
    Figure fig{.id = "fashion-vs-m", .title = "Fashion-MNIST: test NLL and error rate of the bagged ensemble vs $m$",
               .x_label = "ensemble size m", .y_label = "test NLL / error rate", .log_x = true,
               .log_y = false};
    fig.lines.push_back({"test NLL", m_axis, nll_line, nll_err, "linespoints"});
    fig.lines.push_back({"test error rate", m_axis, error_line, error_err, "linespoints"});
    fig.lines.push_back({"test NLL, one network on all images", {1.0, double(M)},
                         {single_nll.value, single_nll.value}, {}, "lines"});
    fig.lines.push_back({"test error rate, one network on all images", {1.0, double(M)},
                         {1 - single_accuracy.value, 1 - single_accuracy.value}, {}, "lines"});
    fig.caption = fmt::format(
        "The bagged ensemble's NLL goes from {:.3f} for one bootstrap member to {:.3f} for {} and "
        "its error rate from {:.3f} to {:.3f}; one network on all the images (flat lines) has "
        "NLL {:.3f} and error rate {:.3f}. Error bars: SE over the {} test images.",
        nll_line.front(), nll_line.back(), M, error_line.front(), error_line.back(),
        single_nll.value, 1 - single_accuracy.value, n_test);
    result.figures.push_back(std::move(fig));
    table.caption = fmt::format(
        "Cumulative over the first $m$ members: parameters are exactly $m$ times one network's "
        "({:.0f}); seconds are wall-clock on this machine (the members trained {} at a time), so "
        "only their growth with $m$ is meaningful. {} training and {} test images.",
        parameters / double(M), context.pool() == nullptr ? 1 : context.pool()->size(), n, n_test);
    table.wall_clock = true;
    result.tables.push_back(std::move(table));
    return fmt::format(
        "Feasible, at $m$ times the price. On Fashion-MNIST ({} training images, {} members of "
        "{:.0f} parameters) the bagged ensemble has test NLL {:.3f} and error rate {:.3f}, against "
        "{:.3f} and {:.3f} for one network on all the images (NLL difference {}, one network minus "
        "the ensemble, paired over test images); averaging gains {} NLL over its average member. "
        "Parameters, training time ({:.2g} s for one member, {:.2g} s for {}) and inference time "
        "grow linearly in $m$.",
        n, M, parameters / double(M), nll_line.back(), error_line.back(), single_nll.value,
        1 - single_accuracy.value, pm(versus_single), pm(gain), runs[1][width], train_seconds, M);
  }

  // σ², ρ of the two schemes' members, paired comparisons, the figure of variance vs m and the
  // table; returns the part's answer.
  static std::string spread_evidence(const std::array<SchemeStats, 2>& stats, std::size_t M,
                                     const Theory& theory, Result& result) {
    const SchemeStats &plain = stats[0], &bag = stats[1];
    const Estimate sigma_gap = experiment::paired_difference(bag.spread.variance_terms,
                                                             plain.spread.variance_terms);
    result.claims.push_back(experiment::exceeds(
        "a bootstrap member has a larger variance $\\sigma^2$ than a member trained on all of $D$",
        "$\\sigma^2$ (bagged) − $\\sigma^2$ (plain), paired over training sets", sigma_gap, 0, 3));
    const Estimate rho_gap = experiment::ratio_difference(
        plain.spread.covariance_terms, plain.spread.variance_terms, bag.spread.covariance_terms,
        bag.spread.variance_terms);
    result.claims.push_back(experiment::exceeds(
        "bootstrap members are less correlated: $\\rho$ (plain) $> \\rho$ (bagged)",
        "$\\rho$ (plain) − $\\rho$ (bagged), paired over training sets", rho_gap, 0, 3));
    std::vector<double> m_axis(M);
    std::iota(m_axis.begin(), m_axis.end(), 1.0);
    Figure fig{.id = "variance-vs-m", .title = "Variance of the ensemble vs $m$: measured and $\\rho\\sigma^2 + (1-\\rho)\\sigma^2/m$",
               .x_label = "ensemble size m", .y_label = "variance (mean over x)", .log_x = true,
               .log_y = true};
    Table table{"regression", "Regression $y = \\sin x + \\varepsilon$: bias², variance and test MSE vs $m$",
                {"ensemble", "$m$", "bias² ± SE", "variance ± SE", "$\\rho\\sigma^2 + (1-\\rho)\\sigma^2/m$",
                 "MSE ± SE"},
                {}, ""};
    for (std::size_t s = 0; s < 2; ++s) {
      const SchemeStats& st = stats[s];
      Line measured{fmt::format("{}, measured", schemes[s]), m_axis, {}, {}, "points"};
      Line theory_line{fmt::format("{}, decomposition", schemes[s]), m_axis, {}, {}, "lines"};
      for (std::size_t m = 1; m <= M; ++m) {
        const BiasVariance& bv = st.by_m[m - 1];
        const double predicted = theory.ensemble_variance(st.sigma2, st.covariance, double(m));
        measured.y.push_back(bv.variance.value), measured.err.push_back(bv.variance.se);
        theory_line.y.push_back(predicted);
        table.rows.push_back({std::string(schemes[s]), double(m), pm(bv.bias2), pm(bv.variance),
                              predicted, pm(bv.mse)});
      }
      fig.lines.push_back(std::move(measured));
      fig.lines.push_back(std::move(theory_line));
      fig.lines.push_back({fmt::format("{}, limit ρσ²", schemes[s]), {1.0, double(M)},
                           {st.covariance, st.covariance}, {}, "lines"});
    }
    const auto rho = [](const SchemeStats& st) {
      return experiment::ratio_estimate(st.spread.covariance_terms, st.spread.variance_terms);
    };
    fig.caption = fmt::format(
        "Both ensembles' variance follows the decomposition and levels off at $\\rho\\sigma^2$: "
        "plain $\\sigma^2 = {:.3g}$, $\\rho = {}$; bagged $\\sigma^2 = {:.3g}$, $\\rho = {}$. "
        "Points: measured ± SE over training sets; lines: the decomposition from the members' "
        "$\\sigma^2$ and $\\rho$.",
        plain.sigma2, pm(rho(plain)), bag.sigma2, pm(rho(bag)));
    result.figures.push_back(std::move(fig));
    table.caption = "Averages over the test grid, with SEs over training sets. bias² is the unbiased "
                    "estimate against the true $\\sin x$ (it can be slightly negative).";
    table.data = true;
    result.tables.push_back(std::move(table));

    const BiasVariance &one = plain.by_m.front(), &plain_M = plain.by_m.back(), &bag_M = bag.by_m.back();
    return fmt::format(
        "Averaging leaves the bias where it is and cuts "
        "only the unshared part of the variance: one network has bias² {} and variance {}; a plain "
        "ensemble of {} seeds keeps bias² {} and has variance {} (limit $\\rho\\sigma^2 = {:.3g}$ "
        "with $\\rho = {}$), test MSE {} against {}. Bagging's bootstrap makes each member worse "
        "($\\sigma^2$ {:.3g} against {:.3g}) and less correlated ($\\rho = {}$): the bagged ensemble "
        "of {} has bias² {}, variance {} and test MSE {}.",
        pm(one.bias2), pm(one.variance), M, pm(plain_M.bias2), pm(plain_M.variance), plain.covariance,
        pm(rho(plain)), pm(plain_M.mse), pm(one.mse), bag.sigma2, plain.sigma2, pm(rho(bag)), M,
        pm(bag_M.bias2), pm(bag_M.variance), pm(bag_M.mse));
  }
};

}  // namespace

NNLAB_REGISTER_LAB(BaggingNn);

}  // namespace nnlab::labs
