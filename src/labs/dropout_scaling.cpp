// Lab dropout-scaling (sheet 9.1.5): standard vs inverted dropout, p = KEEP probability, the same
// masks r ~ Bernoulli(p) driving both. Layer k's input z^(k) is dropped, W^(k) is fed by it:
//   standard:  a^(k+1) = W_s (r ⊙ z^(k)) + b     in training,   W_s (p z^(k)) + b   at inference
//   inverted:  a^(k+1) = W_i (r ⊙ z^(k))/p + b   in training,   W_i z^(k) + b       at inference
// The map Φ: W_i = p W_s for every W fed by dropped units (biases and W fed by kept units
// unchanged) makes both passes equal for every mask, so ∂E/∂W_i = (1/p) ∂E/∂W_s and
//   SGD, momentum:  η_i = p² η_s,  λ_i = λ_s / p²        Adam:  η_i = p η_s,  ε_i = ε_s / p
// on the weights fed by dropped units (everything else keeps its hyper-parameters). The
// optimizers take one η for all of θ, so the inverted run uses two of them, one per parameter
// group (GroupedOptimizer), as torch.optim's param groups do.
// Network 2-H-H-2 tanh, cross-entropy, on two moons; inputs kept, hidden units dropped, so
// θ = [W^(1), b^(1), W^(2), b^(2), W^(3), b^(3)] with W^(2), W^(3) fed by dropped units.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/core/error.hpp"
#include "nnlab/data/synthetic.hpp"
#include "nnlab/experiment/claims.hpp"
#include "nnlab/experiment/stats.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/optim/batch_sampler.hpp"
#include "nnlab/optim/minimize.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/train/objective.hpp"

namespace nnlab::labs {
namespace {

using experiment::Estimate, experiment::Welford, experiment::pm;
using nn::DropoutKind;

// "Identical to rounding" and "visibly different", relative distances between two runs mapped to
// one parametrization. Float64 rounds at u = 1.1e-16 per operation; 1e-10 leaves 10⁶ u for a
// few hundred steps of rounding differences, and 1e-3 is far above it.
constexpr double identical_tol = 1e-10;
constexpr double different_min = 1e-3;
// Zero distances (p = ½: the maps multiply by powers of 2, exactly) are drawn here on log axes.
constexpr double plot_floor = 1e-18;
// Monte Carlo masks of (a) are split into this many chunks, one stream each, merged in order, so
// the estimates do not depend on the thread count.
constexpr std::size_t chunks = 16;

// The inverted run's hyper-parameters as factors of the standard run's: on the weights fed by
// dropped units ("fed") and on every other parameter ("other": biases, W fed by kept units).
struct Rule {
  double lr_fed = 1, decay_fed = 1, eps_fed = 1;
  double lr_other = 1, decay_other = 1, eps_other = 1;
};

// The standard run's optimizer and hyper-parameters.
struct Setup {
  std::string optimizer;  // sgd, momentum, adam
  double lr = 0, momentum = 0, decay = 0, eps = 1e-8;
};

optim::Optimizer<double> make_optimizer(const Setup& s, double lr, double decay, double eps) {
  optim::OptimizerConfig c{.lr = s.lr * lr, .weight_decay = s.decay * decay};
  if (s.optimizer == "momentum") c.momentum = s.momentum;
  if (s.optimizer == "adam") c.eps = s.eps * eps;
  return optim::make_optimizer<double>(s.optimizer, c);
}

// The lab's theory — why standard dropout scales by p, the parameter map Φ and the
// hyper-parameter rules — or one of its mutants (DropoutScaling::mutants()). The measurements
// (masks, forward passes, training runs) never read it.
struct Theory {
  std::string_view mutant;  // empty: the true theory

  // The inference mask that gives every unit its expected training input: E[m].
  double inference_mask(DropoutKind kind, double p) const {
    if (kind == DropoutKind::inverted) return 1;
    return mutant == "keep-drop" ? 1 - p : p;
  }
  // W_inv = factor · W_std.
  double weight_factor(double p) const { return mutant == "keep-drop" ? 1 - p : p; }
  // Whether W^(k) is fed by dropped units (and so rescaled by Φ and the rules).
  bool fed_by_dropped(const nn::MlpSpec& spec, int k) const {
    return mutant == "scale-all" || spec.keep_of(k) < 1;
  }
  Rule rule(const std::string& optimizer, double p) const {
    const double q = weight_factor(p);
    Rule r;
    if (optimizer == "adam") {
      r.lr_fed = q, r.eps_fed = 1 / q, r.decay_fed = 1 / (q * q);
      if (mutant == "adam-sgd-rule") r.lr_fed = q * q, r.eps_fed = 1;
      if (mutant == "adam-eps-unchanged") r.eps_fed = 1;
      return r;
    }
    r.lr_fed = mutant == "lr-p" ? q : q * q;
    r.decay_fed = mutant == "decay-unchanged"  ? 1
                  : mutant == "decay-times-p2" ? q * q
                                               : 1 / (q * q);
    if (mutant == "scale-biases") r.lr_other = q * q;
    return r;
  }
  // Φ: standard parameters → inverted ones, and its inverse Ψ.
  Vec<double> to_inverted(const nn::Mlp<double>& net, Vec<double> theta, double p) const {
    for (int k = 1; k <= net.layers(); ++k)
      if (fed_by_dropped(net.spec(), k)) net.W(theta, k) *= weight_factor(p);
    return theta;
  }
  Vec<double> to_standard(const nn::Mlp<double>& net, Vec<double> theta, double p) const {
    for (int k = 1; k <= net.layers(); ++k)
      if (fed_by_dropped(net.spec(), k)) net.W(theta, k) /= weight_factor(p);
    return theta;
  }
};

// A first-order optimizer with per-group hyper-parameters: indices `fed` step with one library
// optimizer, the rest with another (torch.optim's param groups). Every optimizer here acts
// elementwise, so this is exactly one optimizer with per-parameter η, λ, ε.
class GroupedOptimizer {
 public:
  GroupedOptimizer(std::vector<Index> fed, optim::Optimizer<double> fed_opt,
                   std::vector<Index> other, optim::Optimizer<double> other_opt)
      : index_{std::move(fed), std::move(other)}, opt_{std::move(fed_opt), std::move(other_opt)} {
    for (int g = 0; g < 2; ++g)
      theta_[g].resize(Index(index_[g].size())), g_[g].resize(theta_[g].size());
  }
  void step(Vec<double>& theta, const Vec<double>& g) {
    for (int k = 0; k < 2; ++k) {
      const auto& idx = index_[k];
      for (std::size_t j = 0; j < idx.size(); ++j)
        theta_[k](Index(j)) = theta(idx[j]), g_[k](Index(j)) = g(idx[j]);
      opt_[k].step(theta_[k], g_[k]);
      for (std::size_t j = 0; j < idx.size(); ++j) theta(idx[j]) = theta_[k](Index(j));
    }
  }

