// Lab ill-conditioning (sheet 9.3.1b–c): what an ill-conditioned Hessian does to gradient descent
// and which method removes the problem.
//   GD on f(θ) = ½θᵀHθ − bᵀθ, eigenpairs (λ_i, v_i):  e_{k+1} = (I − αH) e_k, so the component of
//   e_k = θ_k − θ* along v_i shrinks by |1 − αλ_i| per step; stable iff α < 2/λmax; with α = 1/λmax
//   the slowest factor is 1 − 1/κ, with α = 2/(λmax + λmin) it is (κ−1)/(κ+1)  (κ = λmax/λmin).
//   Heavy ball, α = 4/(√λmax + √λmin)², β = ρ²: rate ρ = (√κ−1)/(√κ+1) (Polyak 1964).
//   Nesterov, α = 1/λmax, μ = (√κ−1)/(√κ+1): rate 1 − 1/√κ.  CG: ‖e_k‖_H ≤ 2ρ^k ‖e_0‖_H.
//   Newton: θ_{k+1} = θ_k − H⁻¹g, one step on a quadratic; affine invariant, so its iteration count
//   does not see the conditioning of the coordinates.
// Measured: iterations to ‖θ_k − θ*‖ ≤ tol·‖θ_0 − θ*‖ on quadratics in D dimensions with log-spaced
// eigenvalues in [1, κ] (optim::Quadratic::with_spectrum) and on L2-regularized logistic regression
// with badly scaled features; asymptotic rates on the homogeneous quadratic (b = 0, θ* = 0), where
// the error can be followed down to 10⁻⁶⁰ without a rounding floor.
#include <Eigen/Eigenvalues>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/optim/adam.hpp"
#include "nnlab/optim/lbfgs.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/momentum.hpp"
#include "nnlab/optim/nesterov.hpp"
#include "nnlab/optim/newton.hpp"
#include "nnlab/optim/quadratic_cg.hpp"
#include "nnlab/optim/sgd.hpp"
#include "nnlab/optim/test_functions.hpp"

namespace nnlab::labs {
namespace {

using data::gaussian_matrix;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The lab's theory, or one of its mutants (IllConditioning::mutants()); the runs never read it.
struct Theory {
  std::string_view mutant;

  // GD with α = 1/λmax: the slowest eigen-direction shrinks by 1 − λmin/λmax = 1 − 1/κ.
  double gd_safe_rate(double kappa) const {
    if (mutant == "gd-rate-kappa-squared") return 1 - 1 / (kappa * kappa);
    return 1 - 1 / kappa;
  }
  // GD with α = 2/(λmax + λmin): both extreme directions shrink by (κ−1)/(κ+1).
  double gd_optimal_rate(double kappa) const {
    if (mutant == "gd-optimal-rate-kappa") return (kappa - 1) / kappa;
    return (kappa - 1) / (kappa + 1);
  }
  double heavy_ball_rate(double kappa) const {
    if (mutant == "heavy-ball-kappa") return (kappa - 1) / (kappa + 1);
    return (std::sqrt(kappa) - 1) / (std::sqrt(kappa) + 1);
  }
  double nesterov_rate(double kappa) const { return 1 - 1 / std::sqrt(kappa); }
  // The largest step size for which GD converges from every start.
  double stability_limit(double lambda_min, double lambda_max) const {
    if (mutant == "safe-step-lambda-min") return 2 / lambda_min;
    return 2 / lambda_max;
  }
  // Newton's iterations on a strictly convex function grow like κ^exponent.
  double newton_exponent() const { return mutant == "newton-linear-in-kappa" ? 1.0 : 0.0; }
};

// The methods compared on the quadratics, in table order.
enum Method { gd_safe, gd_optimal, heavy_ball, nesterov, cg, lbfgs, adam, newton, method_count };
constexpr const char* method_names[method_count] = {
    "GD, α = 1/λmax", "GD, α = 2/(λmax+λmin)", "heavy ball", "Nesterov", "CG", "L-BFGS",
    "Adam (best η)", "Newton"};
constexpr const char* method_tex[method_count] = {
    "GD, $\\alpha = 1/\\lambda_{\\max}$", "GD, $\\alpha = 2/(\\lambda_{\\max}+\\lambda_{\\min})$",
    "heavy ball", "Nesterov", "CG", "L-BFGS", "Adam (best $\\eta$)", "Newton"};

// Step sizes and momenta of the four first-order methods: the optimal parameters of each, which
// the runs use whatever the (possibly mutated) theory says about the rates they achieve.
struct Tuning {
  double alpha = 0, beta = 0;
};
Tuning tuning(Method m, double mu, double L) {
  const double q = std::sqrt(L / mu), rho = (q - 1) / (q + 1);
  switch (m) {
    case gd_safe: return {1 / L, 0};
    case gd_optimal: return {2 / (L + mu), 0};
    case heavy_ball: return {4 / std::pow(std::sqrt(L) + std::sqrt(mu), 2), rho * rho};
    case nesterov: return {1 / L, rho};
    default: return {};
  }
}

// Runs a first-order method of Tuning on f from θ until the callback stops it.
template <class F, class Callback>
optim::Report run_first_order(Method m, const F& f, Vec<double>& theta, const Tuning& t,
                              std::int64_t cap, Callback&& callback) {
  const optim::Stop stop{.max_iters = cap, .grad_tol = 0};
  if (m == heavy_ball) {
    optim::Momentum<double> opt({.lr = t.alpha, .momentum = t.beta});
    return optim::minimize(f, opt, theta, stop, callback);
  }
  if (m == nesterov) {
    optim::Nesterov<double> opt({.lr = t.alpha, .momentum = t.beta});
    return optim::minimize(f, opt, theta, stop, callback);
  }
  optim::Sgd<double> opt({.lr = t.alpha});
  return optim::minimize(f, opt, theta, stop, callback);
}

// Stops a driver once ‖θ_k − θ*‖ ≤ tol·‖θ_0 − θ*‖.
struct ToTolerance {
  const Vec<double>& star;
  double target;
  optim::Control operator()(const optim::StepEvent<double>& e) const {
    return (e.theta - star).norm() <= target ? optim::Control::stop : optim::Control::proceed;
  }
};

// Iterations to the relative tolerance: NaN when the budget ran out first, −1 when a line-search
// driver stalled (no acceptable step: f at its rounding floor) before reaching it.
double count(const optim::Report& r) {
  if (r.status == optim::Status::interrupted) return double(r.iterations);
  return r.status == optim::Status::stalled ? -1.0 : nan;
}

template <class F>
double iterations_to(Method m, const F& f, const Vec<double>& star, double mu, double L, double tol,
                     std::int64_t cap, std::int64_t adam_cap, const std::vector<double>& adam_lrs) {
  const Vec<double> start = Vec<double>::Zero(f.dim());
  const ToTolerance until{star, tol * (start - star).norm()};
  Vec<double> theta = start;
  const optim::Stop stop{.max_iters = cap, .grad_tol = 0};
  switch (m) {
    case cg: return count(optim::quadratic_cg(f, theta, stop, until));
    case lbfgs: return count(optim::lbfgs(f, theta, stop, {}, until));
    case newton: return count(optim::newton(f, theta, stop, {}, until));
    case adam: {
      double best = nan;
      for (double lr : adam_lrs) {
        theta = start;
        optim::Adam<double> opt({.lr = lr});
        const double n = count(optim::minimize(f, opt, theta, {.max_iters = adam_cap, .grad_tol = 0}, until));
        if (!std::isnan(n) && !(n >= best)) best = n;
      }
      return best;
    }
    default: return count(run_first_order(m, f, theta, tuning(m, mu, L), cap, until));
  }
}

// A measured linear rate: −ln ρ̂ fitted to ln‖e_k‖ over the second half of a run on the
// homogeneous quadratic from a start that excites every eigen-direction equally, followed until
// ‖e_k‖ ≤ 10^(−depth)‖e_0‖.
struct MeasuredRate {
  double exponent = nan;  // −ln ρ̂ per iteration
  double iterations = 0;
};
MeasuredRate measure_rate(Method m, const optim::Quadratic<double>& h, double depth, std::int64_t cap) {
  const Index D = h.dim();
  Vec<double> theta = h.eigenvectors() * Vec<double>::Ones(D);
  const double e0 = theta.norm(), target = e0 * std::pow(10.0, -depth);
  std::vector<double> log_error;
  const auto record = [&](const optim::StepEvent<double>& e) {
    const double n = e.theta.norm();
    log_error.push_back(std::log(n / e0));
    return n <= target ? optim::Control::stop : optim::Control::proceed;
  };
  const optim::Report r = run_first_order(m, h, theta, tuning(m, h.mu(), h.L()), cap, record);
  if (r.status != optim::Status::interrupted) return {};
  const std::size_t n = log_error.size(), from = n / 2;
  std::vector<double> k, y;
  for (std::size_t i = from; i < n; ++i) k.push_back(double(i)), y.push_back(log_error[i]);
  return {-experiment::fit_line(k, y).slope.value, double(r.iterations)};
}

// L(w) = (1/N) Σ_i log(1 + exp(−y_i x_iᵀw)) + (λ/2) Σ_j π_j w_j²,  X: D × N (samples are columns),
// y_i = ±1, π = 1 (plain L2) unless given. ∇L = −(1/N) X (y ⊙ σ(−y ⊙ Xᵀw)) + λ π ⊙ w,
// ∇²L = (1/N) X diag(σ(m)σ(−m)) Xᵀ + λ diag(π),  m = Xᵀw.
struct LogisticL2 {
  using Scalar = double;
  Mat<double> X;
  Vec<double> y;
  double lambda = 0;
  Vec<double> pi;  // penalty weights π_j; empty = all 1
  double penalty(const Vec<double>& w) const {
    return 0.5 * lambda * (pi.size() ? pi.dot(w.cwiseAbs2()) : w.squaredNorm());
  }
  Index dim() const { return X.rows(); }
  static double softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }
  static double sigmoid(double t) { return 1 / (1 + std::exp(-t)); }
  double value(const Vec<double>& w) const {
    const Vec<double> m = X.transpose() * w;
    double sum = 0;
    for (Index i = 0; i < m.size(); ++i) sum += softplus(-y(i) * m(i));
    return sum / double(m.size()) + penalty(w);
  }
  double gradient(const Vec<double>& w, Vec<double>& g) const {
    const Vec<double> m = X.transpose() * w;
    Vec<double> r(m.size());
    double sum = 0;
    for (Index i = 0; i < m.size(); ++i) {
      sum += softplus(-y(i) * m(i));
      r(i) = -y(i) * sigmoid(-y(i) * m(i));
    }
    const double N = double(m.size());
    g = X * r / N;
    if (pi.size())
      g += lambda * pi.cwiseProduct(w);
    else
      g += lambda * w;
    return sum / N + penalty(w);
  }
  Mat<double> hessian(const Vec<double>& w) const {
    const Vec<double> m = X.transpose() * w;
    Vec<double> s(m.size());
    for (Index i = 0; i < m.size(); ++i) s(i) = sigmoid(m(i)) * sigmoid(-m(i));
    Mat<double> H = X * s.asDiagonal() * X.transpose() / double(m.size());
    if (pi.size())
      H.diagonal() += lambda * pi;
    else
      H.diagonal().array() += lambda;
    return H;
  }
};

// Log-log slope of y over the entries with x ≥ from and y finite.
experiment::LineFit slope_from(const std::vector<double>& x, const std::vector<double>& y, double from) {
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] >= from && std::isfinite(y[i]) && y[i] > 0) xs.push_back(x[i]), ys.push_back(y[i]);
  require(xs.size() >= 3,
          "ill-conditioning: a slope needs iteration counts at ≥ 3 condition numbers ≥ {}, got {}: "
          "add condition numbers or raise the iteration budget",
          from, xs.size());
  return experiment::fit_log_log(xs, ys);
}

