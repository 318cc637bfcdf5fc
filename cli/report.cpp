// nnlab report: every lab (or --only some), results/ and one HTML page, report/index.html.
#include <fmt/format.h>

#include <memory>

#include "command.hpp"
#include "nnlab/report/runner.hpp"
#include "progress.hpp"

namespace nnlab::cli {
namespace {

struct Options {
  report::ReportOptions report;
  std::string out = ".";
};

int run(Options& o) {
  o.report.out_root = o.out;
  report::ReportOutcome outcome;
  {
    Progress progress("report", Progress::stderr_is_tty());
    outcome = report::run_report(o.report,
                                 [&](double f, std::string_view what) { progress.update(f, what); });
    progress.finish();
  }
  std::vector<std::string> failed;
  for (const auto& lab : outcome.labs) {
    using Status = report::LabOutcome::Status;
    if (lab.status == Status::failed) {
      failed.push_back(lab.lab);
      fmt::print("ERROR {}: {}\n", lab.lab, lab.error);
      continue;
    }
    fmt::print("{}  {}: {}/{} claims{}\n", lab.claims_passed == lab.claims ? "PASS" : "FAIL",
               lab.lab, lab.claims_passed, lab.claims,
               lab.status == Status::reused ? " (unchanged, reused)"
                                            : fmt::format(" in {:.1f} s", lab.seconds));
  }
  fmt::print("\nReport: {}\n", std::filesystem::absolute(outcome.html).lexically_normal().string());
  if (!failed.empty()) {
    fmt::print(stderr, "nnlab: error: {} lab(s) failed: {} (see the report)\n", failed.size(),
               fmt::join(failed, ", "));
    return exit_error;
  }
  return outcome.all_claims_pass() ? exit_ok : exit_claim_failed;
}

Subcommand setup(CLI::App& parent) {
  auto o = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "report", "Run every lab and write DIR/results/ and one HTML page, DIR/report/index.html");
  app->add_flag("--quick", o->report.quick, "Quick setting of every lab (seconds each)");
  app->add_option("--out", o->out, "Output folder")->type_name("DIR")->capture_default_str();
  app->add_flag("--resume", o->report.resume,
                "Reuse results/LAB.json when it has the same parameters, seed, setting and version");
  app->add_option("--only", o->report.only, "Only these labs (comma-separated ids)")
      ->delimiter(',')
      ->type_name("LAB,...");
  app->add_option("--seed", o->report.seed, "Seed of every random stream")->capture_default_str();
  app->add_option("--threads", o->report.threads, "Worker threads (0: all cores)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  app->footer(
      "Exit codes: 0 all claims PASS, 3 a claim FAILed, 1 error (a lab failed, unwritable --out,\n"
      "unknown lab in --only, corrupt results file with --resume).");
  return {app, [o] { return run(*o); }};
}

const Registrar registrar{30, setup};

}  // namespace
}  // namespace nnlab::cli
