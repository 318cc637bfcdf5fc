// Lab dropout-linreg (sheet 9.1.6): dropout on linear regression, p = KEEP probability.
//   E[R_ij] = p,  E[R_ij R_ik] = δ_jk p + (1−δ_jk) p²
//   E_R[J](w) = ‖y − pXw‖² + p(1−p) Σ_j w_j² (XᵀX)_jj
//   w* = (p XᵀX + (1−p) diag(XᵀX))⁻¹ Xᵀy,   p·w* = ridge with λ_j = (1−p)/p · (XᵀX)_jj
// Design matrix X: N × D (rows are samples). Test predictions use weight scaling: p·x₀ᵀw*.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <span>

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
// trial returns a row of scores: the test MSE of every model (p_grid, then OLS, then λ grid),
// then the relative difference of the p = 1 dropout and OLS predictions.
struct Sweep {
  std::vector<double> p_grid, lambdas;
  Mat<double> errors;  // trials × (P + 1 + L)
  double p1_vs_ols = 0;  // max relative difference of p = 1 dropout and OLS predictions

  // Gathers the trials' score rows.
  void gather(const std::vector<std::vector<double>>& scores) {
    const Mat<double> all = experiment::stack_rows(scores);
    errors = all.leftCols(all.cols() - 1);
    p1_vs_ols = all.col(all.cols() - 1).maxCoeff();
  }
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
  double p1_vs_ols = 0;
  const Vec<double> ols_prediction = X0 * analysis::ols(X, y);
  for (double p : s.p_grid) {
    const Vec<double> prediction = p * (X0 * analysis::dropout_closed_form(X, y, p));
    scores.push_back(mse(prediction));
    if (p == 1.0) p1_vs_ols = (prediction - ols_prediction).norm() / ols_prediction.norm();
  }
  scores.push_back(mse(ols_prediction));
  for (double lambda : s.lambdas) scores.push_back(mse(X0 * analysis::ridge(X, y, lambda)));
  scores.push_back(p1_vs_ols);
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
  f.caption = std::move(caption);
  return f;
}

