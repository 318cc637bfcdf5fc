// nnlab: the command line. Subcommands live in cli/<cmd>.cpp and register themselves
// (command.hpp). Errors become one line on stderr: nnlab::Error -> exit 1, a command-line
// mistake -> CLI11's exit code, anything else -> "internal error", exit 2.
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "command.hpp"
#include "strict_values.hpp"

int main(int argc, char** argv) {
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
      if (sub.app->parsed()) return sub.run();
    return exit_ok;
  } catch (const nnlab::Error& e) {
    std::fprintf(stderr, "nnlab: error: %s\n", e.what());
    return exit_error;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "nnlab: error: out of memory; try a smaller network, batch or data set\n");
    return exit_error;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nnlab: internal error: %s\n", e.what());
    return exit_internal;
  }
}
