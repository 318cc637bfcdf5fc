// nnlab sweep LAB --grid NAME=V1,V2,… --seeds N: a lab over a grid of its parameters × seeds, one
// tidy table and a summary figure (report/sweep.hpp); alone or under mpirun.
#include <fmt/format.h>

#include <memory>

#include "command.hpp"
#include "nnlab/core/mpi.hpp"
#include "nnlab/report/sweep.hpp"
#include "progress.hpp"

namespace nnlab::cli {
namespace {

struct Options {
  report::SweepOptions sweep;
  std::vector<std::string> grid, sets;
  std::string out = ".";
};

int run(Options& o) {
  mpi::agreed([&] {
    for (const auto& g : o.grid) o.sweep.grid.push_back(report::parse_grid(g));
    o.sweep.sets = parse_sets(o.sets);
  });
  o.sweep.out_root = o.out;
  report::SweepOutcome outcome;
  {
    Progress progress("sweep " + o.sweep.lab, Progress::stderr_is_tty());
    outcome = report::run_sweep(o.sweep, [&](double f, std::string_view what) { progress.update(f, what); });
    progress.finish();
  }
  fmt::print("{} runs ({} reused from an earlier sweep), {} failed; {}/{} claims passed.\n",
             outcome.runs, outcome.reused, outcome.failed, outcome.claims_passed, outcome.claims);
  fmt::print("Table: {}\n", (outcome.dir / "table.csv").string());
  if (outcome.failed > 0) {
    fmt::print(stderr, "nnlab: error: {} run(s) failed (see the error column of the table)\n", outcome.failed);
    return exit_error;
  }
  return outcome.claims_passed == outcome.claims ? exit_ok : exit_claim_failed;
}

Subcommand setup(CLI::App& parent) {
  auto o = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "sweep", "Run one lab over a grid of its parameters × seeds: one table and a summary figure");
  app->add_option("LAB", o->sweep.lab, "Lab id (see nnlab list)")->required();
  app->add_option("--grid", o->grid,
                  "Sweep a parameter over these values (repeatable: the grid is the Cartesian "
                  "product; see nnlab run LAB --params)")
      ->type_name("NAME=V1,V2,...")
      ->required();
  app->add_option("--set", o->sets, "Fix another parameter: NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  app->add_option("--seeds", o->sweep.seeds, "Run every cell with seeds 1..N")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app->add_flag("--quick", o->sweep.quick, "Quick setting for the parameters not in the grid");
  app->add_option("--out", o->out, "Write DIR/sweep/LAB/ (runs/, table.csv, table.json, summary.svg)")
      ->type_name("DIR")
      ->capture_default_str();
  app->add_flag("--resume", o->sweep.resume,
                "Reuse the runs of an earlier sweep in DIR with the same parameters, seed, setting "
                "and version");
  app->add_option("--threads", o->sweep.threads,
                  "Worker threads per process (0: its cores; under mpirun its share of the node)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->footer(
      "Under mpirun (mpirun -np K nnlab sweep ...) the runs are spread over the K ranks and rank 0\n"
      "writes every file (docs/mpi.md). Each run is stored as soon as it ends, so --resume after a\n"
      "stopped sweep redoes only the missing runs.\n"
      "Exit codes: 0 every claim of every run PASSes, 3 a claim FAILed, 1 error (bad --grid value,\n"
      "unknown lab or parameter, unwritable --out, a run failed).");
  return {app, [o] { return run(*o); }};
}

const Registrar registrar{25, setup};

}  // namespace
}  // namespace nnlab::cli
