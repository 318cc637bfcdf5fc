// Lab taylor-step (sheet 9.3.1a): when does a gradient step increase the cost?
//   f(θ − αg) = f(θ) − α gᵀg + ½α² gᵀHg + O(α³),  g = ∇f(θ), H = ∇²f(θ)
// so to second order the step increases f exactly when α > α* = 2 gᵀg / gᵀHg (gᵀHg > 0), and for
// no α when gᵀHg ≤ 0. Because gᵀHg ≤ λmax gᵀg, every α < 2/λmax is safe at every θ.
// Measured: the actual Δf(α) = f(θ − αg) − f(θ) by evaluating f, gᵀHg by the exact H·v product,
// on quadratics (where the expansion is exact) and on a network's loss at points of training.
#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/optim/test_functions.hpp"
#include "nnlab/train/objective.hpp"
#include "nnlab/train/recipe.hpp"

namespace nnlab::labs {
namespace {

using data::gaussian_matrix;
constexpr double inf = std::numeric_limits<double>::infinity();

// The lab's theory of one step, or one of its mutants (TaylorStep::mutants()); measurements
// (f evaluated along the ray, H·v) never read it.
struct Theory {
  std::string_view mutant;

  // Predicted Δf(α) from gᵀg and gᵀHg.
  double change(double alpha, double gg, double gHg) const {
    if (mutant == "first-order-only") return -alpha * gg;
    if (mutant == "missing-half") return -alpha * gg + alpha * alpha * gHg;
    return -alpha * gg + 0.5 * alpha * alpha * gHg;
  }
  // The step size beyond which f increases (∞: never, to this order).
  double threshold(double gg, double gHg, double lambda_max) const {
    if (mutant == "first-order-only") return inf;
    if (mutant == "safe-step") return 2 / lambda_max;  // the sufficient bound read as the threshold
    if (gHg <= 0) return inf;
    return (mutant == "missing-half" ? 1.0 : 2.0) * gg / gHg;
  }
};

// An objective along the ray θ − αg: its actual change, the gradient quantities, and where the
// change first turns positive.
struct Ray {
  double f0 = 0, gg = 0, gHg = 0;
  std::function<double(double)> change;     // α ↦ f(θ − αg) − f(θ)
  std::function<double(double)> curvature;  // α ↦ gᵀH(θ − αg)g, the second derivative of Δf