void sweep_rows(Table& t, const std::string& data, const Sweep& s, const SweepSummary& r) {
  t.rows.push_back({data, "OLS", pm(r.ols), r.ols.value});
  t.rows.push_back({data, fmt::format("dropout, best p = {:.3g}", s.p_grid[r.best_p]),
                    pm(r.dropout[r.best_p]), r.dropout[r.best_p].value});
  t.rows.push_back({data, fmt::format("ridge, best λ = {:.3g}", s.lambdas[r.best_lambda]),
                    pm(r.ridge[r.best_lambda]), r.ridge[r.best_lambda].value});
}

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
        spec("p", T::real, "keep probability for the loss, closed-form, SGD and ridge checks", "0.5", "",
         0.01, 1),
        spec("p_list", T::real_list, "keep probabilities for the mask-moment and expected-loss checks",
         "0.2,0.5,0.8", "", 0.01, 1),
        spec("n", T::integer, "samples N of the fixed design X (N × D)", "60", "", 2, 1e6),
        spec("d", T::integer, "features D", "8", "", 1, 1000),
        spec("sigma", T::real, "noise standard deviation of y = Xβ + σε", "0.5", "", 0, 1e6),
        spec("mask_rows", T::integer, "mask rows R_i· (D entries each) drawn per p for E[R], E[RR]",
         "2000000", "100000", 100, 1e9),
        spec("loss_samples", T::integer, "masks R (N × D) drawn per p for the Monte Carlo E_R[J]",
         "100000", "8000", 100, 1e9),
        spec("sgd_steps", T::integer, "SGD steps (one sample and one mask each) per run", "4000000",
         "800000", 1000, 1e10),
        spec("sgd_runs", T::integer, "independent SGD runs, averaged", "4", "2", 1, 1000),
        spec("sgd_tolerance", T::real, "claimed bound on the final relative error ‖w̄_T − w*‖/‖w*‖",
         "0.01", "0.05", 0, 1),
        spec("p_grid", T::real_list, "keep probabilities of the test-error sweep",
         "0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95,0.98,1", "0.1,0.3,0.5,0.7,0.9,0.95,0.98,1", 0.01, 1),
        spec("reg_n", T::integer, "training samples of the synthetic sweep (close to reg_d)", "25", "",
         2, 1e6),
        spec("reg_d", T::integer, "features of the synthetic sweep, x ~ N(0, I)", "20", "", 1, 1000),
        spec("reg_sigma", T::real, "noise standard deviation of the synthetic sweep", "1", "", 0, 1e6),
        spec("reg_trials", T::integer, "training sets of the synthetic sweep", "1000", "400", 2, 1e7),
        spec("reg_test", T::integer, "test points of the synthetic sweep", "200", "", 1, 1e6),
        spec("diabetes_dir", T::text, "folder with scikit-learn's diabetes_data_raw.csv.gz and diabetes_target.csv.gz",
         "/usr/lib/python3/dist-packages/sklearn/datasets/data", ""),
        spec("diabetes_train", T::integer, "training rows per random split of the 442 diabetes rows",
         "40", "", 12, 430),
        spec("diabetes_splits", T::integer, "random train/test splits of the diabetes data", "400",
         "50", 2, 1e6),
        spec("formula_error", T::real,
         "TEST HOOK: relative error injected into the analytic E_R[J] (0 = the true formula)", "0",
         "", -1, 1),
    };
  }

  Result run(const Params& params, const Context& context) const override {
    const double p = params.real("p");
    const auto p_list = params.real_list("p_list");
    const Index N = params.integer("n"), D = params.integer("d");
    const double sigma = params.real("sigma");
    require(N >= D, "dropout-linreg: n = {} must be ≥ d = {} for OLS to be defined", N, D);

    // Fixed design with feature scales from 1/4 to 4, so diag(XᵀX) differs across features.
    Rng data_rng = context.rng("design");
    Mat<double> X = gaussian_matrix(N, D, data_rng);
    for (Index j = 0; j < D; ++j)
      X.col(j) *= std::pow(4.0, D == 1 ? 0.0 : 2.0 * double(j) / double(D - 1) - 1.0);
    const Vec<double> beta = gaussian_matrix(D, 1, data_rng).col(0);
    const Vec<double> y = X * beta + sigma * gaussian_matrix(N, 1, data_rng).col(0);

    Result result;
    mask_moments(params, context, p_list, result);
    context.report(0.15, "expected loss: Monte Carlo vs formula");
    expected_loss(params, context, p, p_list, X, y, result);
    context.report(0.3, "closed form vs numerical minimization and SGD");
    const double sgd_error = closed_form_and_sgd(params, context, p, X, y, result);
    context.report(0.5, "ridge view");
    ridge_view(p, p_list, X, y, beta, result);
    context.report(0.6, "test error vs p (synthetic)");
    const auto synthetic = synthetic_sweep(params, context, result);
    context.report(0.8, "test error vs p (diabetes)");
    const std::string diabetes = diabetes_sweep(params, context, result);
    context.report(1.0, "done");

    const Vec<double> w_star = analysis::dropout_closed_form(X, y, p);
    result.answer = fmt::format(
        "Averaged over the Bernoulli masks (keep probability p), dropout turns least squares into "
        "E_R[J](w) = ‖y − pXw‖² + p(1−p) Σ_j w_j² (XᵀX)_jj: a sum of squares with weights shrunk "
        "by p plus an L2 penalty that punishes features with large Σ_i x_ij² more. Its minimizer "
        "is w* = (p XᵀX + (1−p) diag(XᵀX))⁻¹ Xᵀy (X: N × D, rows are samples), so the "
        "weight-scaled test-time model p·w* is exactly ridge regression with per-feature penalty "
        "λ_j = (1−p)/p · (XᵀX)_jj. Here (p = {}) the closed form matches numerical minimization "
        "and SGD on sampled masks (final relative error {:.2g}). Like ridge, dropout helps when "
        "n is close to d (synthetic: OLS test MSE {:.3g}, dropout at p = {:.2g} {:.3g}, best ridge "
        "{:.3g}) and costs a little bias elsewhere. {} Test errors use the weight-scaled prediction "
        "p·x₀ᵀw*. ‖w*‖ = {:.3g}.",
        p, sgd_error, synthetic.ols.value, synthetic.p_best, synthetic.dropout_best,
        synthetic.ridge_best, diabetes, w_star.norm());
    return result;
  }

 private:
  // (a) E[R] = p, E[R_j R_k] = p² (j ≠ k) and E[R_j²] = p from rows of D mask entries.
  static void mask_moments(const Params& params, const Context& context,
                           const std::vector<double>& p_list, Result& result) {
    const Index D = std::max<Index>(params.integer("d"), 2);
    const auto rows = std::uint64_t(params.integer("mask_rows"));
    Table table{"mask-moments", "(a) Moments of the dropout mask by Monte Carlo",
                {"p", "quantity", "exact", "Monte Carlo ± SE", "z = (MC − exact)/SE"}, {}, ""};
    // Cell q = p_list[q], trial c = chunk c of the mask rows. Per row: the mean over j of
    // R_j; over ordered pairs j ≠ k of R_j R_k; over j of R_j R_j.
    const auto parts = context.sweep<std::array<Welford, 3>>(
        "mask-moments", p_list.size(), chunks, [&](std::size_t q, std::size_t c, Rng& rng) {
          const std::uint64_t count = rows / chunks + (c < rows % chunks);
          std::array<Welford, 3> part;
          Vec<double> r(D);
          for (std::uint64_t i = 0; i < count; ++i) {
            for (Index j = 0; j < D; ++j) r(j) = bernoulli(rng, p_list[q]);
            const double sum = r.sum();
            part[0].add(sum / double(D));
            part[1].add((sum * sum - r.squaredNorm()) / double(D * (D - 1)));
            part[2].add(r.squaredNorm() / double(D));
          }
          return part;
        });
    for (std::size_t q = 0; q < p_list.size(); ++q) {
      const double p = p_list[q];
      std::array<Welford, 3> total;
      for (std::size_t c = 0; c < chunks; ++c)
        for (int k = 0; k < 3; ++k) total[k].merge(parts[q * chunks + c][k]);
      const std::array<std::string, 3> names{"E[R_ij]", "E[R_ij R_ik], j ≠ k", "E[R_ij R_ij]"};
      const std::array<double, 3> exact{p, p * p, p};
      for (int k = 0; k < 3; ++k) {
        const Estimate e = total[k].estimate();
        table.rows.push_back({p, names[k], exact[k], pm(e), experiment::z_score(e, exact[k])});
        if (k < 2)
          result.claims.push_back(experiment::within_se(
              fmt::format("{} = {} at p = {}", names[k], k == 0 ? "p" : "p²", p),
              fmt::format("Monte Carlo {} over {} mask rows", names[k], rows), e, exact[k], 4));
      }
    }
    table.caption =
        "Each Monte Carlo value averages mask rows of D Bernoulli(p) entries (p = keep "
        "probability); SE is the standard error over rows. |z| ≤ 4 is expected; E[R_ij R_ij] = p "
        "because R² = R, the δ_jk = 1 case of the sheet's formula.";
    result.tables.push_back(std::move(table));
  }

  // (b) Monte Carlo E_R[J(w)] against the analytic formula, at w = OLS, within 4 standard errors.
  static void expected_loss(const Params& params, const Context& context, double p,
                            std::vector<double> p_list, const Mat<double>& X, const Vec<double>& y,
                            Result& result) {
    const auto samples = std::uint64_t(params.integer("loss_samples"));
    const double formula_error = params.real("formula_error");
    const Vec<double> w = analysis::ols(X, y);
    if (std::find(p_list.begin(), p_list.end(), p) == p_list.end()) p_list.push_back(p);
    Table table{"expected-loss", "(b) E_R[J(w)] at w = OLS: Monte Carlo vs the analytic formula",
                {"p", "analytic", "Monte Carlo ± SE", "± 4 SE", "z"}, {}, ""};
    const auto parts = context.sweep<Welford>(
        "expected-loss", p_list.size(), chunks, [&](std::size_t q, std::size_t c, Rng& rng) {
          const std::uint64_t count = samples / chunks + (c < samples % chunks);
          Welford part;
          Mat<double> R(X.rows(), X.cols());
          for (std::uint64_t i = 0; i < count; ++i) {
            fill_mask(R, p_list[q], rng);
            part.add(analysis::dropout_sampled_loss(X, y, w, R));
          }
          return part;
        });
    for (std::size_t q = 0; q < p_list.size(); ++q) {
      const double pq = p_list[q];
      Welford total;
      for (std::size_t c = 0; c < chunks; ++c) total.merge(parts[q * chunks + c]);
      const Estimate e = total.estimate();
      const double analytic = analysis::dropout_expected_loss(X, y, w, pq) * (1 + formula_error);
      table.rows.push_back({pq, analytic, pm(e),
                            fmt::format("[{:.6g}, {:.6g}]", e.value - 4 * e.se, e.value + 4 * e.se),
                            experiment::z_score(e, analytic)});
      // 4 SE: a true formula fails with probability 6e-5, while an error of 4 SE relative
      // (0.9% at the quick setting, 0.25% at the full one) is caught half the time.
      if (pq == p)
        result.claims.push_back(experiment::within_se(
            fmt::format("E_R[J(w)] = ‖y − pXw‖² + p(1−p) Σ_j w_j² (XᵀX)_jj at p = {}", p),
            fmt::format("Monte Carlo E_R[J] over {} masks", samples), e, analytic, 4));
    }
    table.caption =
        "Each Monte Carlo value averages J(w; R) = Σ_i (y_i − Σ_j w_j R_ij x_ij)² over independent "
        "masks R; the analytic column is the sheet's formula. It should fall within 4 standard errors "
        "(|z| < 4), which a true formula misses with probability 6·10⁻⁵.";
    result.tables.push_back(std::move(table));
  }

  // (c) w* against the gradient-only CG minimizer of E_R[J], and against averaged SGD on
  // sampled masks. Returns the final relative SGD error.
  static double closed_form_and_sgd(const Params& params, const Context& context, double p,
                                    const Mat<double>& X, const Vec<double>& y, Result& result) {
    const Index N = X.rows(), D = X.cols();
    const Vec<double> w_star = analysis::dropout_closed_form(X, y, p);
    const analysis::DropoutExpectedLoss expected_loss{X, y, p};
    Vec<double> w_cg = Vec<double>::Zero(D), g0(D);
    expected_loss.gradient(w_cg, g0);
    const optim::Report cg =
        optim::quadratic_cg(expected_loss, w_cg, {.max_iters = 50 * D, .grad_tol = 1e-13 * g0.norm()});
    const double numeric_diff = (w_cg - w_star).norm() / w_star.norm();
    result.claims.push_back(experiment::at_most(
        "closed form w* = (pXᵀX + (1−p)diag(XᵀX))⁻¹Xᵀy minimizes E_R[J]",
        fmt::format("relative difference to conjugate gradients on ∇E_R[J] ({}, {} iterations, "
                    "‖∇‖ = {:.2e})",
                    optim::to_string(cg.status), cg.iterations, cg.grad_norm),
        numeric_diff, 1e-6));

    // SGD on (1/N) Σ_i (y_i − wᵀ(r ⊙ x_i))² with one sample i and one fresh mask r per step:
    // constant step γ = 1/(8 max_i ‖x_i‖²) with Polyak–Ruppert averaging (Bach & Moulines 2013:
    // least squares with random design z = r ⊙ x; its minimizer is w*).
    const auto steps = std::uint64_t(params.integer("sgd_steps"));
    const auto runs = std::size_t(params.integer("sgd_runs"));
    const double lr = 1.0 / (8 * X.rowwise().squaredNorm().maxCoeff());
    std::vector<std::uint64_t> checkpoints;
    for (double t = 100; t < double(steps); t *= std::pow(10.0, 0.125))
      checkpoints.push_back(std::uint64_t(t));
    checkpoints.push_back(steps);
    const Mat<double> Xt = X.transpose();  // columns are samples: contiguous x_i
    // One run returns its relative error at each checkpoint.
    const auto errors = context.trials<std::vector<double>>("sgd", runs, [&](std::size_t, Rng& rng) {
      Vec<double> w = Vec<double>::Zero(D), w_bar = Vec<double>::Zero(D), z(D);
      std::vector<double> at_checkpoints;
      for (std::uint64_t t = 1; t <= steps; ++t) {
        const auto i = Index(uniform_index(rng, std::uint64_t(N)));
        for (Index j = 0; j < D; ++j) z(j) = bernoulli(rng, p) ? Xt(j, i) : 0.0;
        const double residual = y(i) - w.dot(z);
        w += (2 * lr * residual) * z;
        w_bar += (w - w_bar) / double(t);
        if (t == checkpoints[at_checkpoints.size()])
          at_checkpoints.push_back((w_bar - w_star).norm() / w_star.norm());
      }
      return at_checkpoints;
    });
    Figure figure{"sgd-convergence", "(c) Averaged SGD with sampled masks converges to w*",
                  "SGD step t", "‖w̄_t − w*‖ / ‖w*‖", true, true, {}, ""};
    Line mean{"mean over runs", {}, {}, {}, "linespoints"};
    for (std::size_t k = 0; k < checkpoints.size(); ++k) {
      mean.x.push_back(double(checkpoints[k]));
      double sum = 0;
      for (const auto& run : errors) sum += run[k];
      mean.y.push_back(sum / double(runs));
    }
    const double final_error = mean.y.back();
    // A t^(−1/2) reference through the last point: the rate of averaged SGD's noise term.
    Line reference{"∝ t^(−1/2)", {mean.x.front(), mean.x.back()}, {}, {}, "lines"};
    reference.y = {final_error * std::sqrt(mean.x.back() / mean.x.front()), final_error};
    figure.lines = {mean, reference};
    figure.caption = fmt::format(
        "Relative distance of the averaged iterate w̄_t to the closed form w* (p = {}), mean over "
        "{} runs, log–log. Constant step γ = {:.3g}. A straight line of slope −1/2 is the O(1/√t) "
        "rate of averaged SGD; the line keeps falling because the stochastic gradients are "
        "unbiased for ∇E_R[J], whose minimizer is w*.",
        p, runs, lr);
    result.figures.push_back(std::move(figure));

    // Slope of log error vs log t over the last decade of steps.
    const double t_end = mean.x.back();
    std::size_t first = 0;
    while (mean.x[first] < t_end / 10) ++first;
    const auto last_decade = [&](const std::vector<double>& v) {
      return std::span<const double>(v).subspan(first);
    };
    const auto fit = experiment::fit_log_log(last_decade(mean.x), last_decade(mean.y));
    const double tolerance = params.real("sgd_tolerance");
    result.claims.push_back(experiment::at_most(
        "averaged SGD with sampled dropout masks converges to the closed form w*",
        fmt::format("‖w̄_T − w*‖/‖w*‖ after T = {} steps (mean of {} runs)", steps, runs),
        final_error, tolerance));
    result.claims.push_back(experiment::slope_in(
        "the SGD error keeps shrinking (log–log slope over the last decade ≤ −0.25)",
        fmt::format("log error vs log t over t ∈ [{:.3g}, {:.3g}] (averaged SGD's rate is −1/2)",
                    mean.x[first], t_end),
        fit, -inf, -0.25));
    Table table{"closed-form", "(c) Closed form vs numerical minimization vs SGD",
                {"method", "‖w − w*‖/‖w*‖", "note"}, {}, ""};
    table.rows.push_back({"closed form (LDLT)", 0.0, fmt::format("‖w*‖ = {:.6g}", w_star.norm())});
    table.rows.push_back({"conjugate gradients on ∇E_R[J]", numeric_diff,
                          fmt::format("{} iterations", cg.iterations)});
    table.rows.push_back({"averaged SGD, sampled masks", final_error,
                          fmt::format("{} steps × {} runs", steps, runs)});
    table.caption = "Distances to the closed form at the same p; the minimizers use only the "
                    "gradient of the analytic loss (CG) or sampled masks (SGD).";
    result.tables.push_back(std::move(table));
    return final_error;
  }

  // (d) p·w* = ridge with λ_j = (1−p)/p (XᵀX)_jj, by two independent solvers.
  static void ridge_view(double p, std::vector<double> p_list, const Mat<double>& X,
                         const Vec<double>& y, const Vec<double>& beta, Result& result) {
    if (std::find(p_list.begin(), p_list.end(), p) == p_list.end()) p_list.push_back(p);
    Table table{"ridge-view", "(d) The ridge view: p·w* vs ridge with λ_j = (1−p)/p·(XᵀX)_jj",
                {"p", "min λ_j", "max λ_j", "‖p·w* − ŵ_ridge‖/‖ŵ_ridge‖"}, {}, ""};
    double worst = 0;
    for (double pq : p_list) {
      const Vec<double> lambda = analysis::dropout_ridge_penalty(X, pq);
      const Vec<double> w_ridge = analysis::ridge(X, y, lambda);
      const double diff = (pq * analysis::dropout_closed_form(X, y, pq) - w_ridge).norm() /
                          w_ridge.norm();
      worst = std::max(worst, diff);
      table.rows.push_back({pq, lambda.minCoeff(), lambda.maxCoeff(), diff});
    }
    table.caption = "Dropout's closed form (LDLT of pXᵀX + (1−p)diag(XᵀX)) against ridge solved "
                    "by QR of the augmented system [X; diag(√λ)]: two different solvers, one answer.";
    result.tables.push_back(std::move(table));
    result.claims.push_back(experiment::at_most(
        "p·w* is ridge regression with per-feature penalty λ_j = (1−p)/p·(XᵀX)_jj",
        fmt::format("largest relative difference over p ∈ {{{}}}", fmt::join(p_list, ", ")), worst,
        1e-9));

    const Vec<double> w_ols = analysis::ols(X, y);
    const Vec<double> scaled = p * analysis::dropout_closed_form(X, y, p);
    Table shrink{"shrinkage", fmt::format("(d) Per-feature shrinkage at p = {}", p),
                 {"feature j", "(XᵀX)_jj", "β_j (true)", "OLS ŵ_j", "p·w*_j", "p·w*_j / ŵ_j"},
                 {}, ""};
    for (Index j = 0; j < X.cols(); ++j)
      shrink.rows.push_back({double(j + 1), X.col(j).squaredNorm(), beta(j), w_ols(j), scaled(j),
                             scaled(j) / w_ols(j)});
    shrink.caption = "Features are scaled from 1/4 to 4. The penalty grows with (XᵀX)_jj, but "
                     "so does the data term: the shrinkage factor of feature j is about "
                     "p/(p + (1−p)) = p whatever its scale when features are nearly orthogonal; "
                     "correlations make it differ.";
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
    Sweep s{params.real_list("p_grid"), lambda_grid(), {}, 0};
    std::sort(s.p_grid.begin(), s.p_grid.end());
    const auto trials = std::size_t(params.integer("reg_trials"));
    s.gather(context.trials<std::vector<double>>("synthetic-sweep", trials, [&](std::size_t, Rng& rng) {
      const Vec<double> beta = gaussian_matrix(d, 1, rng).col(0);
      const Mat<double> X = gaussian_matrix(n, d, rng), X0 = gaussian_matrix(test, d, rng);
      const Vec<double> y = X * beta + sigma * gaussian_matrix(n, 1, rng).col(0);
      return fit_and_score(X, y, X0, X0 * beta, s);
    }));
    const SweepSummary r = summarize(s);

    result.figures.push_back(sweep_figure(
        "test-error-synthetic",
        fmt::format("(e) Test error vs keep probability, synthetic n = {}, d = {}", n, d),
        "test MSE vs the true function", s, r,
        fmt::format("Mean over {} training sets (y = xᵀβ + σε, σ = {}, β ~ N(0, I) redrawn each "
                    "time) of the error of p·x₀ᵀw* at {} test points against x₀ᵀβ (noise "
                    "excluded), ± SE. p = 1 is OLS. The best ridge λ is chosen on the same test "
                    "error (an optimistic oracle).",
                    trials, sigma, test)));
    Table table{"test-error", "(e) Test error: OLS, the best dropout p, the best ridge λ",
                {"data", "model", "test MSE ± SE", "test MSE"}, {}, ""};
    sweep_rows(table, fmt::format("synthetic n = {}, d = {}", n, d), s, r);
    table.caption = "Synthetic: MSE against the true function. Diabetes: MSE on held-out rows "
                    "divided by the variance of all 442 targets (1 = predicting the mean). Best "
                    "p and λ are oracles chosen on the reported error.";
    result.tables.push_back(std::move(table));

    result.claims.push_back(experiment::at_most(
        "dropout with p = 1 is OLS",
        fmt::format("largest relative difference of test predictions over {} training sets", trials),
        s.p1_vs_ols, 1e-9));
    result.claims.push_back(experiment::exceeds(
        fmt::format("with n = {} close to d = {}, dropout (like ridge) lowers the test error of OLS",
                    n, d),
        fmt::format("OLS − dropout(p = {:.2g}) test MSE, paired over training sets",
                    s.p_grid[r.best_p]),
        r.gain, 0, 4));
    return {r.ols, s.p_grid[r.best_p], r.dropout[r.best_p].value, r.ridge[r.best_lambda].value};
  }

  // (e) diabetes: repeated random splits, features standardized on the training rows and y
  // centred by the training mean (the intercept is not dropped). Returns a sentence for the answer.
  static std::string diabetes_sweep(const Params& params, const Context& context, Result& result) {
    const std::filesystem::path dir = params.text("diabetes_dir");
    const auto features = dir / "diabetes_data_raw.csv.gz", targets = dir / "diabetes_target.csv.gz";
    Table& table = result.tables.back();
    if (!std::filesystem::exists(features) || !std::filesystem::exists(targets)) {
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

    Sweep s{params.real_list("p_grid"), lambda_grid(), {}, 0};
    std::sort(s.p_grid.begin(), s.p_grid.end());
    const auto splits = std::size_t(params.integer("diabetes_splits"));
    s.gather(context.trials<std::vector<double>>("diabetes-splits", splits, [&](std::size_t, Rng& rng) {
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
        fmt::format("(e) Test error vs keep probability, diabetes ({} training rows)", n),
        "test MSE / Var(y)", s, r,
        fmt::format("Mean over {} random splits of scikit-learn's diabetes data (442 × 10): {} "
                    "training rows, the rest held out; features standardized on the training "
                    "rows, y centred by its training mean. Error of p·x₀ᵀw* on held-out targets "
                    "divided by Var(y) (1 = predicting the mean), ± SE.",
                    splits, n)));
    sweep_rows(table, fmt::format("diabetes, {} training rows", n), s, r);
    return fmt::format(
        "On the diabetes data ({} training rows) the held-out error relative to Var(y) is {:.3f} "
        "for OLS, {:.3f} for dropout at p = {:.2g} and {:.3f} for the best ridge.",
        n, r.ols.value, r.dropout[r.best_p].value, s.p_grid[r.best_p], r.ridge[r.best_lambda].value);
  }
};

}  // namespace

NNLAB_REGISTER_LAB(DropoutLinreg);

}  // namespace nnlab::labs
