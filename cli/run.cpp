// nnlab run LAB: one lab with chosen parameters; prints the answer and one line per claim.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "command.hpp"
#include "nnlab/core/mpi.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/report/markup.hpp"
#include "nnlab/report/runner.hpp"
#include "progress.hpp"

namespace nnlab::cli {
namespace {

struct Options {
  std::string lab;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  int threads = 0;
  bool quick = false;
  std::string out = ".";
  bool show_params = false;
};

std::string range_text(const labs::ParamSpec& p) {
  if (!p.choices.empty()) {
    std::string s;
    for (const auto& c : p.choices) s += (s.empty() ? "" : "|") + c;
    return s;
  }
  if (p.type == labs::ParamType::boolean || p.type == labs::ParamType::text ||
      p.type == labs::ParamType::path)
    return "";
  const bool lo = p.min > -1e300, hi = p.max < 1e300;
  if (lo && hi) return fmt::format("[{}, {}]", p.min, p.max);
  if (lo) return fmt::format(">= {}", p.min);
  if (hi) return fmt::format("<= {}", p.max);
  return "";
}

void print_params(const labs::Lab& lab) {
  const auto specs = lab.params();
  fmt::print("{} ({}): {}\n\n", lab.id(), lab.sheet(), lab.question());
  if (specs.empty()) {
    fmt::print("This lab has no parameters.\n");
    return;
  }
  struct Row { std::string name, type, full, quick, range, help; };
  std::vector<Row> rows{{"NAME", "TYPE", "DEFAULT", "QUICK", "RANGE", "MEANING"}};
  for (const auto& p : specs)
    rows.push_back({p.name, std::string(labs::type_name(p.type)), p.default_value,
                    p.quick_value.empty() ? p.default_value : p.quick_value, range_text(p), p.help});
  std::array<std::size_t, 5> w{};
  for (const auto& r : rows)
    for (std::size_t k = 0; const auto* s : {&r.name, &r.type, &r.full, &r.quick, &r.range})
      w[k] = std::max(w[k], s->size()), ++k;
  for (const auto& r : rows)
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", r.name, w[0], r.type, w[1], r.full,
               w[2], r.quick, w[3], r.range, w[4], r.help);
  fmt::print("\nChange one with --set NAME=VALUE; --quick uses the QUICK column.\n");
}

int run(const Options& o) {
  const labs::Lab* found = nullptr;
  mpi::agreed([&] { found = &report::lab_by_id(o.lab); });  // every rank refuses together
  const labs::Lab& lab = *found;
  if (o.show_params) {
    print_params(lab);
    return exit_ok;
  }
  // Under mpirun each rank checks the values (a path may exist on one node and not on another).
  std::optional<labs::Params> resolved;
  mpi::agreed([&] { resolved = labs::Params::resolve(lab.params(), o.quick, parse_sets(o.sets), lab.id()); });
  const labs::Params& params = *resolved;
  mpi::on_root([&] { report::require_writable(std::filesystem::path(o.out) / "results"); });

  Progress progress(lab.id(), Progress::stderr_is_tty());
  const auto record = report::run_lab(lab, params, o.seed, o.threads, o.quick, o.out,
                                      [&](double f, std::string_view what) { progress.update(f, what); });
  progress.finish();

  const auto& result = record.result;
  fmt::print("{}  {}\n\n{}\n\n", lab.sheet(), lab.question(), report::markup_to_text(result.answer));
  for (const auto& p : result.parts)
    fmt::print("({}) {}\n{}\n\n", p.id, report::markup_to_text(p.question),
               report::markup_to_text(p.answer));
  std::size_t passed = 0;
  for (const auto& c : result.claims) {
    passed += c.pass;
    fmt::print("{}  ({}) {}: {} = {}; {}\n", c.pass ? "PASS" : "FAIL", c.part,
               report::markup_to_text(c.statement), report::markup_to_text(c.quantity), c.measured,
               c.test);
  }
  for (const auto& w : record.warnings) fmt::print(stderr, "nnlab: warning: {}\n", w);
  fmt::print("\n{}/{} claims passed in {:.1f} s (seed {}, {} setting). Results: {}\n", passed,
             result.claims.size(), record.seconds, o.seed, o.quick ? "quick" : "full",
             (std::filesystem::path(o.out) / "results" / (lab.id() + ".json")).string());
  return passed == result.claims.size() ? exit_ok : exit_claim_failed;
}

Subcommand setup(CLI::App& parent) {
  auto o = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("run", "Run one lab and print its answer and claims");
  app->add_option("LAB", o->lab, "Lab id (see nnlab list)")->required();
  app->add_option("--set", o->sets, "Set a parameter: NAME=VALUE (repeatable; see --params)")
      ->type_name("NAME=VALUE");
  app->add_option("--seed", o->seed, "Seed of every random stream")->capture_default_str();
  app->add_option("--threads", o->threads, "Worker threads (0: all cores)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->add_flag("--quick", o->quick, "Use the quick setting (seconds instead of minutes)");
  app->add_option("--out", o->out, "Write DIR/results/LAB.json, CSVs and SVGs")
      ->type_name("DIR")
      ->capture_default_str();
  app->add_flag("--params", o->show_params,
                "Show the lab's parameters (name, type, default, quick value, meaning) and exit");
  app->footer(
      "Exit codes: 0 all claims PASS, 3 the run completed but a claim FAILed,\n"
      "1 error (unknown lab or parameter, bad value, unwritable --out, the lab failed).");
  return {app, [o] { return run(*o); }};
}

const Registrar registrar{20, setup};

}  // namespace
}  // namespace nnlab::cli