  // The first α > 0 with Δf(α) > 0, searched on a log grid from lo to hi and refined by
  // bisection on the sign of Δf; ∞ when Δf stays ≤ 0 up to hi.
  double first_increase(double lo, double hi) const {
    double below = 0;
    for (double a = lo; a <= hi * (1 + 1e-12); a *= 1.02) {
      if (change(a) > 0) {
        double above = a;
        for (int k = 0; k < 200 && above - below > 1e-15 * above; ++k) {
          const double mid = 0.5 * (below + above);
          (change(mid) > 0 ? above : below) = mid;
        }
        return above;
      }
      below = a;
    }
    return inf;
  }
};

template <class F>
Ray ray(const F& f, const Vec<double>& theta) {
  Ray r;
  Vec<double> g(f.dim()), Hg(f.dim());
  r.f0 = double(f.gradient(theta, g));
  f.hvp(theta, g, Hg);
  r.gg = g.squaredNorm();
  r.gHg = g.dot(Hg);
  r.change = [&f, theta, g, f0 = r.f0](double alpha) {
    return double(f.value(Vec<double>(theta - alpha * g))) - f0;
  };
  r.curvature = [&f, theta, g](double alpha) {
    Vec<double> Hg(g.size());
    f.hvp(Vec<double>(theta - alpha * g), g, Hg);
    return g.dot(Hg);
  };
  return r;
}

// f(θ) = ½θᵀAθ − bᵀθ with a symmetric A of any signs (optim::Quadratic requires SPD).
struct IndefiniteQuadratic {
  using Scalar = double;
  Mat<double> A;
  Vec<double> b;
  Index dim() const { return A.rows(); }
  double value(const Vec<double>& t) const { return 0.5 * t.dot(A * t) - b.dot(t); }
  double gradient(const Vec<double>& t, Vec<double>& g) const {
    g = A * t - b;
    return value(t);
  }
  void hvp(const Vec<double>&, const Vec<double>& v, Vec<double>& Hv) const { Hv = A * v; }
};

std::vector<double> log_grid(double lo, double hi, int points) {
  std::vector<double> x;
  for (int k = 0; k < points; ++k) x.push_back(lo * std::pow(hi / lo, double(k) / (points - 1)));
  return x;
}

class TaylorStep : public Lab {
 public:
  std::string id() const override { return "taylor-step"; }
  std::string sheet() const override { return "9.3.1a"; }
  std::string question() const override {
    return "When does a gradient-descent step increase the cost? The second-order Taylor answer, "
           "checked";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("dim", T::integer, "dimension D of the quadratics", "50", "", 2, 2000),
        spec("kappa", T::real, "condition number λmax/λmin of the SPD quadratic", "100", "", 1, 1e8),
        spec("points", T::integer, "random points θ on the quadratic", "40", "10", 2, 1e5),
        spec("samples", T::integer, "training samples of the network's regression data", "256",
             "128", 8, 1e6),
        spec("width", T::integer, "hidden units per layer of the 1-width-width-1 tanh network",
             "32", "16", 2, 4096),
        spec("checkpoints", T::real_list,
             "GD epochs after which the network's θ is examined (0 = the initialization)",
             "0,10,30,100,300,1000", "0,30,300", 0, 1e6),
        spec("lr", T::real, "GD step size that trains the network between checkpoints", "0.05",
             "", 1e-6, 10),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {{"missing-half", "Δf ≈ −αgᵀg + α²gᵀHg (the ½ of the Taylor term lost): threshold gᵀg/gᵀHg"},
            {"first-order-only", "Δf ≈ −αgᵀg: a gradient step never increases f"},
            {"safe-step", "the step increases f exactly when α > 2/λmax (the sufficient bound "
                          "read as the threshold)"}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    Result result;
    auto since = result.mark();
    const std::string quadratic = quadratic_evidence(params, context, theory, result);
    result.assign("a", since);
    since = result.mark();
    const std::string safe = safe_step_evidence(params, context, theory, result);
    result.assign("b", since);
    since = result.mark();
    context.report(0.3, "network: steps along −g at points of training");
    const std::string network = network_evidence(params, context, theory, result);
    result.assign("c", since);
    since = result.mark();
    const std::string negative = negative_curvature_evidence(params, context, theory, result);
    result.assign("d", since);
    context.report(1.0, "done");

    result.notation = {
        {"\\theta^k", "the parameters at step $k$; $\\theta \\in \\mathbb{R}^D$", ""},
        {"f", "the cost (a quadratic here, or a network's mean squared error)", ""},
        {"g", "the gradient $\\nabla_\\theta f(\\theta^k)$", "\\nabla_{\\theta} f(\\theta^k)"},
        {"H", "the Hessian $\\nabla^2_\\theta f(\\theta^k)$, used only through $Hg$", ""},
        {"\\alpha", "the learning rate (step size)", ""},
        {"\\Delta f(\\alpha)", "$f(\\theta^k - \\alpha g) - f(\\theta^k)$, the actual change", ""},
        {"\\alpha^*", "$2g^\\top g / g^\\top H g$: the step beyond which $f$ increases (second order)", ""},
        {"\\lambda_{\\max}", "the largest eigenvalue of $H$", ""},
    };
    result.parts = {
        {"a",
         "Use a second-order Taylor expansion to determine when a gradient step "
         "$\\theta^{k+1} = \\theta^k - \\alpha\\nabla_\\theta f(\\theta^k)$ increases $f$.",
         quadratic,
         R"(Expand $f$ around $\theta^k$ along the step $-\alpha g$:

$$f(\theta^k - \alpha g) = f(\theta^k) - \alpha\, g^\top g + \frac{1}{2}\alpha^2\, g^\top H g + O(\alpha^3).$$

The step increases $f$ when the change is positive, $-\alpha g^\top g + \frac{1}{2}\alpha^2 g^\top H g > 0$; dividing by $\alpha > 0$:

$$\frac{1}{2}\alpha\, g^\top H g > g^\top g \quad\Leftrightarrow\quad \alpha > \alpha^* = \frac{2\, g^\top g}{g^\top H g} \qquad (g^\top H g > 0).$$

If $g^\top H g \le 0$ (zero or negative curvature along $g$), the second-order change is negative for every $\alpha > 0$. On a quadratic the expansion has no remainder, so these statements are exact.)"},
        {"b",
         "Which step sizes are safe at every point?",
         safe,
         R"(Since $g^\top H g \le \lambda_{\max}\, g^\top g$ (the Rayleigh quotient is at most $\lambda_{\max}$),

$$\alpha^* = \frac{2\, g^\top g}{g^\top H g} \ \ge\ \frac{2}{\lambda_{\max}} ,$$

with equality when $g$ is an eigenvector of $\lambda_{\max}$. So $\alpha < 2/\lambda_{\max}$ never increases $f$ (to second order), wherever $\theta$ is. This is the step that 9.3.1b starts from: it must be small for the largest curvature, and is then tiny for the smallest.)"},
        {"c",
         "Is the second-order answer right for a neural network's loss?",
         network,
         R"(Taylor's theorem with the integral remainder, for $\varphi(\alpha) = f(\theta - \alpha g)$ and $\varphi''(s) = g^\top H(\theta - s g)\, g$:

$$\Delta f(\alpha) = -\alpha\, g^\top g + \int_0^\alpha (\alpha - s)\, \varphi''(s)\, ds = -\alpha\, g^\top g + \frac{1}{2}\alpha^2\, \bar h(\alpha), \qquad \bar h(\alpha) = \frac{2}{\alpha^2}\int_0^\alpha (\alpha - s)\, \varphi''(s)\, ds .$$

So the step increases $f$ exactly when $\alpha > 2g^\top g / \bar h(\alpha)$: the condition of (a) with the curvature averaged along the step in place of the curvature at $\theta$. On a quadratic $\bar h = g^\top H g$; in general $\bar h(\alpha) \to g^\top H g$ as $\alpha \to 0$, so $\alpha^*$ is right for small steps and off by the factor $\bar h / g^\top H g$ at the threshold.)"},
        {"d",
         "And when $g^\\top H g \\le 0$?",
         negative,
         R"(With $g^\top H g < 0$ both terms of the second-order change are negative: the model predicts a decrease for every $\alpha$, growing like $\alpha^2$. On a quadratic with a negative eigenvalue that is exact — $f$ is unbounded below along $-g$. For other functions the higher-order terms eventually decide; near a saddle point this is the direction that escapes it.)"},
    };
    result.answer = fmt::format(
        "To second order, $\\Delta f(\\alpha) = -\\alpha g^\\top g + \\frac{{1}}{{2}}\\alpha^2 g^\\top Hg$, "
        "so a gradient step increases $f$ exactly when $g^\\top Hg > 0$ and "
        "$\\alpha > \\alpha^* = 2g^\\top g / g^\\top H g$ (a); never when $g^\\top Hg \\le 0$ (d). "
        "Since $\\alpha^* \\ge 2/\\lambda_{{\\max}}$, steps below $2/\\lambda_{{\\max}}$ are safe "
        "everywhere (b). On a quadratic this is exact; on a network's loss it is exact with the "
        "curvature averaged along the step in place of $g^\\top Hg$, which after some training is "
        "several times larger, so the loss turns up well before $\\alpha^*$ (c).");
    return result;
  }

 private:
  // (a) On an SPD quadratic the prediction is exact and Δf turns positive exactly at α*.
  static std::string quadratic_evidence(const Params& params, const Context& context,
                                        const Theory& theory, Result& result) {
    const Index D = params.integer("dim");
    const auto points = std::size_t(params.integer("points"));
    Rng rng = context.rng("quadratic");
    const auto f = optim::Quadratic<double>::with_condition(D, params.real("kappa"), rng);
    const double lambda_max = Eigen::SelfAdjointEigenSolver<Mat<double>>(f.A()).eigenvalues().maxCoeff();
    double worst_prediction = 0, worst_root = 0;
    Table table{"quadratic-points", "Random points on the quadratic: threshold and actual first increase",
                {"point", "$g^\\top H g / g^\\top g$", "$\\alpha^*$ (theory)", "first increase of $\\Delta f$",
                 "relative gap"},
                {}, ""};
    table.data = true;
    Figure figure{.id = "quadratic-change",
                  .title = "Actual change $\\Delta f(\\alpha)$ and the second-order prediction on a quadratic",
                  .x_label = "step size α / α*", .y_label = "Δf(α) / (g^Tg)^2/g^THg",
                  .log_x = false, .log_y = false};
    for (std::size_t k = 0; k < points; ++k) {
      const Vec<double> theta = gaussian_matrix(D, 1, rng).col(0);
      const Ray r = ray(f, theta);
      const double a_star = theory.threshold(r.gg, r.gHg, lambda_max);
      const double true_star = 2 * r.gg / r.gHg;  // only to place the sweep
      for (double a : log_grid(true_star / 100, 3 * true_star, 40)) {
        const double actual = r.change(a);
        worst_prediction = std::max(worst_prediction,
                                    std::abs(actual - theory.change(a, r.gg, r.gHg)) /
                                        (r.gg * r.gg / r.gHg));
      }
      const double root = r.first_increase(true_star / 100, 10 * true_star);
      const double gap = std::abs(root - a_star) / std::min(root, a_star);
      worst_root = std::max(worst_root, std::isnan(gap) ? inf : gap);
      table.rows.push_back({double(k + 1), r.gHg / r.gg, a_star, root, gap});
      if (k == 0) {
        // Both curves in units where α* = 1 and the minimum of Δf is −½.
        const double scale = r.gg * r.gg / r.gHg;
        Line actual{"actual Δf = f(θ − αg) − f(θ)", {}, {}, {}, "points"};
        Line predicted{"second-order prediction", {}, {}, {}, "lines"};
        for (int i = 0; i <= 60; ++i) {
          const double a = true_star * 1.5 * i / 60;
          actual.x.push_back(a / true_star), actual.y.push_back(r.change(a) / scale);
          predicted.x.push_back(a / true_star), predicted.y.push_back(theory.change(a, r.gg, r.gHg) / scale);
        }
        figure.lines = {actual, predicted, {"Δf = 0", {0, 1.5}, {0, 0}, {}, "lines"}};
      }
    }
    figure.caption = fmt::format(
        "The actual change is the parabola the expansion predicts (largest gap over {} points and "
        "40 step sizes each: {:.1e} in these units) and crosses zero at $\\alpha = \\alpha^*$: "
        "decrease below, increase above. Axes scaled so that $\\alpha^* = 1$ and the best step "
        "$\\alpha^*/2$ gains $\\frac{{1}}{{2}}(g^\\top g)^2/g^\\top Hg$.",
        points, worst_prediction);
    result.figures.push_back(std::move(figure));
    result.tables.push_back(std::move(table));
    result.claims.push_back(experiment::at_most(
        "on a quadratic, $\\Delta f(\\alpha) = -\\alpha g^\\top g + \\frac{1}{2}\\alpha^2 g^\\top Hg$ exactly",
        fmt::format("largest $|\\Delta f - \\text{{prediction}}|$ in units of $(g^\\top g)^2/g^\\top Hg$, "
                    "{} points × 40 step sizes in $[\\alpha^*/100, 3\\alpha^*]$",
                    points),
        worst_prediction, 1e-9));
    result.claims.push_back(experiment::at_most(
        "on a quadratic, the step increases $f$ exactly when $\\alpha > \\alpha^* = 2g^\\top g/g^\\top Hg$",
        fmt::format("largest relative gap between $\\alpha^*$ and the first $\\alpha$ with "
                    "$\\Delta f > 0$ (bisection on the actual $f$), over {} points",
                    points),
        worst_root, 1e-6));
    return fmt::format(
        "When $\\alpha > \\alpha^* = 2g^\\top g/g^\\top Hg$ (and $g^\\top Hg > 0$). On a quadratic "
        "($D = {}$, condition number {}) the actual change matches $-\\alpha g^\\top g + "
        "\\frac{{1}}{{2}}\\alpha^2 g^\\top Hg$ to {:.1e}, and at {} random points the first step size "
        "that increases $f$ is $\\alpha^*$ to a relative {:.1e}.",
        D, params.real("kappa"), worst_prediction, points, worst_root);
  }

  // (b) α* ≥ 2/λmax at every point, with equality along the top eigenvector.
  static std::string safe_step_evidence(const Params& params, const Context& context,
                                        const Theory& theory, Result& result) {
    const Index D = params.integer("dim");
    const auto points = std::size_t(params.integer("points"));
    Rng rng = context.rng("quadratic");  // the same quadratic as (a)
    const auto f = optim::Quadratic<double>::with_condition(D, params.real("kappa"), rng);
    const Eigen::SelfAdjointEigenSolver<Mat<double>> eigen(f.A());
    const double lambda_max = eigen.eigenvalues().maxCoeff();
    Rng point_rng = context.rng("safe-step");
    double smallest = inf;
    for (std::size_t k = 0; k < points; ++k) {
      const Ray r = ray(f, gaussian_matrix(D, 1, point_rng).col(0));
      smallest = std::min(smallest, r.first_increase(1e-3 / lambda_max, 1e4 / lambda_max) * lambda_max / 2);
    }
    // θ with g along the top eigenvector: θ = A⁻¹(b + v_max).
    const Vec<double> top = eigen.eigenvectors().col(D - 1);
    const Ray along = ray(f, Vec<double>(f.A().ldlt().solve(f.b() + top)));
    const double root_top = along.first_increase(1e-3 / lambda_max, 1e4 / lambda_max);
    result.claims.push_back(experiment::at_least(
        "every step $\\alpha < 2/\\lambda_{\\max}$ decreases $f$: $\\alpha^* \\ge 2/\\lambda_{\\max}$ at every point",
        fmt::format("smallest first increase of $\\Delta f$ over {} random points, in units of "
                    "$2/\\lambda_{{\\max}}$",
                    points),
        smallest, 1 - 1e-9));
    result.claims.push_back(experiment::relative_error(
        "the bound is tight: along the top eigenvector, $\\alpha^* = 2/\\lambda_{\\max}$",
        "first increase of $\\Delta f$ when $g$ is the top eigenvector, in units of the theory's threshold",
        root_top / theory.threshold(along.gg, along.gHg, lambda_max), 1, 1e-6));
    return fmt::format(
        "Every $\\alpha < 2/\\lambda_{{\\max}}$: $\\alpha^* \\ge 2/\\lambda_{{\\max}}$ at every point, "
        "since $g^\\top Hg \\le \\lambda_{{\\max}} g^\\top g$. Measured on the quadratic of (a): the "
        "earliest increase over {} random points comes at {:.3g} × $2/\\lambda_{{\\max}}$, and with "
        "$g$ along the top eigenvector at exactly $2/\\lambda_{{\\max}}$ (relative gap {:.1e}).",
        points, smallest, std::abs(root_top * lambda_max / 2 - 1));
  }

  // (c) A tanh network's mean squared error at points of GD training: the prediction error falls
  // like α³, and the first increase of the actual loss lies near α*.
  static std::string network_evidence(const Params& params, const Context& context,
                                      const Theory& theory, Result& result) {
    Rng rng = context.rng("network");
    const auto data = data::sine_regression<double>(params.integer("samples"), 0.1, rng);
    const Index width = params.integer("width");
    train::Recipe recipe;
    recipe.sizes = {1, width, width, 1};
    recipe.activations = {nn::Activation::tanh, nn::Activation::tanh};
    recipe.loss = nn::Loss::mse;
    recipe.dropout = nn::DropoutKind::none;
    recipe.optimizer = "sgd";
    recipe.lr = params.real("lr");
    recipe.schedule = "constant";
    recipe.batch = data.size();  // full batch: gradient descent
    recipe.seed = rng();
    recipe.precision = "double";
    nn::Mlp<double> net = train::make_network(recipe, data);
    auto checkpoints = params.real_list("checkpoints");
    std::sort(checkpoints.begin(), checkpoints.end());

    Table table{"network-points", "Network loss at points of training: $\\alpha^*$, the first increase and the curvature along the step",
                {"GD epochs", "loss $f$", "$g^\\top Hg / g^\\top g$", "$\\alpha^*$", "first increase $\\alpha_1$",
                 "$\\alpha_1 / \\alpha^*$", "$\\bar h / g^\\top Hg$", "$|\\alpha_1 / (2g^\\top g/\\bar h) - 1|$"},
                {}, ""};
    table.data = true;
    Figure change{.id = "network-change",
                  .title = "Network: actual change and second-order prediction along $-g$",
                  .x_label = "step size α / α*", .y_label = "Δf(α) / (g^Tg)^2/g^THg",
                  .log_x = false, .log_y = false};
    Figure curvature{.id = "network-curvature",
                     .title = "Network: curvature $g^\\top H(\\theta - sg)g$ along the step, relative to $g^\\top Hg$",
                     .x_label = "position along the step s / α*", .y_label = "curvature / g^THg",
                     .log_x = false, .log_y = false};
    double worst_identity = 0;
    std::size_t negative_points = 0;
    double ratio_lo = inf, ratio_hi = 0, growth_lo = inf, growth_hi = 0;
    double first_ratio = 0, last_ratio = 0;
    double trained = 0;
    for (std::size_t c = 0; c < checkpoints.size(); ++c) {
      recipe.epochs = int(checkpoints[c] - trained);
      if (recipe.epochs > 0) train::train(recipe, net, data, nullptr, context.pool(), {});
      trained = checkpoints[c];
      const train::NetworkObjective<double> loss(net, data, {.pool = context.pool()});
      const Vec<double> theta = net.theta();
      const Ray r = ray(loss, theta);
      const double a_star = theory.threshold(r.gg, r.gHg, inf);
      // Where the scans look: around α*, or over a wide range when gᵀHg ≤ 0 (α* = ∞).
      const bool positive = r.gHg > 0;
      const double true_star = positive ? 2 * r.gg / r.gHg : inf;
      const double root = positive ? r.first_increase(true_star / 300, 30 * true_star)
                                   : r.first_increase(1e-4, 1e6);
      if (!positive) ++negative_points;
      if (!std::isfinite(root)) {  // f decreases along the whole scan: nothing to compare
        table.rows.push_back({trained, r.f0, r.gHg / r.gg, a_star, "none up to 1e6", "—", "—", "—"});
        net.theta() = theta;
        continue;
      }

      // Taylor with the integral remainder: Δf(α) = −αgᵀg + ∫₀^α (α − s) φ''(s) ds, φ''(s) =
      // gᵀH(θ − sg)g. At the first increase α₁ the change is 0, so α₁ = 2gᵀg/h̄ with
      // h̄ = (2/α₁²)∫₀^α₁ (α₁ − s) φ''(s) ds: the sheet's threshold with the curvature averaged
      // along the step. Composite Simpson on exact H·v products.
      constexpr int intervals = 256;
      double integral = 0;
      std::vector<double> s_axis, curve;
      for (int i = 0; i <= intervals; ++i) {
        const double s_i = root * i / intervals;
        const double phi2 = r.curvature(s_i);
        integral += (i == 0 || i == intervals ? 1 : i % 2 ? 4 : 2) * (root - s_i) * phi2;
        s_axis.push_back(s_i / true_star), curve.push_back(phi2 / r.gHg);
      }
      integral *= root / intervals / 3;
      const double h_bar = 2 * integral / (root * root);
      const double identity = std::abs(root / theory.threshold(r.gg, h_bar, inf) - 1);
      worst_identity = std::max(worst_identity, std::isnan(identity) ? inf : identity);
      net.theta() = theta;  // the scans moved the network along the ray; training resumes at θ

      if (!positive) {
        table.rows.push_back({trained, r.f0, r.gHg / r.gg, a_star, root, "—", "—", identity});
        continue;
      }
      const double ratio = root / a_star;
      ratio_lo = std::min(ratio_lo, ratio), ratio_hi = std::max(ratio_hi, ratio);
      growth_lo = std::min(growth_lo, h_bar / r.gHg), growth_hi = std::max(growth_hi, h_bar / r.gHg);
      if (c == 0) first_ratio = ratio;
      last_ratio = ratio;
      table.rows.push_back({trained, r.f0, r.gHg / r.gg, a_star, root, ratio, h_bar / r.gHg, identity});
      if (c == 0 || c + 1 == checkpoints.size()) {
        const std::string label = fmt::format("epoch {}", trained);
        // In units where α* = 1 and the prediction is the parabola 2a² − 2a for every point.
        const double scale = r.gg * r.gg / r.gHg;
        Line actual{fmt::format("actual Δf, {}", label), {}, {}, {}, c == 0 ? "points" : "linespoints"};
        for (int i = 0; i <= 60; ++i) {
          const double a = true_star * 1.5 * i / 60;
          actual.x.push_back(a / true_star), actual.y.push_back(r.change(a) / scale);
        }
        change.lines.push_back(std::move(actual));
        curvature.lines.push_back({label, s_axis, curve, {}, "lines"});
      }
    }
    Line predicted{"second-order prediction", {}, {}, {}, "lines"};
    for (int i = 0; i <= 60; ++i) {
      const double a = 1.5 * i / 60;
      predicted.x.push_back(a), predicted.y.push_back(2 * a * a - 2 * a);
    }
    change.lines.push_back(std::move(predicted));
    change.lines.push_back({"Δf = 0", {0, 1.5}, {0, 0}, {}, "lines"});
    change.caption = fmt::format(
        "At the initialization the actual change follows the predicted parabola and first "
        "increases at {:.3g} $\\alpha^*$; after {} epochs of training it turns up at {:.3g} "
        "$\\alpha^*$. Axes as in (a): $\\alpha^* = 1$, the prediction is $2a^2 - 2a$.",
        first_ratio, checkpoints.back(), last_ratio);
    curvature.lines.push_back({"curvature at θ (what α* uses)", {0, 1}, {1, 1}, {}, "lines"});
    curvature.caption = fmt::format(
        "The curvature along the step is not constant: averaged as in the derivation it is {:.3g} "
        "to {:.3g} times $g^\\top Hg$ at the points examined, and the loss turns up where "
        "$2g^\\top g/\\bar h$ says, not where $\\alpha^*$ does. Each curve runs from $\\theta$ to "
        "$\\theta - \\alpha_1 g$, $\\alpha_1$ the first step size that raises $f$.",
        growth_lo, growth_hi);
    result.figures.push_back(std::move(change));
    result.figures.push_back(std::move(curvature));
    result.tables.push_back(std::move(table));
    result.claims.push_back(experiment::at_most(
        "on the network's loss the step first increases $f$ at $\\alpha_1 = 2g^\\top g/\\bar h$, the "
        "threshold with the curvature $\\bar h$ averaged along the step",
        fmt::format("largest $|\\alpha_1 / (2g^\\top g/\\bar h) - 1|$ over {} points of training "
                    "(Simpson's rule on 257 exact curvatures per point)",
                    checkpoints.size()),
        worst_identity, 1e-6));
    return fmt::format(
        "As a local statement. A tanh network 1-{0}-{0}-1 fitting $\\sin x$ by gradient descent, "
        "examined at {1} points of training, first increases its loss at {2:.2g} to {3:.2g} times "
        "$\\alpha^*$: the curvature met along the step, averaged as in the derivation, is {4:.3g} "
        "to {5:.3g} times the curvature at $\\theta$. With that average $\\bar h$ in place of "
        "$g^\\top Hg$, the sheet's formula $2g^\\top g/\\bar h$ gives the first increase to a "
        "relative {6:.1e}. The second-order condition is exact with the curvature along the step; "
        "with the curvature at the start it is a prediction that holds for small steps.{7}",
        width, checkpoints.size(), ratio_lo, ratio_hi, growth_lo, growth_hi, worst_identity,
        negative_points == 0
            ? std::string()
            : fmt::format(" At {} of the points $g^\\top Hg \\le 0$ ($\\alpha^* = \\infty$), and the "
                          "loss still turns up once the averaged curvature has turned positive; "
                          "(d) is about that case.",
                          negative_points));
  }

  // (d) gᵀHg < 0 on an indefinite quadratic: the step decreases f for every α.
  static std::string negative_curvature_evidence(const Params& params, const Context& context,
                                                 const Theory& theory, Result& result) {
    const Index D = params.integer("dim");
    Rng rng = context.rng("indefinite");
    // A = Q diag(λ) Qᵀ with eigenvalues in [−1, −0.1] ∪ [0.1, 10].
    const Eigen::HouseholderQR<Mat<double>> qr(gaussian_matrix(D, D, rng));
    const Mat<double> Q = qr.householderQ();
    Vec<double> lambda(D);
    for (Index j = 0; j < D; ++j)
      lambda(j) = j < D / 2 ? -std::pow(10.0, -1.0 + double(j) / double(std::max<Index>(D / 2 - 1, 1)))
                            : std::pow(10.0, -1.0 + 2.0 * double(j - D / 2) / double(std::max<Index>(D - D / 2 - 1, 1)));
    const IndefiniteQuadratic f{Q * lambda.asDiagonal() * Q.transpose(), gaussian_matrix(D, 1, rng).col(0)};
    // θ whose gradient lies in the negative eigenspace: Aθ − b = u with u = Σ negative eigenvectors.
    const Vec<double> u = Q.leftCols(D / 2) * Vec<double>::Ones(D / 2);
    const Vec<double> theta = f.A.ldlt().solve(f.b + u);
    const Ray r = ray(f, theta);
    double largest = -inf, worst_prediction = 0;
    for (double a : log_grid(1e-3, 1e3, 61)) {
      largest = std::max(largest, r.change(a));
      worst_prediction = std::max(worst_prediction,
                                  std::abs(r.change(a) - theory.change(a, r.gg, r.gHg)) /
                                      std::max(1.0, std::abs(r.change(a))));
    }
    result.claims.push_back(experiment::at_most(
        "with $g^\\top Hg < 0$ no step size increases $f$ (indefinite quadratic)",
        fmt::format("largest $\\Delta f(\\alpha)$ over 61 step sizes in $[10^{{-3}}, 10^3]$, "
                    "$g^\\top Hg / g^\\top g = {:.3g}$",
                    r.gHg / r.gg),
        largest, 0));
    result.claims.push_back(experiment::at_most(
        "with $g^\\top Hg < 0$ the second-order prediction is still exact on a quadratic",
        "largest $|\\Delta f - \\text{prediction}| / \\max(1, |\\Delta f|)$ over the same step sizes",
        worst_prediction, 1e-9));
    Table table{"negative-curvature", "Negative curvature along $g$: the change for growing $\\alpha$",
                {"$\\alpha$", "$\\Delta f$ actual", "second-order prediction"}, {}, ""};
    for (double a : {0.01, 0.1, 1.0, 10.0, 100.0})
      table.rows.push_back({a, r.change(a), theory.change(a, r.gg, r.gHg)});
    table.caption = fmt::format(
        "The decrease grows without bound, like $\\alpha^2$: at $\\alpha = 100$ it is {:.3g}.",
        r.change(100.0));
    result.tables.push_back(std::move(table));
    return fmt::format(
        "Then, to second order, every step size decreases $f$: on a quadratic with eigenvalues of "
        "both signs, at a point where $g$ lies in the negative-curvature eigenspace "
        "($g^\\top Hg / g^\\top g = {:.3g}$), the change stays negative for every $\\alpha$ up to "
        "1000 (largest {:.3g}) and falls like $\\alpha^2$. On a non-quadratic function the terms "
        "beyond the second decide eventually, as the averaged curvature does on the network in (c).",
        r.gHg / r.gg, largest);
  }
};

}  // namespace

NNLAB_REGISTER_LAB(TaylorStep);

}  // namespace nnlab::labs
