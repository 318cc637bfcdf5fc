// Lab bagging-ols (sheet 9.1.1): does bagging help ordinary least squares?
// Fixed design X: n × d (rows are samples), y = f(X) + ε, ε ~ N(0, σ²I) redrawn per trial.
// Every estimator here is linear in y: ŵ = A y with A = (XᵀX)⁻¹Xᵀ for OLS and, for an ensemble
// of m OLS fits on FIXED subsamples (or bootstrap samples) S_k, A = (1/m) Σ_k (XᵀC_kX)⁻¹XᵀC_k
// (C_k = row indicator or counts of S_k). Exactly, at a test point x₀:
//   mean  E[x₀ᵀŵ] = x₀ᵀA f(X)       (= x₀ᵀβ when f is linear, since AX = I: unbiased)
//   var   Var[x₀ᵀŵ] = σ² ‖Aᵀx₀‖²     ≥ σ² x₀ᵀ(XᵀX)⁻¹x₀ by Gauss–Markov (A is linear unbiased)
// The subsamples are drawn once per ensemble and kept across trials, so these formulas are
// exact for the ensembles the Monte Carlo trains; with subsamples redrawn per training set the
// variance is the average of σ²‖A_Sᵀx₀‖² over S, each term again ≥ the OLS variance.
#include <Eigen/Cholesky>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <cmath>
#include <numeric>
#include <span>
#include <string_view>
#include <tuple>

#include "nnlab/analysis/bias_variance.hpp"
#include "nnlab/analysis/linear_model.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"

