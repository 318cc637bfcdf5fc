// Lab dropout-linreg (sheet 9.1.6): dropout on linear regression, p = KEEP probability.
//   E[R_ij] = p,  E[R_ij R_ik] = δ_jk p + (1−δ_jk) p²
//   E_R[J](w) = ‖y − pXw‖² + p(1−p) Σ_j w_j² (XᵀX)_jj
//   w* = (p XᵀX + (1−p) diag(XᵀX))⁻¹ Xᵀy,   p·w* = ridge with λ_j = (1−p)/p · (XᵀX)_jj
// Design matrix X: N × D (rows are samples). Test predictions use weight scaling: p·x₀ᵀw*.
#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <span>
#include <string_view>

#include "nnlab/analysis/linear_model.hpp"
#include "nnlab/core/error.hpp"
#include "nnlab/data/csv.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/data/transform.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/optim/quadratic_cg.hpp"

namespace nnlab::labs {
namespace {

using data::gaussian_matrix;
using experiment::Estimate, experiment::Welford, experiment::pm;
constexpr double inf = std::numeric_limits<double>::infinity();

// Monte Carlo sums are split into a fixed number of chunks (one stream each), merged in chunk
// order, so the result does not depend on how many threads run them.
constexpr std::size_t chunks = 64;

void fill_mask(Mat<double>& R, double p, Rng& rng) {
  for (Index j = 0; j < R.cols(); ++j)
    for (Index i = 0; i < R.rows(); ++i) R(i, j) = bernoulli(rng, p);
}

// Standardizes the columns of train and test (rows are samples) by the training rows' means
// and standard deviations.
void standardize(Mat<double>& train, Mat<double>& test) {
  const auto scaler = data::Standardizer<double>::fit(Mat<double>(train.transpose()));
  for (Index j = 0; j < train.cols(); ++j)
    require(train.col(j).minCoeff() < train.col(j).maxCoeff(),
            "dropout-linreg: feature {} is constant in the training rows", j);
  train = scaler.apply(train.transpose()).transpose();
  test = scaler.apply(test.transpose()).transpose();
}

// Test error of dropout (each p), OLS and ridge (each λ) over repeated training sets. One
// trial returns a row of scores: the test MSE of every model (p_grid, then OLS, then λ grid).
struct Sweep {
  std::vector<double> p_grid, lambdas;
  Mat<double> errors;  // trials × (P + 1 + L)
};

struct SweepSummary {
  std::vector<Estimate> dropout, ridge;
  Estimate ols;
  std::size_t best_p = 0, best_lambda = 0;
  Estimate gain;  // OLS error − best dropout error, paired over trials
};

SweepSummary summarize(const Sweep& s) {
  SweepSummary r;
  const auto P = Index(s.p_grid.size()), L = Index(s.lambdas.size());
  for (Index k = 0; k < P; ++k) r.dropout.push_back(experiment::mean_estimate(s.errors.col(k)));
  r.ols = experiment::mean_estimate(s.errors.col(P));
  for (Index k = 0; k < L; ++k) r.ridge.push_back(experiment::mean_estimate(s.errors.col(P + 1 + k)));
  const auto less = [](const Estimate& a, const Estimate& b) { return a.value < b.value; };
  r.best_p = std::size_t(std::min_element(r.dropout.begin(), r.dropout.end(), less) - r.dropout.begin());
  r.best_lambda = std::size_t(std::min_element(r.ridge.begin(), r.ridge.end(), less) - r.ridge.begin());
  r.gain = experiment::paired_difference(s.errors.col(P), s.errors.col(Index(r.best_p)));
  return r;
}

// Fits every model on (X, y) and returns the score row (see Sweep) against `truth` at the
// rows of X0, errors scaled by 1/scale.
std::vector<double> fit_and_score(const Mat<double>& X, const Vec<double>& y, const Mat<double>& X0,
                                  const Vec<double>& truth, const Sweep& s, double scale = 1) {
  const auto mse = [&](const Vec<double>& prediction) {
    return (prediction - truth).squaredNorm() / double(truth.size()) / scale;
  };
  std::vector<double> scores;
  for (double p : s.p_grid) scores.push_back(mse(p * (X0 * analysis::dropout_closed_form(X, y, p))));
  scores.push_back(mse(X0 * analysis::ols(X, y)));
  for (double lambda : s.lambdas) scores.push_back(mse(X0 * analysis::ridge(X, y, lambda)));
  return scores;
}

Figure sweep_figure(std::string id, std::string title, std::string y_label, const Sweep& s,
                    const SweepSummary& r, std::string caption) {
  Figure f{.id = std::move(id), .title = std::move(title), .x_label = "keep probability p",
           .y_label = std::move(y_label), .lines = {}, .caption = {}};
  Line dropout{"dropout, prediction p·x₀ᵀw*", s.p_grid, {}, {}, "linespoints"};
  for (const auto& e : r.dropout) dropout.y.push_back(e.value), dropout.err.push_back(e.se);
  const double lo = s.p_grid.front(), hi = s.p_grid.back();
  f.lines.push_back(dropout);
  f.lines.push_back({"OLS", {lo, hi}, {r.ols.value, r.ols.value}, {}, "lines"});
  const Estimate& ridge = r.ridge[r.best_lambda];
  f.lines.push_back({fmt::format("best ridge (λ = {:.3g})", s.lambdas[r.best_lambda]),
                     {lo, hi}, {ridge.value, ridge.value}, {}, "lines"});
  f.caption = fmt::format(
      "The error falls from {:.3g} at $p = 1$ (OLS) to {:.3g} at the best $p = {:.2g}$, against "
      "{:.3g} for the best ridge. {}",
      r.dropout.back().value, r.dropout[r.best_p].value, s.p_grid[r.best_p], ridge.value, caption);
  return f;
}

void sweep_rows(Table& t, const std::string& data, const Sweep& s, const SweepSummary& r) {
  t.rows.push_back({data, "OLS", pm(r.ols), r.ols.value});
  t.rows.push_back({data, fmt::format("dropout, best p = {:.3g}", s.p_grid[r.best_p]),
                    pm(r.dropout[r.best_p]), r.dropout[r.best_p].value});
  t.rows.push_back({data, fmt::format("ridge, best λ = {:.3g}", s.lambdas[r.best_lambda]),
                    pm(r.ridge[r.best_lambda]), r.ridge[r.best_lambda].value});
}

// The lab's theory — E_R[J], its gradient and its minimizer — or one of its mutants (see
// DropoutLinreg::mutants()). The measurements (masks, Monte Carlo, SGD, the test-error sweeps)
// never read it. A mutant writes E = ‖y − aXw‖² + b Σ_j w_j² (XᵀX)_jj with its own shrink a
// and penalty b (the truth: a = p, b = p(1−p)), with the minimizer that follows from it, except
// the mutants that err in one function only.
struct Theory {
  std::string_view mutant;  // empty: the true theory

  double shrink(double p) const { return mutant == "keep-drop" ? 1 - p : p; }
  double penalty(double p) const {
    if (mutant == "p-squared-penalty") return p * p;
    if (mutant == "missing-one-minus-p") return p;
    return p * (1 - p);
  }

  double expected_loss(const Mat<double>& X, const Vec<double>& y, const Vec<double>& w,
                       double p) const {
    if (mutant.empty()) return analysis::dropout_expected_loss(X, y, w, p);
    const double a = shrink(p);
    const Vec<double> Xw = X * w;
    const double penalty_term = penalty(p) * w.cwiseAbs2().dot(gram_diagonal(X));
    // y − aXw = r + (1−a)Xw with r = y − Xw; this derivation drops the cross term 2(1−a)rᵀXw,
    // which vanishes at w = OLS.
    if (mutant == "dropped-cross-term")
      return (y - Xw).squaredNorm() + (1 - a) * (1 - a) * Xw.squaredNorm() + penalty_term;
    return (y - a * Xw).squaredNorm() + penalty_term;
  }

