// nnlab train: trains an Mlp on a data set by minibatch first-order optimization and saves
//   DIR/model.safetensors  the parameters (W_k as (n_{k+1}, n_k), see nn/checkpoint.hpp)
//   DIR/log.json           the recipe, one record per epoch, status and timings,
// both rewritten atomically after every epoch, so an interrupted run keeps what it did.
// A non-finite loss stops the run: the trainer restores the last finite parameters, they are
// saved, the log says "diverged", and the exit code is non-zero. Ctrl-C (or SIGTERM) stops it
// after the current step: the parameters after the last completed epoch are saved, the log says
// "interrupted", the exit code is 130; a second Ctrl-C kills at once.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "command.hpp"
#include "data_source.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/nn/checkpoint.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/report/result_json.hpp"
#include "nnlab/train/trainer.hpp"
#include "progress.hpp"

namespace nnlab::cli {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void request_stop(int signal) {
  stop_signal = signal;
  std::signal(signal, SIG_DFL);  // a second one terminates at once
}

struct TrainArgs {
  DataSource source{.data = "fashion-mnist"};
  std::string arch;  // empty: <inputs>-512-512-<outputs>
  std::string activation = "relu";
  std::string loss;  // empty: cross_entropy for labelled data, mse otherwise
  bool no_bias = false;
  std::string tying = "none";
  std::string dropout = "inverted";
  std::string keep = "0.9,0.7";
  std::string init = "uniform";
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0, beta1 = 0, beta2 = 0, rho = 0, eps = 0;  // used only when given
  double weight_decay = 0;
  std::string schedule = "cosine";
  Index batch = 128;
  int epochs = 20;
  std::string sampling = "reshuffle";
  std::uint64_t seed = 1;
  int threads = 0;  // 0: up to 4 hardware threads
  std::string precision = "float";
  bool eval_train = false;
  std::string out;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

double parse_keep_value(const std::string& text) {
  std::size_t used = 0;
  double p = 0;
  try {
    p = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used == text.size() && !text.empty(), "--keep: '{}' is not a number", text);
  require(p > 0 && p <= 1,
          "--keep {}: a keep probability p must be in (0, 1] (p is the probability of KEEPING a "
          "unit; PyTorch's Dropout(p) takes the drop probability 1 - p)",
          text);
  return p;
}

// --keep "p_in,p_hidden" (hidden broadcast), "p_1,…,p_L" (one per layer input), or "p"
// (hidden layers only, inputs kept): p for z^(1) (the inputs), then for z^(2..L).
std::vector<double> parse_keep(const std::string& text, int L) {
  std::vector<double> p;
  for (const auto& part : split_list(text)) p.push_back(parse_keep_value(part));
  if (p.size() == 1) p.insert(p.begin(), 1.0);
  if (p.size() == 2 && L != 2) p.resize(std::size_t(L), p[1]);
  require(int(p.size()) == L,
          "--keep '{}': give 1 value (hidden layers), 2 (input, hidden) or {} (one per layer input)",
          text, L);
  return p;
}

std::vector<nn::Activation> parse_activations(const std::string& text, int hidden) {
  std::vector<nn::Activation> h;
  for (const auto& part : split_list(text)) h.push_back(nn::parse_activation(part));
  if (h.size() == 1) h.assign(std::size_t(hidden), h[0]);
  require(int(h.size()) == hidden, "--activation '{}' lists {} activations, the architecture has {} hidden layers",
          text, h.size(), hidden);
  return h;
}

template <class S>
nn::MlpSpec make_spec(const TrainArgs& args, const data::Dataset<S>& train_set) {
  nn::MlpSpec spec;
  const Index n_in = train_set.inputs(), n_out = train_set.outputs();
  spec.sizes = args.arch.empty() ? std::vector<Index>{n_in, 512, 512, n_out}
                                 : nn::MlpSpec::parse_sizes(args.arch);
  require(spec.sizes.front() == n_in && spec.sizes.back() == n_out,
          "--arch {} does not fit the data: {} has {} inputs and {} outputs{}, so the architecture "
          "must read {}-…-{}",
          args.arch, train_set.name, n_in, n_out,
          train_set.is_classification() ? fmt::format(" ({} classes)", train_set.num_classes) : "",
          n_in, n_out);
  const int L = spec.layers();
  spec.activations = parse_activations(args.activation, L - 1);
  spec.loss = args.loss.empty() ? (train_set.is_classification() ? nn::Loss::cross_entropy : nn::Loss::mse)
                                : nn::parse_loss(args.loss);
  require(spec.loss != nn::Loss::cross_entropy || train_set.is_classification(),
          "--loss cross_entropy needs class labels, but {} is a regression set (use mse or "
          "sum_of_squares)",
          train_set.name);
  spec.bias = !args.no_bias;
  spec.tying = nn::parse_tying(args.tying);
  spec.dropout = nn::parse_dropout_kind(args.dropout);
  if (spec.dropout != nn::DropoutKind::none) spec.keep = parse_keep(args.keep, L);
  spec.validate();
  return spec;
}

json dataset_json(const data::Dataset<float>& d) {
  return {{"name", d.name}, {"samples", d.size()}, {"inputs", d.inputs()}, {"outputs", d.outputs()},
          {"classes", d.num_classes}};
}

json epoch_json(const train::EpochRecord& r) {
  const auto maybe = [](double v) { return v < 0 ? json(nullptr) : json(v); };
  return {{"epoch", r.epoch},
          {"loss", r.loss},
          {"running_accuracy", r.running_accuracy},
          {"train_loss", maybe(r.train_loss)},
          {"train_accuracy", maybe(r.train_accuracy)},
          {"test_loss", maybe(r.test_loss)},
          {"test_accuracy", maybe(r.test_accuracy)},
          {"seconds", r.seconds},
          {"lr", r.lr}};
}

std::string epoch_line(const train::EpochRecord& r, int epochs, bool classification, double seconds) {
  std::string line = fmt::format("epoch {}/{}  loss {:.4f}", r.epoch, epochs, r.loss);
  if (classification) line += fmt::format("  train acc {:.2f}% (running)", 100 * r.running_accuracy);
  if (r.train_loss >= 0) {
    line += fmt::format("  train loss {:.4f}", r.train_loss);
    if (classification) line += fmt::format("  train acc {:.2f}%", 100 * r.train_accuracy);
  }
  if (r.test_loss >= 0) {
    if (classification)
      line += fmt::format("  test acc {:.2f}%", 100 * r.test_accuracy);
    else
      line += fmt::format("  test loss {:.4f}", r.test_loss);
  }
  return line + fmt::format("  {:.1f} s", seconds);
}

template <class S>
int run_train(const TrainArgs& args, const CLI::App& app, const std::string& command_line) {
  const auto started = Clock::now();
  const auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  require(args.lr > 0 && std::isfinite(args.lr), "--lr must be positive, got {}", args.lr);
  require(args.batch >= 1, "--batch must be at least 1, got {}", args.batch);
  require(args.epochs >= 0, "--epochs must be ≥ 0, got {}", args.epochs);
  const std::filesystem::path out = args.out;
  if (!args.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    require(std::filesystem::is_directory(out), "--out {}: cannot create the folder ({})", args.out,
            ec.message());
  }

  // Parse what does not need the data first, so a typo fails before a slow load.
  const auto sampling = optim::parse_sampling(args.sampling);
  nn::parse_init(args.init);
  nn::parse_dropout_kind(args.dropout);
  nn::parse_tying(args.tying);
  if (!args.loss.empty()) nn::parse_loss(args.loss);
  for (const auto& h : split_list(args.activation)) nn::parse_activation(h);
  if (args.dropout != "none")
    for (const auto& p : split_list(args.keep)) parse_keep_value(p);
  if (!args.arch.empty()) nn::MlpSpec::parse_sizes(args.arch);

  const data::Split<S> split = load_data<S>(args.source);
  const double load_seconds = seconds_since(started);
  const data::Dataset<S>* test_set = split.test.size() > 0 ? &split.test : nullptr;
  const bool classification = split.train.is_classification();

  nn::Mlp<S> net(make_spec(args, split.train));
  Rng init_rng = make_rng(args.seed, stream::init);
  net.init(init_rng, nn::parse_init(args.init));

  const Index batch = std::min(args.batch, split.train.size());
  optim::OptimizerConfig config;
  config.lr = args.lr;
  if (app.count("--momentum")) config.momentum = args.momentum;
  if (app.count("--beta1")) config.beta1 = args.beta1;
  if (app.count("--beta2")) config.beta2 = args.beta2;
  if (app.count("--rho")) config.rho = args.rho;
  if (app.count("--eps")) config.eps = args.eps;
  config.weight_decay = args.weight_decay;
  config.schedule = args.schedule;
  config.steps_per_epoch = (split.train.size() + batch - 1) / batch;
  config.horizon_steps = std::max<std::int64_t>(1, config.steps_per_epoch * args.epochs);
  optim::Optimizer<S> optimizer = optim::make_optimizer<S>(args.optimizer, config);

  const int threads = args.threads > 0
                          ? args.threads
                          : std::clamp(int(std::thread::hardware_concurrency()), 1, 4);
  ThreadPool pool(threads);

  // The recipe: everything needed to rerun, and for eval/backprop to rebuild the data.
  std::vector<std::string> activations;
  for (auto h : net.spec().activations) activations.push_back(nn::to_string(h));
  const json recipe = {
      {"data", args.source.to_json()},
      {"arch", fmt::format("{}", fmt::join(net.spec().sizes, "-"))},
      {"activations", activations},
      {"loss", nn::to_string(net.spec().loss)},
      {"bias", net.spec().bias},
      {"tying", nn::to_string(net.spec().tying)},
      {"dropout", nn::to_string(net.spec().dropout)},
      {"keep", net.spec().keep},
      {"init", args.init},
      {"optimizer", args.optimizer},
      {"optimizer_description", optimizer.describe()},
      {"lr", args.lr},
      {"weight_decay", args.weight_decay},
      {"schedule", args.schedule},
      {"batch", batch},
      {"epochs", args.epochs},
      {"sampling", args.sampling},
      {"seed", args.seed},
      {"threads", threads},
      {"precision", args.precision},
      {"eval_train", args.eval_train}};

  json log = {{"command", command_line},
              {"version", NNLAB_VERSION},
              {"started", report::utc_timestamp()},
              {"status", "running"},
              {"message", ""},
              {"recipe", recipe},
              {"data", {{"train", dataset_json(split.train.template cast<float>())},
                        {"test", test_set ? dataset_json(split.test.template cast<float>()) : json(nullptr)}}},
              {"parameters", net.num_params()},
              {"checkpoint", args.out.empty() ? json(nullptr) : json("model.safetensors")},
              {"epochs", json::array()},
              {"timings", json::object()}};
  const auto save = [&](const std::string& status, int epochs_done) {
    if (args.out.empty()) return;
    log["status"] = status;
    log["timings"] = {{"load_seconds", load_seconds}, {"total_seconds", seconds_since(started)}};
    // The checkpoint before the log, so a log never names epochs its checkpoint lacks.
    nn::save_checkpoint(out / "model.safetensors", net,
                        {{"recipe", recipe.dump()},
                         {"epochs_trained", std::to_string(epochs_done)},
                         {"status", status}});
    write_file_atomic(out / "log.json", log.dump(2) + "\n");
  };

  fmt::print("data: {} ({} samples, {} inputs, {}), test: {}\n", split.train.name, split.train.size(),
             split.train.inputs(),
             classification ? fmt::format("{} classes", split.train.num_classes)
                            : fmt::format("{} targets", split.train.outputs()),
             test_set ? fmt::format("{} samples", test_set->size()) : std::string("none"));
  fmt::print("model: {} {}, {} parameters, {} precision; {}, batch {}, {} epochs, {} thread(s)\n",
             recipe["arch"].get<std::string>(), fmt::join(activations, ","), net.num_params(),
             args.precision, optimizer.describe(), batch, args.epochs, threads);
  std::fflush(stdout);
  save("running", 0);

  const bool tty = Progress::stderr_is_tty();
  std::optional<Progress> bar;
  auto epoch_start = Clock::now();
  train::Observer observer;
  observer.on_step = [&](int epoch, Index step, Index steps, double loss) {
    if (!tty) return;
    if (step == 1) bar.emplace(fmt::format("epoch {}/{}", epoch, args.epochs), true);
    bar->update(double(step) / double(steps), fmt::format("loss {:.4f}", loss));
  };
  observer.on_epoch = [&](const train::EpochRecord& r) {
    bar.reset();  // clears the bar's line
    fmt::print("{}\n", epoch_line(r, args.epochs, classification, seconds_since(epoch_start)));
    std::fflush(stdout);
    log["epochs"].push_back(epoch_json(r));
    save("running", r.epoch);
    epoch_start = Clock::now();
  };
  observer.stop_requested = [] { return stop_signal != 0; };
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  train::TrainOptions options{.batch = batch,
                              .epochs = args.epochs,
                              .sampling = sampling,
                              .seed = args.seed,
                              .eval_train = args.eval_train};
  const train::TrainResult result =
      train::train(net, optimizer, split.train, test_set, options, &pool, observer);
  bar.reset();

  const int done = int(result.epochs.size());
  if (result.diverged || result.interrupted) {
    log["message"] = result.message;
    save(result.diverged ? "diverged" : "interrupted", done);
    std::fprintf(stderr, "nnlab: %s%s%s\n", result.diverged ? "error: " : "", result.message.c_str(),
                 args.out.empty() ? ""
                                  : fmt::format("; saved those to {} and the log to {}",
                                                (out / "model.safetensors").string(),
                                                (out / "log.json").string())
                                        .c_str());
    return result.diverged ? exit_error : exit_interrupted;
  }
  save("completed", done);
  const double total = seconds_since(started);
  if (done > 0 && test_set)
    fmt::print("final: test {} after {} epochs, {:.1f} s in all\n",
               classification ? fmt::format("accuracy {:.2f}%", 100 * result.epochs.back().test_accuracy)
                              : fmt::format("loss {:.4f}", result.epochs.back().test_loss),
               done, total);
  if (!args.out.empty())
    fmt::print("saved {} and {}\n", (out / "model.safetensors").string(), (out / "log.json").string());
  else
    fmt::print("nothing saved (no --out DIR)\n");
  return exit_ok;
}

Subcommand setup(CLI::App& parent) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* app = parent.add_subcommand(
      "train",
      "Train a fully connected network on a data set and save a checkpoint (safetensors) and a "
      "log.\nDefaults train fashion-mnist to about 89-90% test accuracy in a few minutes.");
  app->footer(
      "Dropout: p is the KEEP probability (Srivastava et al. 2014); PyTorch's nn.Dropout(p) takes "
      "the DROP probability, so torch p = 0.2 is --keep 0.8.\n"
      "Losses: cross_entropy = mean over the batch (torch CrossEntropyLoss), mse = mean over all "
      "entries (torch MSELoss), sum_of_squares = 1/2 sum (PRML 5.11).\n"
      "Outputs in --out DIR: model.safetensors (W_k as (n_{k+1}, n_k), b_k as (n_{k+1}), architecture "
      "and recipe in __metadata__) and log.json (recipe, per-epoch records, status, timings), both "
      "rewritten after every epoch. Ctrl-C stops after the current step and saves the last "
      "completed epoch (status \"interrupted\", exit code 130). See docs/cli.md.");
  add_data_options(*app, args->source, false);
  app->add_option("--arch", args->arch,
                  "layer sizes n_1-…-n_{L+1}, e.g. 784-512-512-10; the ends must equal the data's "
                  "inputs and outputs (default: <inputs>-512-512-<outputs>)");
  app->add_option("--activation", args->activation,
                  "hidden activation for all hidden layers, or a comma list, one per hidden layer: "
                  "identity, relu, sigmoid, tanh, softplus, gelu")
      ->capture_default_str();
  app->add_option("--loss", args->loss,
                  "cross_entropy (default for class labels), mse (default otherwise), sum_of_squares");
  app->add_flag("--no-bias", args->no_bias, "no biases b_k");
  app->add_option("--tying", args->tying,
                  "weight tying: none, hidden (one W for all hidden-to-hidden layers), all")
      ->capture_default_str();
  app->add_option("--dropout", args->dropout,
                  "none, standard (mask in training, scale by p at inference) or inverted (mask and "
                  "divide by p in training)")
      ->capture_default_str();
  app->add_option("--keep", args->keep,
                  "KEEP probabilities p in (0, 1]: 'p_in,p_hidden', one per layer input "
                  "'p_1,…,p_L', or 'p' for the hidden layers only (inputs kept). Not PyTorch's "
                  "drop probability")
      ->capture_default_str();
  app->add_option("--init", args->init, "uniform (PyTorch's default), he_normal, glorot_uniform, orthogonal")
      ->capture_default_str();
  app->add_option("--optimizer", args->optimizer, "sgd, momentum, nesterov, adagrad, rmsprop, adam")
      ->capture_default_str();
  app->add_option("--lr", args->lr, "learning rate η > 0 (the schedule's η₀)")->capture_default_str();
  app->add_option("--momentum", args->momentum, "heavy-ball momentum (sgd, momentum, nesterov)");
  app->add_option("--beta1", args->beta1, "Adam β₁ (default 0.9)");
  app->add_option("--beta2", args->beta2, "Adam β₂ (default 0.999)");
  app->add_option("--rho", args->rho, "RMSProp decay ρ");
  app->add_option("--eps", args->eps, "ε of adagrad, rmsprop, adam");
  app->add_option("--weight-decay", args->weight_decay, "L2 coefficient λ added to the gradient as λθ")
      ->capture_default_str();
  app->add_option("--schedule", args->schedule,
                  "learning-rate schedule: constant, step:K:GAMMA (×GAMMA every K epochs), cosine "
                  "(to 0 over the run), cosine:T[:LR_MIN] (T epochs)")
      ->capture_default_str();
  app->add_option("--batch", args->batch, "minibatch size B ≥ 1")->capture_default_str();
  app->add_option("--epochs", args->epochs, "passes over the training set (0 saves the initial parameters)")
      ->capture_default_str();
  app->add_option("--sampling", args->sampling, "reshuffle (random reshuffling) or with_replacement")
      ->capture_default_str();
  app->add_option("--seed", args->seed, "seed of initialization, dropout masks and batch order")
      ->capture_default_str();
  app->add_option("--threads", args->threads,
                  "worker threads (0 = up to 4); results are bit-identical for any count")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_option("--precision", args->precision, "float or double")
      ->capture_default_str()
      ->check(CLI::IsMember({"float", "double"}));
  app->add_flag("--eval-train", args->eval_train, "also evaluate the whole training set after each epoch");
  app->add_option("--out", args->out, "folder for model.safetensors and log.json (nothing saved without it)");

  return {app, [args, app] {
            std::string command_line = "nnlab train";
            for (const auto* option : app->get_options())
              if (option->count() > 0 && !option->get_lnames().empty()) {
                command_line += " --" + option->get_lnames().front();
                if (option->get_expected_min() > 0) command_line += " " + option->as<std::string>();
              }
            return args->precision == "double" ? run_train<double>(*args, *app, command_line)
                                               : run_train<float>(*args, *app, command_line);
          }};
}

const Registrar registrar{40, setup};

}  // namespace
}  // namespace nnlab::cli
