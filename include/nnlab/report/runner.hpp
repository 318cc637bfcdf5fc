// Running labs and writing their outputs:
//   <out>/results/<lab>.json            the run record (see result_json.hpp)
//   <out>/results/<lab>/<figure>.csv    each figure's data
//   <out>/results/<lab>/<figure>.svg    each figure drawn by gnuplot (if available)
//   <out>/report/index.html             the report, rendered from the JSON files
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nnlab/labs/lab.hpp"
#include "nnlab/report/result_json.hpp"

namespace nnlab::report {

// progress(fraction of the whole job in [0,1], what is being done).
using ProgressFn = std::function<void(double, std::string_view)>;

// The lab registered as `id`; Error "unknown lab 'x'; see nnlab list" otherwise.
const labs::Lab& lab_by_id(std::string_view id);

// Throws Error naming `dir` unless files can be created in it (creating it if needed).
void require_writable(const std::filesystem::path& dir);

// Checks what a lab returned: ids unique and file-name safe, table rows as wide as their
// columns, x, y, err of each line of equal length. Throws Error naming the lab and the item.
void validate_result(const experiment::Result& result, std::string_view lab_id);

// Runs `lab` with resolved `params` on `threads` threads (<= 0: all cores) and writes its
// JSON, CSVs and SVGs under out_root/results/. Exceptions from the lab propagate (nothing is
// written then). A path parameter (labs::ParamType::path) whose default is not there
// (Params::unavailable; any other value that is not there was refused by Params::resolve)
// becomes a warning of the record, saying that the part of the lab that needs it was skipped.
// Under mpirun (core/mpi.hpp) every rank calls it: the lab's items are spread over the ranks
// (experiment::MpiExecutor), every rank returns the whole record, and rank 0 alone writes.
RunRecord run_lab(const labs::Lab& lab, const labs::Params& params, std::uint64_t seed,
                  int threads, bool quick, const std::filesystem::path& out_root,
                  const ProgressFn& progress = {});

// The same run with nothing written, in this process only (for the Python module and for the
// cells of a sweep): the record's result, timings and warnings; the lab's Context::out_dir is empty.
RunRecord run_lab_unwritten(const labs::Lab& lab, const labs::Params& params, std::uint64_t seed,
                            int threads, bool quick, const ProgressFn& progress = {});

struct ReportOptions {
  bool quick = false;
  std::filesystem::path out_root = ".";
  // Reuse results/<lab>.json when it records the same parameters, seed, quick flag and
  // nnlab version and no error.
  bool resume = false;
  std::vector<std::string> only;  // lab ids; empty = every registered lab
  std::uint64_t seed = 1;
  int threads = 0;  // <= 0: all cores
};

struct LabOutcome {
  enum class Status { ran, reused, failed };
  std::string lab;
  Status status = Status::ran;
  std::size_t claims = 0, claims_passed = 0;
  double seconds = 0;
  std::string error;  // the lab's exception message when failed
};

struct ReportOutcome {
  std::vector<LabOutcome> labs;  // in report order
  std::filesystem::path html;    // out_root/report/index.html
  bool any_failed() const;       // a lab threw
  bool all_claims_pass() const;
};

// Runs every selected lab (a lab that throws is recorded as an error and the others go on),
// writes their outputs, then renders report/index.html from the JSON files of the selected
// labs. Under mpirun every rank calls it, as run_lab. With resume, every existing results/<lab>.json of the selection is read first, so a
// corrupt one stops the run with an Error naming it before anything is overwritten.
ReportOutcome run_report(const ReportOptions& options, const ProgressFn& progress = {});

}  // namespace nnlab::report