 private:
  std::vector<Index> index_[2];
  optim::Optimizer<double> opt_[2];
  Vec<double> theta_[2], g_[2];
};

// What every run shares: the data, the initial standard parameters, the streams.
struct Env {
  const Theory& theory;
  data::Dataset<double> train, test;
  std::vector<Index> sizes;
  Vec<double> theta0;           // standard parametrization
  std::uint64_t mask_seed = 0;  // seeds the objectives' mask stream: both runs draw the same r
  Rng batches;                  // the batch order, copied by every run: both runs see the same
  Index batch = 32;
  int epochs = 10;
};

nn::MlpSpec network_spec(const std::vector<Index>& sizes, DropoutKind kind, double p) {
  nn::MlpSpec spec;
  spec.sizes = sizes;
  spec.activations.assign(sizes.size() - 2, nn::Activation::tanh);
  spec.loss = nn::Loss::cross_entropy;
  spec.dropout = kind;
  spec.keep.assign(sizes.size() - 1, p);
  spec.keep.front() = 1;  // inputs kept: W^(1) is fed by units that are never dropped
  return spec;
}

// One training run of each kind from Φ-related starting points, with the same masks and batches.
struct RunSpec {
  std::string label;
  Setup setup;
  Rule rule;  // the inverted run's factors
  double p = 0.5;
};

// Returns the distances d_0..d_T, d_k = ‖Ψ(θ_inv,k) − θ_std,k‖ / ‖θ_std,k‖, then the final
// whole-set training losses of both runs and the relative difference of their test predictions.
std::vector<double> run_pair(const Env& env, const RunSpec& run) {
  nn::Mlp<double> standard(network_spec(env.sizes, DropoutKind::standard, run.p));
  nn::Mlp<double> inverted(network_spec(env.sizes, DropoutKind::inverted, run.p));
  standard.theta() = env.theta0;
  inverted.theta() = env.theory.to_inverted(inverted, env.theta0, run.p);
  const train::NetworkObjective<double> fs(standard, env.train, {.seed = env.mask_seed});
  const train::NetworkObjective<double> fi(inverted, env.train, {.seed = env.mask_seed});
  const auto sampler = [&] {
    return optim::BatchSampler(env.train.size(), env.batch, optim::Sampling::reshuffle,
                               env.batches);
  };

  auto opt_s = make_optimizer(run.setup, 1, 1, 1);
  std::vector<Vec<double>> trajectory;
  auto bs = sampler();
  const optim::Report rs =
      optim::sgd_epochs(fs, opt_s, standard.theta(), bs, env.epochs,
                        [&](const optim::StepEvent<double>& e) { trajectory.push_back(e.theta); });
  require(
      rs.status != optim::Status::diverged,
      "dropout-scaling: the standard {} run ({}, p = {}) diverged at step {}; lower its step size",
      run.setup.optimizer, run.label, run.p, rs.iterations);
  trajectory.push_back(standard.theta());

  std::vector<Index> fed, other;
  for (int k = 1; k <= inverted.layers(); ++k) {
    const bool scaled = env.theory.fed_by_dropped(inverted.spec(), k);
    for (Index j = 0; j < inverted.W(k).size(); ++j)
      (scaled ? fed : other).push_back(inverted.W_offset(k) + j);
    for (Index j = 0; j < inverted.b(k).size(); ++j) other.push_back(inverted.b_offset(k) + j);
  }
  const Rule& r = run.rule;
  GroupedOptimizer opt_i(fed, make_optimizer(run.setup, r.lr_fed, r.decay_fed, r.eps_fed), other,
                         make_optimizer(run.setup, r.lr_other, r.decay_other, r.eps_other));
  std::vector<double> out;
  const auto distance = [&](const Vec<double>& theta_i, std::size_t k) {
    const Vec<double>& theta_s = trajectory[std::min(k, trajectory.size() - 1)];
    return (env.theory.to_standard(inverted, theta_i, run.p) - theta_s).norm() / theta_s.norm();
  };
  auto bi = sampler();
  const optim::Report ri = optim::sgd_epochs(
      fi, opt_i, inverted.theta(), bi, env.epochs,
      [&](const optim::StepEvent<double>& e) { out.push_back(distance(e.theta, out.size())); });
  require(
      ri.status != optim::Status::diverged,
      "dropout-scaling: the inverted {} run ({}, p = {}) diverged at step {}; lower its step size",
      run.setup.optimizer, run.label, run.p, ri.iterations);
  out.push_back(distance(inverted.theta(), out.size()));
  require(out.size() == trajectory.size(), "dropout-scaling: runs of {} and {} steps", out.size(),
          trajectory.size());

  out.push_back(standard.dataset_loss(env.train.X, env.train.Y));
  out.push_back(inverted.dataset_loss(env.train.X, env.train.Y));
  nn::Cache<double> cs, ci;
  standard.forward(env.test.X, cs);
  inverted.forward(env.test.X, ci);
  out.push_back((cs.y() - ci.y()).norm() / cs.y().norm());
  return out;
}

// The lab's per-group optimizer with both groups at the same hyper-parameters against one
// library optimizer on the standard network: the largest relative distance between the runs
// over all steps, for each of sgd, momentum and adam. 0 when grouping changes nothing.
std::vector<double> grouping_check(const Env& env, const std::vector<Setup>& setups, double p) {
  std::vector<double> worst;
  for (const Setup& setup : setups) {
    nn::Mlp<double> a(network_spec(env.sizes, DropoutKind::standard, p)), b = a;
    a.theta() = b.theta() = env.theta0;
    const train::NetworkObjective<double> fa(a, env.train, {.seed = env.mask_seed});
    const train::NetworkObjective<double> fb(b, env.train, {.seed = env.mask_seed});
    std::vector<Index> weights, biases;
    for (int k = 1; k <= a.layers(); ++k) {
      for (Index j = 0; j < a.W(k).size(); ++j) weights.push_back(a.W_offset(k) + j);
      for (Index j = 0; j < a.b(k).size(); ++j) biases.push_back(a.b_offset(k) + j);
    }
    auto single = make_optimizer(setup, 1, 1, 1);
    GroupedOptimizer grouped(weights, make_optimizer(setup, 1, 1, 1), biases,
                             make_optimizer(setup, 1, 1, 1));
    std::vector<Vec<double>> trajectory;
    auto sa =
        optim::BatchSampler(env.train.size(), env.batch, optim::Sampling::reshuffle, env.batches);
    auto sb = sa;
    optim::sgd_epochs(fa, single, a.theta(), sa, env.epochs,
                      [&](const optim::StepEvent<double>& e) { trajectory.push_back(e.theta); });
    trajectory.push_back(a.theta());
    double d = 0;
    std::size_t k = 0;
    optim::sgd_epochs(fb, grouped, b.theta(), sb, env.epochs,
                      [&](const optim::StepEvent<double>& e) {
                        d = std::max(d, (e.theta - trajectory[k++]).norm());
                      });
    d = std::max(d, (b.theta() - trajectory.back()).norm());
    worst.push_back(d / env.theta0.norm());
  }
  return worst;
}

struct PairResult {
  std::vector<double> distance;  // d_0..d_T
  double loss_std = 0, loss_inv = 0, prediction_gap = 0;
  double max_distance() const { return *std::max_element(distance.begin(), distance.end()); }
  double final_distance() const { return distance.back(); }
};

PairResult unpack(std::vector<double> v) {
  PairResult r;
  r.prediction_gap = v.back(), v.pop_back();
  r.loss_inv = v.back(), v.pop_back();
  r.loss_std = v.back(), v.pop_back();
  r.distance = std::move(v);
  return r;
}

Line distance_line(std::string name, const PairResult& r) {
  Line line{std::move(name), {}, {}, {}, "lines"};
  for (std::size_t k = 0; k < r.distance.size(); ++k) {
    line.x.push_back(double(k));
    line.y.push_back(std::max(r.distance[k], plot_floor));
  }
  return line;
}

std::string sci(double v) { return fmt::format("{:.2g}", v); }

class DropoutScaling : public Lab {
 public:
  std::string id() const override { return "dropout-scaling"; }
  std::string sheet() const override { return "9.1.5"; }
  std::string question() const override {
    return "Why does standard dropout scale by p at inference, and are standard and inverted "
           "dropout equivalent?";
  }

