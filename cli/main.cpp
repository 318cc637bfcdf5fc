// nnlab: the command line. Subcommands live in cli/<cmd>.cpp and register themselves
// (command.hpp). Errors become one line on stderr: nnlab::Error -> exit 1, a command-line
// mistake -> CLI11's exit code, anything else -> "internal error", exit 2.
// Under mpirun every rank runs this same main (SPMD, docs/mpi.md): an error every rank agreed on
// (mpi::AgreedError) is printed once, by rank 0, and every rank returns its code; an error one
// rank saw alone ends the whole job through mpi::abort.
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "command.hpp"
#include "nnlab/core/mpi.hpp"
#include "strict_values.hpp"

namespace {

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  nnlab::mpi::Session session(argc, argv);
  try {
    std::string command_line;
    for (int i = 1; i < argc; ++i) command_line += std::string(i > 1 ? " " : "") + argv[i];
    nnlab::mpi::require_same(command_line, "the command line");
    // Every rank exits with rank 0's code (rank 0 alone knows, e.g., the claims of reused labs).
    const int code = run(argc, argv);
    // Out before any rank can exit: mpirun stops the job as soon as one rank exits non-zero, and
    // rank 0's buffered lines would go with it. No rank leaves the broadcast before rank 0 is in.
    std::fflush(nullptr);
    std::vector<std::byte> shared{std::byte(code)};
    nnlab::mpi::broadcast(shared);
    nnlab::mpi::settle(int(shared[0]));
    return int(shared[0]);
  } catch (const nnlab::mpi::AgreedError& e) {
    nnlab::mpi::settle(e.internal() ? nnlab::cli::exit_internal : nnlab::cli::exit_error);
    std::fprintf(stderr, "nnlab: %serror: %s\n", e.internal() ? "internal " : "", e.what());
    std::fflush(nullptr);
    nnlab::mpi::barrier();  // as above: every rank exits only after rank 0's line is out
    return e.internal() ? nnlab::cli::exit_internal : nnlab::cli::exit_error;
  }
}

namespace {

// One rank's own failure (the others may wait in a collective for it): one line and the exit
// code; in a job of several ranks, mpi::abort ends them all.
int fail_alone(const char* kind, const std::string& message, int code) {
  if (nnlab::mpi::size() > 1) nnlab::mpi::abort(kind + (": " + message), code);
  std::fprintf(stderr, "nnlab: %s: %s\n", kind, message.c_str());
  return code;
}

int run(int argc, char** argv) {
  using namespace nnlab::cli;
  CLI::App app{"nnlab: numerical experiments for the theory of neural-network training.\n"
               "Each lab answers one question of the exercise sheet and checks claims from "
               "theory against measurements.",
               "nnlab"};
  app.set_version_flag("--version", std::string("nnlab ") + NNLAB_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Start with `nnlab list`, then `nnlab run LAB` or `nnlab report`.\n"
      "`nnlab run LAB --params` shows a lab's parameters; COMMAND --help shows its options.\n"
      "Exit codes: 0 done, 1 error (bad input, unwritable output, a lab failed),\n"
      "2 internal error, 3 done but a claim FAILed, 130 train stopped by Ctrl-C (what it had\n"
      "done is saved); command-line mistakes use CLI11's codes.");
  // One line per mistake, like every other error of nnlab.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "nnlab: error: " + std::string(e.what()) + " (see nnlab --help)\n";
  });

  auto& registered = commands();
  std::stable_sort(registered.begin(), registered.end(),
                   [](const Command& a, const Command& b) { return a.order < b.order; });
  std::vector<Subcommand> subcommands;
  for (const auto& command : registered) subcommands.push_back(command.setup(app));
  require_strict_values(app);

  // CLI11 would only say "A subcommand is required" for a misspelt command or option.
  if (argc > 1) {
    const std::string first = argv[1];
    std::string known;
    bool found = first == "-h" || first == "--help" || first == "--version";
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      found = found || sub->get_name() == first;
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::fprintf(stderr, "nnlab: error: unknown %s '%s'; commands: %s\n",
                   first.starts_with('-') ? "option" : "command", first.c_str(), known.c_str());
      return exit_error;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (const auto& sub : subcommands)
      if (sub.app->parsed()) {
        // These write their --out file from one process; under mpirun every rank would.
        const std::string name = sub.app->get_name();
        if (nnlab::mpi::size() > 1 && (name == "eval" || name == "backprop" || name == "hessian"))
          throw nnlab::mpi::AgreedError(
              "nnlab " + name + " runs in one process: start it without mpirun", false);
        return sub.run();
      }
    return exit_ok;
  } catch (const nnlab::mpi::AgreedError&) {
    throw;
  } catch (const nnlab::Error& e) {
    return fail_alone("error", e.what(), exit_error);
  } catch (const std::bad_alloc&) {
    return fail_alone("error", "out of memory; try a smaller network, batch or data set", exit_error);
  } catch (const std::exception& e) {
    return fail_alone("internal error", e.what(), exit_internal);
  }
}

}  // namespace
