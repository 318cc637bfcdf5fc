// nnlab eval: the loss E (the checkpoint's loss, with its reduction: a mean for cross_entropy
// and mse, ½Σ for sum_of_squares) and the classification accuracy of a checkpoint on a data
// split, in inference mode (standard dropout scales by p, inverted dropout is the identity).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "command.hpp"
#include "data_source.hpp"

namespace nnlab::cli {
namespace {

struct EvalArgs {
  std::string checkpoint;
  DataSource source;
  std::string split = "test";
  bool json = false;
  int threads = 0;
};

template <class S>
int evaluate(nn::Mlp<S>& net, const EvalArgs& args, const DataSource& source) {
  const data::Dataset<S> d = load_chosen_split<S>(source, args.split);
  require_fit(net, d, args.checkpoint);
  ThreadPool pool(args.threads > 0 ? args.threads : std::clamp(int(std::thread::hardware_concurrency()), 1, 4));
  const double loss = net.dataset_loss(d.X, d.Y, 1000, &pool);
  const double accuracy = d.is_classification() ? net.accuracy(d.X, d.labels, 1000, &pool) : -1;
  const std::string loss_name = nn::to_string(net.spec().loss);
  if (args.json) {
    const nlohmann::ordered_json j = {{"checkpoint", args.checkpoint},
                                      {"data", source.to_json()},
                                      {"split", args.split},
                                      {"dataset", d.name},
                                      {"samples", d.size()},
                                      {"loss_kind", loss_name},
                                      {"loss", loss},
                                      {"accuracy", accuracy < 0 ? nlohmann::ordered_json(nullptr)
                                                                : nlohmann::ordered_json(accuracy)}};
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{} on {} ({} samples): {} loss {:.6g}", args.checkpoint, d.name, d.size(), loss_name, loss);
    if (accuracy >= 0) fmt::print("  accuracy {:.2f}%", 100 * accuracy);
    fmt::print("\n");
  }
  return exit_ok;
}

Subcommand setup(CLI::App& parent) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* app = parent.add_subcommand(
      "eval", "Loss and accuracy of a checkpoint on the test split (or --split train)");
  app->footer(
      "Without --data, the data source recorded by nnlab train in the checkpoint is used (the same "
      "CSV split and standardization).\nThe loss has the checkpoint's reduction: cross_entropy and "
      "mse are means over the samples, sum_of_squares is 1/2 of the sum.");
  app->add_option("checkpoint", args->checkpoint, "model.safetensors written by nnlab train")->required();
  add_data_options(*app, args->source, false);
  app->add_option("--split", args->split, "test or train")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "train"}));
  app->add_flag("--json", args->json, "print one JSON object instead of a line");
  app->add_option("--threads", args->threads, "worker threads (0 = up to 4)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  return {app, [args, app] {
            return on_checkpoint(*app, args->source, args->checkpoint,
                                 [&](auto& net, const DataSource& source) { return evaluate(net, *args, source); });
          }};
}

const Registrar registrar{50, setup};

}  // namespace
}  // namespace nnlab::cli