  std::vector<ParamSpec> params() const override {
    using T = ParamType;
    return {
        spec("p", T::real,
             "keep probability of the hidden units for the figures (not ½, where p = 1 − p and 2^k "
             "scalings are exact)",
             "0.7", "", 0.05, 0.99),
        spec("p_list", T::real_list,
             "keep probabilities at which the rules and the map are checked",
             "0.2,0.35,0.5,0.8,0.9", "0.3,0.9", 0.05, 0.99),
        spec("hidden", T::integer, "units in each of the two hidden layers", "48", "24", 2, 4096),
        spec("n", T::integer, "training samples (two moons, noise 0.15)", "512", "256", 16, 1e6),
        spec("batch", T::integer, "minibatch size B", "32", "", 1, 1e6),
        spec("epochs", T::integer, "epochs of every training run", "30", "12", 1, 1e5),
        spec("lr", T::real, "SGD step size η of the standard run", "0.2", "", 1e-6, 10),
        spec("momentum_lr", T::real,
             "heavy-ball step size η (momentum μ = 0.9) of the standard run", "0.05", "", 1e-6, 10),
        spec("adam_lr", T::real, "Adam step size η of the standard run", "0.01", "", 1e-6, 1),
        spec("decay", T::real, "L2 weight decay λ of the standard run in (d)", "0.01", "", 1e-8, 1),
        spec("eps", T::real, "Adam's ε of the standard run", "1e-8", "", 1e-12, 1e-2),
        spec("eps_list", T::real_list, "Adam ε values for the O(ε) mismatch of the rule ηp alone",
             "1e-12,1e-11,1e-10,1e-9,1e-8", "1e-10,1e-9,1e-8", 1e-14, 1e-2),
        spec("masks", T::integer,
             "dropout masks drawn per network for the expected pre-activations of (a)", "40000",
             "8000", 320, 1e9),
    };
  }

  std::vector<Mutant> mutants() const override {
    return {
        {"keep-drop",
         "p read as the DROP probability: inference scale 1 − p, W_inv = (1 − p) W_std, rules in 1 "
         "− p"},
        {"scale-all",
         "Φ and the rules rescale every W, also W^(1), which is fed by inputs that are never "
         "dropped"},
        {"lr-p",
         "SGD and momentum: η_inv = p·η_std (\"the weights are p times smaller\") instead of "
         "p²·η_std"},
        {"scale-biases",
         "SGD and momentum: the biases get η·p² too, though their gradients are the same in both"},
        {"decay-unchanged", "weight decay λ_inv = λ_std (with the right learning rates)"},
        {"decay-times-p2",
         "weight decay λ_inv = p²·λ_std, the direction of the learning-rate rule"},
        {"adam-sgd-rule", "Adam takes the SGD rule η_inv = p²·η_std, ε unchanged"},
        {"adam-eps-unchanged",
         "Adam: η_inv = p·η_std is the whole rule (ε unchanged): equal only up to O(ε)"}};
  }

