// nnlab train: trains an Mlp on a data set by minibatch first-order optimization and saves
//   DIR/model.safetensors  the parameters (W_k as (n_{k+1}, n_k), see nn/checkpoint.hpp)
//   DIR/log.json           the recipe, one record per epoch, status and timings,
// both rewritten after every epoch as one atomic switch (core/file.hpp: write_files_together:
// they are symlinks into DIR/.current), so a run stopped in any way, kill -9 included, keeps
// what it did, and the two files always describe the same epoch.
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
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>

#include "command.hpp"
#include "data_source.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/core/mpi.hpp"
#include "nnlab/nn/checkpoint.hpp"
#include "nnlab/optim/optimizer.hpp"
#include "nnlab/report/result_json.hpp"
#include "nnlab/train/recipe.hpp"
#include "progress.hpp"
#include "strict_values.hpp"

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
  int threads = 0;  // 0: the CPUs per rank (mpi::default_threads), at most 4
  std::string precision = "float";
  bool eval_train = false;
  bool data_parallel = false;
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
  const std::string problem = check_decimal_real(text);
  require(problem.empty(), "--keep: {}", problem);
  const double p = std::strtod(text.c_str(), nullptr);
  require(p > 0 && p <= 1,
          "--keep {}: a keep probability p must be in (0, 1] (p is the probability of KEEPING a "
          "unit; PyTorch's Dropout(p) takes the drop probability 1 - p)",
          text);
  return p;
}