// The logistic regression of (c): the same data for every scale s, feature j multiplied by
// s^{j/(D−1)}; labels from a random linear teacher plus Gaussian noise.
Vec<double> feature_scales(Index D, double s) {
  Vec<double> scale(D);
  for (Index j = 0; j < D; ++j) scale(j) = std::pow(s, double(j) / double(D - 1));
  return scale;
}
LogisticL2 logistic_problem(const Context& context, Index D, Index N, double lambda, double s) {
  Rng rng = context.rng("logistic-data");
  const Mat<double> Z = gaussian_matrix(D, N, rng);
  const Vec<double> w_true = gaussian_matrix(D, 1, rng).col(0);
  const Vec<double> noise = gaussian_matrix(N, 1, rng).col(0);
  LogisticL2 f;
  f.lambda = lambda;
  f.y = Vec<double>(N);
  for (Index n = 0; n < N; ++n) f.y(n) = Z.col(n).dot(w_true) + noise(n) > 0 ? 1.0 : -1.0;
  f.X = feature_scales(D, s).asDiagonal() * Z;
  return f;
}

std::string count_text(double n) {
  if (std::isnan(n)) return "—";
  return n < 0 ? std::string("stalled") : fmt::format("{:.0f}", n);
}

class IllConditioning : public Lab {
 public:
  std::string id() const override { return "ill-conditioning"; }
  std::string sheet() const override { return "9.3.1bc"; }
  std::string question() const override {
    return "What does an ill-conditioned Hessian do to gradient descent, and which method fixes it?";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("dim", T::integer, "dimension D of the quadratics", "100", "", 3, 2000),
        spec("kappas", T::real_list, "condition numbers κ of the quadratics, smallest first",
             "1,10,100,1000,10000,100000,1000000", "1,10,100,1000,10000,100000,1000000", 1, 1e8),
        spec("tol", T::real, "relative tolerance: stop at ‖θ_k − θ*‖ ≤ tol·‖θ_0 − θ*‖", "1e-6", "",
             1e-12, 0.1),
        spec("gd_budget", T::integer, "iteration budget of GD and Adam per run", "1500000", "150000",
             100, 1e9),
        spec("adam_budget", T::integer, "iteration budget of Adam per learning rate", "50000", "5000",
             100, 1e9),
        spec("fit_from", T::real, "smallest κ in the fitted slopes of iterations against κ", "100", "",
             1, 1e8),
        spec("rate_kappas", T::real_list, "condition numbers at which asymptotic rates are measured",
             "10,100,1000,10000", "10,100,1000", 2, 1e6),
        spec("rate_depth", T::real, "rates are fitted while the error falls from 10^(−depth/2) to "
             "10^(−depth) of its start", "60", "", 10, 250),
        spec("adam_lrs", T::real_list, "Adam's learning rates η (the best one is reported)",
             "0.001,0.01,0.1", "0.01,0.1", 1e-6, 10),
        spec("features", T::integer, "features of the logistic regression", "10", "", 2, 500),
        spec("samples", T::integer, "samples of the logistic regression", "200", "", 10, 1e6),
        spec("scales", T::real_list, "largest feature scale s (features scaled by s^(j/(D−1)))",
             "1,3,10,30,100", "1,3,10,30", 1, 1e4),
        spec("l2", T::real, "L2 penalty λ of the logistic regression", "0.001", "", 1e-8, 10),
    };
  }

  std::vector<Mutant> mutants() const override {
    // Parts: (b)'s table of rates holds every method's; (d) reads it.
    return {{"gd-rate-kappa-squared", "GD with α = 1/λmax contracts by 1 − 1/κ² per step", {"b"}},
            {"gd-optimal-rate-kappa", "GD with the optimal step contracts by (κ−1)/κ", {"b"}},
            {"heavy-ball-kappa", "heavy ball contracts by (κ−1)/(κ+1), as GD does: momentum gains nothing",
             {"b", "d"}},
            {"safe-step-lambda-min", "GD is stable for every α < 2/λmin", {"b"}},
            {"newton-linear-in-kappa", "Newton's iterations grow in proportion to κ", {"c"}}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    check(params);
    Result result;
    // (d) continues (b)'s table of rates: it needs (b)'s runs.
    const bool run_b = runs_part(*this, context, "b") || runs_part(*this, context, "d");
    context.report(0.0, "quadratics: iterations to tolerance");
    const Runs runs = quadratic_runs(params, context);
    context.report(0.5, "quadratics: asymptotic rates");
    const Rates rates = run_b ? rate_runs(params, context) : Rates{};

    auto since = result.mark();
    Table rates_table;
    std::string answer = runs_part(*this, context, "c") ? "" : skipped_part(*this, context);
    std::string b;
    if (run_b) {
      b = gd_evidence(params, context, theory, runs, rates, result, rates_table);
      zigzag_figure(result);
    } else {
      b = skipped_part(*this, context);
    }
    result.assign("b", since);
    context.report(0.7, "logistic regression");
    since = result.mark();
    const std::string c =
        part_answer(*this, context, "c", [&] { return choice_evidence(params, context, theory, runs, result, answer); });
    result.assign("c", since);
    since = result.mark();
    const std::string d = part_answer(*this, context, "d", [&] {
      return acceleration_evidence(params, theory, runs, rates, result, rates_table);
    });
    result.assign("d", since);
    context.report(1.0, "done");

    result.notation = {
        {"\\theta^k", "the parameters after $k$ iterations; $\\theta \\in \\mathbb{R}^D$", ""},
        {"\\theta^*", "the minimizer; $e^k = \\theta^k - \\theta^*$ the error", ""},
        {"f", "the cost: a quadratic $\\frac{1}{2}\\theta^\\top H\\theta - b^\\top\\theta$ or a logistic regression", ""},
        {"H", "the Hessian $\\nabla^2_\\theta f$, eigenpairs $(\\lambda_i, v_i)$", ""},
        {"\\lambda_{\\max}, \\lambda_{\\min}", "the largest and smallest eigenvalue of $H$ ($H$ is positive definite here)", ""},
        {"\\kappa", "the condition number $\\lambda_{\\max}/\\lambda_{\\min}$", "\\frac{\\lambda_{max}}{\\lambda_{min}}"},
        {"\\alpha", "the learning rate (nnlab's lr, $\\eta$); $\\alpha'$ a safe one, $\\alpha' < 2/\\lambda_{\\max}$", ""},
        {"\\beta", "the momentum of heavy ball and Nesterov", ""},
        {"\\rho", "a linear rate: $\\|e^{k+1}\\| \\approx \\rho \\|e^k\\|$ asymptotically", ""},
        {"\\varepsilon", "the relative tolerance: stop at $\\|e^k\\| \\le \\varepsilon \\|e^0\\|$", ""},
    };
    result.parts = {
        {"b",
         "Take a step size $\\alpha'$ small enough that a gradient step never increases $f$. What is the "
         "problem with this $\\alpha'$ if the Hessian $H$ is ill-conditioned (very large $\\kappa$)?",
         b,
         R"(Near $\theta^*$ (exactly, on a quadratic) the gradient is $\nabla f(\theta^k) = H e^k$, so gradient descent moves the error by

$$e^{k+1} = (I - \alpha H)\, e^k, \qquad v_i^\top e^{k+1} = (1 - \alpha\lambda_i)\, v_i^\top e^k .$$

Each eigen-direction is its own one-dimensional problem, shrinking by $|1 - \alpha\lambda_i|$ per step. A step never increases $f$ (and GD converges from every start) iff $|1 - \alpha\lambda_i| < 1$ for all $i$, i.e. $\alpha' < 2/\lambda_{\max}$: the step is set by the largest curvature. Along $v_{\min}$ the factor is then

$$1 - \alpha'\lambda_{\min} > 1 - \frac{2\lambda_{\min}}{\lambda_{\max}} = 1 - \frac{2}{\kappa} .$$

The best fixed step balances the two ends, $1 - \alpha\lambda_{\min} = \alpha\lambda_{\max} - 1$, so $\alpha = 2/(\lambda_{\max}+\lambda_{\min})$ and

$$\rho_{GD} = \max_i |1 - \alpha\lambda_i| = \frac{\lambda_{\max}-\lambda_{\min}}{\lambda_{\max}+\lambda_{\min}} = \frac{\kappa-1}{\kappa+1} .$$

To reduce the error by $\varepsilon$ GD needs $k \approx \ln(1/\varepsilon)/(-\ln\rho) \approx \frac{\kappa}{2}\ln(1/\varepsilon)$ iterations with the best step and $\kappa\ln(1/\varepsilon)$ with $\alpha = 1/\lambda_{\max}$: linear in $\kappa$. The gradient along $v_{\min}$ is small ($\lambda_{\min}$ times the error), and the step that multiplies it must stay below $2/\lambda_{\max}$.)"},
        {"c",
         "What optimization algorithm would you use for a strictly convex function with an "
         "ill-conditioned Hessian almost everywhere?",
         c,
         R"(Newton's method rescales the gradient by the inverse curvature:

$$\theta^{k+1} = \theta^k - H(\theta^k)^{-1}\nabla f(\theta^k) .$$

On a quadratic, $H^{-1}\nabla f(\theta^k) = H^{-1}H e^k = e^k$, so one step lands on $\theta^*$ whatever $\kappa$ is: every eigen-direction gets its own step $1/\lambda_i$. In general it is affine invariant: for $g(u) = f(Au + c)$ with $A$ invertible, $\nabla g = A^\top\nabla f$ and $\nabla^2 g = A^\top H A$, so the Newton step in $u$ is $-(A^\top HA)^{-1}A^\top\nabla f = A^{-1}\,(-H^{-1}\nabla f)$: the iterates map to each other, $\theta^k = Au^k + c$. Bad scaling of the coordinates (a large $\kappa$ made by a linear change of variables) cannot change Newton's iteration count, and near $\theta^*$ it converges quadratically. Strict convexity makes $H$ positive definite, so the Newton direction is a descent direction; a line search (damped Newton) makes it converge from any start. When $D$ is too large to factor $H$ ($O(D^3)$), the practical middle is conjugate gradients, Newton-CG or L-BFGS: they build curvature information from gradients and need $O(\sqrt\kappa)$ iterations (see (d)) or fewer instead of $O(\kappa)$.)"},
        {"d",
         "What do momentum, Nesterov and conjugate gradients gain over gradient descent?",
         d,
         R"(Heavy ball $\theta^{k+1} = \theta^k - \alpha\nabla f(\theta^k) + \beta(\theta^k - \theta^{k-1})$ acts on each eigen-direction as the two-term recursion $x_{k+1} = (1 + \beta - \alpha\lambda_i)x_k - \beta x_{k-1}$, whose characteristic roots have product $\beta$. With

$$\alpha = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2}, \qquad \beta = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2$$

the roots are complex (or double) for every $\lambda_i \in [\lambda_{\min}, \lambda_{\max}]$, so all have modulus $\sqrt\beta$:

$$\rho_{HB} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1} \approx 1 - \frac{2}{\sqrt\kappa}, \qquad k \approx \frac{\sqrt\kappa}{2}\ln(1/\varepsilon).$$

Nesterov with $\alpha = 1/\lambda_{\max}$ and the same $\sqrt\beta$ as momentum has the double root $\sqrt{\beta(1 - 1/\kappa)} = 1 - 1/\sqrt\kappa$ at $\lambda_{\min}$. Conjugate gradients minimize over the Krylov space, so their error is at most that of the best polynomial, the Chebyshev one: $\|e^k\|_H \le 2\rho_{HB}^k\|e^0\|_H$, hence $\|e^k\| \le 2\sqrt\kappa\,\rho_{HB}^k\|e^0\|$, without knowing $\lambda_{\min}$, $\lambda_{\max}$, and at most $D$ iterations in exact arithmetic.)"},
    };
    result.answer = answer;
    return result;
  }

 private:
  static void check(const Params& params) {
    for (const char* list : {"kappas", "rate_kappas", "scales", "adam_lrs"}) {
      const auto v = params.real_list(list);
      require(!v.empty(), "ill-conditioning: {} must not be empty", list);
      for (std::size_t i = 1; i < v.size(); ++i)
        require(v[i] > v[i - 1], "ill-conditioning: {} must increase, got {} after {}", list, v[i], v[i - 1]);
    }
    require(params.real_list("scales").size() >= 3, "ill-conditioning: scales needs ≥ 3 values for a slope");
  }

  struct Runs {
    std::vector<double> kappa;
    std::vector<std::vector<double>> iterations;  // [method][κ]
    double tol = 0;
    std::int64_t budget = 0;
    Index dim = 0;
  };

  // The picture of (b) in two dimensions: f(θ) = ½(θ₁² + κθ₂²), κ = 25, its level sets, and 20
  // steps of GD (both step sizes) and heavy ball from the same start, with Newton's single step.
  static void zigzag_figure(Result& result) {
    constexpr double kappa = 25;
    Mat<double> A = Mat<double>::Zero(2, 2);
    A(0, 0) = 1, A(1, 1) = kappa;
    const optim::Quadratic<double> f(A, Vec<double>::Zero(2));
    experiment::Field field;
    for (int i = 0; i <= 120; ++i) field.x.push_back(-10.5 + 21.0 * i / 120);
    for (int j = 0; j <= 60; ++j) field.y.push_back(-3 + 6.0 * j / 60);
    for (double y : field.y)
      for (double x : field.x) field.z.push_back(0.5 * (x * x + kappa * y * y));
    field.z_label = "f(θ)";
    field.log_z = false;
    field.contours = {0.5, 2, 8, 18, 32, 50};
    Figure figure{.id = "zigzag",
                  .title = fmt::format("Ill-conditioning in two dimensions: $f = \\frac{{1}}{{2}}(\\theta_1^2 + {:g}\\,\\theta_2^2)$, 20 steps from the same start", kappa),
                  .x_label = "θ₁ (curvature λmin = 1)", .y_label = "θ₂ (curvature λmax = 25)"};
    constexpr int steps = 20;
    const Vec<double> start = (Vec<double>(2) << -10, 1.5).finished();
    std::vector<double> reached;
    for (Method m : {gd_safe, gd_optimal, heavy_ball}) {
      Line line{method_names[m], {start(0)}, {start(1)}, {}, "linespoints"};
      Vec<double> theta = start;
      run_first_order(m, f, theta, tuning(m, 1, kappa), steps, [&](const optim::StepEvent<double>& e) {
        if (e.step > 0) line.x.push_back(e.theta(0)), line.y.push_back(e.theta(1));
        return optim::Control::proceed;
      });
      reached.push_back(theta.norm());
      figure.lines.push_back(std::move(line));
    }
    figure.lines.push_back({"Newton (one step)", {start(0), 0}, {start(1), 0}, {}, "linespoints"});
    figure.field = std::move(field);
    figure.caption = fmt::format(
        "After {} steps from $\\|\\theta_0\\| = {:.3g}$, GD with $\\alpha = 1/\\lambda_{{\\max}}$ is still {:.3g} from the "
        "minimum, creeping along the flat $\\theta_1$ axis; with $\\alpha = 2/(\\lambda_{{\\max}}+\\lambda_{{\\min}})$ it "
        "zig-zags across the steep $\\theta_2$ direction and is {:.3g} away; heavy ball is {:.3g} away; Newton's step "
        "$-H^{{-1}}g$ lands on the minimum at once. White: level sets of $f$.",
        steps, start.norm(), reached[0], reached[1], reached[2]);
    result.figures.push_back(std::move(figure));
  }

  static optim::Quadratic<double> quadratic(const Context& context, Index D, double kappa, std::size_t i) {
    Rng rng = context.rng(fmt::format("quadratic-{}", i));
    return optim::Quadratic<double>::with_spectrum(D, 1.0, kappa, rng);
  }

  static Runs quadratic_runs(const Params& params, const Context& context) {
    Runs runs;
    runs.kappa = params.real_list("kappas");
    runs.tol = params.real("tol");
    runs.budget = params.integer("gd_budget");
    runs.dim = params.integer("dim");
    const std::size_t K = runs.kappa.size();
    const auto lrs = params.real_list("adam_lrs");
    // Cells in the order slowest first, so the two threads finish together.
    const auto counts = context.sweep<double>(
        "iterations", K * method_count, 1, [&](std::size_t cell, std::size_t, Rng&) {
          const std::size_t i = K - 1 - cell / method_count;
          const auto m = Method(cell % method_count);
          const auto f = quadratic(context, runs.dim, runs.kappa[i], i);
          return iterations_to(m, f, f.minimizer(), double(f.mu()), double(f.L()), runs.tol,
                               runs.budget, params.integer("adam_budget"), lrs);
        });
    runs.iterations.assign(method_count, std::vector<double>(K, nan));
    for (std::size_t cell = 0; cell < counts.size(); ++cell)
      runs.iterations[cell % method_count][K - 1 - cell / method_count] = counts[cell];
    return runs;
  }

  struct Rates {
    std::vector<double> kappa;
    std::vector<std::vector<MeasuredRate>> measured;  // [method 0..3][κ]
  };

  static optim::Quadratic<double> homogeneous(const Context& context, Index D, double kappa, std::size_t i) {
    const auto f = quadratic(context, D, kappa, 1000 + i);
    return optim::Quadratic<double>(f.A(), Vec<double>::Zero(D));
  }

  static Rates rate_runs(const Params& params, const Context& context) {
    Rates rates;
    rates.kappa = params.real_list("rate_kappas");
    const std::size_t K = rates.kappa.size();
    const Index D = params.integer("dim");
    const double depth = params.real("rate_depth");
    const auto cap = std::int64_t(1e9);
    const auto got = context.sweep<MeasuredRate>(
        "rates", K * 4, 1, [&](std::size_t cell, std::size_t, Rng&) {
          const std::size_t i = K - 1 - cell / 4;
          return measure_rate(Method(cell % 4), homogeneous(context, D, rates.kappa[i], i), depth, cap);
        });
    rates.measured.assign(4, std::vector<MeasuredRate>(K));
    for (std::size_t cell = 0; cell < got.size(); ++cell) rates.measured[cell % 4][K - 1 - cell / 4] = got[cell];
    return rates;
  }

  // Worst relative error of the measured exponent −ln ρ̂ against the theory's −ln ρ over κ.
  template <class RateOf>
  static double worst_rate_error(const Rates& rates, Method m, RateOf rate_of, std::string& where) {
    double worst = 0;
    for (std::size_t i = 0; i < rates.kappa.size(); ++i) {
      const double theory = -std::log(rate_of(rates.kappa[i]));
      const double e = std::abs(rates.measured[m][i].exponent / theory - 1);
      if (!(e <= worst)) worst = std::isnan(e) ? inf : e, where = fmt::format("{:g}", rates.kappa[i]);
    }
    return worst;
  }

  // The tolerance on a measured exponent: the bias of a fitted slope of ln(k·ρ^k) (a double root,
  // as heavy ball and Nesterov have at the ends of the spectrum) over iterations k₁ … 2k₁ is
  // ln 2/(k₁ |ln ρ|), and the fit starts where the error is 10^(−depth/2): ln 2/(depth/2 · ln 10).
  // Twice that.
  static double rate_tolerance(const Params& params) {
    return 2 * std::log(2.0) / (params.real("rate_depth") / 2 * std::log(10.0));
  }

  // The slope that the theory's rate predicts for iterations ln(1/ε)/(−ln ρ(κ)) over the same κ.
  template <class RateOf>
  static double theory_slope(const std::vector<double>& kappa, const std::vector<double>& measured,
                             double from, double tol, RateOf rate_of) {
    std::vector<double> predicted;
    for (double k : kappa) predicted.push_back(std::log(1 / tol) / -std::log(rate_of(k)));
    std::vector<double> masked;
    for (std::size_t i = 0; i < kappa.size(); ++i)
      masked.push_back(std::isfinite(measured[i]) ? predicted[i] : nan);
    return slope_from(kappa, masked, from).slope.value;
  }

  // (b) GD with a safe step: each direction shrinks by 1 − αλ_i, the slowest by 1 − 1/κ.
  std::string gd_evidence(const Params& params, const Context& context, const Theory& theory,
                          const Runs& runs, const Rates& rates, Result& result, Table& rates_table) const {
    const Index D = params.integer("dim");
    // The slowest direction, step by step, at the largest rate κ.
    const double kappa = rates.kappa.back();
    const auto h = homogeneous(context, D, kappa, rates.kappa.size() - 1);
    const Vec<double> v_min = h.eigenvectors().col(0), v_max = h.eigenvectors().col(D - 1);
    const double lambda_min = h.mu(), lambda_max = h.L();
    Vec<double> theta = h.eigenvectors() * Vec<double>::Ones(D);
    const int steps = 1000;
    std::vector<double> c_min{v_min.dot(theta)};
    double c_max_after_one = nan;
    {
      optim::Sgd<double> opt({.lr = 1 / lambda_max});
      Vec<double> g(D);
      for (int k = 0; k < steps; ++k) {
        h.gradient(theta, g);
        opt.step(theta, g);
        c_min.push_back(v_min.dot(theta));
        if (k == 0) c_max_after_one = std::abs(v_max.dot(theta)) / std::abs(v_max.dot(h.eigenvectors() * Vec<double>::Ones(D)));
      }
    }
    double worst_factor = 0;
    const double factor = theory.gd_safe_rate(lambda_max / lambda_min);
    for (int k = 0; k < steps; ++k)
      worst_factor = std::max(worst_factor, std::abs(c_min[k + 1] / c_min[k] / factor - 1));
    result.claims.push_back(experiment::at_most(
        "with $\\alpha = 1/\\lambda_{\\max}$ the error along $v_{\\min}$ shrinks by exactly "
        "$1 - \\lambda_{\\min}/\\lambda_{\\max} = 1 - 1/\\kappa$ per step",
        fmt::format("largest relative gap between the measured per-step factor $v_{{\\min}}^\\top e^{{k+1}} / "
                    "v_{{\\min}}^\\top e^k$ and the theory's, over {} steps, $\\kappa = {:g}$",
                    steps, kappa),
        worst_factor, 1e-9));
    result.claims.push_back(experiment::at_most(
        "with $\\alpha = 1/\\lambda_{\\max}$ the error along $v_{\\max}$ vanishes in one step ($1 - \\alpha\\lambda_{\\max} = 0$)",
        fmt::format("$|v_{{\\max}}^\\top e^1| / |v_{{\\max}}^\\top e^0|$, $\\kappa = {:g}$", kappa),
        c_max_after_one, 1e-10));

    // The stability limit, by bisection on α: stable if ‖e‖ has not grown after 2000 steps.
    const auto grows = [&](double alpha) {
      Vec<double> t = h.eigenvectors() * Vec<double>::Ones(D), g(D);
      const double start = t.norm();
      optim::Sgd<double> opt({.lr = alpha});
      for (int k = 0; k < 2000; ++k) {
        h.gradient(t, g);
        opt.step(t, g);
        if (!t.allFinite()) return true;
      }
      return t.norm() > start;
    };
    double lo = 0.1 / lambda_max, hi = 100 / lambda_min;
    for (int k = 0; k < 60; ++k) {
      const double mid = std::sqrt(lo * hi);
      (grows(mid) ? hi : lo) = mid;
    }
    const double limit = theory.stability_limit(lambda_min, lambda_max);
    result.claims.push_back(experiment::relative_error(
        "GD converges iff $\\alpha < 2/\\lambda_{\\max}$: the largest safe step is set by the largest curvature",
        fmt::format("largest step (bisection) after which $\\|e^{{2000}}\\| \\le \\|e^0\\|$, in units of the "
                    "theory's limit, $\\kappa = {:g}$",
                    kappa),
        hi / limit, 1, 0.01));

    // Measured rates of GD.
    std::string where_safe, where_opt;
    const double tol_rate = rate_tolerance(params);
    const double err_safe = worst_rate_error(rates, gd_safe, [&](double k) { return theory.gd_safe_rate(k); }, where_safe);
    const double err_opt = worst_rate_error(rates, gd_optimal, [&](double k) { return theory.gd_optimal_rate(k); }, where_opt);
    const std::string kappas = fmt::format("{}", fmt::join(rates.kappa, ", "));
    result.claims.push_back(experiment::at_most(
        "GD with $\\alpha = 1/\\lambda_{\\max}$ converges at the rate $1 - 1/\\kappa$",
        fmt::format("largest relative error of the measured $-\\ln\\hat\\rho$ (slope of $\\ln\\|e^k\\|$ while it "
                    "falls from $10^{{-{0:g}}}$ to $10^{{-{1:g}}}$) against $-\\ln\\rho$, $\\kappa \\in \\{{{2}\\}}$ "
                    "(worst at {3})",
                    params.real("rate_depth") / 2, params.real("rate_depth"), kappas, where_safe),
        err_safe, tol_rate));
    result.claims.push_back(experiment::at_most(
        "GD with $\\alpha = 2/(\\lambda_{\\max}+\\lambda_{\\min})$ converges at the rate $(\\kappa-1)/(\\kappa+1)$",
        fmt::format("largest relative error of the measured $-\\ln\\hat\\rho$ against $-\\ln\\rho$, "
                    "$\\kappa \\in \\{{{}\\}}$ (worst at {})",
                    kappas, where_opt),
        err_opt, tol_rate));

    // Iterations against κ: slope ≈ 1.
    const double from = params.real("fit_from");
    const auto fit_safe = slope_from(runs.kappa, runs.iterations[gd_safe], from);
    const auto fit_opt = slope_from(runs.kappa, runs.iterations[gd_optimal], from);
    const double th_safe = theory_slope(runs.kappa, runs.iterations[gd_safe], from, runs.tol,
                                        [&](double k) { return theory.gd_safe_rate(k); });
    const double th_opt = theory_slope(runs.kappa, runs.iterations[gd_optimal], from, runs.tol,
                                       [&](double k) { return theory.gd_optimal_rate(k); });
    result.claims.push_back(experiment::slope_in(
        fmt::format("GD's iterations to tolerance grow like $\\kappa^{{{:.2f}}}$ (the theory's rate), α = 1/λmax", th_safe),
        fmt::format("fitted log-log slope of iterations against $\\kappa \\ge {:g}$ (runs within the budget)", from),
        fit_safe, th_safe - 0.1, th_safe + 0.1));
    result.claims.push_back(experiment::slope_in(
        fmt::format("GD's iterations to tolerance grow like $\\kappa^{{{:.2f}}}$ (the theory's rate), optimal α", th_opt),
        fmt::format("fitted log-log slope of iterations against $\\kappa \\ge {:g}$ (runs within the budget)", from),
        fit_opt, th_opt - 0.1, th_opt + 0.1));

    // Figure: the slowest component against k for each rate κ, with (1 − 1/κ)^k.
    Figure fig{.id = "slow-direction",
               .title = "Error along $v_{\\min}$ under GD with $\\alpha = 1/\\lambda_{\\max}$",
               .x_label = "iteration k", .y_label = "|v_min^T e^k| / |v_min^T e^0|",
               .log_x = false, .log_y = true};
    Line measured{fmt::format("measured, κ = {:g}", kappa), {}, {}, {}, "points"};
    Line predicted{fmt::format("(1 − 1/κ)^k, κ = {:g}", kappa), {}, {}, {}, "lines"};
    Line fast{fmt::format("(1 − 1/κ)^k, κ = {:g}", kappa / 100), {}, {}, {}, "lines"};
    for (int k = 0; k <= steps; k += 20) {
      measured.x.push_back(k), measured.y.push_back(std::abs(c_min[k] / c_min[0]));
      predicted.x.push_back(k), predicted.y.push_back(std::pow(1 - 1 / kappa, k));
      fast.x.push_back(k), fast.y.push_back(std::pow(1 - 100 / kappa, k));
    }
    fig.lines = {measured, predicted};
    if (kappa >= 200) fig.lines.push_back(fast);  // 1 − 100/κ ≥ 1/2
    fig.caption = fmt::format(
        "After {} safe steps the error along the flattest direction is still {:.3g} of its start at "
        "$\\kappa = {:g}$, exactly $(1 - 1/\\kappa)^k$ (claim 1){}. The steepest direction is gone after one "
        "step (claim 2).",
        steps, std::abs(c_min[steps] / c_min[0]), kappa,
        kappa >= 200 ? fmt::format("; at a 100 times smaller $\\kappa$ it would be {:.2g}", std::pow(1 - 100 / kappa, steps))
                     : std::string());
    result.figures.push_back(std::move(fig));

    // Table: measured rates of all four first-order methods (also evidence for (d)).
    Table table{"rates", "Asymptotic linear rates: measured $\\hat\\rho$ against theory",
                {"$\\kappa$", "method", "measured $\\hat\\rho$", "theory $\\rho$", "$-\\ln\\hat\\rho / -\\ln\\rho$",
                 "iterations run"},
                {}, ""};
    const auto theory_rate = [&](int m, double k) {
      switch (m) {
        case gd_safe: return theory.gd_safe_rate(k);
        case gd_optimal: return theory.gd_optimal_rate(k);
        case heavy_ball: return theory.heavy_ball_rate(k);
        default: return theory.nesterov_rate(k);
      }
    };
    for (std::size_t i = 0; i < rates.kappa.size(); ++i)
      for (int m = 0; m < 4; ++m) {
        const MeasuredRate& r = rates.measured[m][i];
        const double t = theory_rate(m, rates.kappa[i]);
        table.rows.push_back({rates.kappa[i], std::string(method_tex[m]), std::exp(-r.exponent), t,
                              r.exponent / -std::log(t), r.iterations});
      }
    table.caption = fmt::format(
        "Every measured exponent is within {:.1e} (relative) of the theory's, GD's ($\\alpha = 1/\\lambda_{{\\max}}$) "
        "within {:.1e}. At $\\kappa = {:g}$ GD needs {:.3g} times the iterations of heavy ball for the same "
        "error reduction.",
        std::max({err_safe, err_opt, worst_rate_error(rates, heavy_ball, [&](double k) { return theory.heavy_ball_rate(k); }, where_safe),
                  worst_rate_error(rates, nesterov, [&](double k) { return theory.nesterov_rate(k); }, where_safe)}),
        err_safe, rates.kappa.back(), rates.measured[gd_optimal].back().exponent > 0
            ? rates.measured[heavy_ball].back().exponent / rates.measured[gd_optimal].back().exponent
            : nan);
    rates_table = std::move(table);

    const auto at = [&](Method m, double k) {
      for (std::size_t i = 0; i < runs.kappa.size(); ++i)
        if (runs.kappa[i] == k) return runs.iterations[m][i];
      return nan;
    };
    return fmt::format(
        "The safe step is capped by the largest curvature, $\\alpha' < 2/\\lambda_{{\\max}}$ (measured limit "
        "{:.6f} × $2/\\lambda_{{\\max}}$ at $\\kappa = {:g}$), so along the flattest direction $v_{{\\min}}$ the "
        "error shrinks only by $1 - \\alpha'\\lambda_{{\\min}} > 1 - 2/\\kappa$ per step: at $\\kappa = {:g}$, "
        "{:.4g} of it is left after {} steps (exactly $(1-1/\\kappa)^k$ for $\\alpha' = 1/\\lambda_{{\\max}}$). "
        "The iterations GD needs grow in proportion to $\\kappa$: fitted slopes {:.3f} ($\\alpha = 1/\\lambda_{{\\max}}$) "
        "and {:.3f} (optimal $\\alpha$) in $\\log$ iterations against $\\log\\kappa$ for $\\kappa \\ge {:g}$; to "
        "reduce the error by $\\varepsilon = {:g}$ in $D = {}$ dimensions it took {} iterations at $\\kappa = 100$ and "
        "{} at $\\kappa = 10^4$ (optimal step). The measured rates are $1 - 1/\\kappa$ and $(\\kappa-1)/(\\kappa+1)$ "
        "to a relative {:.1e} in $-\\ln\\rho$. A step large enough for the flat directions diverges along the "
        "steep ones (claim 3).",
        hi * lambda_max / 2, kappa, kappa, std::abs(c_min[steps] / c_min[0]), steps, fit_safe.slope.value,
        fit_opt.slope.value, from, runs.tol, runs.dim, count_text(at(gd_optimal, 100)),
        count_text(at(gd_optimal, 1e4)), std::max(err_safe, err_opt));
  }

  // (c) Newton: one step on quadratics; on logistic regression its iterations hardly change with κ.
  std::string choice_evidence(const Params& params, const Context& context, const Theory& theory,
                              const Runs& runs, Result& result, std::string& answer) const {
    // Quadratics: the whole comparison.
    const std::int64_t adam_budget = params.integer("adam_budget");
    double newton_worst = 0;
    for (double n : runs.iterations[newton]) newton_worst = std::max(newton_worst, std::isnan(n) ? inf : n);
    const std::size_t newton_claim = result.claims.size() + 1;  // its number in the report
    result.claims.push_back(experiment::at_most(
        "Newton's method solves a quadratic in one step, whatever $\\kappa$",
        fmt::format("largest number of Newton iterations to $\\varepsilon = {:g}$ over $\\kappa$ from {:g} to {:g}",
                    runs.tol, runs.kappa.front(), runs.kappa.back()),
        newton_worst, 1));
    Figure fig{.id = "iterations",
               .title = "Iterations to reduce the error by $\\varepsilon$ on quadratics with condition number $\\kappa$",
               .x_label = "condition number κ", .y_label = "iterations",
               .log_x = true, .log_y = true};
    Table table{"iterations", "Iterations to $\\|e^k\\| \\le \\varepsilon\\|e^0\\|$ on the quadratics",
                {"method"}, {}, ""};
    for (double k : runs.kappa) table.columns.push_back(fmt::format("$\\kappa = {:g}$", k));
    for (int m = 0; m < method_count; ++m) {
      Line line{method_names[m], {}, {}, {}, "linespoints"};
      std::vector<Cell> row{std::string(method_tex[m])};
      for (std::size_t i = 0; i < runs.kappa.size(); ++i) {
        const double n = runs.iterations[m][i];
        row.push_back(std::isnan(n) ? Cell(fmt::format("> {}", m == adam ? adam_budget : runs.budget))
                      : n < 0 ? Cell(std::string("stalled")) : Cell(n));
        if (std::isfinite(n) && n > 0) line.x.push_back(runs.kappa[i]), line.y.push_back(n);
      }
      table.rows.push_back(std::move(row));
      if (!line.x.empty()) fig.lines.push_back(std::move(line));
    }
    const std::size_t last = runs.kappa.size() - 1;
    const auto cell = [&](Method m, std::size_t i) { return count_text(runs.iterations[m][i]); };
    fig.caption = fmt::format(
        "At $\\kappa = {:g}$: GD {} (optimal step; — = not within {} iterations), heavy ball {}, Nesterov {}, "
        "CG {}, L-BFGS {}, Adam {}, Newton {}. GD's line has slope about 1, heavy ball's and Nesterov's about 1/2 "
        "(claims of (b) and (d)); CG and L-BFGS level off below $D = {}$ and Newton stays at 1.",
        runs.kappa[last], cell(gd_optimal, last), runs.budget, cell(heavy_ball, last), cell(nesterov, last),
        cell(cg, last), cell(lbfgs, last), cell(adam, last), cell(newton, last), runs.dim);
    table.caption = fmt::format(
        "Newton needs {:g} iteration at every $\\kappa$; GD's count is linear in $\\kappa$ (claims 6 and 7); \"> n\" = "
        "not reached within the budget of n iterations; \"stalled\" = the line search found no step that lowers $f$ "
        "(its rounding floor) before $\\varepsilon$. Adam's is the best over $\\eta$ in the list of parameters.",
        newton_worst);
    result.figures.push_back(std::move(fig));
    result.tables.push_back(std::move(table));

    // Logistic regression with badly scaled features.
    const Index D = params.integer("features"), N = params.integer("samples");
    const auto scales = params.real_list("scales");
    const double lambda = params.real("l2"), tol = params.real("tol");
    const std::int64_t budget = params.integer("gd_budget");
    struct LogisticRun {
      double kappa = nan, newton = nan, gd = nan, lbfgs = nan;
    };
    const auto logistic = context.sweep<LogisticRun>(
        "logistic", scales.size(), 1, [&](std::size_t cell, std::size_t, Rng&) {
          const std::size_t i = scales.size() - 1 - cell;
          const LogisticL2 f = logistic_problem(context, D, N, lambda, scales[i]);
          // θ* by Newton to rounding, then κ of the Hessian there.
          Vec<double> star = Vec<double>::Zero(D);
          optim::newton(f, star, {.max_iters = 200, .grad_tol = 1e-13});
          const Eigen::SelfAdjointEigenSolver<Mat<double>> eig(f.hessian(star));
          LogisticRun r;
          r.kappa = eig.eigenvalues().maxCoeff() / eig.eigenvalues().minCoeff();
          const Vec<double> start = Vec<double>::Zero(D);
          const ToTolerance until{star, tol * star.norm()};
          const optim::Stop stop{.max_iters = budget, .grad_tol = 0};
          Vec<double> w = start;
          r.newton = count(optim::newton(f, w, stop, {}, until));
          w = start;
          r.lbfgs = count(optim::lbfgs(f, w, stop, {}, until));
          // GD with the global safe step 1/L, L = λmax(XXᵀ)/(4N) + λ ≥ every Hessian's λmax.
          const double L = Eigen::SelfAdjointEigenSolver<Mat<double>>(f.X * f.X.transpose())
                                   .eigenvalues().maxCoeff() / (4.0 * double(N)) + lambda;
          w = start;
          optim::Sgd<double> gd({.lr = 1 / L});
          r.gd = count(optim::minimize(f, gd, w, stop, until));
          return r;
        });
    std::vector<double> kappa, n_newton, n_gd, n_lbfgs;
    for (std::size_t c = logistic.size(); c-- > 0;) {
      kappa.push_back(logistic[c].kappa), n_newton.push_back(logistic[c].newton);
      n_gd.push_back(logistic[c].gd), n_lbfgs.push_back(logistic[c].lbfgs);
    }
    const auto gd_count = [&](double n) {
      return std::isnan(n) ? fmt::format("more than {}", budget) : count_text(n);
    };
    const auto fit_newton = slope_from(kappa, n_newton, 0);
    const auto fit_gd = slope_from(kappa, n_gd, 0);
    const double e = theory.newton_exponent();
    result.claims.push_back(experiment::slope_in(
        fmt::format("on a strictly convex non-quadratic, Newton's iterations grow like $\\kappa^{{{:g}}}$", e),
        fmt::format("fitted log-log slope of Newton's iterations against the Hessian's $\\kappa$ at $\\theta^*$ "
                    "(logistic regression, {} scales)",
                    scales.size()),
        fit_newton, e - 0.15, e + 0.15));
    result.claims.push_back(experiment::slope_in(
        "on the same problems GD's iterations grow about like $\\kappa$",
        "fitted log-log slope of GD's iterations ($\\alpha = 1/L$) against $\\kappa$", fit_gd, 0.6, 1.4));
    double newton_max = 0, newton_min = inf;
    for (double n : n_newton) newton_max = std::max(newton_max, n), newton_min = std::min(newton_min, n);
    // When GD ran out of budget, its budget is a lower bound of its count.
    const bool gd_finished = !std::isnan(n_gd.back());
    const double ratio = (gd_finished ? n_gd.back() : double(budget)) / n_newton.back();
    result.claims.push_back(experiment::at_least(
        "at the largest scale GD needs over 100 times Newton's iterations",
        fmt::format("GD iterations / Newton iterations at $\\kappa = {:.3g}${}", kappa.back(),
                    gd_finished ? "" : " (GD did not finish: its budget as a lower bound)"),
        ratio, 100));

    // Affine invariance, exactly: f̃(w) = f₁(Sw) (the scaled features with the penalty transformed
    // too, π_j = s_j²); Newton's iterates on f̃ must be S⁻¹ times those on f₁.
    const Vec<double> S = feature_scales(D, scales.back());
    const LogisticL2 f1 = logistic_problem(context, D, N, lambda, 1.0);
    LogisticL2 f_scaled = logistic_problem(context, D, N, lambda, scales.back());
    f_scaled.pi = S.cwiseAbs2();
    std::vector<Vec<double>> u_path, w_path;
    Vec<double> u = Vec<double>::Zero(D), w = Vec<double>::Zero(D);
    const optim::Stop newton_stop{.max_iters = 100, .grad_tol = 1e-10};
    const auto r1 = optim::newton(f1, u, newton_stop, {}, [&](const optim::StepEvent<double>& e) { u_path.push_back(e.theta); });
    optim::newton(f_scaled, w, newton_stop, {}, [&](const optim::StepEvent<double>& e) { w_path.push_back(e.theta); });
    // Compared over the common iterates: the stopping rule ‖g‖ ≤ tol is not invariant (∇f̃ = S∇f).
    const std::size_t common = std::min(u_path.size(), w_path.size());
    double invariance = common >= 3 ? 0.0 : inf;
    for (std::size_t k = 0; k < common; ++k)
      invariance = std::max(invariance, (S.cwiseProduct(w_path[k]) - u_path[k]).norm() / u.norm());
    const double kappa_scaled = [&] {
      const Eigen::SelfAdjointEigenSolver<Mat<double>> eig(f_scaled.hessian(w));
      return eig.eigenvalues().maxCoeff() / eig.eigenvalues().minCoeff();
    }();
    result.claims.push_back(experiment::at_most(
        "Newton's method is affine invariant: on $\\tilde f(w) = f(Sw)$ its iterates are $S^{-1}$ times those on $f$",
        fmt::format("largest $\\|S w^k - u^k\\| / \\|u^*\\|$ over the first {} Newton iterates, $S$ = the feature "
                    "scales up to {:g} (penalty transformed with them), $\\kappa$ at the minimizer {:.3g} against {:.3g}",
                    common, scales.back(), kappa_scaled, kappa.front()),
        invariance, 1e-8));
    const std::size_t invariance_claim = result.claims.size();
    (void)r1;

    Figure lfig{.id = "logistic",
                .title = "Logistic regression with badly scaled features: iterations to $\\varepsilon$ against the Hessian's $\\kappa$",
                .x_label = "condition number κ of the Hessian at θ*", .y_label = "iterations",
                .log_x = true, .log_y = true};
    Table ltable{"logistic", "Logistic regression: condition number at $\\theta^*$ and iterations to $\\varepsilon$",
                 {"largest scale $s$", "$\\kappa$ at $\\theta^*$", "GD ($\\alpha = 1/L$)", "L-BFGS", "Newton"}, {}, ""};
    Line lgd{"GD, α = 1/L", {}, {}, {}, "linespoints"}, llb{"L-BFGS", {}, {}, {}, "linespoints"},
        lnt{"Newton", {}, {}, {}, "linespoints"};
    for (std::size_t i = 0; i < kappa.size(); ++i) {
      ltable.rows.push_back({scales[i], kappa[i], std::isnan(n_gd[i]) ? Cell(fmt::format("> {}", budget)) : Cell(n_gd[i]),
                             n_lbfgs[i], n_newton[i]});
      if (std::isfinite(n_gd[i])) lgd.x.push_back(kappa[i]), lgd.y.push_back(n_gd[i]);
      if (std::isfinite(n_lbfgs[i])) llb.x.push_back(kappa[i]), llb.y.push_back(n_lbfgs[i]);
      if (std::isfinite(n_newton[i])) lnt.x.push_back(kappa[i]), lnt.y.push_back(n_newton[i]);
    }
    lfig.lines = {lgd, llb, lnt};
    lfig.caption = fmt::format(
        "From $\\kappa = {:.3g}$ to {:.3g} GD's iterations go from {} to {} (slope {:.2f}), Newton's stay between "
        "{:g} and {:g} (slope {:.3f}); L-BFGS between.",
        kappa.front(), kappa.back(), gd_count(n_gd.front()), gd_count(n_gd.back()), fit_gd.slope.value,
        newton_min, newton_max, fit_newton.slope.value);
    ltable.caption = fmt::format(
        "Same data at every row, feature $j$ multiplied by $s^{{j/(D-1)}}$, $D = {}$, $N = {}$, $\\lambda = {:g}$: "
        "the scaling alone makes $\\kappa$ {:.3g} times larger; Newton's count moves by at most {:g}.",
        D, N, lambda, kappa.back() / kappa.front(), newton_max - newton_min);
    result.figures.push_back(std::move(lfig));
    result.tables.push_back(std::move(ltable));

    std::size_t lb_last = 0;  // the largest κ at which L-BFGS reached ε
    for (std::size_t i = 0; i < runs.kappa.size(); ++i)
      if (runs.iterations[lbfgs][i] > 0) lb_last = i;
    double gd_reached = nan;  // the largest κ at which GD reached ε within its budget
    for (std::size_t i = 0; i < runs.kappa.size(); ++i)
      if (runs.iterations[gd_optimal][i] > 0) gd_reached = runs.kappa[i];
    answer = fmt::format(
        "(b) A safe step must satisfy $\\alpha' < 2/\\lambda_{{\\max}}$, so along the flattest direction the error "
        "shrinks only by $1 - \\alpha'\\lambda_{{\\min}} > 1 - 2/\\kappa$ per step: GD's iterations grow in "
        "proportion to $\\kappa$ (fitted slope {:.2f} on quadratics with $\\kappa$ from {:g} to {:g}). (c) Newton's method "
        "(with a line search, since $f$ is strictly convex): it rescales each direction by its own curvature and "
        "is affine invariant, so it solves a quadratic in {:g} step at every $\\kappa$ and on a logistic regression "
        "its iterations stay between {:g} and {:g} while GD's go from {} to {} as $\\kappa$ goes from {:.3g} to "
        "{:.3g}. When $H$ cannot be factored, CG or L-BFGS (about $\\sqrt\\kappa$ or fewer iterations, (d)).",
        slope_from(runs.kappa, runs.iterations[gd_optimal], params.real("fit_from")).slope.value,
        params.real("fit_from"), gd_reached, newton_worst, newton_min, newton_max, gd_count(n_gd.front()),
        gd_count(n_gd.back()), kappa.front(), kappa.back());

    return fmt::format(
        "Newton's method, damped by a line search: $\\theta^{{k+1}} = \\theta^k - \\alpha_k H^{{-1}}\\nabla f(\\theta^k)$. "
        "On the quadratics it needs {:g} iteration at every $\\kappa$ from {:g} to {:g} (claim {}), and on "
        "$L_2$-regularized logistic regression whose features are scaled to make the Hessian's $\\kappa$ at "
        "$\\theta^*$ go from {:.3g} to {:.3g} its iterations stay between {:g} and {:g} (fitted slope {:.3f}), "
        "while GD with the safe step $1/L$ goes from {} to {} iterations (slope {:.2f}). The reason is affine "
        "invariance: rescaling coordinates changes $\\kappa$ but not Newton's iterates. With the penalty rescaled "
        "too, the iterates at $\\kappa = {:.3g}$ are those at $\\kappa = {:.3g}$ to a relative {:.0e} (claim {}); "
        "with the plain $L_2$ penalty the scaled problems differ slightly, and the count moves by {:g}. Its cost is a "
        "$D \\times D$ solve per step; for large $D$, L-BFGS or (Newton-)CG are the practical middle: at "
        "$\\kappa = {:g}$ on the quadratics CG took {} and L-BFGS {} iterations against GD's {} (see (d)). Adam "
        "is no fix for a rotated ill-conditioned Hessian: its per-coordinate scaling cannot see "
        "eigen-directions that are not coordinate axes; at its best $\\eta$ it took {} iterations at $\\kappa = {:g}$ "
        "and {} at $\\kappa = {:g}$.",
        newton_worst, runs.kappa.front(), runs.kappa.back(), newton_claim, kappa.front(),
        kappa.back(), newton_min, newton_max, fit_newton.slope.value, gd_count(n_gd.front()),
        gd_count(n_gd.back()), fit_gd.slope.value, kappa_scaled, kappa.front(), invariance, invariance_claim,
        newton_max - newton_min, runs.kappa[lb_last], cell(cg, lb_last), cell(lbfgs, lb_last),
        std::isnan(runs.iterations[gd_optimal][lb_last]) ? fmt::format("more than {}", runs.budget)
                                                         : cell(gd_optimal, lb_last),
        cell(adam, 0), runs.kappa[0],
        std::isnan(runs.iterations[adam][last]) ? fmt::format("more than {}", adam_budget) : cell(adam, last),
        runs.kappa[last]);
  }

  // (d) Heavy ball and Nesterov at √κ; CG within its Chebyshev bound.
  std::string acceleration_evidence(const Params& params, const Theory& theory, const Runs& runs,
                                    const Rates& rates, Result& result, Table& rates_table) const {
    std::string where_hb, where_nag;
    const double tol_rate = rate_tolerance(params);
    const double err_hb = worst_rate_error(rates, heavy_ball, [&](double k) { return theory.heavy_ball_rate(k); }, where_hb);
    const double err_nag = worst_rate_error(rates, nesterov, [&](double k) { return theory.nesterov_rate(k); }, where_nag);
    const std::string kappas = fmt::format("{}", fmt::join(rates.kappa, ", "));
    result.claims.push_back(experiment::at_most(
        "heavy ball with its optimal $\\alpha, \\beta$ converges at the rate $(\\sqrt\\kappa-1)/(\\sqrt\\kappa+1)$",
        fmt::format("largest relative error of the measured $-\\ln\\hat\\rho$ against $-\\ln\\rho$, "
                    "$\\kappa \\in \\{{{}\\}}$ (worst at {})",
                    kappas, where_hb),
        err_hb, tol_rate));
    result.claims.push_back(experiment::at_most(
        "Nesterov with $\\alpha = 1/\\lambda_{\\max}$ and momentum $(\\sqrt\\kappa-1)/(\\sqrt\\kappa+1)$ converges at the rate $1 - 1/\\sqrt\\kappa$",
        fmt::format("largest relative error of the measured $-\\ln\\hat\\rho$ against $-\\ln\\rho$, "
                    "$\\kappa \\in \\{{{}\\}}$ (worst at {})",
                    kappas, where_nag),
        err_nag, tol_rate));
    const double from = params.real("fit_from");
    const auto fit_hb = slope_from(runs.kappa, runs.iterations[heavy_ball], from);
    const auto fit_nag = slope_from(runs.kappa, runs.iterations[nesterov], from);
    const double th_hb = theory_slope(runs.kappa, runs.iterations[heavy_ball], from, runs.tol,
                                      [&](double k) { return theory.heavy_ball_rate(k); });
    result.claims.push_back(experiment::slope_in(
        fmt::format("heavy ball's iterations to tolerance grow like $\\kappa^{{{:.2f}}}$ (the theory's rate)", th_hb),
        fmt::format("fitted log-log slope of iterations against $\\kappa \\ge {:g}$", from), fit_hb, th_hb - 0.1,
        th_hb + 0.1));
    // CG: the Chebyshev bound ‖e_k‖ ≤ 2√κ ρ^k ‖e_0‖ gives k ≤ ln(2√κ/ε)/(−ln ρ).
    double worst = 0;
    std::string where;
    for (std::size_t i = 0; i < runs.kappa.size(); ++i) {
      const double k = runs.kappa[i];
      if (k == 1) continue;  // ρ = 0: one step
      const double rho = theory.heavy_ball_rate(k);
      const double bound = std::ceil(std::log(2 * std::sqrt(k) / runs.tol) / -std::log(rho));
      const double r = runs.iterations[cg][i] / bound;
      if (!(r <= worst)) worst = std::isnan(r) ? inf : r, where = fmt::format("{:g}", k);
    }
    result.claims.push_back(experiment::at_most(
        "CG needs at most $\\ln(2\\sqrt\\kappa/\\varepsilon)/(-\\ln\\rho_{HB})$ iterations (Chebyshev bound)",
        fmt::format("largest ratio of CG's iterations to the bound over $\\kappa > 1$ (worst at {})", where),
        worst, 1));
    const std::size_t last = runs.kappa.size() - 1;
    result.tables.push_back(std::move(rates_table));
    const auto gd_text = [&](double n) {
      return std::isnan(n) ? fmt::format("more than {}", runs.budget) : count_text(n);
    };
    double cg_exact = nan;  // the largest κ at which CG ended within D iterations
    for (std::size_t i = 0; i < runs.kappa.size(); ++i)
      if (runs.iterations[cg][i] <= double(runs.dim)) cg_exact = runs.kappa[i];
    std::size_t lb = 0;  // the largest κ at which L-BFGS reached ε
    for (std::size_t i = 0; i < runs.kappa.size(); ++i)
      if (runs.iterations[lbfgs][i] > 0) lb = i;
    const std::string lbfgs_beyond =
        lb == last ? std::string()
                   : fmt::format(" (beyond, {} at $\\kappa = {:g}$: its line search runs into the rounding of $f$ "
                                 "before the error is $\\varepsilon$)",
                                 count_text(runs.iterations[lbfgs][lb + 1]), runs.kappa[lb + 1]);
    return fmt::format(
        "A factor $\\sqrt\\kappa$ of iterations. With their optimal parameters heavy ball and Nesterov converge at "
        "$(\\sqrt\\kappa-1)/(\\sqrt\\kappa+1)$ and $1 - 1/\\sqrt\\kappa$ (measured to a relative {:.1e} and {:.1e} "
        "in $-\\ln\\rho$), so their iterations grow like $\\sqrt\\kappa$: fitted slopes {:.3f} (heavy ball) and "
        "{:.3f} (Nesterov) for $\\kappa \\ge {:g}$, against {:.3f} for GD. At $\\kappa = {:g}$ they took {} and {} "
        "iterations, GD {}. Both need $\\lambda_{{\\min}}$ and $\\lambda_{{\\max}}$; CG needs neither and stays within "
        "its Chebyshev bound (largest ratio {:.3f}). In exact arithmetic CG ends within $D = {}$ iterations; in "
        "floating point it did so up to $\\kappa = {:g}$ and took {} iterations at $\\kappa = {:g}$, as rounding "
        "erodes the conjugacy of its directions. L-BFGS took {} iterations at $\\kappa = {:g}${}.",
        err_hb, err_nag, fit_hb.slope.value, fit_nag.slope.value, from,
        slope_from(runs.kappa, runs.iterations[gd_optimal], from).slope.value, runs.kappa[last],
        count_text(runs.iterations[heavy_ball][last]), count_text(runs.iterations[nesterov][last]),
        gd_text(runs.iterations[gd_optimal][last]), worst, runs.dim, cg_exact,
        count_text(runs.iterations[cg][last]), runs.kappa[last], count_text(runs.iterations[lbfgs][lb]),
        runs.kappa[lb], lbfgs_beyond);
  }
};

}  // namespace

NNLAB_REGISTER_LAB(IllConditioning);

}  // namespace nnlab::labs