  Result run(const Params& params, const Context& context) const override {
    const Theory theory{active_mutant(*this, context)};
    const double p = params.real("p");
    std::vector<double> p_list = params.real_list("p_list");
    std::vector<double> eps_list = params.real_list("eps_list");
    std::sort(eps_list.begin(), eps_list.end());
    require(eps_list.size() >= 3,
            "dropout-scaling: eps_list needs at least 3 values for the O(ε) slope");
    std::vector<double> p_all = p_list;
    if (std::find(p_all.begin(), p_all.end(), p) == p_all.end()) p_all.push_back(p);
    std::sort(p_all.begin(), p_all.end());

    const Index H = params.integer("hidden");
    Env env{theory,
            {},
            {},
            {2, H, H, 2},
            {},
            0,
            {},
            params.integer("batch"),
            int(params.integer("epochs"))};
    {
      Rng data_rng = context.rng("data");
      env.train = data::two_moons<double>(params.integer("n"), 0.15, data_rng);
      env.test = data::two_moons<double>(512, 0.15, data_rng);
      require(env.batch <= env.train.size(), "dropout-scaling: batch = {} exceeds n = {}",
              env.batch, env.train.size());
      nn::Mlp<double> net(network_spec(env.sizes, DropoutKind::standard, p));
      Rng init_rng = context.rng("init");
      net.init(init_rng);
      env.theta0 = net.theta();
      env.mask_seed = context.rng("masks")();
      env.batches = context.rng("batches");
    }

    Result result;
    auto since = result.mark();
    context.report(0.0, "expected pre-activations");
    const auto scales = expected_preactivations(params, context, env, p_all, result);
    result.assign("a", since);
    since = result.mark();
    const auto maps = same_predictions(context, env, p_all, result);
    result.assign("b", since);

    // Every training run, one trial each.
    const Setup sgd{"sgd", params.real("lr")},
        momentum{"momentum", params.real("momentum_lr"), 0.9};
    const Setup adam{"adam", params.real("adam_lr"), 0, 0, params.real("eps")};
    Setup sgd_decay = sgd, momentum_decay = momentum;
    sgd_decay.decay = momentum_decay.decay = params.real("decay");
    std::vector<RunSpec> runs;
    for (double q : p_all) {
      runs.push_back({"sgd-rule", sgd, theory.rule("sgd", q), q});
      runs.push_back({"momentum-rule", momentum, theory.rule("momentum", q), q});
      runs.push_back({"adam-rule", adam, theory.rule("adam", q), q});
    }
    const std::size_t per_p = 3;
    const std::size_t main = std::size_t(std::find(p_all.begin(), p_all.end(), p) - p_all.begin());
    const auto add = [&](std::string label, Setup s, Rule r) {
      runs.push_back({std::move(label), std::move(s), r, p});
      return runs.size() - 1;
    };
    const double p2 = p * p;
    const std::size_t sgd_one = add("sgd-one-lr", sgd, {});
    const std::size_t momentum_one = add("momentum-one-lr", momentum, {});
    const std::size_t sgd_decay_rule = add("sgd-decay-rule", sgd_decay, theory.rule("sgd", p));
    const std::size_t momentum_decay_rule =
        add("momentum-decay-rule", momentum_decay, theory.rule("momentum", p));
    const std::size_t sgd_decay_same = add("sgd-decay-same", sgd_decay, {.lr_fed = p2});
    const std::size_t momentum_decay_same =
        add("momentum-decay-same", momentum_decay, {.lr_fed = p2});
    const std::size_t adam_one = add("adam-one-lr", adam, {});
    const std::size_t adam_p2 = add("adam-lr-p2", adam, {.lr_fed = p2});
    std::vector<std::size_t> adam_p;  // η·p alone, one run per ε
    for (double e : eps_list) {
      Setup s = adam;
      s.eps = e;
      adam_p.push_back(add("adam-lr-p", s, {.lr_fed = p}));
    }
    context.report(0.2, "training runs");
    std::vector<PairResult> pairs;
    for (auto& v : context.trials<std::vector<double>>(
             "runs", runs.size(), [&](std::size_t i, Rng&) { return run_pair(env, runs[i]); }))
      pairs.push_back(unpack(std::move(v)));
    context.report(0.9, "claims");
    const auto at = [&](std::size_t q, std::size_t which) -> const PairResult& {
      return pairs[q * per_p + which];
    };

    // (c) SGD and momentum.
    since = result.mark();
    const std::vector<double> grouping = grouping_check(env, {sgd, momentum, adam}, p);
    result.claims.push_back(experiment::at_most(
        "the lab's per-group optimizer (two library optimizers, one per parameter group) with "
        "equal groups is the library optimizer",
        fmt::format(
            "largest relative distance to one optimizer over {} epochs, for SGD, momentum and Adam",
            env.epochs),
        *std::max_element(grouping.begin(), grouping.end()), 1e-15));
    const int steps = int(pairs.front().distance.size()) - 1;
    double sgd_worst = 0, momentum_worst = 0, adam_worst = 0;
    Table rules{"rules-by-p",
                "Largest distance between the runs over all steps, at every $p$, with the rules",
                {"$p$", "SGD, $\\eta p^2$", "momentum, $\\eta p^2$",
                 "Adam, $\\eta p$ and $\\varepsilon/p$", "final training loss (SGD)"},
                {},
                ""};
    for (std::size_t q = 0; q < p_all.size(); ++q) {
      sgd_worst = std::max(sgd_worst, at(q, 0).max_distance());
      momentum_worst = std::max(momentum_worst, at(q, 1).max_distance());
      adam_worst = std::max(adam_worst, at(q, 2).max_distance());
      rules.rows.push_back({p_all[q], at(q, 0).max_distance(), at(q, 1).max_distance(),
                            at(q, 2).max_distance(), at(q, 0).loss_std});
    }
    const std::string p_set = fmt::format("{}", fmt::join(p_all, ", "));
    result.claims.push_back(experiment::at_most(
        "SGD: with $\\eta_{\\text{inv}} = p^2\\eta_{\\text{std}}$ on the weights fed by dropped "
        "units (biases keep $\\eta_{\\text{std}}$) the two runs are one trajectory",
        fmt::format("largest $\\|\\Psi(\\theta_{{\\text{{inv}}}}) - \\theta_{{\\text{{std}}}}\\| / "
                    "\\|\\theta_{{\\text{{std}}}}\\|$ over {} steps and $p \\in \\{{{}\\}}$",
                    steps, p_set),
        sgd_worst, identical_tol));
    result.claims.push_back(experiment::at_most(
        "heavy-ball momentum: the same rule $\\eta_{\\text{inv}} = p^2\\eta_{\\text{std}}$ gives "
        "one trajectory",
        fmt::format("largest relative distance over {} steps and $p \\in \\{{{}\\}}$", steps,
                    p_set),
        momentum_worst, identical_tol));
    result.claims.push_back(experiment::at_least(
        fmt::format("SGD with one learning rate for all parameters: the runs part (at $p = {}$)",
                    p),
        fmt::format("relative distance after {} steps", steps), pairs[sgd_one].final_distance(),
        different_min));
    result.claims.push_back(experiment::at_least(
        fmt::format(
            "momentum with one learning rate for all parameters: the runs part (at $p = {}$)", p),
        fmt::format("relative distance after {} steps", steps),
        pairs[momentum_one].final_distance(), different_min));
    Figure fc{
        "distance-sgd",
        fmt::format(
            "Distance between the standard and the inverted run, SGD and momentum, $p = {}$", p),
        "step",
        "‖Ψ(θ_inv) − θ_std‖ / ‖θ_std‖",
        false,
        true,
        {},
        ""};
    fc.lines.push_back(distance_line("SGD, η·p² on W fed by dropped units", at(main, 0)));
    fc.lines.push_back(distance_line("SGD, one η", pairs[sgd_one]));
    fc.lines.push_back(distance_line("momentum, η·p²", at(main, 1)));
    fc.lines.push_back(distance_line("momentum, one η", pairs[momentum_one]));
    fc.caption = fmt::format(
        "With the rule the distance stays at rounding level (at most {} over {} steps); with one "
        "learning rate for all it reaches {} (SGD) and {} (momentum) after {} steps. The inverted "
        "run is mapped to the standard parametrization by $\\Psi$ ($W \\mapsto W/p$ on the "
        "weights fed by dropped units); exact zeros are drawn at $10^{{-18}}$.",
        sci(std::max(at(main, 0).max_distance(), at(main, 1).max_distance())), steps,
        sci(pairs[sgd_one].final_distance()), sci(pairs[momentum_one].final_distance()), steps);
    result.figures.push_back(std::move(fc));
    rules.caption = fmt::format(
        "Every entry is at most {} (tolerance {}): the rules hold at every $p$, also where $p$, "
        "$1-p$, $p^2$ differ. Final training loss of the standard SGD run in the last column, to "
        "show the runs train.",
        sci(std::max({sgd_worst, momentum_worst, adam_worst})), sci(identical_tol));
    rules.data = true;
    result.tables.push_back(std::move(rules));
    result.assign("c", since);

    // (d) weight decay.
    since = result.mark();
    const double decay_worst =
        std::max(pairs[sgd_decay_rule].max_distance(), pairs[momentum_decay_rule].max_distance());
    result.claims.push_back(experiment::at_most(
        "$L_2$ weight decay: with $\\lambda_{\\text{inv}} = \\lambda_{\\text{std}}/p^2$ (and "
        "$\\eta_{\\text{inv}} = p^2\\eta_{\\text{std}}$) on the weights fed by dropped units, SGD "
        "and momentum give one trajectory",
        fmt::format("largest relative distance over {} steps, SGD and momentum, $p = {}$, "
                    "$\\lambda_{{\\text{{std}}}} = {}$",
                    steps, p, params.real("decay")),
        decay_worst, identical_tol));
    const double decay_same = std::min(pairs[sgd_decay_same].final_distance(),
                                       pairs[momentum_decay_same].final_distance());
    result.claims.push_back(experiment::at_least(
        "with the same $\\lambda$ in both (and the right learning rates) the runs part",
        fmt::format("smaller of the SGD and momentum distances after {} steps", steps), decay_same,
        different_min));
    Figure fd{"distance-decay",
              fmt::format("Distance between the runs with weight decay $\\lambda = {}$, $p = {}$",
                          params.real("decay"), p),
              "step",
              "‖Ψ(θ_inv) − θ_std‖ / ‖θ_std‖",
              false,
              true,
              {},
              ""};
    fd.lines.push_back(distance_line("SGD, λ/p²", pairs[sgd_decay_rule]));
    fd.lines.push_back(distance_line("SGD, same λ", pairs[sgd_decay_same]));
    fd.lines.push_back(distance_line("momentum, λ/p²", pairs[momentum_decay_rule]));
    fd.lines.push_back(distance_line("momentum, same λ", pairs[momentum_decay_same]));
    fd.caption = fmt::format(
        "With $\\lambda/p^2$ the distance stays at rounding level (at most {}); with the same "
        "$\\lambda$ it reaches {} (SGD) and {} (momentum) after {} steps. Both inverted runs use "
        "$\\eta p^2$ on the weights fed by dropped units.",
        sci(decay_worst), sci(pairs[sgd_decay_same].final_distance()),
        sci(pairs[momentum_decay_same].final_distance()), steps);
    result.figures.push_back(std::move(fd));
    result.assign("d", since);

    // (e) Adam.
    since = result.mark();
    result.claims.push_back(experiment::at_most(
        "Adam: with $\\eta_{\\text{inv}} = p\\,\\eta_{\\text{std}}$ and "
        "$\\varepsilon_{\\text{inv}} = "
        "\\varepsilon_{\\text{std}}/p$ on the weights fed by dropped units the two runs are one "
        "trajectory",
        fmt::format("largest relative distance over {} steps and $p \\in \\{{{}\\}}$, "
                    "$\\varepsilon_{{\\text{{std}}}} = {}$",
                    steps, p_set, params.real("eps")),
        adam_worst, identical_tol));
    result.claims.push_back(experiment::at_least(
        "Adam with the SGD rule $\\eta_{\\text{inv}} = p^2\\eta_{\\text{std}}$: the runs part",
        fmt::format("relative distance after {} steps, $p = {}$", steps, p),
        pairs[adam_p2].final_distance(), different_min));
    std::vector<double> eps_distance;
    for (std::size_t i : adam_p) eps_distance.push_back(pairs[i].final_distance());
    const auto fit = experiment::fit_log_log(eps_list, eps_distance);
    result.claims.push_back(experiment::slope_in(
        "Adam with $\\eta_{\\text{inv}} = p\\,\\eta_{\\text{std}}$ alone: the runs part by "
        "$O(\\varepsilon)$",
        fmt::format("slope of $\\log$(distance after {} steps) on $\\log\\varepsilon$, "
                    "$\\varepsilon \\in \\{{{}\\}}$",
                    steps, fmt::join(eps_list, ", ")),
        fit, 0.9, 1.1));
    const std::size_t eps_main =
        std::size_t(std::min_element(eps_list.begin(), eps_list.end(),
                                     [&](double a, double b) {
                                       return std::abs(std::log(a / params.real("eps"))) <
                                              std::abs(std::log(b / params.real("eps")));
                                     }) -
                    eps_list.begin());
    Figure fe{"distance-adam",
              fmt::format("Distance between the runs with Adam, $p = {}$", p),
              "step",
              "‖Ψ(θ_inv) − θ_std‖ / ‖θ_std‖",
              false,
              true,
              {},
              ""};
    fe.lines.push_back(distance_line("Adam, η·p and ε/p", at(main, 2)));
    fe.lines.push_back(distance_line(fmt::format("Adam, η·p alone (ε = {:g})", eps_list[eps_main]),
                                     pairs[adam_p[eps_main]]));
    fe.lines.push_back(distance_line("Adam, η·p² (the SGD rule)", pairs[adam_p2]));
    fe.lines.push_back(distance_line("Adam, one η", pairs[adam_one]));
    fe.caption = fmt::format(
        "Three levels: with $\\eta p$ and $\\varepsilon/p$ the distance stays at rounding level "
        "(at most {}); with $\\eta p$ alone it ends at {} (an $O(\\varepsilon)$ gap, "
        "$\\varepsilon = {:g}$); with the SGD rule $\\eta p^2$ at {} and with one $\\eta$ at {} "
        "after {} steps.",
        sci(at(main, 2).max_distance()), sci(pairs[adam_p[eps_main]].final_distance()),
        eps_list[eps_main], sci(pairs[adam_p2].final_distance()),
        sci(pairs[adam_one].final_distance()), steps);
    result.figures.push_back(std::move(fe));
    Figure feps{"adam-eps", "Adam with $\\eta p$ alone: the gap grows linearly with $\\varepsilon$",
                "Adam ε",   "distance after the run",
                true,       true,
                {},         ""};
    feps.lines.push_back({"measured", eps_list, eps_distance, {}, "linespoints"});
    Line fitted{fmt::format("fit, slope {:.3f}", fit.slope.value), {}, {}, {}, "lines"};
    for (double e : eps_list)
      fitted.x.push_back(e),
          fitted.y.push_back(std::exp(fit.intercept.value + fit.slope.value * std::log(e)));
    feps.lines.push_back(std::move(fitted));
    feps.caption = fmt::format(
        "The distance after {} steps is proportional to $\\varepsilon$ (fitted slope {} on log "
        "axes, claim): from {} at $\\varepsilon = {:g}$ to {} at $\\varepsilon = {:g}$.",
        steps, pm(fit.slope), sci(eps_distance.front()), eps_list.front(), sci(eps_distance.back()),
        eps_list.back());
    result.figures.push_back(std::move(feps));
    Table adam_table{
        "runs",
        fmt::format("Every training run at $p = {}$: distance and final training losses", p),
        {"optimizer and rule for the inverted run", "largest distance", "final distance",
         "loss, standard", "loss, inverted", "test predictions, relative gap"},
        {},
        ""};
    const auto row = [&](std::string name, const PairResult& r) {
      adam_table.rows.push_back({std::move(name), r.max_distance(), r.final_distance(), r.loss_std,
                                 r.loss_inv, r.prediction_gap});
    };
    row("SGD, η·p²", at(main, 0));
    row("SGD, one η", pairs[sgd_one]);
    row("momentum, η·p²", at(main, 1));
    row("momentum, one η", pairs[momentum_one]);
    row("SGD, η·p², λ/p²", pairs[sgd_decay_rule]);
    row("SGD, η·p², same λ", pairs[sgd_decay_same]);
    row("momentum, η·p², λ/p²", pairs[momentum_decay_rule]);
    row("momentum, η·p², same λ", pairs[momentum_decay_same]);
    row("Adam, η·p, ε/p", at(main, 2));
    for (std::size_t i = 0; i < adam_p.size(); ++i)
      row(fmt::format("Adam, η·p alone, ε = {:g}", eps_list[i]), pairs[adam_p[i]]);
    row("Adam, η·p²", pairs[adam_p2]);
    row("Adam, one η", pairs[adam_one]);
    adam_table.caption = fmt::format(
        "Where the rule holds the two runs end with the same loss and the same test predictions "
        "(gap at most {}); where it does not they end elsewhere. Distances are relative, "
        "$\\|\\Psi(\\theta_{{\\text{{inv}}}}) - \\theta_{{\\text{{std}}}}\\| / "
        "\\|\\theta_{{\\text{{std}}}}\\|$; "
        "losses are the mean cross-entropy on the whole training set at inference.",
        sci(std::max(
            {at(main, 0).prediction_gap, at(main, 1).prediction_gap, at(main, 2).prediction_gap})));
    result.tables.push_back(std::move(adam_table));
    result.assign("e", since);

    // Notation, parts, answer.
    result.notation = {
        {"p", "KEEP probability of a hidden unit (PyTorch's Dropout takes $1-p$)", ""},
        {"r", "dropout mask, $r_j \\sim \\text{Bernoulli}(p)$, shared by both kinds", ""},
        {"z^{(k)}, a^{(k)}", "output and pre-activation of layer $k$ (PRML 5.3.1); $z^{(1)} = x$",
         ""},
        {"W^{(k)}, b^{(k)}", "weights fed by $z^{(k)}$ and bias of layer $k$", ""},
        {"W_{\\text{std}}, W_{\\text{inv}}", "the weights of the standard and the inverted network",
         ""},
        {"\\Phi, \\Psi",
         "the parameter map std $\\to$ inv ($W \\mapsto pW$ on weights fed by dropped units) and "
         "its inverse",
         ""},
        {"E", "the training loss (mean cross-entropy of a batch)", ""},
        {"\\eta, \\mu, \\lambda", "step size, momentum, $L_2$ weight decay", ""},
        {"\\beta_1, \\beta_2, \\varepsilon",
         "Adam's moment decays and the constant in its denominator", ""},
        {"m, v", "Adam's first and second moment estimates", ""},
    };
    result.parts = {
        {"a",
         "In training each unit is dropped with probability $1-p$; at inference no unit is "
         "dropped but each output is multiplied by $p$. Why?",
         fmt::format("So that every unit receives at inference the input it receives on average "
                     "in training. With the same masks, the mean of "
                     "$\\langle a^{{(k+1)}} - b, W z^{{(k)}}\\rangle / \\|W z^{{(k)}}\\|^2$ over "
                     "{} masks is {} for standard dropout at $p = {}$ (theory $p$) and {} for "
                     "inverted dropout (theory 1), at both dropped layers (claims, within 4 SE).",
                     params.integer("masks"), pm(scales.standard), p, pm(scales.inverted)),
         R"(Let $r_j \sim \text{Bernoulli}(p)$ drop unit $j$ of $z^{(k)}$. Standard dropout trains with $a^{(k+1)} = W_{\text{std}}(r \odot z^{(k)}) + b$, so, given $z^{(k)}$,

$$\mathbb{E}_r[a^{(k+1)}] = W_{\text{std}}\,(\mathbb{E}[r] \odot z^{(k)}) + b = W_{\text{std}}\,(p\,z^{(k)}) + b .$$

Without the factor $p$ at inference, every unit of layer $k+1$ would receive $W_{\text{std}} z^{(k)} + b$: a pre-activation $1/p$ times larger in its $W$ part than anything it saw in training. Multiplying $z^{(k)}$ by $p$ at inference gives it exactly its expected training input (for the next nonlinear layer this is the weight-scaling approximation of the ensemble average, exact only for the linear part). Inverted dropout trains with $a^{(k+1)} = W_{\text{inv}}(r \odot z^{(k)})/p + b$, whose expectation is already $W_{\text{inv}} z^{(k)} + b$, so inference is the plain forward pass.)"},
        {"b", "Are the two networks the same model, with the same predictions?",
         fmt::format("Yes. The map $\\Phi$: $W_{{\\text{{inv}}}} = p\\,W_{{\\text{{std}}}}$ on the "
                     "weights fed by dropped units (biases and the first layer's weights, fed by "
                     "inputs that are never dropped, unchanged) is a bijection under which the two "
                     "compute the same function, at inference (relative gap at most {}) and in "
                     "training for every mask (gap at most {}), at $p \\in \\{{{}\\}}$ (claims). "
                     "Without the map, the same weights predict differently (relative gap {}).",
                     sci(maps.eval_gap), sci(maps.train_gap), fmt::join(p_all, ", "),
                     sci(maps.unmapped_gap)),
         R"(With $W_{\text{inv}} = p\,W_{\text{std}}$:

$$\text{training: } W_{\text{inv}}\frac{r \odot z}{p} + b = p\,W_{\text{std}}\frac{r \odot z}{p} + b = W_{\text{std}}(r \odot z) + b, \qquad \text{inference: } W_{\text{inv}} z + b = W_{\text{std}}(p\,z) + b .$$

Every pre-activation is the same for every mask $r$, so every later layer is too, and so is the loss $E$. $\Phi$ is invertible ($\Psi$: $W_{\text{std}} = W_{\text{inv}}/p$), so the two kinds span the same model class and, at corresponding parameters, make the same predictions. The weights fed by units that are never dropped (here $W^{(1)}$, fed by the inputs) and all biases are not scaled.)"},
        {"c", "Do SGD and SGD with momentum train them the same way?",
         fmt::format(
             "Only with rescaled step sizes. With $\\eta_{{\\text{{inv}}}} = "
             "p^2\\eta_{{\\text{{std}}}}$ "
             "on the weights fed by dropped units (biases keep $\\eta_{{\\text{{std}}}}$) the "
             "runs are one trajectory to rounding: largest relative distance {} (SGD) and "
             "{} (momentum) over {} steps at every $p$ of $\\{{{}\\}}$. With one learning "
             "rate for all they part: {} (SGD) and {} (momentum) after {} steps at $p = {}$, "
             "ending at different parameters of similar quality (training loss {:.3g} "
             "standard vs {:.3g} inverted, SGD). "
             "The optimizers take one $\\eta$ for the whole parameter vector, so the lab runs "
             "the inverted network with two of them, one per parameter group (as PyTorch's "
             "param groups do).",
             sci(sgd_worst), sci(momentum_worst), steps, p_set,
             sci(pairs[sgd_one].final_distance()), sci(pairs[momentum_one].final_distance()), steps,
             p, pairs[sgd_one].loss_std, pairs[sgd_one].loss_inv),
         R"(Since $E_{\text{inv}}(\Phi(\theta)) = E_{\text{std}}(\theta)$ for every batch and mask, the chain rule through $W_{\text{inv}} = p\,W_{\text{std}}$ gives

$$\frac{\partial E}{\partial W_{\text{inv}}} = \frac{1}{p}\,\frac{\partial E}{\partial W_{\text{std}}}, \qquad \frac{\partial E}{\partial b_{\text{inv}}} = \frac{\partial E}{\partial b_{\text{std}}} .$$

One SGD step on the inverted network, mapped back by $\Psi$:

$$\frac{1}{p}\Big(W_{\text{inv}} - \eta_{\text{inv}}\frac{\partial E}{\partial W_{\text{inv}}}\Big) = W_{\text{std}} - \frac{\eta_{\text{inv}}}{p^2}\,\frac{\partial E}{\partial W_{\text{std}}},$$

the standard step exactly when $\eta_{\text{inv}} = p^2\eta_{\text{std}}$. Heavy ball ($v \leftarrow \mu v + g$, $\theta \leftarrow \theta - \eta v$) is linear in the gradients, so $v_{\text{inv}} = v_{\text{std}}/p$ by induction and the same rule holds. The biases' gradients are equal, so they keep $\eta_{\text{std}}$. With one $\eta$ for all, the inverted weights move $1/p^2$ times faster in the standard parametrization: a different algorithm on the same loss.)"},
        {"d", "What must $L_2$ weight decay become?",
         fmt::format(
             "$\\lambda_{{\\text{{inv}}}} = \\lambda_{{\\text{{std}}}}/p^2$ on the weights fed by "
             "dropped units: the runs then coincide to {} (SGD and momentum, $\\lambda = {}$), "
             "while the same $\\lambda$ leaves a gap of {} (SGD) and {} (momentum) after {} steps.",
             sci(decay_worst), params.real("decay"), sci(pairs[sgd_decay_same].final_distance()),
             sci(pairs[momentum_decay_same].final_distance()), steps),
         R"(The penalty is part of the model's objective, so it must be the same function of the model: $\frac{\lambda_{\text{inv}}}{2}\|W_{\text{inv}}\|^2 = \frac{\lambda_{\text{inv}}p^2}{2}\|W_{\text{std}}\|^2$ equals $\frac{\lambda_{\text{std}}}{2}\|W_{\text{std}}\|^2$ iff $\lambda_{\text{inv}} = \lambda_{\text{std}}/p^2$. In the step, with $g = \partial E/\partial W_{\text{std}}$: $\Psi$ of $W_{\text{inv}} - \eta_{\text{inv}}(\frac{1}{p}g + \lambda_{\text{inv}}W_{\text{inv}})$ with $\eta_{\text{inv}} = p^2\eta_{\text{std}}$ is

$$W_{\text{std}} - \eta_{\text{std}}\big(g + p^2\lambda_{\text{inv}}W_{\text{std}}\big),$$

the standard step iff $p^2\lambda_{\text{inv}} = \lambda_{\text{std}}$. The biases keep $\lambda_{\text{std}}$.)"},
        {"e", "Does Adam follow the same rule?",
         fmt::format(
             "No. Adam divides by the gradient's scale, so only $\\varepsilon$ sees the "
             "factor $1/p$: with $\\eta_{{\\text{{inv}}}} = p\\,\\eta_{{\\text{{std}}}}$ and "
             "$\\varepsilon_{{\\text{{inv}}}} = \\varepsilon_{{\\text{{std}}}}/p$ the runs are one "
             "trajectory (distance at most {} at every $p$); with $\\eta p$ alone they part "
             "by $O(\\varepsilon)$ ({} after {} steps at $\\varepsilon = {:g}$, slope {} in "
             "$\\varepsilon$); the SGD rule $\\eta p^2$ leaves them {} apart and one $\\eta$ {}.",
             sci(adam_worst), sci(pairs[adam_p[eps_main]].final_distance()), steps,
             eps_list[eps_main], pm(fit.slope), sci(pairs[adam_p2].final_distance()),
             sci(pairs[adam_one].final_distance())),
         R"(With $g_{\text{inv}} = g_{\text{std}}/p$ on the weights fed by dropped units, Adam's moments scale as $m_{\text{inv}} = m_{\text{std}}/p$ and $v_{\text{inv}} = v_{\text{std}}/p^2$ (and so do the bias-corrected $\hat m$, $\hat v$), so

$$\frac{\hat m_{\text{inv}}}{\sqrt{\hat v_{\text{inv}}} + \varepsilon_{\text{inv}}} = \frac{\hat m_{\text{std}}/p}{\sqrt{\hat v_{\text{std}}}/p + \varepsilon_{\text{inv}}} = \frac{\hat m_{\text{std}}}{\sqrt{\hat v_{\text{std}}} + p\,\varepsilon_{\text{inv}}} .$$

Mapped back by $\Psi$, the inverted step $-\eta_{\text{inv}}\hat m_{\text{inv}}/(\sqrt{\hat v_{\text{inv}}} + \varepsilon_{\text{inv}})$ is $1/p$ times that, so it equals the standard step iff $\eta_{\text{inv}} = p\,\eta_{\text{std}}$ and $p\,\varepsilon_{\text{inv}} = \varepsilon_{\text{std}}$. With $\eta p$ alone the denominators differ by $(1-p)\varepsilon$, a relative change of order $\varepsilon/\sqrt{\hat v}$ per step: an $O(\varepsilon)$ gap. The SGD rule $\eta p^2$ makes every inverted step $p$ times too short. Weight decay added to the gradient ($\tilde g = g + \lambda\theta$) scales like $g$ only with $\lambda_{\text{inv}} = \lambda_{\text{std}}/p^2$, as in (d).)"},
    };
    result.answer = fmt::format(
        "Standard dropout scales by $p$ at inference so that each unit gets its expected training "
        "input (a). The two kinds are the same model class with the same predictions: "
        "$W_{{\\text{{inv}}}} = p\\,W_{{\\text{{std}}}}$ on the weights fed by dropped units makes "
        "them "
        "compute the same function for every mask (b). They are not the same training algorithm: "
        "gradients differ by $1/p$, so with one learning rate the runs part ({} after {} SGD steps "
        "at $p = {}$), and they coincide (to {}) only with $\\eta_{{\\text{{inv}}}} = "
        "p^2\\eta_{{\\text{{std}}}}$ "
        "and $\\lambda_{{\\text{{inv}}}} = \\lambda_{{\\text{{std}}}}/p^2$ for SGD and momentum "
        "(c, d), "
        "and with $\\eta p$ and $\\varepsilon/p$ for Adam (e).",
        sci(pairs[sgd_one].final_distance()), steps, p,
        sci(std::max({sgd_worst, momentum_worst, adam_worst, decay_worst})));
    return result;
  }

 private:
  struct Scales {
    Estimate standard, inverted;  // at p, the layer where the estimate is farther from theory
  };

  // (a) The expected pre-activation of every layer fed by dropped units, given its input z^(k),
  // is the inference one: per mask the scale t = ⟨a^(k+1) − b, u⟩/‖u‖², u = W^(k) z^(k) (z^(k)
  // before the mask, which the mask of layer k does not change), has E[t] = E[m] = the
  // inference mask. Also: the same stream gives the same masks r, times 1/p for inverted.
  static Scales expected_preactivations(const Params& params, const Context& context,
                                        const Env& env, const std::vector<double>& p_all,
                                        Result& result) {
    const auto masks = std::uint64_t(params.integer("masks"));
    const double p_main = params.real("p");
    const Index n = std::min<Index>(32, env.train.size());
    const Mat<double> X = env.train.X.leftCols(n);
    // Cell = (p, kind); a trial returns, per dropped layer k = 2..L, a Welford of t, then the
    // largest |p·m_inv − m_std| over its masks (same stream, both kinds).
    struct Chunk {
      Welford t[2];
      double mask_gap = 0;
    };
    const auto parts = context.sweep<Chunk>(
        "preactivation", p_all.size() * 2, chunks, [&](std::size_t cell, std::size_t c, Rng& rng) {
          const double p = p_all[cell / 2];
          const DropoutKind kind = cell % 2 == 0 ? DropoutKind::standard : DropoutKind::inverted;
          nn::Mlp<double> net(network_spec(env.sizes, kind, p));
          nn::Mlp<double> other(network_spec(
              env.sizes,
              kind == DropoutKind::standard ? DropoutKind::inverted : DropoutKind::standard, p));
          net.theta() = kind == DropoutKind::standard ? env.theta0
                                                      : env.theory.to_inverted(net, env.theta0, p);
          other.theta() = env.theta0;
          nn::Cache<double> cache, cache_other;
          Chunk out;
          const std::uint64_t count = masks / chunks + (c < masks % chunks);
          for (std::uint64_t i = 0; i < count; ++i) {
            Rng copy = rng;
            net.forward(X, cache, nn::Mode::train, &rng);
            if (i == 0) {
              other.forward(X, cache_other, nn::Mode::train, &copy);
              for (int k = 2; k <= net.layers(); ++k) {
                const double scale = kind == DropoutKind::inverted ? p : 1.0;
                const double scale_other = kind == DropoutKind::inverted ? 1.0 : p;
                out.mask_gap =
                    std::max(out.mask_gap, (scale * cache.mask[std::size_t(k)] -
                                            scale_other * cache_other.mask[std::size_t(k)])
                                               .cwiseAbs()
                                               .maxCoeff());
              }
            }
            for (int k = 2; k <= net.layers(); ++k) {
              const Mat<double> u = net.W(k) * cache.z[std::size_t(k)];
              const Mat<double> ab = cache.a[std::size_t(k) + 1].colwise() - net.b(k);
              out.t[k - 2].add((ab.array() * u.array()).sum() / u.squaredNorm());
            }
          }
          return out;
        });
    Table table{
        "expected-preactivation",
        "Expected pre-activation scale in training vs the inference mask",
        {"$p$", "dropout", "layer fed", "theory: inference mask", "Monte Carlo ± SE", "$z$"},
        {},
        ""};
    table.data = true;
    Scales scales;
    double mask_gap = 0;
    for (std::size_t cell = 0; cell < p_all.size() * 2; ++cell) {
      const double p = p_all[cell / 2];
      const DropoutKind kind = cell % 2 == 0 ? DropoutKind::standard : DropoutKind::inverted;
      const double theory = env.theory.inference_mask(kind, p);
      std::vector<experiment::Member> family;
      for (int l = 0; l < 2; ++l) {
        Welford total;
        for (std::size_t c = 0; c < chunks; ++c) {
          total.merge(parts[cell * chunks + c].t[l]);
          mask_gap = std::max(mask_gap, parts[cell * chunks + c].mask_gap);
        }
        const Estimate e = total.estimate();
        const std::string layer = fmt::format("$W^{{({})}}$", l + 2);
        table.rows.push_back(
            {p, nn::to_string(kind), layer, theory, pm(e), experiment::z_score(e, theory)});
        family.push_back({fmt::format("{} at p = {}, W^({})", nn::to_string(kind), p, l + 2), e});
        if (p == p_main) {
          Estimate& slot = kind == DropoutKind::standard ? scales.standard : scales.inverted;
          if (l == 0 || std::abs(experiment::z_score(e, theory)) >
                            std::abs(experiment::z_score(slot, theory)))
            slot = e;
        }
      }
      result.claims.push_back(experiment::within_se(
          fmt::format(
              "{} dropout at $p = {}$: the expected training pre-activation of each layer fed "
              "by dropped units is the inference one, scale {}",
              nn::to_string(kind), p, kind == DropoutKind::standard ? "$p$" : "1"),
          fmt::format("mean over {} masks of $\\langle a^{{(k+1)}} - b, W z^{{(k)}}\\rangle / \\|W "
                      "z^{{(k)}}\\|^2$, "
                      "$k = 2, 3$, {} inputs",
                      masks, n),
          family, theory, 4));
    }
    table.caption = fmt::format(
        "Standard dropout's scale sits at $p$ and inverted dropout's at 1, within the Monte Carlo "
        "error at every $p$ ($|z| \\le 4$ in the claims): the inference mask is the mean of the "
        "training mask. Per mask the scale is the projection of the layer's pre-activation (bias "
        "removed) on $W z^{{(k)}}$, its full input; {} masks per row.",
        masks);
    result.tables.push_back(std::move(table));
    result.claims.push_back(experiment::at_most(
        "the same stream drives both kinds: $m_{\\text{std}} = r$ and $m_{\\text{inv}} = r/p$ for "
        "the same $r$",
        fmt::format(
            "largest $|p\\,m_{{\\text{{inv}}}} - m_{{\\text{{std}}}}|$ over the first mask of "
            "every chunk, both dropped layers, $p \\in \\{{{}\\}}$",
            fmt::join(p_all, ", ")),
        mask_gap, 1e-15));
    return scales;
  }

  struct Maps {
    double eval_gap = 0, train_gap = 0, unmapped_gap = 0;
  };

  // (b) Φ makes the two networks one function: at inference and, with shared masks, in training,
  // at three random parameter vectors per p.
  static Maps same_predictions(const Context& context, const Env& env,
                               const std::vector<double>& p_all, Result& result) {
    constexpr std::size_t draws = 3, masks = 4;
    // Per (p, draw): eval gap under Φ, largest training gap under Φ, eval gap without Φ.
    const auto gaps = context.sweep<std::vector<double>>(
        "predictions", p_all.size(), draws, [&](std::size_t q, std::size_t, Rng& rng) {
          const double p = p_all[q];
          nn::Mlp<double> standard(network_spec(env.sizes, DropoutKind::standard, p));
          nn::Mlp<double> inverted(network_spec(env.sizes, DropoutKind::inverted, p));
          standard.init(rng);
          inverted.theta() = env.theory.to_inverted(inverted, standard.theta(), p);
          nn::Cache<double> cs, ci;
          const Mat<double>& X = env.test.X;
          const auto gap = [&] { return (cs.y() - ci.y()).norm() / cs.y().norm(); };
          standard.forward(X, cs);
          inverted.forward(X, ci);
          std::vector<double> out{gap(), 0, 0};
          for (std::size_t m = 0; m < masks; ++m) {
            Rng copy = rng;
            standard.forward(X, cs, nn::Mode::train, &rng);
            inverted.forward(X, ci, nn::Mode::train, &copy);
            out[1] = std::max(out[1], gap());
          }
          inverted.theta() = standard.theta();
          standard.forward(X, cs);
          inverted.forward(X, ci);
          out[2] = gap();
          return out;
        });
    Maps maps{0, 0, std::numeric_limits<double>::infinity()};
    Table table{"predictions",
                "Outputs of the two networks at corresponding parameters",
                {"$p$", "inference, $\\Phi$", "training, same masks, $\\Phi$",
                 "inference, same weights (no map)"},
                {},
                ""};
    for (std::size_t q = 0; q < p_all.size(); ++q) {
      double e = 0, t = 0, u = std::numeric_limits<double>::infinity();
      for (std::size_t d = 0; d < draws; ++d) {
        const auto& g = gaps[q * draws + d];
        e = std::max(e, g[0]), t = std::max(t, g[1]), u = std::min(u, g[2]);
      }
      table.rows.push_back({p_all[q], e, t, u});
      maps.eval_gap = std::max(maps.eval_gap, e);
      maps.train_gap = std::max(maps.train_gap, t);
      maps.unmapped_gap = std::min(maps.unmapped_gap, u);
    }
    table.caption = fmt::format(
        "Under $\\Phi$ the outputs agree to rounding (at most {} at inference, {} in training with "
        "the same masks); with the same weights and no map they differ by at least {}. Each entry: "
        "the worst of {} random parameter vectors of the standard network, "
        "$\\|y_{{\\text{{std}}}} - y_{{\\text{{inv}}}}\\| / \\|y_{{\\text{{std}}}}\\|$ over {} "
        "test inputs.",
        sci(maps.eval_gap), sci(maps.train_gap), sci(maps.unmapped_gap), draws, env.test.size());
    result.tables.push_back(std::move(table));
    const std::string p_set = fmt::format("{}", fmt::join(p_all, ", "));
    result.claims.push_back(experiment::at_most(
        "with $W_{\\text{inv}} = p\\,W_{\\text{std}}$ on the weights fed by dropped units, the two "
        "networks predict the same at inference",
        fmt::format("largest $\\|y_{{\\text{{std}}}} - y_{{\\text{{inv}}}}\\| / "
                    "\\|y_{{\\text{{std}}}}\\|$, "
                    "{} random parameter vectors per $p \\in \\{{{}\\}}$",
                    draws, p_set),
        maps.eval_gap, 1e-12));
    result.claims.push_back(experiment::at_most(
        "in training, with the same masks, they compute the same outputs for every mask",
        fmt::format("largest relative output gap over {} masks × {} parameter vectors per $p$",
                    masks, draws),
        maps.train_gap, 1e-12));
    result.claims.push_back(experiment::at_least(
        "without the map (the same weights in both) they predict differently",
        "smallest relative output gap at inference over the parameter vectors and $p$",
        maps.unmapped_gap, different_min));
    return maps;
  }
};

}  // namespace

NNLAB_REGISTER_LAB(DropoutScaling);

}  // namespace nnlab::labs
