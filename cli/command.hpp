// Subcommands register themselves. Each cli/<cmd>.cpp holds
//   const nnlab::cli::Registrar registrar{order, setup};
// where setup(app) adds the subcommand to `app` and returns it with the action that runs it
// once parsed. main.cpp sorts them by order (their place in --help) and runs the one given.
#pragma once
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nnlab/core/error.hpp"

namespace nnlab::cli {

// Exit codes shared by all commands (documented in `nnlab --help`).
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;          // bad input, unwritable output, a lab that threw
inline constexpr int exit_internal = 2;       // a bug: an unexpected exception
inline constexpr int exit_claim_failed = 3;   // the run completed but a claim FAILed
inline constexpr int exit_interrupted = 130;  // Ctrl-C (SIGINT) or SIGTERM stopped the run, 128 + 2

struct Subcommand {
  CLI::App* app;              // as added to the parent
  std::function<int()> run;   // returns the exit code
};

struct Command {
  int order;
  std::function<Subcommand(CLI::App&)> setup;
};

inline std::vector<Command>& commands() {
  static std::vector<Command> all;  // filled by static Registrars before main runs
  return all;
}

struct Registrar {
  Registrar(int order, std::function<Subcommand(CLI::App&)> setup) {
    commands().push_back({order, std::move(setup)});
  }
};

// "name=value" pairs from repeated --set options; Error for a word without '='.
inline std::vector<std::pair<std::string, std::string>> parse_sets(
    const std::vector<std::string>& sets) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    require(eq != std::string::npos && eq > 0, "--set expects name=value, got '{}'", s);
    out.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return out;
}

// Checked before any work: Error unless `output`, the file that `option` names, can be written
// without destroying something, i.e. it is not a folder and not one of the command's `inputs`
// (the same file under any name: hard links and symlinks count). No command overwrites its input.
inline void require_output_file(const std::filesystem::path& output, std::string_view option,
                                std::initializer_list<std::filesystem::path> inputs) {
  std::error_code ec;
  require(!std::filesystem::is_directory(output, ec), "{} {}: is a folder; name a file to write",
          option, output.string());
  for (const auto& input : inputs)
    require(input.empty() || !std::filesystem::equivalent(output, input, ec),
            "{} {}: is an input of this command ({}); refusing to overwrite it", option,
            output.string(), input.string());
}

// The same, and `output` must not exist yet: a command that writes one result file never replaces
// an earlier result (train refuses an earlier run folder in the same way).
inline void require_new_output_file(const std::filesystem::path& output, std::string_view option,
                                    std::initializer_list<std::filesystem::path> inputs) {
  require_output_file(output, option, inputs);
  std::error_code ec;
  require(!std::filesystem::exists(std::filesystem::symlink_status(output, ec)),
          "{} {}: exists; refusing to overwrite it: choose a new name or move it away", option, output.string());
}

// Bytes of memory available to this process (Linux MemAvailable), 0 if unknown.
inline double available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemAvailable:") return kib * 1024;
    meminfo.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace nnlab::cli