namespace nnlab::labs {
namespace {

using analysis::BiasVariance;
using data::gaussian_matrix;
using experiment::Estimate, experiment::Member, experiment::pm, experiment::z_score;

// The regression function: xᵀβ, plus a·Σ_j (x_j² − 1)/√d when misspecified. The added term
// has mean 0 and is uncorrelated with x under x ~ N(0, I), so no linear model can fit it.
Vec<double> regression_function(const Mat<double>& X, const Vec<double>& beta, double a) {
  Vec<double> f = X * beta;
  if (a != 0)
    f += a * ((X.array().square() - 1).rowwise().sum() / std::sqrt(double(X.cols()))).matrix();
  return f;
}

// One resampling scheme's members: rows[k] lists the rows (with repeats for the bootstrap)
// of member k; weights[k] their counts, for the exact map (XᵀC_kX)⁻¹XᵀC_k.
struct Members {
  std::vector<std::vector<Index>> rows;
  std::vector<Vec<double>> counts;
};

Members subsamples(Index n, Index size, std::size_t M, Rng& rng) {
  Members members;
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < M; ++k) {
    std::iota(order.begin(), order.end(), Index(0));
    for (Index i = 0; i < size; ++i)  // partial Fisher–Yates: a uniform size-subset
      std::swap(order[std::size_t(i)], order[std::size_t(i) + uniform_index(rng, std::uint64_t(n - i))]);
    std::vector<Index> rows(order.begin(), order.begin() + size);
    std::sort(rows.begin(), rows.end());
    Vec<double> counts = Vec<double>::Zero(n);
    for (Index i : rows) counts(i) = 1;
    members.rows.push_back(std::move(rows));
    members.counts.push_back(std::move(counts));
  }
  return members;
}

// n rows drawn with replacement. A draw with fewer than d + 1 distinct rows would make the
// member's least squares singular; it is redrawn (probability < 1e-6 for n ≥ 3d).
Members bootstraps(Index n, Index d, std::size_t M, Rng& rng) {
  Members members;
  while (members.rows.size() < M) {
    std::vector<Index> rows(static_cast<std::size_t>(n));
    Vec<double> counts = Vec<double>::Zero(n);
    for (auto& i : rows) counts(i = Index(uniform_index(rng, std::uint64_t(n)))) += 1;
    if ((counts.array() > 0).count() <= d) continue;
    std::sort(rows.begin(), rows.end());
    members.rows.push_back(std::move(rows));
    members.counts.push_back(std::move(counts));
  }
  return members;
}

// Everything fixed for one design: X, test points, true values, ensembles and exact maps.
struct Setup {
  Mat<double> X, X0;
  Vec<double> f_linear, f_misspecified, f0_linear, f0_misspecified;
  Members sub, boot;
  std::vector<std::size_t> sizes;  // ensemble sizes m
  // Exact prediction maps P = X0 A (K × n) for OLS and each ensemble size (cumulative means),
  // and the members' mean ‖A_kᵀx₀‖² per test point, read only by the mutants.
  Mat<double> P_ols;
  std::vector<Mat<double>> P_sub, P_boot;
  std::vector<Vec<double>> member_sub, member_boot;
};

// `name` names the setup's streams: "<name>/design", "<name>/subsamples", "<name>/bootstraps".
Setup make_setup(Index n, const Mat<double>& X0, const Vec<double>& beta, double a, double fraction,
                 std::vector<std::size_t> sizes, const Context& context, const std::string& name) {
  const Index d = X0.cols();
  Setup s;
  Rng design_rng = context.rng(name + "/design");
  s.X = gaussian_matrix(n, d, design_rng);
  s.X0 = X0;
  s.f_linear = regression_function(s.X, beta, 0);
  s.f_misspecified = regression_function(s.X, beta, a);
  s.f0_linear = regression_function(X0, beta, 0);
  s.f0_misspecified = regression_function(X0, beta, a);
  const auto size = Index(std::floor(fraction * double(n) + 1e-9));
  require(size > d, "bagging-ols: a subsample of {}·{} = {} rows cannot fit {} features", fraction,
          n, size, d);
  s.sizes = std::move(sizes);
  const std::size_t M = s.sizes.back();
  Rng sub_rng = context.rng(name + "/subsamples"), boot_rng = context.rng(name + "/bootstraps");
  s.sub = subsamples(n, size, M, sub_rng);
  s.boot = bootstraps(n, d, M, boot_rng);
  s.P_ols = X0 * analysis::least_squares_map(s.X, Vec<double>::Ones(n));
  for (auto [members, maps, member] : {std::tuple{&s.sub, &s.P_sub, &s.member_sub},
                                        std::tuple{&s.boot, &s.P_boot, &s.member_boot}}) {
    Mat<double> sum = Mat<double>::Zero(X0.rows(), n);
    Vec<double> member_sum = Vec<double>::Zero(X0.rows());
    std::size_t next = 0;
    for (std::size_t k = 0; k < M; ++k) {
      const Mat<double> P = X0 * analysis::least_squares_map(s.X, members->counts[k]);
      sum += P;
      member_sum += P.rowwise().squaredNorm();
      if (k + 1 == s.sizes[next]) {
        maps->push_back(sum / double(k + 1));
        member->push_back(member_sum / double(k + 1));
        ++next;
      }
    }
  }
  return s;
}

// Predictions of OLS and every ensemble at the test points for one training set y. Each
// member is fitted from scratch (QR of its own rows), independently of the exact maps.
// Output columns: [OLS | subsample m_1..m_J | bootstrap m_1..m_J], each K wide.
void predict_all(const Setup& s, const Vec<double>& y, Eigen::Ref<Vec<double>> out) {
  const Index K = s.X0.rows();
  const auto J = Index(s.sizes.size());
  out.head(K) = s.X0 * analysis::ols(s.X, y);
  Index block = 1;
  for (const Members* members : {&s.sub, &s.boot}) {
    Vec<double> sum = Vec<double>::Zero(K);
    std::size_t next = 0;
    for (std::size_t k = 0; k < s.sizes.back(); ++k) {
      const auto& rows = members->rows[k];
      sum += s.X0 * analysis::ols(s.X(rows, Eigen::all), y(rows));
      if (k + 1 == s.sizes[next]) out.segment((block + Index(next)) * K, K) = sum / double(k + 1), ++next;
    }
    block += J;
  }
}

struct MethodStats {
  std::string name;
  BiasVariance mc;
  double exact_variance = 0, exact_bias2 = 0;
};

// One method's exact prediction map P = X0 A, its size m and its members' mean ‖A_kᵀx₀‖².
struct ExactMap {
  std::string name;
  const Mat<double>* P;
  std::size_t m;
  const Vec<double>* member_variance;  // nullptr for OLS
};

// The theory at the test points: σ²‖Aᵀx₀‖² per point, or a mutant's version of it.
Vec<double> exact_variance(const ExactMap& map, double sigma, std::string_view mutant) {
  const double s2 = sigma * sigma;
  if (map.member_variance != nullptr) {
    if (mutant == "independent-members") return s2 * *map.member_variance / double(map.m);
    if (mutant == "no-averaging") return s2 * *map.member_variance;
  }
  return s2 * map.P->rowwise().squaredNorm();
}

// Bias² of the mean predictions x₀ᵀA f(X) against the true f(x₀), or against x₀ᵀβ for the
// wrong-target mutant.
double exact_bias2(const Vec<double>& mean_prediction, const Vec<double>& f0,
                   const Vec<double>& f0_linear, std::string_view mutant) {
  const Vec<double>& target = mutant == "wrong-bias-target" ? f0_linear : f0;
  return (mean_prediction - target).squaredNorm() / double(f0.size());
}

// Standard bagging, subsamples redrawn for every training set: with y = Xβ + ε the m-member
// ensemble predicts x₀ᵀβ + x₀ᵀ(1/m)Σ_k A_{S_k}ε, so
//   Var_m = ρσ₁² + (1−ρ)σ₁²/m,  σ₁² = σ² E_S‖A_Sᵀx₀‖² (one member),  ρσ₁² = σ²‖E_S[A_S]ᵀx₀‖²
// (the m → ∞ limit, the variance of the bagged estimator Ā = E_S[A_S]); or a mutant's version.
double decomposed_variance(double member, double limit, std::size_t m, std::string_view mutant) {
  if (mutant == "independent-members") return member / double(m);
  if (mutant == "no-averaging") return member;
  return limit + (member - limit) / double(m);
}

// Over random Gaussian designs X (n × d) and test points x₀ ~ N(0, I_d), one member fitted on k
// rows has E[x₀ᵀ(X_SᵀX_S)⁻¹x₀] / E[x₀ᵀ(XᵀX)⁻¹x₀] = (n−d−1)/(k−d−1): E[(XᵀX)⁻¹] = I/(n−d−1) for
// the inverse Wishart. Or a mutant's ratio.
double single_member_ratio(Index n, Index k, Index d, std::string_view mutant) {
  if (mutant == "variance-per-row") return double(n) / double(k);
  return double(n - d - 1) / double(k - d - 1);
}

// Bias²/variance/MSE of every method from the stacked predictions (trials × methods·K).
std::vector<MethodStats> analyse(const Setup& s, const Mat<double>& predictions,
                                 const Vec<double>& f, const Vec<double>& f0, double sigma,
                                 std::string_view mutant) {
  const Index K = s.X0.rows();
  std::vector<ExactMap> maps{{"OLS", &s.P_ols, 1, nullptr}};
  for (std::size_t j = 0; j < s.sizes.size(); ++j)
    maps.push_back({fmt::format("subsample 2/3, m = {}", s.sizes[j]), &s.P_sub[j], s.sizes[j],
                    &s.member_sub[j]});
  for (std::size_t j = 0; j < s.sizes.size(); ++j)
    maps.push_back({fmt::format("bootstrap, m = {}", s.sizes[j]), &s.P_boot[j], s.sizes[j],
                    &s.member_boot[j]});
  std::vector<MethodStats> stats;
  for (std::size_t q = 0; q < maps.size(); ++q) {
    const Mat<double>& P = *maps[q].P;
    MethodStats m{maps[q].name, analysis::bias_variance(predictions.middleCols(Index(q) * K, K), f0),
                  0, 0};
    const Vec<double> variance = exact_variance(maps[q], sigma, mutant);
    m.exact_variance = variance.mean();
    m.exact_bias2 = exact_bias2(P * f, f0, s.f0_linear, mutant);
    stats.push_back(std::move(m));
  }
  return stats;
}

class BaggingOls : public Lab {
 public:
  std::string id() const override { return "bagging-ols"; }
  std::string sheet() const override { return "9.1.1"; }
  std::string question() const override {
    return "Does bagging help ordinary least squares, in terms of bias and variance?";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("n", T::integer, "training samples of the fixed design", "60", "", 4, 1e5),
        spec("d", T::integer, "features, x ~ N(0, I_d)", "8", "", 1, 200),
        spec("sigma", T::real, "noise standard deviation σ", "1", "", 1e-6, 1e6),
        spec("trials", T::integer, "independent training sets (noise draws)", "4000", "400", 10, 1e7),
        spec("m_list", T::real_list, "ensemble sizes m", "1,2,3,5,10,20,50", "1,2,5,10,20", 1, 1000),
        spec("fraction", T::real, "subsample size as a fraction of n (without replacement)",
             "0.666667", "", 0.05, 1),
        spec("n_list", T::real_list, "training-set sizes of the sweep over n", "30,45,60,90,150,300",
             "30,60,120", 4, 1e5),
        spec("m_sweep", T::integer, "ensemble size of the sweep over n", "10", "", 1, 1000),
        spec("test_points", T::integer, "test points x₀ ~ N(0, I_d)", "20", "", 1, 10000),
        spec("nonlinearity", T::real,
             "misspecified case: f(x) = xᵀβ + a·Σ_j (x_j² − 1)/√d with this a", "1", "", 0, 1e3),
        spec("designs", T::integer,
             "random designs for the single-member variance ratio (n−d−1)/(k−d−1)", "20000",
             "4000", 10, 1e8),
        spec("theory_subsamples", T::integer,
             "random subsamples whose exact maps give σ₁² and ρσ₁² of standard bagging", "16000",
             "4000", 32, 1e8),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {{"independent-members",
             "ensemble variance = (1/m)·mean_k σ²‖A_kᵀx₀‖², as if the members' errors were "
             "independent (they share the training noise)"},
            {"no-averaging",
             "ensemble variance = mean_k σ²‖A_kᵀx₀‖², a member's variance: averaging ignored"},
            {"wrong-bias-target",
             "exact bias² measured against the linear part x₀ᵀβ instead of the true f(x₀)"},
            {"variance-per-row",
             "one member on k of n rows has n/k times the OLS variance (variance ∝ 1/rows), "
             "not (n−d−1)/(k−d−1)"}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Index n = params.integer("n"), d = params.integer("d"), K = params.integer("test_points");
    const double sigma = params.real("sigma"), fraction = params.real("fraction"),
                 a = params.real("nonlinearity");
    const std::string_view mutant = active_mutant(*this, context);
    const auto T = std::size_t(params.integer("trials"));
    require(K > d, "bagging-ols: test_points = {} must exceed d = {} (the best-linear-fit floor "
            "of the misspecified case is fitted at the test points)", K, d);
    std::vector<std::size_t> sizes;
    for (double m : params.real_list("m_list")) {
      require(m == std::floor(m), "bagging-ols: ensemble size {} in m_list is not an integer", m);
      sizes.push_back(std::size_t(m));
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());

    Rng truth_rng = context.rng("truth");
    const Vec<double> beta = gaussian_matrix(d, 1, truth_rng).col(0);
    const Mat<double> X0 = gaussian_matrix(K, d, truth_rng);

    // ---- main experiment: linear and misspecified targets on the same noise draws.
    context.report(0.0, "bias and variance vs ensemble size");
    const Setup s = make_setup(n, X0, beta, a, fraction, sizes, context, "main");
    const auto width = Index(1 + 2 * sizes.size()) * K;
    // One trial: predictions of every method for the linear, then the misspecified target.
    const auto main = context.trials<std::vector<double>>("noise", T, [&](std::size_t, Rng& rng) {
      const Vec<double> noise = sigma * gaussian_matrix(n, 1, rng).col(0);
      std::vector<double> out(std::size_t(2 * width));
      predict_all(s, s.f_linear + noise, VecMap<double>(out.data(), width));
      predict_all(s, s.f_misspecified + noise, VecMap<double>(out.data() + width, width));
      return out;
    });
    const Mat<double> both = experiment::stack_rows(main);
    const Mat<double> linear = both.leftCols(width), misspecified = both.rightCols(width);
    const auto lin = analyse(s, linear, s.f_linear, s.f0_linear, sigma, mutant);
    const auto mis =
        analyse(s, misspecified, s.f_misspecified, s.f0_misspecified, sigma, mutant);

    // ---- sweep over n at a fixed ensemble size.
    const auto m_sweep = std::size_t(params.integer("m_sweep"));
    std::vector<Index> n_list;
    for (double v : params.real_list("n_list")) n_list.push_back(Index(v));
    std::sort(n_list.begin(), n_list.end());
    context.report(0.5, "bias and variance vs n");
    std::vector<Setup> setups;
    for (Index nq : n_list)
      setups.push_back(make_setup(nq, X0, beta, 0, fraction, {m_sweep}, context,
                                  fmt::format("n = {}", nq)));
    // Cell q is n_list[q]; each trial returns the predictions of OLS and both ensembles.
    const auto by_n = context.sweep<std::vector<double>>(
        "noise-by-n", n_list.size(), T, [&](std::size_t q, std::size_t, Rng& rng) {
          const Setup& sq = setups[q];
          std::vector<double> out(std::size_t(3 * K));
          predict_all(sq, sq.f_linear + sigma * gaussian_matrix(n_list[q], 1, rng).col(0),
                      VecMap<double>(out.data(), 3 * K));
          return out;
        });
    std::vector<std::vector<MethodStats>> sweep;
    for (std::size_t q = 0; q < n_list.size(); ++q) {
      const Mat<double> predictions = experiment::stack_rows(std::span(by_n).subspan(q * T, T));
      const Setup& sq = setups[q];
      sweep.push_back(analyse(sq, predictions, sq.f_linear, sq.f0_linear, sigma, mutant));
    }
    context.report(0.75, "standard bagging: subsamples redrawn per training set");
    const auto theory_subsamples = std::size_t(params.integer("theory_subsamples"));

    Result result;
    auto since = result.mark();
    unbiased_claims(sizes, lin, result);
    result.assign("a", since);
    since = result.mark();
    variance_evidence(sizes, lin, n_list, sweep, m_sweep, result);
    context.report(0.9, "one member over random designs");
    const std::string member = random_designs(n, d, K, s.sub.rows.front().size(),
                                              std::size_t(params.integer("designs")), context,
                                              mutant, result);
    result.assign("b", since);
    since = result.mark();
    const std::string standard =
        standard_bagging(s, sizes, sigma, T, theory_subsamples, lin[0].exact_variance,
                         mis[0].exact_bias2, context, mutant, result);
    result.assign("c", since);
    since = result.mark();
    const std::string misfit = misspecified_evidence(sizes, mis, result);
    result.assign("d", since);
    context.report(1.0, "done");

    result.notation = {
        {"n", "number of training samples: the rows of $X$ (the sheet's \"original dataset\")", ""},
        {"d", "number of features", ""},
        {"X", "the fixed $n \\times d$ design matrix, rows are samples", ""},
        {"y = f(X) + \\varepsilon",
         "targets: $f(x) = x^\\top\\beta$ (linear) or with a quadratic term (misspecified); noise "
         "$\\varepsilon \\sim \\mathcal{N}(0, \\sigma^2 I)$",
         ""},
        {"m", "number of ensemble members (models averaged)", ""},
        {"S_k",
         "the rows member $k$ is fitted on: a subsample of $2n/3$ rows, or a bootstrap sample "
         "($n$ rows drawn with replacement, of which a fraction $1 - 1/e$, about 63%, are distinct: "
         "the sheet's 2/3)",
         ""},
        {"C_k", "diagonal: how often each row is in $S_k$ (0/1, or bootstrap counts)", ""},
        {"A_k", "member $k$'s map from targets to weights, $\\hat w_k = A_k y = (X^\\top C_k X)^{-1} X^\\top C_k y$", ""},
        {"\\bar A", "the ensemble's map $\\frac{1}{m}\\sum_k A_k$", ""},
        {"x_0", "a test point, $x_0 \\sim \\mathcal{N}(0, I_d)$; bias and variance are averaged over them", ""},
        {"\\sigma_1^2, \\rho", "one member's variance, and the correlation of two members (standard bagging)", ""},
    };
    const std::size_t J = sizes.size();
    const Estimate ratio_one = experiment::ratio_estimate(lin[1].mc.variance_terms, lin[0].mc.variance_terms);
    const Estimate ratio_big = experiment::ratio_estimate(lin[J].mc.variance_terms, lin[0].mc.variance_terms);
    result.parts = {
        {"a",
         "Compare the bias of an ensemble of $m$ OLS models, each fitted on about 2/3 of the data, "
         "with the bias of one OLS model on all the data.",
         fmt::format("On a linear model $y = X\\beta + \\varepsilon$ both are unbiased: every member "
                     "is, and an average of unbiased estimators is unbiased. Measured: the signed "
                     "error at the test points is zero within 4 SE for OLS and for every ensemble "
                     "size up to $m = {}$. Bagging has no bias to remove here.",
                     sizes.back()),
         R"(Take the linear model $y = X\beta + \varepsilon$ with $\mathbb{E}[\varepsilon] = 0$, $\operatorname{Cov}(\varepsilon) = \sigma^2 I$ (the Gauss–Markov assumptions) and a fixed design $X$. Member $k$ is OLS on its rows $S_k$: with $C_k$ the diagonal matrix of row counts in $S_k$,

$$\hat w_k = A_k y, \qquad A_k = (X^\top C_k X)^{-1} X^\top C_k, \qquad A_k X = I .$$

So $\mathbb{E}[\hat w_k] = A_k X\beta = \beta$. The ensemble is $\bar w = \frac{1}{m}\sum_k \hat w_k = \bar A y$ with

$$\bar A X = \frac{1}{m}\sum_{k=1}^m A_k X = I \quad\Rightarrow\quad \mathbb{E}[\bar w] = \beta ,$$

unbiased like OLS ($A = (X^\top X)^{-1}X^\top$, $AX = I$).)"},
        {"b",
         "Compare their variances (use Gauss–Markov).",
         fmt::format("The ensemble is a linear unbiased estimator, so by Gauss–Markov its "
                     "variance is at least OLS's: the measured ratio of variances to OLS is {} for "
                     "one model on 2/3 of the rows and still {} for $m = {}$ members "
                     "on the same fixed subsamples. Averaging removes the members' disagreement, "
                     "never the information each one lost by subsampling. {}",
                     pm(ratio_one), pm(ratio_big), sizes.back(), member),
         R"(Because $\bar w = \bar A y$ is linear in $y$ and unbiased ($\bar A X = I$), Gauss–Markov gives, for every test point $x_0$,

$$\operatorname{Var}[x_0^\top \bar w] = \sigma^2 \|\bar A^\top x_0\|^2 \ \ge\ \sigma^2 x_0^\top (X^\top X)^{-1} x_0 = \operatorname{Var}[x_0^\top \hat w_{\text{OLS}}] .$$

Directly: $\bar A = (X^\top X)^{-1}X^\top + \Delta$ with $\Delta X = 0$, so $\bar A \bar A^\top = (X^\top X)^{-1} + \Delta\Delta^\top$, and $\Delta\Delta^\top$ is positive semidefinite. Equality needs $\Delta = 0$, which subsamples of $2n/3$ rows do not give.)"},
        {"c",
         "Standard bagging draws fresh bootstrap samples for every training set: does a large "
         "ensemble then beat OLS?",
         standard,
         R"(With $S$ random, one member's prediction has variance $\sigma_1^2$, and two members fitted to the same data have correlation $\rho$ (they share the noise $\varepsilon$). For the average of $m$ members

$$\operatorname{Var}_m = \rho\sigma_1^2 + \frac{(1-\rho)\,\sigma_1^2}{m} \ \to\ \rho\sigma_1^2 = \sigma^2 \|\mathbb{E}_S[A_S]^\top x_0\|^2 \quad (m \to \infty),$$

the variance of the bagged map $\mathbb{E}_S[A_S]$: again linear and unbiased, so by Gauss–Markov not below OLS.)"},
        {"d",
         "Does bagging always help? A target the linear model cannot fit (misspecification).",
         misfit,
         R"(Every member is linear in $x_0$, and so is their average $x_0^\top \bar A y$. Its mean $x_0^\top \bar A f(X)$ is a linear function of $x_0$ and cannot follow a nonlinear $f$: the bias that remains is that of a linear fit, which bagging does not remove. Bagging pays off for unstable, high-variance learners whose average is a richer function than any member (deep trees, neural networks), not for OLS.)"},
    };
    result.answer = fmt::format(
        "No. With $y = X\\beta + \\varepsilon$ and uncorrelated equal-variance noise, every member "
        "OLS fit and hence the ensemble is unbiased (a), and the ensemble is a linear unbiased "
        "estimator, so by Gauss–Markov its variance is at least OLS's (b): here {} times OLS's "
        "for $m = {}$. Redrawing the bootstrap samples for every training set brings the variance "
        "down towards OLS's but not below it (c); with a nonlinear target the bias of a linear "
        "fit remains (d). Bagging is worth it for high-variance nonlinear learners, not for OLS (d).",
        pm(ratio_big), sizes.back());
    return result;
  }

 private:
  // Standard bagging on the main design's linear target: Monte Carlo variance of the m-member
  // ensemble with fresh subsamples per training set, against Var_m = ρσ₁² + (1−ρ)σ₁²/m with σ₁²
  // and ρσ₁² from the exact maps of random subsamples (in batches, whose spread is their SE).
  // Adds a figure and two claims; returns a sentence for the answer.
  static std::string standard_bagging(const Setup& s, const std::vector<std::size_t>& sizes,
                                      double sigma, std::size_t T, std::size_t subsamples_total,
                                      double ols_variance, double ols_bias2, const Context& context,
                                      std::string_view mutant, Result& result) {
    const Index n = s.X.rows(), K = s.X0.rows();
    const auto size = Index(s.sub.rows.front().size());
    const std::size_t M = sizes.back(), J = sizes.size();
    // One trial: a noise draw and M fresh subsamples; the ensembles' predictions, J × K for the
    // linear target, then J × K for the misspecified one (same noise and subsamples).
    const auto width = J * std::size_t(K);
    const auto runs = context.trials<std::vector<double>>("standard-bagging", T, [&](std::size_t, Rng& rng) {
      const Vec<double> noise = sigma * gaussian_matrix(n, 1, rng).col(0);
      const Members members = subsamples(n, size, M, rng);
      std::vector<double> out(2 * width);
      for (std::size_t target = 0; target < 2; ++target) {
        const Vec<double> y = (target == 0 ? s.f_linear : s.f_misspecified) + noise;
        Vec<double> sum = Vec<double>::Zero(K);
        std::size_t next = 0;
        for (std::size_t k = 0; k < M; ++k) {
          const auto& rows = members.rows[k];
          sum += s.X0 * analysis::ols(s.X(rows, Eigen::all), y(rows));
          if (k + 1 == sizes[next])
            VecMap<double>(out.data() + target * width + next * std::size_t(K), K) =
                sum / double(k + 1), ++next;
        }
      }
      return out;
    });
    const Mat<double> both = experiment::stack_rows(runs);
    const Mat<double> predictions = both.leftCols(Index(width)), misspecified = both.rightCols(Index(width));
    // Batch b: σ²·mean_k ‖A_Sᵀx₀‖² over its subsamples; σ²·mean_k ‖Ā_bᵀx₀‖² less its 1/L_b
    // excess E‖Ā_b − Ā‖² (estimated from the same subsamples), unbiased for ρσ₁²; and the bias²
    // of the mean fit x₀ᵀĀ_b f on the misspecified target, less the same kind of excess.
    constexpr Index batches = 16;
    const std::size_t per_batch = std::max<std::size_t>(subsamples_total / std::size_t(batches), 2);
    const auto parts = context.trials<std::array<double, 3>>(
        "standard-bagging-theory", std::size_t(batches), [&](std::size_t, Rng& rng) {
          const Members members = subsamples(n, size, per_batch, rng);
          Mat<double> sum = Mat<double>::Zero(K, n);
          Vec<double> member = Vec<double>::Zero(K), fit = Vec<double>::Zero(K),
                      fit2 = Vec<double>::Zero(K);
          for (const Vec<double>& counts : members.counts) {
            const Mat<double> P = s.X0 * analysis::least_squares_map(s.X, counts);
            sum += P;
            member += P.rowwise().squaredNorm();
            const Vec<double> f = P * s.f_misspecified;
            fit += f;
            fit2 += f.cwiseAbs2();
          }
          const double L = double(per_batch);
          member /= L;
          fit /= L;
          const Vec<double> mean_map = (sum / L).rowwise().squaredNorm();
          const Vec<double> limit = mean_map - (member - mean_map) / (L - 1);
          const double fit_excess = (fit2 / L - fit.cwiseAbs2()).mean() / (L - 1);
          return std::array<double, 3>{
              sigma * sigma * member.mean(), sigma * sigma * limit.mean(),
              exact_bias2(fit, s.f0_misspecified, s.f0_linear, mutant) - fit_excess};
        });
    const auto theory = [&](double m) {
      Vec<double> v(batches);
      for (Index b = 0; b < batches; ++b)
        v(b) = decomposed_variance(parts[std::size_t(b)][0], parts[std::size_t(b)][1], std::size_t(m), mutant);
      return experiment::mean_estimate(v);
    };
    Vec<double> members_v(batches), limits_v(batches), bias_v(batches);
    for (Index b = 0; b < batches; ++b) {
      const auto& part = parts[std::size_t(b)];
      members_v(b) = part[0], limits_v(b) = part[1], bias_v(b) = part[2];
    }
    const Estimate member = experiment::mean_estimate(members_v),
                   limit = experiment::mean_estimate(limits_v), bias2 = experiment::mean_estimate(bias_v);

    Figure figure{.id = "standard-bagging-vs-m",
                  .title = "Standard bagging (subsamples redrawn per training set): variance vs $m$",
                  .x_label = "ensemble size m", .y_label = "variance at x₀ (mean over test points)",
                  .log_x = true, .log_y = false, .lines = {}, .caption = {}};
    Line mc{"Monte Carlo", {}, {}, {}, "points"};
    Line curve{"ρσ₁² + (1−ρ)σ₁²/m", {}, {}, {}, "lines"};
    std::vector<Member> gaps, errors, bias_gaps;
    for (std::size_t j = 0; j < J; ++j) {
      const auto bv = analysis::bias_variance(predictions.middleCols(Index(j) * K, K), s.f0_linear);
      const auto bm = analysis::bias_variance(misspecified.middleCols(Index(j) * K, K), s.f0_misspecified);
      const Estimate th = theory(double(sizes[j]));
      const std::string label = fmt::format("m = {}", sizes[j]);
      gaps.push_back({label, experiment::log_ratio(bv.variance, th)});
      errors.push_back({label, bv.mean_error});
      bias_gaps.push_back({label, {bm.bias2.value - bias2.value, std::hypot(bm.bias2.se, bias2.se)}});
      mc.x.push_back(double(sizes[j]));
      mc.y.push_back(bv.variance.value);
      mc.err.push_back(bv.variance.se);
    }
    for (double m = 1; m <= double(M) * 1.0001; m *= 1.1) {
      curve.x.push_back(m);
      curve.y.push_back(theory(std::round(m)).value);
    }
    const double lo = 1, hi = double(M);
    figure.lines = {mc, curve,
                    {"m → ∞: ρσ₁² = σ²‖E_S[A_S]ᵀx₀‖²", {lo, hi}, {limit.value, limit.value}, {}, "lines"},
                    {"OLS σ²x₀ᵀ(XᵀX)⁻¹x₀", {lo, hi}, {ols_variance, ols_variance}, {}, "lines"}};
    figure.caption = fmt::format(
        "The variance falls with $m$ along $\\rho\\sigma_1^2 + (1-\\rho)\\sigma_1^2/m$ towards "
        "$\\rho\\sigma_1^2 = {}$, {:.4f} times OLS's {:.4g} — a large ensemble recovers almost all "
        "of OLS's precision, never more. Every training set gets its own {} subsamples of {} rows. "
        "Points: Monte Carlo variance over {} training sets ± SE; curve: the decomposition with "
        "$\\sigma_1^2 = {}$ and $\\rho = {:.3f}$ from the exact maps of {} random subsamples.",
        pm(limit), limit.value / ols_variance, ols_variance, M, size, T, pm(member),
        limit.value / member.value, per_batch * std::size_t(batches));
    result.figures.push_back(std::move(figure));
    result.claims.push_back(experiment::within_se(
        "standard bagging: $\\operatorname{Var}_m = \\rho\\sigma_1^2 + (1-\\rho)\\sigma_1^2/m$, with "
        "$\\sigma_1^2$ and $\\rho$ from the members' exact maps",
        "log(Monte Carlo / decomposed variance)", gaps, 0, 4));
    result.claims.push_back(experiment::within_se(
        "standard bagging is unbiased on the linear model (every $m$)",
        "signed error, mean over test points", errors, 0, 4));
    // Averaging over fresh subsamples moves the resampling spread into the variance; what stays
    // is the bias of the bagged map Ā = E_S[A_S], whatever m.
    result.claims.push_back(experiment::within_se(
        "standard bagging keeps the misspecification bias of its bagged map for every $m$: "
        "bias² = $\\mathrm{mean}_{x_0}(x_0^\\top\\mathbb{E}_S[A_S]f(X) - f(x_0))^2$",
        fmt::format("Monte Carlo minus exact bias² (exact {}; OLS's {:.4g})", pm(bias2), ols_bias2),
        bias_gaps, 0, 4));
    return fmt::format(
        "No. With samples redrawn for every training set the variance is "
        "$\\rho\\sigma_1^2 + (1-\\rho)\\sigma_1^2/m$: one member's $\\sigma_1^2 = {}$, and the "
        "$m \\to \\infty$ limit $\\rho\\sigma_1^2 = {}$ stays above OLS's {:.4g} (by a factor {:.4f}), "
        "as Gauss–Markov demands. On the misspecified target its bias² is {} for every $m$ "
        "(OLS: {:.4g}).",
        pm(member), pm(limit), ols_variance, limit.value / ols_variance, pm(bias2), ols_bias2);
  }

  // One member on k rows against OLS, averaged over random designs: the ratio of the mean exact
  // variances x₀ᵀ(X_SᵀX_S)⁻¹x₀ and x₀ᵀ(XᵀX)⁻¹x₀ (paired, the same X and x₀) against
  // (n−d−1)/(k−d−1). Adds a claim; returns a sentence for the answer.
  static std::string random_designs(Index n, Index d, Index K, std::size_t k, std::size_t designs,
                                    const Context& context, std::string_view mutant,
                                    Result& result) {
    require(Index(k) > d + 1, "bagging-ols: a subsample of {} rows needs more than d + 1 = {} for "
            "the inverse-Wishart mean", k, d + 1);
    const auto terms = context.trials<std::array<double, 2>>(
        "random-designs", designs, [&](std::size_t, Rng& rng) {
          const Mat<double> X = gaussian_matrix(n, d, rng), X0 = gaussian_matrix(K, d, rng);
          const Members member = subsamples(n, Index(k), 1, rng);
          const auto mean_quadratic_form = [&](const Mat<double>& rows) {
            const Mat<double> solved = (rows.transpose() * rows).ldlt().solve(X0.transpose());
            return (X0.transpose().cwiseProduct(solved)).sum() / double(K);
          };
          return std::array<double, 2>{mean_quadratic_form(X(member.rows.front(), Eigen::all)),
                                       mean_quadratic_form(X)};
        });
    const auto count = Index(designs);
    Vec<double> one(count), ols(count);
    for (Index t = 0; t < count; ++t)
      one(t) = terms[std::size_t(t)][0], ols(t) = terms[std::size_t(t)][1];
    const Estimate ratio = experiment::ratio_estimate(one, ols);
    const double theory = single_member_ratio(n, Index(k), d, mutant);
    result.claims.push_back(experiment::within_se(
        fmt::format("one member on $k = {}$ of $n = {}$ rows has $(n-d-1)/(k-d-1) = {:.4g}$ times "
                    "the OLS variance (random Gaussian designs)",
                    k, n, single_member_ratio(n, Index(k), d, {})),
        fmt::format("ratio of mean exact variances over {} designs", designs), ratio, theory, 4));
    return fmt::format(
        "Averaged over random designs, one member on {} of {} rows has {} times the OLS variance "
        "($(n-d-1)/(k-d-1) = {:.4g}$, more than $n/k = {:.3g}$: fewer rows also leave fewer "
        "degrees of freedom).",
        k, n, pm(ratio), single_member_ratio(n, Index(k), d, {}), double(n) / double(k));
  }

  // (a) Unbiasedness on the linear model, per family: the signed error averaged over the test
  // points, worst |z| ≤ 4 (bias² ≥ 0 would have an SE that hides small biases).
  static void unbiased_claims(const std::vector<std::size_t>& sizes,
                              const std::vector<MethodStats>& lin, Result& result) {
    const std::size_t J = sizes.size();
    const std::array<std::pair<std::string, std::pair<std::size_t, std::size_t>>, 3> families{
        {{"OLS", {0, 1}}, {"the subsample ensemble (every $m$)", {1, 1 + J}},
         {"the bootstrap ensemble (every $m$)", {1 + J, 1 + 2 * J}}}};
    for (const auto& [name, range] : families) {
      std::vector<Member> family;
      for (std::size_t q = range.first; q < range.second; ++q)
        family.push_back({lin[q].name, lin[q].mc.mean_error});
      result.claims.push_back(experiment::within_se(
          fmt::format("{} is unbiased on the linear model: $\\mathbb{{E}}[x_0^\\top \\hat w] = x_0^\\top \\beta$", name),
          "signed error $x_0^\\top \\hat w - x_0^\\top\\beta$, mean over test points", family, 0, 4));
    }
  }

  // (b) Gauss–Markov, the exact variances, and the picture over m and over n, as ratios to OLS.
  static void variance_evidence(const std::vector<std::size_t>& sizes,
                                const std::vector<MethodStats>& lin,
                                const std::vector<Index>& n_list,
                                const std::vector<std::vector<MethodStats>>& sweep,
                                std::size_t m_sweep, Result& result) {
    const std::size_t J = sizes.size();
    double smallest_ratio = std::numeric_limits<double>::infinity();
    for (std::size_t family = 0; family < 2; ++family) {
      std::vector<Member> ratios;
      for (std::size_t j = 0; j < J; ++j) {
        ratios.push_back({fmt::format("m={}", sizes[j]),
                          experiment::ratio_estimate(lin[1 + family * J + j].mc.variance_terms,
                                                     lin[0].mc.variance_terms)});
        smallest_ratio = std::min(smallest_ratio, ratios.back().estimate.value);
      }
      result.claims.push_back(experiment::at_least(
          fmt::format("{} ensemble variance $\\ge$ OLS variance for every $m$ (Gauss–Markov)",
                      family == 0 ? "subsample" : "bootstrap"),
          "variance ratio to OLS (Monte Carlo)", ratios, 1, 4));
    }
    // Monte Carlo variances against the exact formula, over every method and n, on the log
    // scale (stats.hpp: log_ratio); the exact value is a number, so only the Monte Carlo has an SE.
    std::vector<Member> variances;
    const auto variance_gap = [](const MethodStats& m) {
      return experiment::log_ratio(m.mc.variance, {m.exact_variance, 0});
    };
    for (const auto& m : lin) variances.push_back({m.name, variance_gap(m)});
    for (std::size_t q = 0; q < sweep.size(); ++q)
      for (const auto& m : sweep[q])
        variances.push_back({fmt::format("n = {}, {}", n_list[q], m.name), variance_gap(m)});
    result.claims.push_back(experiment::within_se(
        "Monte Carlo variances agree with the exact $\\sigma^2\\|\\bar A^\\top x_0\\|^2$",
        "log(Monte Carlo / exact variance)", variances, 0, 4));

    // Ratios to OLS show the effect the overlapping raw variances would hide.
    std::vector<double> m_axis(sizes.begin(), sizes.end());
    Figure by_m{.id = "variance-vs-m",
                .title = "Variance of bagged OLS relative to OLS vs ensemble size $m$ (linear target)",
                .x_label = "ensemble size m", .y_label = "variance / OLS variance",
                .log_x = true, .log_y = false, .lines = {}, .caption = {}};
    const double ols = lin[0].exact_variance;
    for (std::size_t family = 0; family < 2; ++family) {
      const std::string name = family == 0 ? "subsample 2/3" : "bootstrap";
      Line mc{name + ", Monte Carlo", m_axis, {}, {}, "points"};
      Line exact{name + ", exact", m_axis, {}, {}, "lines"};
      for (std::size_t j = 0; j < J; ++j) {
        const MethodStats& m = lin[1 + family * J + j];
        mc.y.push_back(m.mc.variance.value / ols);
        mc.err.push_back(m.mc.variance.se / ols);
        exact.y.push_back(m.exact_variance / ols);
      }
      by_m.lines.push_back(std::move(mc));
      by_m.lines.push_back(std::move(exact));
    }
    by_m.lines.push_back({"OLS", {m_axis.front(), m_axis.back()}, {1, 1}, {}, "lines"});
    const auto exact_ratio = [&](std::size_t q) { return lin[q].exact_variance / ols; };
    by_m.caption = fmt::format(
        "Every ensemble stays above the OLS line at 1 (smallest measured ratio {:.3g}): the "
        "subsample ensemble falls from {:.3g} at $m = {}$ to {:.3g} at $m = {}$, the bootstrap "
        "ensemble from {:.3g} to {:.3g}. Points: Monte Carlo ± SE; lines: the exact "
        "$\\sigma^2\\|\\bar A^\\top x_0\\|^2$ of the same ensembles, divided by OLS's.",
        smallest_ratio, exact_ratio(1), sizes.front(), exact_ratio(J), sizes.back(),
        exact_ratio(1 + J), exact_ratio(2 * J));
    result.figures.push_back(std::move(by_m));

    Table linear{"linear", "Linear target $y = x^\\top\\beta + \\varepsilon$: bias², variance, MSE at the test points",
                 {"method", "bias² ± SE", "variance ± SE", "exact variance", "$z$ (MC − exact)",
                  "MSE ± SE", "variance / OLS ± SE"},
                 {}, ""};
    for (const auto& m : lin)
      linear.rows.push_back({m.name, pm(m.mc.bias2), pm(m.mc.variance), m.exact_variance,
                             z_score(m.mc.variance, m.exact_variance), pm(m.mc.mse),
                             pm(experiment::ratio_estimate(m.mc.variance_terms, lin[0].mc.variance_terms))});
    linear.caption =
        "Averages over the test points $x_0$. Monte Carlo over independent noise draws on a fixed "
        "design; each ensemble's members are fixed subsamples (or bootstrap samples), so the "
        "exact variance is $\\sigma^2 x_0^\\top \\bar A \\bar A^\\top x_0$ for exactly that ensemble's "
        "map. bias² is the unbiased estimate (it can be slightly negative).";
    linear.data = true;
    result.tables.push_back(std::move(linear));

    // Over n: ratio to OLS at each n, and OLS's own fall with n as a fitted log-log slope.
    Figure by_n{.id = "variance-vs-n",
                .title = fmt::format("Variance relative to OLS vs training-set size $n$ ($m = {}$)", m_sweep),
                .x_label = "training samples n", .y_label = "variance / OLS variance",
                .log_x = true, .log_y = false, .lines = {}, .caption = {}};
    const std::array<std::string, 2> names{"subsample 2/3", "bootstrap"};
    std::vector<double> n_axis, ols_variance;
    for (std::size_t q = 0; q < n_list.size(); ++q) {
      n_axis.push_back(double(n_list[q]));
      ols_variance.push_back(sweep[q][0].exact_variance);
    }
    double lowest = std::numeric_limits<double>::infinity(), highest = 0;
    for (std::size_t method = 1; method < 3; ++method) {
      Line mc{names[method - 1] + ", Monte Carlo", n_axis, {}, {}, "points"};
      Line exact{names[method - 1] + ", exact", n_axis, {}, {}, "lines"};
      for (std::size_t q = 0; q < n_list.size(); ++q) {
        const MethodStats& m = sweep[q][method];
        mc.y.push_back(m.mc.variance.value / ols_variance[q]);
        mc.err.push_back(m.mc.variance.se / ols_variance[q]);
        exact.y.push_back(m.exact_variance / ols_variance[q]);
        lowest = std::min(lowest, exact.y.back()), highest = std::max(highest, exact.y.back());
      }
      by_n.lines.push_back(std::move(mc));
      by_n.lines.push_back(std::move(exact));
    }
    by_n.lines.push_back({"OLS", {n_axis.front(), n_axis.back()}, {1, 1}, {}, "lines"});
    const auto slope = experiment::fit_log_log(n_axis, ols_variance);
    by_n.caption = fmt::format(
        "At every $n$ the ensembles' variance is {:.3g} to {:.3g} times OLS's (exact), while "
        "OLS's own variance falls like $n^{{{:.2f}}}$ (fitted log-log slope; about $\\sigma^2 d/n$). "
        "Each $n$ has its own fixed design and ensembles; points: Monte Carlo ± SE.",
        lowest, highest, slope.slope.value);
    result.figures.push_back(std::move(by_n));

    Table by_n_table{"versus-n", "Variance vs $n$ at a fixed ensemble size",
                     {"$n$", "method", "variance ± SE", "exact variance", "$z$ (MC − exact)", "bias² ± SE"},
                     {}, ""};
    for (std::size_t q = 0; q < n_list.size(); ++q)
      for (const auto& m : sweep[q])
        by_n_table.rows.push_back({double(n_list[q]), m.name, pm(m.mc.variance), m.exact_variance,
                                   z_score(m.mc.variance, m.exact_variance), pm(m.mc.bias2)});
    by_n_table.caption = "Linear target; each $n$ has its own fixed design and ensembles.";
    by_n_table.data = true;
    result.tables.push_back(std::move(by_n_table));
  }

  // (d) The misspecified target: bias², variance and MSE of the ensembles against OLS's, and the
  // Monte Carlo bias² against the exact one. Returns the part's answer, from the numbers.
  static std::string misspecified_evidence(const std::vector<std::size_t>& sizes,
                                           const std::vector<MethodStats>& mis, Result& result) {
    const std::size_t J = sizes.size();
    std::vector<Member> bias_gaps;
    for (const auto& m : mis)
      bias_gaps.push_back({m.name, {m.mc.bias2.value - m.exact_bias2, m.mc.bias2.se}});
    result.claims.push_back(experiment::within_se(
        "misspecified target: Monte Carlo bias² agrees with the exact "
        "$\\mathrm{mean}_{x_0}(x_0^\\top \\bar A f(X) - f(x_0))^2$",
        "Monte Carlo minus exact bias²", bias_gaps, 0, 4));

    Table misspec{"misspecified", "Misspecified target $f(x) = x^\\top\\beta + a\\sum_j (x_j^2 - 1)/\\sqrt{d}$",
                  {"method", "bias² ± SE", "exact bias²", "variance ± SE", "exact variance", "MSE ± SE"},
                  {}, ""};
    for (const auto& m : mis)
      misspec.rows.push_back({m.name, pm(m.mc.bias2), m.exact_bias2, pm(m.mc.variance),
                              m.exact_variance, pm(m.mc.mse)});
    misspec.caption = "Exact bias² = mean over $x_0$ of $(x_0^\\top \\bar A f(X) - f(x_0))^2$.";
    misspec.data = true;
    result.tables.push_back(std::move(misspec));

    std::vector<double> m_axis(sizes.begin(), sizes.end());
    Figure misfit{.id = "misspecified-vs-m", .title = "Misspecified target: bias², variance, MSE vs $m$",
                  .x_label = "ensemble size m", .y_label = "mean over test points",
                  .log_x = true, .log_y = false, .lines = {}, .caption = {}};
    Line bias{"bias², subsample ensemble", m_axis, {}, {}, "linespoints"};
    Line variance{"variance, subsample ensemble", m_axis, {}, {}, "linespoints"};
    Line mse{"MSE, subsample ensemble", m_axis, {}, {}, "linespoints"};
    for (std::size_t j = 0; j < J; ++j) {
      const MethodStats& m = mis[1 + j];
      bias.y.push_back(m.mc.bias2.value), bias.err.push_back(m.mc.bias2.se);
      variance.y.push_back(m.mc.variance.value), variance.err.push_back(m.mc.variance.se);
      mse.y.push_back(m.mc.mse.value), mse.err.push_back(m.mc.mse.se);
    }
    const double lo = m_axis.front(), hi = m_axis.back();
    misfit.lines = {bias, variance, mse,
                    {"bias², OLS", {lo, hi}, {mis[0].mc.bias2.value, mis[0].mc.bias2.value}, {}, "lines"},
                    {"MSE, OLS", {lo, hi}, {mis[0].mc.mse.value, mis[0].mc.mse.value}, {}, "lines"}};
    const double ols_bias2 = mis[0].exact_bias2;
    double lowest_bias2 = std::numeric_limits<double>::infinity();
    for (std::size_t q = 1; q < mis.size(); ++q) lowest_bias2 = std::min(lowest_bias2, mis[q].exact_bias2);
    const std::string bias_story = fmt::format(
        "The subsample ensemble's bias² (exact) goes from {:.3g} at $m = {}$ to {:.3g} at $m = {}$, "
        "against OLS's {:.3g}; the lowest over every ensemble is {:.3g}",
        mis[1].exact_bias2, sizes.front(), mis[J].exact_bias2, sizes.back(), ols_bias2, lowest_bias2);
    misfit.caption = fmt::format(
        "{}: averaging brings the ensemble back to the bias of a linear fit, and bias² stays the "
        "largest part of the MSE ({:.3g} of {:.3g} at $m = {}$). Points: Monte Carlo ± SE.",
        bias_story, mis[J].mc.bias2.value, mis[J].mc.mse.value, sizes.back());
    result.figures.push_back(std::move(misfit));
    return fmt::format(
        "No: bagging linear models gives a linear model, so the bias of a linear fit remains — {}. "
        "The MSE of the largest ensemble is {:.3g} against OLS's {:.3g}.",
        bias_story, mis[J].mc.mse.value, mis[0].mc.mse.value);
  }
};

}  // namespace

NNLAB_REGISTER_LAB(BaggingOls);

}  // namespace nnlab::labs
