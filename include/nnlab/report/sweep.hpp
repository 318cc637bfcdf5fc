// A lab over a grid of its parameters × seeds (`nnlab sweep`, docs/mpi.md):
//   <out>/sweep/<lab>/runs/cell-<c>-seed-<s>.json   one run record per grid cell × seed, written
//                                                  atomically as soon as the run ends
//   <out>/sweep/<lab>/table.csv, table.json          one row per cell × seed × claim
//   <out>/sweep/<lab>/summary.svg (and .csv)         each claim's pass rate against the first
//                                                  grid parameter
// Cells are numbered in grid order, the last --grid varying fastest. Under mpirun the runs are
// spread over the ranks (each run whole, on its rank's threads) and rank 0 writes every file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "nnlab/report/runner.hpp"

namespace nnlab::report {

struct SweepOptions {
  std::string lab;
  // (parameter, its values in order), as --grid name=v1,v2,…; every value is checked by the
  // lab's Params like --set.
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;
  std::vector<std::pair<std::string, std::string>> sets;  // fixed values of other parameters
  std::uint64_t seeds = 1;  // seeds 1 … seeds
  bool quick = false;
  std::filesystem::path out_root = ".";
  // Reuse a run record that has the same parameters, seed, setting and version and no error.
  bool resume = false;
  int threads = 0;  // per rank; <= 0: mpi::default_threads()
};

struct SweepOutcome {
  std::size_t runs = 0, reused = 0, failed = 0;  // failed: the lab threw (the record says why)
  std::size_t claims = 0, claims_passed = 0;     // over every run
  std::filesystem::path dir;                     // <out>/sweep/<lab>
};

// "name=v1,v2,…" → (name, values); Error for a malformed one (no '=', an empty or repeated value).
std::pair<std::string, std::vector<std::string>> parse_grid(const std::string& text);

// Checks the whole grid first (Error with the lab's message for a bad value, a parameter in the
// grid twice or also in sets, a list parameter), then runs what is missing and writes the files.
SweepOutcome run_sweep(const SweepOptions& options, const ProgressFn& progress = {});

}  // namespace nnlab::report
