// A complete lab on the experiment kernel, the worked example of docs/writing-a-lab.md: it
// trains a network from a Recipe, sweeps one parameter (the step size η) over independent trials,
// records a curve, states two claims that can fail, and files its evidence under the sub-questions
// it answers, with a notation box — the sections the report is organized by. Copy it to src/labs/<id>.cpp, add
// NNLAB_REGISTER_LAB(StepSize) at the end, and `nnlab run step-size` runs it.
// Here main() runs it directly: build/release/examples/step_size_lab
#include <fmt/format.h>

#include "nnlab/data/synthetic.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/report/lint.hpp"
#include "nnlab/train/recipe.hpp"
#include "nnlab/train/recorder.hpp"

using namespace nnlab;
using namespace nnlab::labs;

class StepSize : public Lab {
 public:
  std::string id() const override { return "step-size"; }
  std::string sheet() const override { return "example"; }
  std::string question() const override {
    return "Does full-batch gradient descent on a small network train faster with a larger step?";
  }
  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {spec("trials", T::integer, "independent data sets and initializations", "24", "8", 4, 1e5),
            spec("epochs", T::integer, "gradient steps per run (full batch: one step an epoch)", "300",
                 "150", 10, 1e6),
            spec("eta", T::real_list, "step sizes η, smallest first", "0.01,0.03,0.1", "", 1e-6, 10)};
  }

  Result run(const Params& params, const Context& context) const override {
    const auto trials = std::size_t(params.integer("trials"));
    const std::vector<double> eta = params.real_list("eta");
    const int epochs = int(params.integer("epochs"));

    // One cell per η, one trial per (data set, initialization). A trial returns its loss curve.
    const auto curves = context.sweep<std::vector<double>>(
        "runs", eta.size(), trials, [&](std::size_t cell, std::size_t, Rng& rng) {
          const auto data = data::sine_regression<double>(64, 0.1, rng);
          train::Recipe recipe;
          recipe.sizes = {1, 32, 1};
          recipe.activations = {nn::Activation::tanh};
          recipe.loss = nn::Loss::mse;
          recipe.dropout = nn::DropoutKind::none;
          recipe.optimizer = "sgd";
          recipe.lr = eta[cell];
          recipe.schedule = "constant";
          recipe.batch = data.size();  // full batch: gradient descent
          recipe.epochs = epochs;
          recipe.seed = rng();  // this trial's initialization
          recipe.precision = "double";
          nn::Mlp<double> net = train::make_network(recipe, data);
          auto loss = train::loss_curve<double>(1);
          train::train(recipe, net, data, nullptr, context.pool(), {.on_step = train::observe(loss)});
          return loss.y();
        });

    Result result;
    experiment::Figure figure{.id = "loss", .title = "Training loss of gradient descent, mean over trials",
                              .x_label = "step", .y_label = "mean squared error", .log_y = true,
                              .part = "a"};
    std::vector<Vec<double>> final_loss, ratio;  // per η, one entry per trial: L_T and L_T / L_0
    for (std::size_t c = 0; c < eta.size(); ++c) {
      experiment::Line line;
      line.name = fmt::format("η = {}", eta[c]);
      final_loss.emplace_back(Vec<double>(Index(trials)));
      ratio.emplace_back(Vec<double>(Index(trials)));
      for (int k = 0; k < epochs; ++k) {
        double sum = 0;
        for (std::size_t t = 0; t < trials; ++t) sum += curves[c * trials + t][std::size_t(k)];
        line.x.push_back(k);
        line.y.push_back(sum / double(trials));
      }
      for (std::size_t t = 0; t < trials; ++t) {
        const std::vector<double>& curve = curves[c * trials + t];
        final_loss[c](Index(t)) = curve.back();
        ratio[c](Index(t)) = curve.back() / curve.front();
      }
      figure.lines.push_back(std::move(line));
    }
    figure.caption = fmt::format(
        "The largest step ends lowest (final loss {:.3g} at $\\eta = {}$ against {:.3g} at "
        "$\\eta = {}$); each curve averages the loss of every trial at each step.",
        final_loss.back().mean(), eta.back(), final_loss.front().mean(), eta.front());
    result.figures.push_back(std::move(figure));

    // Claim 1: the largest step ends lower than the smallest, paired over the same trials.
    const experiment::Estimate gain = experiment::paired_difference(final_loss.front(), final_loss.back());
    result.claims.push_back(experiment::exceeds(
        fmt::format("in the stable range, a larger step trains faster (η = {} vs η = {})", eta.back(),
                    eta.front()),
        "final loss difference, paired over trials", gain, 0, 4));
    result.claims.back().part = "a";
    // Claim 2: the largest step is still in the stable range: it removes more than half the loss
    // (a step beyond 2/λ_max blows the loss up, ratio ≫ 1, and fails this claim).
    const experiment::Estimate removed = experiment::mean_estimate((1 - ratio.back().array()).matrix());
    result.claims.push_back(experiment::exceeds(
        fmt::format("gradient descent with η = {} removes more than half the loss", eta.back()),
        "1 − final/initial loss, mean over trials", removed, 0.5, 4));
    result.claims.back().part = "b";
    result.notation = {{"\\eta", "step size of gradient descent", ""},
                       {"L_k", "the mean squared error after $k$ steps", ""}};
    result.parts = {
        {"a", "Does a larger step train faster?",
         fmt::format("Yes: after {} steps the loss at $\\eta = {}$ is {} lower than at $\\eta = {}$.",
                     epochs, eta.back(), experiment::pm(gain), eta.front()),
         "For a quadratic, one step scales the error along an eigenvector of curvature $\\lambda$ "
         "by $|1 - \\eta\\lambda|$, which falls with $\\eta$ while $\\eta\\lambda < 1$."},
        {"b", "Is the largest step still stable?",
         fmt::format("Yes: it removes {} of the loss ($1 - L_T/L_0$, must exceed 0.5).",
                     experiment::pm(removed)),
         ""}};
    result.answer = fmt::format(
        "Yes, within the stable range: after {} steps the loss at η = {} is {} lower than at η = {} "
        "(paired over {} trials).",
        epochs, eta.back(), experiment::pm(gain), eta.front(), trials);
    return result;
  }
};

int main() {
  const StepSize lab;
  ThreadPool pool(2);
  experiment::PoolExecutor executor(pool);
  Context context;
  context.lab = lab.id();
  context.executor = &executor;
  context.quick = true;
  const Result result = lab.run(Params::resolve(lab.params(), true, {}, lab.id()), context);
  fmt::print("{}\n", result.answer);
  for (const auto& claim : result.claims)
    fmt::print("{}  {}: {}\n", claim.pass ? "PASS" : "FAIL", claim.statement, claim.detail());
  // The standards every registered lab meets (tests/labs/sections_test.cpp).
  for (const auto& problem : report::lint(result)) fmt::print("lint: {}\n", problem);
  if (!report::lint(result).empty()) return 1;
  return result.all_pass() ? 0 : 3;
}