  Vec<double> gradient(const Mat<double>& X, const Vec<double>& y, const Vec<double>& w,
                       double p) const {
    if (mutant.empty()) return analysis::dropout_expected_loss_gradient(X, y, w, p);
    const double a = shrink(p);
    const Vec<double> penalty_term = 2 * penalty(p) * gram_diagonal(X).cwiseProduct(w);
    if (mutant == "dropped-cross-term")
      return -2 * X.transpose() * (y - X * w) + 2 * (1 - a) * (1 - a) * (X.transpose() * (X * w)) +
             penalty_term;
    // The chain rule's inner factor p of ‖y − pXw‖² forgotten.
    if (mutant == "gradient-missing-p") return -2 * X.transpose() * (y - a * (X * w)) + penalty_term;
    return -2 * a * (X.transpose() * (y - a * (X * w))) + penalty_term;
  }

  Vec<double> closed_form(const Mat<double>& X, const Vec<double>& y, double p) const {
    if (mutant.empty() || mutant == "gradient-missing-p")
      return analysis::dropout_closed_form(X, y, p);
    const double a = shrink(p), b = penalty(p);
    const Mat<double> gram = X.transpose() * X;
    Mat<double> M = a * a * gram;
    Vec<double> rhs = a * (X.transpose() * y);
    if (mutant == "dropped-cross-term") {
      M = (1 + (1 - a) * (1 - a)) * gram;
      rhs = X.transpose() * y;
    } else if (mutant == "wrong-closed-form") {
      rhs = X.transpose() * y;  // the p of pXᵀy lost: (p²XᵀX + p(1−p)diag(XᵀX))⁻¹Xᵀy = w*/p
    }
    M.diagonal() += b * gram.diagonal();
    return M.ldlt().solve(rhs);
  }

  static Vec<double> gram_diagonal(const Mat<double>& X) {
    return X.colwise().squaredNorm().transpose();
  }
};

// E_R[J] of a theory as an objective for the drivers (optim/objective.hpp).
struct TheoryLoss {
  using Scalar = double;
  const Theory& theory;
  const Mat<double>& X;
  const Vec<double>& y;
  double p;

  Index dim() const { return X.cols(); }
  double value(const Vec<double>& w) const { return theory.expected_loss(X, y, w, p); }
  double gradient(const Vec<double>& w, Vec<double>& g) const {
    g = theory.gradient(X, y, w, p);
    return value(w);
  }
};

class DropoutLinreg : public Lab {
 public:
  std::string id() const override { return "dropout-linreg"; }
  std::string sheet() const override { return "9.1.6"; }
  std::string question() const override {
    return "What does dropout do to linear regression — and what is its closed-form solution?";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("p", T::real, "keep probability for the closed-form, SGD and shrinkage checks", "0.3",
             "", 0.01, 1),
        spec("p_list", T::real_list,
             "keep probabilities for the mask-moment, expected-loss, gradient and ridge checks",
             "0.1,0.2,0.35,0.5,0.65,0.8,0.9", "0.2,0.5,0.8", 0.01, 1),
        spec("n", T::integer, "samples N of the fixed design X (N × D)", "60", "", 2, 1e6),
        spec("d", T::integer, "features D", "8", "", 1, 1000),
        spec("sigma", T::real, "noise standard deviation of y = Xβ + σε", "0.5", "", 0, 1e6),
        spec("mask_rows", T::integer, "mask rows R_i· (D entries each) drawn per p for E[R], E[RR]",
             "2000000", "100000", 100, 1e9),
        spec("loss_samples", T::integer, "masks R (N × D) drawn per p for the Monte Carlo E_R[J]",
             "100000", "8000", 100, 1e9),
        spec("sgd_steps", T::integer,
             "SGD steps T per run (one sample and one mask each); the iterates of (T/2, T] are "
             "averaged", "2000000", "400000", 1000, 1e10),
        spec("sgd_runs", T::integer, "independent SGD runs", "16", "8", 4, 1000),
        spec("p_grid", T::real_list, "keep probabilities of the test-error sweep",
             "0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95,0.98,1",
             "0.1,0.3,0.5,0.7,0.9,0.95,0.98,1", 0.01, 1),
        spec("reg_n", T::integer, "training samples of the synthetic sweep (close to reg_d)", "25",
             "", 2, 1e6),
        spec("reg_d", T::integer, "features of the synthetic sweep, x ~ N(0, I)", "20", "", 1, 1000),
        spec("reg_sigma", T::real, "noise standard deviation of the synthetic sweep", "1", "", 0, 1e6),
        spec("reg_trials", T::integer, "training sets of the synthetic sweep", "1000", "400", 2, 1e7),
        spec("reg_test", T::integer, "test points of the synthetic sweep", "200", "", 1, 1e6),
        path_spec("diabetes_dir",
                  "folder with scikit-learn's diabetes_data_raw.csv.gz and diabetes_target.csv.gz",
                  "/usr/lib/python3/dist-packages/sklearn/datasets/data",
                  {"diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"}),
        spec("diabetes_train", T::integer, "training rows per random split of the 442 diabetes rows",
             "40", "", 12, 430),
        spec("diabetes_splits", T::integer, "random train/test splits of the diabetes data", "400",
             "50", 2, 1e6),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {{"keep-drop", "p read as the DROP probability: E = ‖y − (1−p)Xw‖² + p(1−p)Σ_j w_j²(XᵀX)_jj"},
            {"p-squared-penalty", "penalty p² Σ_j w_j²(XᵀX)_jj instead of p(1−p) (equal at p = ½)"},
            {"missing-one-minus-p", "penalty p Σ_j w_j²(XᵀX)_jj: the factor (1−p) lost"},
            {"dropped-cross-term",
             "‖y − pXw‖² expanded as ‖y − Xw‖² + (1−p)²‖Xw‖², without 2(1−p)(y − Xw)ᵀXw "
             "(exact at w = OLS)"},
            {"wrong-closed-form",
             "right loss, minimizer (p²XᵀX + p(1−p)diag(XᵀX))⁻¹Xᵀy: the p of pXᵀy lost"},
            {"gradient-missing-p",
             "right loss and minimizer, gradient −2Xᵀ(y − pXw) + 2p(1−p)diag(XᵀX)w: the chain "
             "rule's factor p lost"}};
  }