// TrainArgs → Recipe. Names are parsed here, before the (slow) data load, so a typo fails fast.
train::Recipe make_recipe(const TrainArgs& args, const CLI::App& app) {
  train::Recipe r;
  r.data = args.source;
  if (!args.arch.empty()) r.sizes = nn::MlpSpec::parse_sizes(args.arch);
  r.activations.clear();
  for (const auto& h : split_list(args.activation)) r.activations.push_back(nn::parse_activation(h));
  if (!args.loss.empty()) r.loss = nn::parse_loss(args.loss);
  r.bias = !args.no_bias;
  r.tying = nn::parse_tying(args.tying);
  r.dropout = nn::parse_dropout_kind(args.dropout);
  r.keep.clear();
  if (r.dropout != nn::DropoutKind::none)
    for (const auto& p : split_list(args.keep)) r.keep.push_back(parse_keep_value(p));
  r.init = nn::parse_init(args.init);
  r.optimizer = args.optimizer;
  r.lr = args.lr;
  if (app.count("--momentum")) r.momentum = args.momentum;
  if (app.count("--beta1")) r.beta1 = args.beta1;
  if (app.count("--beta2")) r.beta2 = args.beta2;
  if (app.count("--rho")) r.rho = args.rho;
  if (app.count("--eps")) r.eps = args.eps;
  r.weight_decay = args.weight_decay;
  r.schedule = args.schedule;
  r.batch = args.batch;
  r.epochs = args.epochs;
  r.sampling = optim::parse_sampling(args.sampling);
  r.seed = args.seed;
  r.precision = args.precision;
  r.eval_train = args.eval_train;
  r.validate();
  return r;
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

// Refuses, before anything is allocated, a network whose training cannot fit in memory (it
// ended in std::bad_alloc, or ran on for minutes in swap). A lower bound, so nothing that fits
// is refused: θ, the gradient, the last good copy and the optimizer's state vectors, plus a,
// z and δ of one batch.
template <class S>
void require_memory(const train::Recipe& recipe) {
  nn::MlpSpec spec;
  spec.sizes = recipe.sizes;
  spec.bias = recipe.bias;
  spec.tying = recipe.tying;
  const double params = double(spec.num_params());
  const int state = recipe.optimizer == "adam" ? 2 : recipe.optimizer == "sgd" && recipe.momentum.value_or(0) == 0 ? 0 : 1;
  double units = 0;
  for (const Index n : recipe.sizes) units += double(n);
  const double batch = double(recipe.batch);
  const double need = double(sizeof(S)) * (params * (3 + state) + 3 * batch * units);
  const double available = available_memory();
  require(available == 0 || need <= available,
          "network {}: training needs at least {:.1f} GB ({:.0f} parameters in {}, {} optimizer state "
          "vector(s), activations of {:.0f} samples), but {:.1f} GB of memory is available",
          fmt::join(recipe.sizes, "-"), need / 1e9, params, recipe.precision, state, batch, available / 1e9);
}

// Checked before any work: --out names a folder that holds no earlier run (its checkpoint or log
// would be replaced at the first save, and its snapshots removed), and neither file to be written
// is the data. Nothing existing is overwritten; the folder itself is created only once every
// input is validated.
void require_new_run_folder(const std::filesystem::path& out, const DataSource& source) {
  std::error_code ec;
  require(!std::filesystem::exists(out, ec) || std::filesystem::is_directory(out, ec),
          "--out {}: is a file; name a folder (it gets model.safetensors and log.json)", out.string());
  for (const char* file : {"model.safetensors", "log.json"})
    require_output_file(out / file, "--out", {source.data, source.targets});
  for (const char* file : {"model.safetensors", "log.json", ".current"})
    require(!std::filesystem::exists(std::filesystem::symlink_status(out / file, ec)),
            "--out {}: already holds {} (an earlier run?); refusing to overwrite it: choose a new "
            "folder or move it away",
            out.string(), file);
}

template <class S>
int run_train(const TrainArgs& args, const CLI::App& app, const std::string& command_line) {
  const auto started = Clock::now();
  const auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  // Under mpirun: every rank loads the data and holds θ; rank 0 alone writes (and prints: the
  // other ranks' output goes to /dev/null, core/mpi.hpp). Every check is agreed, so that a
  // mistake ends every rank with one line.
  const int ranks = mpi::size();
  const bool leader = mpi::rank() == 0;
  train::Recipe given;
  mpi::agreed([&] {
    require(args.lr > 0 && std::isfinite(args.lr), "--lr must be positive, got {}", args.lr);
    require(args.batch >= 1, "--batch must be at least 1, got {}", args.batch);
    require(args.epochs >= 0, "--epochs must be ≥ 0, got {}", args.epochs);
    require(ranks == 1 || args.data_parallel,
            "nnlab train under mpirun ({} ranks) needs --data-parallel (each rank then computes its "
            "shard of every batch); without it every rank would train the same network",
            ranks);
    given = make_recipe(args, app);
  });
  const std::filesystem::path out = args.out;
  if (!args.out.empty()) mpi::on_root([&] { require_new_run_folder(out, args.source); });

  data::Split<S> split;
  train::Recipe recipe;  // as it runs: architecture, keep and loss resolved, data path absolute
  std::optional<nn::Mlp<S>> network;
  std::string description;
  mpi::agreed([&] {
    split = data::load_split<S>(args.source);
    recipe = given.resolved_for(split.train);
    require_memory<S>(recipe);
    network.emplace(train::make_network(recipe, split.train));
    description = recipe.make_optimizer<S>(split.train.size()).describe();
  });
  nn::Mlp<S>& net = *network;
  const double load_seconds = seconds_since(started);
  const data::Dataset<S>* test_set = split.test.size() > 0 ? &split.test : nullptr;
  const bool classification = split.train.is_classification();
  // Only now, with every input validated, does the folder appear: a refused run leaves none.
  if (!args.out.empty())
    mpi::on_root([&] {
      std::error_code ec;
      std::filesystem::create_directories(out, ec);
      require(std::filesystem::is_directory(out), "--out {}: cannot create the folder ({})", args.out,
              ec.message());
    });
  // Default: the CPUs this rank may use, shared with the other ranks on its node, at most 4.
  const int threads = args.threads > 0 ? args.threads : std::min(4, mpi::default_threads());
  ThreadPool pool(threads);

  std::vector<std::string> activations;
  for (auto h : net.spec().activations) activations.push_back(nn::to_string(h));
  json log = {{"command", command_line},
              {"version", NNLAB_VERSION},
              {"started", report::utc_timestamp()},
              {"status", "running"},
              {"message", ""},
              {"recipe", recipe.to_json()},
              {"optimizer", description},
              {"threads", threads},
              {"data_parallel", args.data_parallel ? json{{"ranks", ranks}} : json(nullptr)},
              {"data", {{"train", dataset_json(split.train.template cast<float>())},
                        {"test", test_set ? dataset_json(split.test.template cast<float>()) : json(nullptr)}}},
              {"parameters", net.num_params()},
              {"checkpoint", args.out.empty() ? json(nullptr) : json("model.safetensors")},
              {"epochs", json::array()},
              {"timings", json::object()}};
  const auto save = [&](const std::string& status, int epochs_done) {
    if (args.out.empty() || !leader) return;
    log["status"] = status;
    log["timings"] = {{"load_seconds", load_seconds}, {"total_seconds", seconds_since(started)}};
    // Both files switch together, so even a kill -9 leaves a checkpoint and a log of one epoch.
    const std::string checkpoint = nn::encode_checkpoint(net,
                                                         {{"recipe", recipe.to_json().dump()},
                                                          {"epochs_trained", std::to_string(epochs_done)},
                                                          {"status", status}},
                                                         out / "model.safetensors");
    write_files_together(out, {{"model.safetensors", checkpoint}, {"log.json", log.dump(2) + "\n"}});
  };

  fmt::print("data: {} ({} samples, {} inputs, {}), test: {}\n", split.train.name, split.train.size(),
             split.train.inputs(),
             classification ? fmt::format("{} classes", split.train.num_classes)
                            : fmt::format("{} targets", split.train.outputs()),
             test_set ? fmt::format("{} samples", test_set->size()) : std::string("none"));
  fmt::print("model: {} {}, {} parameters, {} precision; {}, batch {}, {} epochs, {} thread(s){}\n",
             fmt::join(recipe.sizes, "-"), fmt::join(activations, ","), net.num_params(),
             recipe.precision, description, recipe.batch, recipe.epochs, threads,
             args.data_parallel ? fmt::format(" per rank, data-parallel over {} rank(s)", ranks) : "");
  std::fflush(stdout);
  // Before the first save: once log.json exists, Ctrl-C must reach the handler (a test, or a
  // user, who waits for the log and then interrupts would otherwise kill the run unsaved).
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  save("running", 0);

  const bool tty = Progress::stderr_is_tty();
  std::optional<Progress> bar;
  auto epoch_start = Clock::now();
  const Index steps = (split.train.size() + recipe.batch - 1) / recipe.batch;
  double loss_sum = 0;
  train::Observer<S> observer;
  observer.on_batch = [&](const optim::BatchEvent<S>& e) {
    if (stop_signal != 0) return optim::Control::stop;
    if (!tty) return optim::Control::proceed;
    const Index step = e.step - e.epoch * steps;  // 0-based within the epoch
    if (step == 0) {
      bar.emplace(fmt::format("epoch {}/{}", e.epoch + 1, recipe.epochs), true);
      loss_sum = 0;
    }
    loss_sum += e.loss;
    bar->update(double(step + 1) / double(steps), fmt::format("loss {:.4f}", loss_sum / double(step + 1)));
    return optim::Control::proceed;
  };
  observer.on_epoch = [&](const optim::EpochEvent<S>&, const train::EpochRecord& r) {
    bar.reset();  // clears the bar's line
    fmt::print("{}\n", epoch_line(r, recipe.epochs, classification, seconds_since(epoch_start)));
    std::fflush(stdout);
    log["epochs"].push_back(epoch_json(r));
    save("running", r.epoch);
    epoch_start = Clock::now();
    return optim::Control::proceed;
  };
  train::TrainOptions options = recipe.options();
  options.data_parallel = args.data_parallel;
  optim::Optimizer<S> optimizer = recipe.make_optimizer<S>(split.train.size());
  const train::TrainResult result = train::train(net, optimizer, split.train, test_set, options, &pool, observer);
  bar.reset();

  const int done = int(result.epochs.size());
  if (result.diverged() || result.interrupted()) {
    log["message"] = result.message;
    save(result.diverged() ? "diverged" : "interrupted", done);
    std::fprintf(stderr, "nnlab: %s%s%s\n", result.diverged() ? "error: " : "", result.message.c_str(),
                 args.out.empty() ? ""
                                  : fmt::format("; saved those to {} and the log to {}",
                                                (out / "model.safetensors").string(),
                                                (out / "log.json").string())
                                        .c_str());
    return result.diverged() ? exit_error : exit_interrupted;
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
      "switched together after every epoch (symlinks into DIR/.current), so they always describe the "
      "same epoch. Ctrl-C stops after the current step and saves the last "
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
                  "worker threads (0 = the CPUs available per rank, at most 4); results are bit-identical for "
                  "any count")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_option("--precision", args->precision, "float or double")
      ->capture_default_str()
      ->check(CLI::IsMember({"float", "double"}));
  app->add_flag("--eval-train", args->eval_train, "also evaluate the whole training set after each epoch");
  app->add_flag("--data-parallel", args->data_parallel,
                "split every batch over the MPI ranks (mpirun -np K nnlab train ... --data-parallel): "
                "each rank computes the gradient of its block of the batch, the gradients are summed "
                "in rank order, every rank takes the same step; equals the 1-process run within "
                "rounding (bit for bit with 1 rank); rank 0 prints and writes. See docs/data-parallel.md");
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