  Result run(const Params& params, const Context& context) const override {
    const double p = params.real("p");
    const auto p_list = params.real_list("p_list");
    const Index N = params.integer("n"), D = params.integer("d");
    const double sigma = params.real("sigma");
    require(N >= D, "dropout-linreg: n = {} must be ≥ d = {} for OLS to be defined", N, D);
    const Theory theory{active_mutant(*this, context)};

    // Fixed design with feature scales from 1/4 to 4, so diag(XᵀX) differs across features.
    Rng data_rng = context.rng("design");
    Mat<double> X = gaussian_matrix(N, D, data_rng);
    for (Index j = 0; j < D; ++j)
      X.col(j) *= std::pow(4.0, D == 1 ? 0.0 : 2.0 * double(j) / double(D - 1) - 1.0);
    const Vec<double> beta = gaussian_matrix(D, 1, data_rng).col(0);
    const Vec<double> y = X * beta + sigma * gaussian_matrix(N, 1, data_rng).col(0);
    // A weight vector that is no minimizer of anything here, where the cross term does not vanish.
    Rng weight_rng = context.rng("weights");
    const Vec<double> w_random = gaussian_matrix(D, 1, weight_rng).col(0);

    Result result;
    auto since = result.mark();
    mask_moments(params, context, p_list, result);
    result.assign("a", since);
    context.report(0.15, "expected loss: Monte Carlo vs formula");
    since = result.mark();
    expected_loss(params, context, theory, p_list, X, y, w_random, result);
    result.assign("b", since);
    since = result.mark();
    gradient_check(theory, p_list, X, y, w_random, result);
    context.report(0.3, "closed form vs numerical minimization and SGD");
    const auto minimization = closed_form_and_sgd(params, context, theory, p, X, y, result);
    result.assign("c", since);
    since = result.mark();
    limits(theory, X, y, result);
    context.report(0.5, "ridge view");
    ridge_view(theory, p, p_list, X, y, beta, result);
    result.assign("d", since);
    context.report(0.6, "test error vs p (synthetic)");
    since = result.mark();
    const auto synthetic = synthetic_sweep(params, context, result);
    context.report(0.8, "test error vs p (diabetes)");
    const std::string diabetes = diabetes_sweep(params, context, result);
    result.assign("e", since);
    context.report(1.0, "done");

    result.notation = {
        {"N", "number of training samples: the rows of $X$, indexed by $i$", "m"},
        {"D", "number of features: the columns of $X$, indexed by $j$ and $k$", "n"},
        {"x_{ij}", "feature $j$ of sample $i$", "x_j^{(i)}"},
        {"X", "the $N \\times D$ design matrix, rows are samples", "\\text{rows}\\ x^{(i)}"},
        {"y_i", "target of sample $i$; $y \\in \\mathbb{R}^N$", "y^{(i)}"},
        {"p", "KEEP probability: $R_{ij} = 1$ with probability $p$", ""},
        {"R_{ij}", "dropout mask entry of feature $j$ for sample $i$", ""},
        {"\\Gamma", "$\\operatorname{diag}(X^\\top X)$: $\\Gamma_{jj} = \\sum_i x_{ij}^2$", ""},
        {"w^*", "the minimizer of $\\mathbb{E}_R[J]$ (training-time weights)", ""},
        {"p w^*", "the test-time weights: no mask, activations scaled by $p$", ""},
        {"\\lambda_j", "the per-feature ridge penalty that $p w^*$ solves", ""},
        {"\\hat w_{\\text{OLS}}", "ordinary least squares, $(X^\\top X)^{-1}X^\\top y$", ""},
        {"x_0", "a test input (prediction $p\\, x_0^\\top w^*$)", ""},
        {"\\beta, \\sigma", "true weights and noise level of simulated data "
                            "$y = X\\beta + \\sigma\\varepsilon$", ""},
    };

    const Vec<double> w_star = theory.closed_form(X, y, p);
    result.parts = {
        {"a",
         "Show that $\\mathbb{E}[R_{ij}] = p$ and $\\mathbb{E}[R_{ij}R_{ik}] = \\delta_{jk}p + (1-\\delta_{jk})p^2$.",
         fmt::format("$R_{{ij}}$ is a Bernoulli($p$) variable, so its mean is $p$; for $j \\ne k$ two "
                     "independent masks give $p^2$, and for $j = k$, $R_{{ij}}^2 = R_{{ij}}$ gives $p$. "
                     "Monte Carlo over {} mask rows agrees at every $p$ in $\\{{{}\\}}$ (claims: "
                     "every $|z| \\le 4$).",
                     params.integer("mask_rows"), fmt::join(p_list, ", ")),
         R"($R_{ij} \in \{0, 1\}$ with $P(R_{ij} = 1) = p$ (keep probability), independently for every $i, j$.

$$\mathbb{E}[R_{ij}] = 1 \cdot p + 0 \cdot (1-p) = p.$$

For $j = k$: $R_{ij}^2 = R_{ij}$ since $R_{ij} \in \{0,1\}$, so $\mathbb{E}[R_{ij}R_{ij}] = p$. For $j \ne k$ the two entries are independent:

$$\mathbb{E}[R_{ij}R_{ik}] = \mathbb{E}[R_{ij}]\,\mathbb{E}[R_{ik}] = p^2 .$$

Both cases in one formula: $\mathbb{E}[R_{ij}R_{ik}] = \delta_{jk}\,p + (1-\delta_{jk})\,p^2$.)"},
        {"b",
         "Show that $\\mathbb{E}_R[J(w)] = \\sum_i \\big(y_i - p\\sum_j w_j x_{ij}\\big)^2 + p(1-p)\\sum_j w_j^2 \\sum_i x_{ij}^2$.",
         fmt::format("Expanding the square and taking the mask moments of (a) term by term gives "
                     "the sheet's formula: a sum of squares with the prediction shrunk by $p$, "
                     "plus the penalty $p(1-p)\\sum_j \\Gamma_{{jj}} w_j^2$. The Monte Carlo "
                     "average of $J$ over {} masks agrees with it at {} values of $p$ and at three "
                     "weights (claims: every $|z| \\le 4$), including $p \\ne 1/2$ where $p$ "
                     "and $1-p$ differ.",
                     params.integer("loss_samples"), p_list.size()),
         R"(Write $J = \sum_i \big(y_i - \sum_j w_j R_{ij} x_{ij}\big)^2$ and expand the square of sample $i$:

$$\Big(y_i - \sum_j w_j R_{ij} x_{ij}\Big)^2 = y_i^2 - 2y_i \sum_j w_j R_{ij} x_{ij} + \sum_j \sum_k w_j w_k R_{ij} R_{ik} x_{ij} x_{ik}.$$

Take the expectation over $R$ with (a): the linear term gets $p$, the double sum $\delta_{jk}p + (1-\delta_{jk})p^2 = p^2 + \delta_{jk}\,p(1-p)$:

$$\mathbb{E}_R\Big[\cdot\Big] = y_i^2 - 2p\,y_i \sum_j w_j x_{ij} + p^2\Big(\sum_j w_j x_{ij}\Big)^2 + p(1-p)\sum_j w_j^2 x_{ij}^2 = \Big(y_i - p\sum_j w_j x_{ij}\Big)^2 + p(1-p)\sum_j w_j^2 x_{ij}^2.$$

Summing over $i$ gives the sheet's formula; in matrix form $\mathbb{E}_R[J(w)] = \|y - pXw\|^2 + p(1-p)\, w^\top \Gamma w$ with $\Gamma = \operatorname{diag}(X^\top X)$.)"},
        {"c",
         "Write down a closed-form solution for the weights that minimize this regularized error.",
         fmt::format("$w^* = (pX^\\top X + (1-p)\\Gamma)^{{-1}} X^\\top y$. It matches conjugate "
                     "gradients on the expected loss to a relative {:.1e}, and stochastic "
                     "gradient descent on sampled masks (which never sees the formula) to {:.2g} "
                     "at $p = {}$; $\\|w^*\\| = {:.3g}$. At test time no unit is dropped and the "
                     "prediction is $p\\, x_0^\\top w^*$ (the sheet's scaling by $p$).",
                     minimization.cg_gap, minimization.sgd_gap, p, w_star.norm()),
         R"(The gradient of $\mathbb{E}_R[J] = \|y - pXw\|^2 + p(1-p)\,w^\top\Gamma w$ is

$$\nabla_w \mathbb{E}_R[J] = -2pX^\top(y - pXw) + 2p(1-p)\,\Gamma w .$$

Setting it to zero and dividing by $2p$:

$$\big(p\,X^\top X + (1-p)\,\Gamma\big)\, w = X^\top y \quad\Rightarrow\quad w^* = \big(p\,X^\top X + (1-p)\,\Gamma\big)^{-1} X^\top y .$$

The Hessian $2p\,(pX^\top X + (1-p)\Gamma)$ is positive definite when $p > 0$ and no column of $X$ is zero (then $\Gamma \succ 0$), so $w^*$ is the unique minimizer — even when $X^\top X$ is singular and OLS is not defined.)"},
        {"d",
         "The expected loss is a sum of squares with weights shrunk by $p$ and a modified $L_2$ "
         "penalty that punishes features with larger $\\sum_i x_{ij}^2$ more: what regularizer is that?",
         "Ridge regression on the test-time weights $\\tilde w = p w$, with a penalty per feature "
         "$\\lambda_j = \\frac{1-p}{p}\\Gamma_{jj}$ (claim: same solution to 1e-9 by two solvers). "
         "Since $\\lambda_j$ scales with $\\Gamma_{jj}$, rescaling a feature by $c$ rescales its "
         "penalty by $c^2$ and its weight by $1/c$: unlike plain ridge, this penalty does not "
         "depend on the units of the features. With orthogonal features every test-time weight is "
         "exactly $p$ times OLS (claim, to 1e-9). The limits: $p = 1$ is OLS, and as $p \\to 0$, "
         "$w^* \\to \\Gamma^{-1}X^\\top y$ (one univariate regression per feature) while "
         "$p w^* \\to 0$ (claims, at $p \\le 0.01$).",
         R"(Substitute $\tilde w = p\,w$ (the weights the network uses at test time):

$$\mathbb{E}_R[J] = \|y - X\tilde w\|^2 + \frac{1-p}{p}\sum_j \Gamma_{jj}\,\tilde w_j^2 ,$$

ridge regression with penalty $\lambda_j = \frac{1-p}{p}\,\Gamma_{jj}$ on feature $j$. For orthogonal columns ($X^\top X = \Gamma$), $w^* = \Gamma^{-1}X^\top y/(p + 1 - p) = \hat w_{\text{OLS}}$, so $\tilde w = p\,\hat w_{\text{OLS}}$. As $p \to 0$, $w^* = (\Gamma + p(X^\top X - \Gamma))^{-1}X^\top y \to \Gamma^{-1}X^\top y$ with error at most $\frac{pc}{1-pc}$ relative, $c = \|\Gamma^{-1}(X^\top X - \Gamma)\|$ (a Neumann series).)"},
        {"e",
         "Beyond the sheet: when does this regularization help the test error?",
         fmt::format("Like ridge, when the data barely determine the weights. With $N = {}$ "
                     "samples for $D = {}$ features, OLS has test MSE {:.3g}, dropout at its best "
                     "$p = {:.2g}$ {:.3g} and the best ridge {:.3g} (claim: the gain exceeds 4 "
                     "SE). {}",
                     params.integer("reg_n"), params.integer("reg_d"), synthetic.ols.value,
                     synthetic.p_best, synthetic.dropout_best, synthetic.ridge_best, diabetes),
         ""},
    };
    result.answer = fmt::format(
        "Averaged over the masks, dropout turns least squares into $\\mathbb{{E}}_R[J](w) = "
        "\\|y - pXw\\|^2 + p(1-p)\\sum_j \\Gamma_{{jj}} w_j^2$ (a, b): shrunk predictions plus an "
        "$L_2$ penalty that punishes features with large $\\Gamma_{{jj}} = \\sum_i x_{{ij}}^2$ "
        "more. Its minimizer is $w^* = (pX^\\top X + (1-p)\\Gamma)^{{-1}}X^\\top y$ (c), and the "
        "test-time model $p w^*$ is ridge regression with $\\lambda_j = \\frac{{1-p}}{{p}}\\Gamma_{{jj}}$ "
        "(d). At $p = {}$ the closed form, conjugate gradients and SGD on sampled masks agree "
        "(SGD to a relative {:.2g}); with $N = {}$ samples for $D = {}$ features it lowers the "
        "test error of OLS from {:.3g} to {:.3g} (e).",
        p, minimization.sgd_gap, params.integer("reg_n"), params.integer("reg_d"), synthetic.ols.value,
        synthetic.dropout_best);
    return result;
  }

 private:
  // (a) E[R] = p, E[R_j R_k] = p² (j ≠ k) and E[R_j²] = p from rows of D mask entries.
  static void mask_moments(const Params& params, const Context& context,
                           const std::vector<double>& p_list, Result& result) {
    const Index D = std::max<Index>(params.integer("d"), 2);
    const auto rows = std::uint64_t(params.integer("mask_rows"));
    Table table{"mask-moments", "Moments of the dropout mask by Monte Carlo",
                {"$p$", "quantity", "exact", "Monte Carlo ± SE", "$z$ = (MC − exact)/SE"}, {}, ""};
    table.data = true;
    // Cell q = p_list[q], trial c = chunk c of the mask rows. Per row: the mean over j of
    // R_j; over ordered pairs j ≠ k of R_j R_k; over j of R_j R_j.
    const auto parts = context.sweep<std::array<Welford, 3>>(
        "mask-moments", p_list.size(), chunks, [&](std::size_t q, std::size_t c, Rng& rng) {
          const std::uint64_t count = rows / chunks + (c < rows % chunks);
          std::array<Welford, 3> part;
          Vec<double> r(D);
          for (std::uint64_t i = 0; i < count; ++i) {
            for (Index j = 0; j < D; ++j) r(j) = bernoulli(rng, p_list[q]);
            const double sum = r.sum(), sum_sq = r.squaredNorm();
            part[0].add(sum / double(D));
            part[1].add((sum * sum - sum_sq) / double(D * (D - 1)));
            part[2].add(sum_sq / double(D));
          }
          return part;
        });
    for (std::size_t q = 0; q < p_list.size(); ++q) {
      const double p = p_list[q];
      std::array<Welford, 3> total;
      for (std::size_t c = 0; c < chunks; ++c)
        for (int k = 0; k < 3; ++k) total[k].merge(parts[q * chunks + c][k]);
      const std::array<std::string, 3> names{"$\\mathbb{E}[R_{ij}]$", "$\\mathbb{E}[R_{ij} R_{ik}]$, $j \\ne k$",
                                             "$\\mathbb{E}[R_{ij}^2]$"};
      const std::array<double, 3> exact{p, p * p, p};
      for (int k = 0; k < 3; ++k) {
        const Estimate e = total[k].estimate();
        table.rows.push_back({p, names[k], exact[k], pm(e), experiment::z_score(e, exact[k])});
        if (k < 2)
          result.claims.push_back(experiment::within_se(
              fmt::format("{} $= {}$ at $p = {}$", names[k], k == 0 ? "p" : "p^2", p),
              fmt::format("mean of $R_{{ij}}{}$ over {} mask rows", k == 0 ? "" : " R_{ik}", rows),
              e, exact[k], 4));
      }
    }
    table.caption =
        "Each Monte Carlo value averages mask rows of $D$ Bernoulli($p$) entries ($p$ = keep "
        "probability); SE is the standard error over rows, and every $|z|$ must be at most 4. "
        "$\\mathbb{E}[R_{ij}^2] = p$ because $R^2 = R$: the $\\delta_{jk} = 1$ case of the sheet's formula.";
    result.tables.push_back(std::move(table));
  }

  // (b) Monte Carlo E_R[J(w)] against the theory at each p of p_list and at three weights: OLS
  // (where the cross term (y − Xw)ᵀXw vanishes), a random w and the theory's own minimizer w*.
  // The same masks serve the three weights. One claim per p, within 4 standard errors.
  static void expected_loss(const Params& params, const Context& context, const Theory& theory,
                            const std::vector<double>& p_list, const Mat<double>& X,
                            const Vec<double>& y, const Vec<double>& w_random, Result& result) {
    const auto samples = std::uint64_t(params.integer("loss_samples"));
    const Vec<double> w_ols = analysis::ols(X, y);
    const std::array<std::string, 3> names{"w = OLS", "random w", "w = w*(p)"};  // plot legends
    std::vector<std::array<Vec<double>, 3>> weights;
    for (double p : p_list) weights.push_back({w_ols, w_random, theory.closed_form(X, y, p)});
    const auto parts = context.sweep<std::array<Welford, 3>>(
        "expected-loss", p_list.size(), chunks, [&](std::size_t q, std::size_t c, Rng& rng) {
          const std::uint64_t count = samples / chunks + (c < samples % chunks);
          std::array<Welford, 3> part;
          Mat<double> R(X.rows(), X.cols());
          for (std::uint64_t i = 0; i < count; ++i) {
            fill_mask(R, p_list[q], rng);
            for (int k = 0; k < 3; ++k)
              part[k].add(analysis::dropout_sampled_loss(X, y, weights[q][k], R));
          }
          return part;
        });
    Table table{"expected-loss", "$\\mathbb{E}_R[J(w)]$: Monte Carlo vs the analytic formula",
                {"$p$", "$w$", "analytic", "Monte Carlo ± SE", "$z$ = (MC − analytic)/SE"}, {}, ""};
    table.data = true;
    Figure figure{"expected-loss-vs-p", "$\\mathbb{E}_R[J(w)]$ vs keep probability $p$",
                  "keep probability p", "E_R[J(w)]", false, true, {}, ""};
    for (int k = 0; k < 2; ++k) {  // analytic curves at the fixed weights
      Line curve{fmt::format("analytic, {}", names[k]), {}, {}, {}, "lines"};
      for (int i = 1; i <= 100; ++i) {
        curve.x.push_back(i / 100.0);
        curve.y.push_back(theory.expected_loss(X, y, weights[0][k], i / 100.0));
      }
      figure.lines.push_back(std::move(curve));
    }
    std::array<Line, 3> points;
    for (int k = 0; k < 3; ++k) points[k] = {fmt::format("Monte Carlo, {}", names[k]), {}, {}, {}, "points"};
    Line minimum{"analytic, w = w*(p)", {}, {}, {}, "linespoints"};
    for (std::size_t q = 0; q < p_list.size(); ++q) {
      const double p = p_list[q];
      std::vector<experiment::Member> family;
      for (int k = 0; k < 3; ++k) {
        Welford total;
        for (std::size_t c = 0; c < chunks; ++c) total.merge(parts[q * chunks + c][k]);
        const Estimate e = total.estimate();
        const double analytic = theory.expected_loss(X, y, weights[q][k], p);
        table.rows.push_back({p, names[k], analytic, pm(e), experiment::z_score(e, analytic)});
        family.push_back({names[k], {e.value - analytic, e.se}});
        points[k].x.push_back(p);
        points[k].y.push_back(e.value);
        points[k].err.push_back(e.se);
        if (k == 2) minimum.x.push_back(p), minimum.y.push_back(analytic);
      }
      // 4 SE: a true formula fails one comparison with probability 6e-5.
      result.claims.push_back(experiment::within_se(
          fmt::format("the sheet's $\\mathbb{{E}}_R[J(w)]$ is the mean of $J(w; R)$ over masks, at $p = {}$", p),
          fmt::format("Monte Carlo minus analytic $\\mathbb{{E}}_R[J]$ over {} masks, at "
                      "$\\hat w_{{\\text{{OLS}}}}$, a random $w$ and $w^*$",
                      samples),
          family, 0, 4));
    }
    for (auto& line : points) figure.lines.push_back(std::move(line));
    figure.lines.push_back(std::move(minimum));
    figure.caption = fmt::format(
        "The Monte Carlo points sit on the sheet's formula at every $p$ (largest $|z|$ in the "
        "claims above). Points: the mean of $J(w; R)$ over {} masks (± SE, smaller than the "
        "points); curves: the formula at $\\hat w_{{\\text{{OLS}}}}$ and at a random $w$ over all "
        "$p$, and its minimum $\\mathbb{{E}}_R[J](w^*(p))$ at the measured $p$.",
        samples);
    result.figures.push_back(std::move(figure));
    table.caption =
        "Each Monte Carlo value averages $J(w; R) = \\sum_i (y_i - \\sum_j w_j R_{ij} x_{ij})^2$ "
        "over independent masks $R$; the analytic column is the sheet's formula. At "
        "$w = \\hat w_{\\text{OLS}}$ the cross term $2(1-p)(y - Xw)^\\top Xw$ vanishes, so the "
        "random $w$ and $w^*$ are the points that test it; at $p = 1/2$, $p$ and $1-p$ (and $p^2$ "
        "and $p(1-p)$) coincide, so $p \\ne 1/2$ tests those. Every $|z|$ must be at most 4.";
    result.tables.push_back(std::move(table));
  }

  // (c) The coded gradient is the gradient of the coded expected loss: central differences
  // (exact for a quadratic up to rounding) at the weights of (b), each p of p_list.
  static void gradient_check(const Theory& theory, const std::vector<double>& p_list,
                             const Mat<double>& X, const Vec<double>& y, const Vec<double>& w_random,
                             Result& result) {
    const Index D = X.cols();
    const Vec<double> w_ols = analysis::ols(X, y);
    double worst = 0;
    for (double p : p_list) {
      // The gradient at w = 0 sets the scale: at w* the gradient itself is 0.
      const double scale = theory.gradient(X, y, Vec<double>::Zero(D), p).norm();
      for (const Vec<double>& w : {w_ols, w_random, Vec<double>(theory.closed_form(X, y, p))}) {
        Vec<double> fd(D);
        for (Index j = 0; j < D; ++j) {
          const double h = 1e-3 * (1 + std::abs(w(j)));
          Vec<double> plus = w, minus = w;
          plus(j) += h;
          minus(j) -= h;
          fd(j) = (theory.expected_loss(X, y, plus, p) - theory.expected_loss(X, y, minus, p)) / (2 * h);
        }
        worst = std::max(worst, (theory.gradient(X, y, w, p) - fd).norm() / scale);
      }
    }
    result.claims.push_back(experiment::at_most(
        "the coded gradient $-2pX^\\top(y - pXw) + 2p(1-p)\\Gamma w$ is the gradient of "
        "$\\mathbb{E}_R[J]$",
        fmt::format("largest relative gap to central differences over $p \\in \\{{{}\\}}$ at "
                    "$\\hat w_{{\\text{{OLS}}}}$, a random $w$ and $w^*$",
                    fmt::join(p_list, ", ")),
        worst, 1e-7));
  }

  // Relative distances to the closed form w*.
  struct Minimization {
    double cg_gap, sgd_gap;
  };

  // (c) w* against conjugate gradients on the coded ∇E_R[J], and against tail-averaged SGD on
  // sampled masks, which sees neither the formula nor its gradient.
  static Minimization closed_form_and_sgd(const Params& params, const Context& context,
                                    const Theory& theory, double p, const Mat<double>& X,
                                    const Vec<double>& y, Result& result) {
    const Index N = X.rows(), D = X.cols();
    const Vec<double> w_star = theory.closed_form(X, y, p);
    const TheoryLoss loss{theory, X, y, p};
    Vec<double> w_cg = Vec<double>::Zero(D), g0(D);
    loss.gradient(w_cg, g0);
    const optim::Report cg =
        optim::quadratic_cg(loss, w_cg, {.max_iters = 50 * D, .grad_tol = 1e-13 * g0.norm()});
    const double numeric_diff = (w_cg - w_star).norm() / w_star.norm();
    result.claims.push_back(experiment::at_most(
        "the closed form $w^* = (pX^\\top X + (1-p)\\Gamma)^{-1}X^\\top y$ minimizes "
        "$\\mathbb{E}_R[J]$",
        fmt::format("$\\|w_{{\\text{{CG}}}} - w^*\\| / \\|w^*\\|$, conjugate gradients on "
                    "$\\nabla\\mathbb{{E}}_R[J]$ ({}, {} iterations, gradient norm {:.2e})",
                    optim::to_string(cg.status), cg.iterations, cg.grad_norm),
        numeric_diff, 1e-6));

    // SGD on F(w) = (1/N) Σ_i E_r (y_i − wᵀ(r ⊙ x_i))², one sample i and one fresh mask r per
    // step, constant step γ, from w = 0. F is a quadratic, so the iterates' stationary mean is
    // exactly argmin F, and E[w_t] − argmin F = (I − 2γ E[zzᵀ])^t (0 − argmin F) with
    // N·E[zzᵀ] = p²XᵀX + p(1−p)diag(XᵀX) (the mask moments of (a)). Averaging the iterates of
    // (T/2, T] leaves a start-up error ≤ ρ^(T/2)‖w*‖, ρ = 1 − 2γλ_min(E[zzᵀ]), which the claim
    // states; the rest is noise, measured by the spread over runs.
    const auto steps = std::uint64_t(params.integer("sgd_steps"));
    const auto runs = std::size_t(params.integer("sgd_runs"));
    const double lr = 1.0 / (4 * X.rowwise().squaredNorm().maxCoeff());
    const Mat<double> gram = X.transpose() * X;
    Mat<double> second_moment = p * p * gram;
    second_moment.diagonal() += p * (1 - p) * gram.diagonal();
    second_moment /= double(N);
    const double lambda_min = Eigen::SelfAdjointEigenSolver<Mat<double>>(second_moment).eigenvalues()(0);
    const double rho = 1 - 2 * lr * lambda_min;
    // Checkpoints t_0 < … < t_K = T, each twice the one before, so the tail average over
    // (t_k/2, t_k] is a difference of running sums at consecutive checkpoints.
    std::vector<std::uint64_t> checkpoints{steps};
    while (checkpoints.back() / 2 >= 500) checkpoints.push_back(checkpoints.back() / 2);
    std::reverse(checkpoints.begin(), checkpoints.end());
    const Mat<double> Xt = X.transpose();  // columns are samples: contiguous x_i
    // One run returns its tail averages, D entries per checkpoint t_1..t_K.
    const auto averages = context.trials<std::vector<double>>("sgd", runs, [&](std::size_t, Rng& rng) {
      Vec<double> w = Vec<double>::Zero(D), sum = Vec<double>::Zero(D), z(D);
      Vec<double> sum_before = sum;
      std::vector<double> out;
      std::size_t next = 0;
      for (std::uint64_t t = 1; t <= steps; ++t) {
        const auto i = Index(uniform_index(rng, std::uint64_t(N)));
        for (Index j = 0; j < D; ++j) z(j) = bernoulli(rng, p) ? Xt(j, i) : 0.0;
        w += (2 * lr * (y(i) - w.dot(z))) * z;
        sum += w;
        if (t == checkpoints[next]) {
          if (next > 0) {
            const Vec<double> tail = (sum - sum_before) / double(t - checkpoints[next - 1]);
            out.insert(out.end(), tail.data(), tail.data() + D);
          }
          sum_before = sum;
          ++next;
        }
      }
      return out;
    });
    const Mat<double> all = experiment::stack_rows(averages);  // runs × (K·D)
    const auto K = Index(checkpoints.size() - 1);
    Figure figure{"sgd-convergence", "Tail-averaged SGD with sampled masks converges to $w^*$",
                  "SGD step t", "‖w̄_t − w*‖ / ‖w*‖", true, true, {}, ""};
    Line mean{"tail average over (t/2, t], mean over runs", {}, {}, {}, "linespoints"};
    Line startup{"start-up bound ρ^{t/2}", {}, {}, {}, "lines"};
    for (Index k = 0; k < K; ++k) {
      const double t = double(checkpoints[std::size_t(k) + 1]);
      double error = 0;
      for (Index r = 0; r < all.rows(); ++r)
        error += (all.row(r).segment(k * D, D).transpose() - w_star).norm();
      mean.x.push_back(t);
      mean.y.push_back(error / double(runs) / w_star.norm());
      startup.x.push_back(t);
      startup.y.push_back(std::max(std::pow(rho, t / 2), 1e-300));
    }
    // Reference t^(−1/2) through the last point: averaged SGD's noise rate once start-up is over.
    Line reference{"∝ t^{−1/2}", {mean.x.front(), mean.x.back()}, {}, {}, "lines"};
    reference.y = {mean.y.back() * std::sqrt(mean.x.back() / mean.x.front()), mean.y.back()};
    const double floor = mean.y.back() / 100;
    for (double& v : startup.y) v = std::max(v, floor);  // keeps the log axis readable
    figure.lines = {mean, startup, reference};
    figure.caption = fmt::format(
        "The distance to $w^*$ keeps shrinking with $t$, to {:.2g} after {} steps: SGD on sampled "
        "masks, which never sees the formula, finds the closed form. Relative distance to $w^*$ "
        "($p = {}$) of the average of the SGD iterates over $(t/2, t]$, mean over {} runs; "
        "constant step $\\gamma = {:.3g}$. The start-up error is at most $\\rho^{{t/2}}$, "
        "$\\rho = 1 - 2\\gamma\\lambda_{{\\min}}(\\mathbb{{E}}[zz^\\top])$ (clipped at 1/100 of the "
        "last point for the plot); after it the curve follows the $t^{{-1/2}}$ noise rate of "
        "averaged SGD.",
        mean.y.back(), steps, p, runs, lr);
    result.figures.push_back(std::move(figure));

    // Final tail averages: mean over runs, and its noise from the spread over runs.
    const Mat<double> final_average = all.rightCols(D);
    const Vec<double> centre = final_average.colwise().mean().transpose();
    const double noise2 =
        (final_average.rowwise() - centre.transpose()).squaredNorm() / double(runs - 1) / double(runs);
    const double distance = (centre - w_star).norm();
    const double startup_bound = std::pow(rho, double(steps) / 2) * w_star.norm();
    // ‖mean − E mean‖² has expectation tr(Cov)/runs; 4 times its root is exceeded with
    // probability ≤ 6e-5 (the worst case, one direction, is a 4-SE Gaussian tail).
    result.claims.push_back(experiment::at_most(
        "tail-averaged SGD with sampled dropout masks converges to the closed form $w^*$",
        fmt::format("$\\|\\bar w - w^*\\|$ minus the start-up bound "
                    "$\\rho^{{T/2}}\\|w^*\\| = {:.2g}$ ($T = {}$, {} runs; SE = "
                    "$\\sqrt{{\\operatorname{{tr}}\\,\\mathrm{{Cov}}/\\text{{runs}}}}$)",
                    startup_bound, steps, runs),
        Estimate{distance - startup_bound, std::sqrt(noise2)}, 0, 4));
    const double final_error = distance / w_star.norm();
    Table table{"closed-form", "Closed form vs numerical minimization vs SGD",
                {"method", "$\\|w - w^*\\| / \\|w^*\\|$", "note"}, {}, ""};
    table.rows.push_back({"closed form (LDLT)", 0.0, fmt::format("‖w*‖ = {:.6g}", w_star.norm())});
    table.rows.push_back({"conjugate gradients on the gradient of E_R[J]", numeric_diff,
                          fmt::format("{} iterations", cg.iterations)});
    table.rows.push_back({"tail-averaged SGD, sampled masks", final_error,
                          fmt::format("{} steps × {} runs; noise ± {:.2g}", steps, runs,
                                      std::sqrt(noise2) / w_star.norm())});
    table.caption = fmt::format(
        "All three agree, to {:.2g} at most: distances to the closed form at the same $p$; CG uses "
        "only the gradient of the analytic loss, SGD only sampled masks.",
        std::max(numeric_diff, final_error));
    result.tables.push_back(std::move(table));
    return {numeric_diff, final_error};
  }

  // (d) The limits, computed at the points they speak of: p = 1 is OLS (against QR), and as
  // p → 0, w* = (D + p(G − D))⁻¹Xᵀy (G = XᵀX, D = diag G) tends to w₀ = D⁻¹Xᵀy with
  // ‖w* − w₀‖ ≤ pc/(1 − pc)·‖w₀‖, c = ‖D⁻¹(G − D)‖₂ (a Neumann series), so p·w* → 0. Also the
  // coefficient path p·w* against p with both limits.
  static void limits(const Theory& theory, const Mat<double>& X, const Vec<double>& y,
                     Result& result) {
    const Index D = X.cols();
    const Vec<double> w_ols = analysis::ols(X, y);
    result.claims.push_back(experiment::at_most(
        "dropout with $p = 1$ is OLS",
        "$\\|w^*(1) - \\hat w_{\\text{OLS}}\\| / \\|\\hat w_{\\text{OLS}}\\|$ (OLS by QR of $X$)",
        (theory.closed_form(X, y, 1) - w_ols).norm() / w_ols.norm(), 1e-9));
    const Mat<double> gram = X.transpose() * X;
    const Vec<double> diagonal = gram.diagonal();
    const Vec<double> w0 = (X.transpose() * y).cwiseQuotient(diagonal);
    Mat<double> coupling = diagonal.cwiseInverse().asDiagonal() * gram;
    coupling.diagonal().setZero();
    const double c = coupling.operatorNorm();
    // p·c ≤ 0.01 keeps the bound finite; + 1e-12 for rounding (and c = 0, uncoupled features).
    const double p_max = std::min(1e-2, 1e-2 / c);
    double worst = -1, worst_p = p_max;
    for (double p : {p_max, p_max / 10, p_max / 100}) {
      const double bound = p * c / (1 - p * c) + 1e-12;
      const double ratio = (theory.closed_form(X, y, p) - w0).norm() / w0.norm() / bound;
      if (!(ratio <= worst)) worst = ratio, worst_p = p;  // NaN is the worst
    }
    result.claims.push_back(experiment::at_most(
        "as $p \\to 0$, $w^* \\to \\Gamma^{-1}X^\\top y$ (one univariate regression per "
        "feature), so $p w^* \\to 0$",
        fmt::format("largest $\\|w^*(p) - \\Gamma^{{-1}}X^\\top y\\| / \\|\\Gamma^{{-1}}X^\\top y\\|$ "
                    "in units of its bound $pc/(1-pc)$, $c = \\|\\Gamma^{{-1}}(X^\\top X - \\Gamma)\\| = {:.3g}$, "
                    "at three $p \\le {:.2g}$ (worst $p = {:.2g}$)",
                    c, p_max, worst_p),
        worst, 1));

    Figure path{"coefficient-path", "Coefficient path $p w^*$ vs keep probability $p$",
                "keep probability p", "p·w*_j", false, false, {}, ""};
    std::vector<double> ps;
    for (int i = 1; i <= 100; ++i) ps.push_back(i / 100.0);
    std::vector<Vec<double>> scaled;
    for (double p : ps) scaled.push_back(p * theory.closed_form(X, y, p));
    for (Index j = 0; j < D; ++j) {
      Line line{fmt::format("feature {}", j + 1), ps, {}, {}, "lines"};
      for (const auto& v : scaled) line.y.push_back(v(j));
      path.lines.push_back(std::move(line));
    }
    Line ols{"OLS weights (the p = 1 limit)", std::vector<double>(std::size_t(D), 1.0), {}, {}, "points"};
    Line tangent{"p × univariate regression (the p → 0 limit)", {}, {}, {}, "points"};
    for (Index j = 0; j < D; ++j) {
      ols.y.push_back(w_ols(j));
      for (double p : {0.02, 0.05}) tangent.x.push_back(p), tangent.y.push_back(p * w0(j));
    }
    path.lines.push_back(std::move(ols));
    path.lines.push_back(std::move(tangent));
    path.caption =
        "Every weight goes to 0 as $p \\to 0$ and ends on OLS at $p = 1$ (claims: relative gap "
        "below 1e-9 at $p = 1$, within the Neumann bound near 0): strong dropout is strong ridge "
        "shrinkage. Each curve is one feature's weight of the test-time model $p w^*(p)$ "
        "(features scaled from 1/4 to 4); points at $p = 1$: the OLS weights; points at "
        "$p = 0.02, 0.05$: $p$ times each feature's univariate regression coefficient.";
    result.figures.push_back(std::move(path));
  }

  // (d) p·w* = ridge with λ_j = (1−p)/p (XᵀX)_jj, by two independent solvers.
  static void ridge_view(const Theory& theory, double p, std::vector<double> p_list,
                         const Mat<double>& X, const Vec<double>& y, const Vec<double>& beta,
                         Result& result) {
    if (std::find(p_list.begin(), p_list.end(), p) == p_list.end()) p_list.push_back(p);
    Table table{"ridge-view", "The ridge view: $p w^*$ vs ridge with $\\lambda_j = \\frac{1-p}{p}\\Gamma_{jj}$",
                {"$p$", "$\\min_j \\lambda_j$", "$\\max_j \\lambda_j$",
                 "$\\|p w^* - \\hat w_{\\text{ridge}}\\| / \\|\\hat w_{\\text{ridge}}\\|$"}, {}, ""};
    table.data = true;
    double worst = 0;
    for (double pq : p_list) {
      const Vec<double> lambda = analysis::dropout_ridge_penalty(X, pq);
      const Vec<double> w_ridge = analysis::ridge(X, y, lambda);
      const double diff = (pq * theory.closed_form(X, y, pq) - w_ridge).norm() /
                          w_ridge.norm();
      worst = std::max(worst, diff);
      table.rows.push_back({pq, lambda.minCoeff(), lambda.maxCoeff(), diff});
    }
    table.caption = "Dropout's closed form (LDLT of $pX^\\top X + (1-p)\\Gamma$) against ridge "
                    "solved by QR of the augmented system $[X; \\operatorname{diag}(\\sqrt{\\lambda})]$: "
                    "two different solvers, one answer.";
    result.tables.push_back(std::move(table));
    result.claims.push_back(experiment::at_most(
        "$p w^*$ is ridge regression with per-feature penalty $\\lambda_j = \\frac{1-p}{p}\\Gamma_{jj}$",
        fmt::format("largest $\\|p w^* - \\hat w_{{\\text{{ridge}}}}\\| / \\|\\hat w_{{\\text{{ridge}}}}\\|$ "
                    "over $p \\in \\{{{}\\}}$",
                    fmt::join(p_list, ", ")),
        worst, 1e-9));

    // With orthogonal columns (XᵀX = Γ) the test-time weights are exactly p times OLS, whatever
    // each column's scale: w* = Γ⁻¹Xᵀy/(p + 1 − p) = ŵ_OLS. Q of a QR of X, columns rescaled.
    Mat<double> Q = Eigen::HouseholderQR<Mat<double>>(X).householderQ() *
                    Mat<double>::Identity(X.rows(), X.cols());
    for (Index j = 0; j < Q.cols(); ++j) Q.col(j) *= X.col(j).norm();
    double orthogonal_gap = 0;
    for (double pq : p_list) {
      const Vec<double> ratio =
          (pq * theory.closed_form(Q, y, pq)).cwiseQuotient(analysis::ols(Q, y));
      orthogonal_gap = std::max(orthogonal_gap, (ratio.array() - pq).abs().maxCoeff() / pq);
    }
    result.claims.push_back(experiment::at_most(
        "with orthogonal features, dropout scales every test-time weight by exactly $p$: "
        "$p w^*_j = p\\, \\hat w_{\\text{OLS},j}$ whatever the feature's scale",
        fmt::format("largest $|p w^*_j / \\hat w_{{\\text{{OLS}},j}} - p| / p$ over $j$ and "
                    "$p \\in \\{{{}\\}}$ (columns of $X$ orthogonalized, scales kept)",
                    fmt::join(p_list, ", ")),
        orthogonal_gap, 1e-9));

    const Vec<double> w_ols = analysis::ols(X, y);
    const Vec<double> scaled = p * theory.closed_form(X, y, p);
    Table shrink{"shrinkage", fmt::format("Per-feature shrinkage at $p = {}$", p),
                 {"feature $j$", "$\\Gamma_{jj}$", "$\\beta_j$ (true)", "OLS $\\hat w_j$",
                  "$p w^*_j$", "$p w^*_j / \\hat w_j$"},
                 {}, ""};
    std::vector<double> ratios;
    for (Index j = 0; j < X.cols(); ++j) {
      ratios.push_back(scaled(j) / w_ols(j));
      shrink.rows.push_back({double(j + 1), X.col(j).squaredNorm(), beta(j), w_ols(j), scaled(j),
                             ratios.back()});
    }
    std::sort(ratios.begin(), ratios.end());
    shrink.caption = fmt::format(
        "Here the ratio $p w^*_j / \\hat w_j$ ranges from {:.3g} to {:.3g} (median {:.3g}), not "
        "$p = {}$: this design's features are correlated, and the penalty moves weight between "
        "them. With orthogonal features every ratio is exactly $p$ (claim above). Features are "
        "scaled from 1/4 to 4; the penalty is proportional to $\\Gamma_{{jj}}$, and so is the curvature of the data term.",
        ratios.front(), ratios.back(), ratios[ratios.size() / 2], p);
    result.tables.push_back(std::move(shrink));
  }

  struct SyntheticSummary {
    Estimate ols;
    double p_best = 1, dropout_best = 0, ridge_best = 0;
  };

  static std::vector<double> lambda_grid() {
    std::vector<double> lambdas;
    for (int k = -12; k <= 12; ++k) lambdas.push_back(std::pow(10.0, k / 4.0));
    return lambdas;
  }

  // (e) synthetic: test MSE against the true function vs p, beside OLS and the best ridge.
  static SyntheticSummary synthetic_sweep(const Params& params, const Context& context,
                                          Result& result) {
    const Index n = params.integer("reg_n"), d = params.integer("reg_d"),
                test = params.integer("reg_test");
    const double sigma = params.real("reg_sigma");
    require(n > d, "dropout-linreg: reg_n = {} must exceed reg_d = {} so that OLS is defined", n, d);
    Sweep s{params.real_list("p_grid"), lambda_grid(), {}};
    std::sort(s.p_grid.begin(), s.p_grid.end());
    const auto trials = std::size_t(params.integer("reg_trials"));
    s.errors = experiment::stack_rows(context.trials<std::vector<double>>("synthetic-sweep", trials, [&](std::size_t, Rng& rng) {
      const Vec<double> beta = gaussian_matrix(d, 1, rng).col(0);
      const Mat<double> X = gaussian_matrix(n, d, rng), X0 = gaussian_matrix(test, d, rng);
      const Vec<double> y = X * beta + sigma * gaussian_matrix(n, 1, rng).col(0);
      return fit_and_score(X, y, X0, X0 * beta, s);
    }));
    const SweepSummary r = summarize(s);

    result.figures.push_back(sweep_figure(
        "test-error-synthetic",
        fmt::format("Test error vs keep probability, synthetic $N = {}$, $D = {}$", n, d),
        "test MSE vs the true function", s, r,
        fmt::format("Mean over {} training sets ($y = x^\\top\\beta + \\sigma\\varepsilon$, "
                    "$\\sigma = {}$, $\\beta \\sim \\mathcal N(0, I)$ redrawn each time) of the "
                    "error of $p x_0^\\top w^*$ at {} test points against $x_0^\\top\\beta$ (noise "
                    "excluded), ± SE. The best ridge $\\lambda$ is chosen on the same test error "
                    "(an optimistic oracle).",
                    trials, sigma, test)));
    Table table{"test-error", "Test error: OLS, the best dropout $p$, the best ridge $\\lambda$",
                {"data", "model", "test MSE ± SE", "test MSE"}, {}, ""};
    sweep_rows(table, fmt::format("synthetic N = {}, D = {}", n, d), s, r);
    table.caption = "Synthetic: MSE against the true function. Diabetes: MSE on held-out rows "
                    "divided by the variance of all 442 targets (1 = predicting the mean). Best "
                    "$p$ and $\\lambda$ are oracles chosen on the reported error.";
    result.tables.push_back(std::move(table));

    result.claims.push_back(experiment::exceeds(
        fmt::format("with $N = {}$ samples close to $D = {}$ features, dropout (like ridge) lowers "
                    "the test error of OLS",
                    n, d),
        fmt::format("test MSE of OLS minus that of dropout at $p = {:.2g}$, paired over training sets",
                    s.p_grid[r.best_p]),
        r.gain, 0, 4));
    return {r.ols, s.p_grid[r.best_p], r.dropout[r.best_p].value, r.ridge[r.best_lambda].value};
  }

  // (e) diabetes: repeated random splits, features standardized on the training rows and y
  // centred by the training mean (the intercept is not dropped). Returns a sentence for the answer.
  static std::string diabetes_sweep(const Params& params, const Context& context, Result& result) {
    const std::filesystem::path dir = params.path("diabetes_dir");
    const auto features = dir / "diabetes_data_raw.csv.gz", targets = dir / "diabetes_target.csv.gz";
    Table& table = result.tables.back();
    // Only the default can be unavailable: Params::resolve refuses a set folder without the files.
    if (!params.available("diabetes_dir")) {
      const std::string note = fmt::format(
          "The diabetes data ({}) is absent (Debian package python3-sklearn), so the real-data "
          "sweep was skipped.",
          features.string());
      table.rows.push_back({"diabetes", "not available", note, std::numeric_limits<double>::quiet_NaN()});
      return note;
    }
    const Mat<double> Xall = data::read_csv_matrix(features, {.delimiter = ' ', .header = 0});
    const Mat<double> yall = data::read_csv_matrix(targets, {.delimiter = ' ', .header = 0});
    require(Xall.rows() == yall.rows() && yall.cols() == 1,
            "dropout-linreg: {} has {} rows but {} has {} rows × {} columns", features.string(),
            Xall.rows(), targets.string(), yall.rows(), yall.cols());
    const Index rows = Xall.rows(), n = params.integer("diabetes_train");
    require(n < rows - 1 && n > Xall.cols() + 1,
            "dropout-linreg: diabetes_train = {} must lie in ({}, {})", n, Xall.cols() + 1, rows - 1);
    const Vec<double> y_all = yall.col(0);
    const double variance = (y_all.array() - y_all.mean()).square().sum() / double(rows);

    Sweep s{params.real_list("p_grid"), lambda_grid(), {}};
    std::sort(s.p_grid.begin(), s.p_grid.end());
    const auto splits = std::size_t(params.integer("diabetes_splits"));
    s.errors = experiment::stack_rows(context.trials<std::vector<double>>("diabetes-splits", splits, [&](std::size_t, Rng& rng) {
      std::vector<Index> order(static_cast<std::size_t>(rows));
      std::iota(order.begin(), order.end(), Index(0));
      shuffle(order, rng);
      Mat<double> X(n, Xall.cols()), X0(rows - n, Xall.cols());
      Vec<double> y(n), y0(rows - n);
      for (Index i = 0; i < rows; ++i) {
        const Index source = order[std::size_t(i)];
        if (i < n) X.row(i) = Xall.row(source), y(i) = y_all(source);
        else X0.row(i - n) = Xall.row(source), y0(i - n) = y_all(source);
      }
      standardize(X, X0);
      const double mean = y.mean();
      return fit_and_score(X, (y.array() - mean).matrix(), X0, (y0.array() - mean).matrix(), s,
                           variance);
    }));
    const SweepSummary r = summarize(s);
    result.figures.push_back(sweep_figure(
        "test-error-diabetes",
        fmt::format("Test error vs keep probability, diabetes ({} training rows)", n),
        "test MSE / Var(y)", s, r,
        fmt::format("Mean over {} random splits of scikit-learn's diabetes data (442 × 10): {} "
                    "training rows, the rest held out; features standardized on the training "
                    "rows, $y$ centred by its training mean. Error of $p x_0^\\top w^*$ on held-out "
                    "targets divided by $\\operatorname{{Var}}(y)$ (1 = predicting the mean), ± SE.",
                    splits, n)));
    sweep_rows(table, fmt::format("diabetes, {} training rows", n), s, r);
    return fmt::format(
        "On the diabetes data ({} training rows) the held-out error relative to $\\operatorname{{Var}}(y)$ is {:.3f} "
        "for OLS, {:.3f} for dropout at p = {:.2g} and {:.3f} for the best ridge.",
        n, r.ols.value, r.dropout[r.best_p].value, s.p_grid[r.best_p], r.ridge[r.best_lambda].value);
  }
};

}  // namespace

NNLAB_REGISTER_LAB(DropoutLinreg);

}  // namespace nnlab::labs
