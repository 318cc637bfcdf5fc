// Runs labs, writes results/<lab>.json + per-figure CSV and SVG, renders report/index.html.
#include "nnlab/report/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/core/mpi.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/experiment/mpi_executor.hpp"
#include "nnlab/report/csv.hpp"
#include "nnlab/report/html.hpp"
#include "nnlab/report/plot.hpp"

namespace nnlab::report {

const labs::Lab& lab_by_id(std::string_view id) {
  const labs::Lab* lab = labs::find_lab(id);
  require(lab != nullptr, "unknown lab '{}'; see nnlab list", id);
  return *lab;
}

void require_writable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("cannot create output folder '{}': {}", dir.string(), ec.message());
  // A folder can exist and still refuse files (read-only mounts, permissions).
  const auto probe = dir / ".nnlab-write-test";
  try {
    write_file_atomic(probe, "");
  } catch (const Error&) {
    fail("cannot write to output folder '{}'", dir.string());
  }
  std::filesystem::remove(probe, ec);
}

namespace {

bool file_name_safe(const std::string& id) {
  return !id.empty() && id.front() != '.' &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

int thread_count(int threads) {
  return threads > 0 ? threads : mpi::default_threads();
}

// CSV for every figure and, when gnuplot can draw it, an SVG; a stale SVG from an earlier
// run is removed when no new one is drawn, so the report never shows an old plot.
void write_figures(RunRecord& record, const std::filesystem::path& lab_dir) {
  const bool have_gnuplot = gnuplot_available();
  if (!have_gnuplot && !record.result.figures.empty())
    record.warnings.push_back("gnuplot was not found on PATH: figures are available as CSV only");
  for (const auto& figure : record.result.figures) {
    write_figure_csv(figure, lab_dir / (figure.id + ".csv"));
    if (figure.field) write_file_atomic(lab_dir / (figure.id + ".field.csv"), field_csv(*figure.field));
    const auto svg = lab_dir / (figure.id + ".svg");
    bool drawn = false;
    if (have_gnuplot) {
      try {
        drawn = write_figure_svg(figure, svg);
      } catch (const Error& e) {
        record.warnings.push_back(e.what());
      }
    }
    std::error_code ec;
    if (!drawn) std::filesystem::remove(svg, ec);
  }
}

RunRecord new_record(const labs::Lab& lab, std::uint64_t seed, bool quick) {
  RunRecord record;
  record.lab = lab.id();
  record.sheet = lab.sheet();
  record.question = lab.question();
  record.nnlab_version = NNLAB_VERSION;
  record.seed = seed;
  record.quick = quick;
  record.started = utc_timestamp();
  return record;
}

// See run_lab in runner.hpp: a path parameter's default that is not there (Params::resolve
// refused any other value that is not) is a warning of the record.
void note_unavailable_paths(const labs::Lab& lab, const labs::Params& params, RunRecord& record) {
  for (const auto& [name, problem] : params.unavailable())
    record.warnings.push_back(fmt::format("{} = {} (the default), so the part of {} that reads it was skipped",
                                          name, problem, lab.id()));
}

// The run itself: the record with its result, checked, and its warnings; nothing is written.
// Its items run on `executor` (this process's pool, or spread over the MPI job's ranks).
RunRecord compute(experiment::Executor& executor, const labs::Lab& lab, const labs::Params& params,
                  std::uint64_t seed, bool quick, const std::filesystem::path& lab_dir,
                  const ProgressFn& progress) {
  RunRecord record = new_record(lab, seed, quick);
  record.params = params.items();
  note_unavailable_paths(lab, params, record);
  const labs::Context context{.seed = seed, .lab = lab.id(), .executor = &executor,
                              .out_dir = lab_dir, .quick = quick, .mutant = {},  // the true theory
                              .progress = progress};
  const auto t0 = std::chrono::steady_clock::now();
  record.result = lab.run(params, context);
  record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  record.finished = utc_timestamp();
  validate_result(record.result, lab.id());
  return record;
}

// Under mpirun the items are spread over every rank and rank 0 alone writes (mpi::on_root: a
// failure to write is every rank's error).
RunRecord run_on(ThreadPool& pool, const labs::Lab& lab, const labs::Params& params,
                 std::uint64_t seed, bool quick, const std::filesystem::path& out_root,
                 const ProgressFn& progress) {
  const auto results_dir = out_root / "results";
  const auto lab_dir = results_dir / lab.id();
  mpi::on_root([&] { require_writable(results_dir); });
  experiment::MpiExecutor executor(pool);
  RunRecord record = compute(executor, lab, params, seed, quick, lab_dir, progress);
  mpi::on_root([&] {
    write_figures(record, lab_dir);
    write_record(record, results_dir / (lab.id() + ".json"));
  });
  return record;
}

}  // namespace

void validate_result(const experiment::Result& result, std::string_view lab_id) {
  std::set<std::string> ids;
  for (const auto& t : result.tables) {
    require(file_name_safe(t.id), "lab '{}': table id '{}' is not file-name safe", lab_id, t.id);
    require(ids.insert("table:" + t.id).second, "lab '{}': table id '{}' is used twice", lab_id,
            t.id);
    for (std::size_t i = 0; i < t.rows.size(); ++i)
      require(t.rows[i].size() == t.columns.size(),
              "lab '{}': table '{}' row {} has {} cells for {} columns", lab_id, t.id, i,
              t.rows[i].size(), t.columns.size());
  }
  for (const auto& f : result.figures) {
    require(file_name_safe(f.id), "lab '{}': figure id '{}' is not file-name safe", lab_id, f.id);
    require(ids.insert("figure:" + f.id).second, "lab '{}': figure id '{}' is used twice", lab_id,
            f.id);
    for (const auto& l : f.lines)
      require((l.x.empty() || l.x.size() == l.y.size()) &&
                  (l.err.empty() || l.err.size() == l.y.size()),
              "lab '{}': figure '{}' line '{}' has {} x, {} y and {} err values", lab_id, f.id,
              l.name, l.x.size(), l.y.size(), l.err.size());
  }
}

RunRecord run_lab(const labs::Lab& lab, const labs::Params& params, std::uint64_t seed,
                  int threads, bool quick, const std::filesystem::path& out_root,
                  const ProgressFn& progress) {
  ThreadPool pool(thread_count(threads));
  return run_on(pool, lab, params, seed, quick, out_root, progress);
}

RunRecord run_lab_unwritten(const labs::Lab& lab, const labs::Params& params, std::uint64_t seed,
                            int threads, bool quick, const ProgressFn& progress) {
  ThreadPool pool(thread_count(threads));
  experiment::PoolExecutor executor(pool);
  return compute(executor, lab, params, seed, quick, {}, progress);
}

bool ReportOutcome::any_failed() const {
  return std::any_of(labs.begin(), labs.end(),
                     [](const LabOutcome& o) { return o.status == LabOutcome::Status::failed; });
}

bool ReportOutcome::all_claims_pass() const {
  return std::all_of(labs.begin(), labs.end(),
                     [](const LabOutcome& o) { return o.claims_passed == o.claims; });
}

ReportOutcome run_report(const ReportOptions& options, const ProgressFn& progress) {
  // The selection, in report order (sheet, then id), without duplicates.
  std::vector<const labs::Lab*> selection;
  if (options.only.empty()) {
    selection = labs::all_labs();
  } else {
    std::set<const labs::Lab*> chosen;
    mpi::agreed([&] {  // every rank refuses an unknown id together
      for (const auto& id : options.only) chosen.insert(&lab_by_id(id));
    });
    for (const labs::Lab* lab : labs::all_labs())
      if (chosen.count(lab)) selection.push_back(lab);
  }
  const auto results_dir = options.out_root / "results";
  const auto report_dir = options.out_root / "report";
  mpi::on_root([&] {
    require_writable(results_dir);
    require_writable(report_dir);
  });

  // Read every record that --resume might reuse before anything is written (rank 0 reads; it
  // tells the other ranks which labs it reuses).
  std::map<std::string, RunRecord> previous;
  if (options.resume)
    mpi::on_root([&] {
      for (const labs::Lab* lab : selection) {
        const auto path = results_dir / (lab->id() + ".json");
        if (std::filesystem::exists(path)) previous.emplace(lab->id(), read_record(path, lab->id()));
      }
    });

  ThreadPool pool(thread_count(options.threads));
  ReportOutcome outcome;
  const double n = double(std::max<std::size_t>(selection.size(), 1));
  for (std::size_t i = 0; i < selection.size(); ++i) {
    const labs::Lab& lab = *selection[i];
    LabOutcome o;
    o.lab = lab.id();
    const auto started = utc_timestamp();
    const auto report = [&](double f, std::string_view what) {
      if (progress) progress((double(i) + std::clamp(f, 0.0, 1.0)) / n, fmt::format("{}: {}", lab.id(), what));
    };
    try {
      std::optional<labs::Params> resolved;  // every rank checks (paths may differ by node)
      mpi::agreed([&] { resolved = labs::Params::resolve(lab.params(), options.quick, {}, lab.id()); });
      const labs::Params& params = *resolved;
      const auto it = previous.find(lab.id());
      std::vector<std::byte> reuse{std::byte(
          it != previous.end() && it->second.error.empty() && it->second.seed == options.seed &&
          it->second.quick == options.quick && it->second.nnlab_version == NNLAB_VERSION &&
          it->second.params == params.items())};
      mpi::broadcast(reuse);
      RunRecord record;
      if (reuse[0] != std::byte(0)) {
        report(1.0, "unchanged, reused");
        if (it != previous.end()) record = it->second;  // rank 0 (the others print nothing)
        o.status = LabOutcome::Status::reused;
      } else {
        report(0.0, "starting");
        record = run_on(pool, lab, params, options.seed, options.quick, options.out_root, report);
      }
      o.claims = record.result.claims.size();
      o.claims_passed = std::size_t(std::count_if(record.result.claims.begin(),
                                                  record.result.claims.end(),
                                                  [](const experiment::Claim& c) { return c.pass; }));
      o.seconds = record.seconds;
    } catch (const std::exception& e) {
      o.status = LabOutcome::Status::failed;
      o.error = e.what();
      RunRecord failed = new_record(lab, options.seed, options.quick);
      failed.started = started;
      failed.finished = utc_timestamp();
      failed.error = e.what();
      mpi::on_root([&] { write_record(failed, results_dir / (lab.id() + ".json")); });
    }
    outcome.labs.push_back(std::move(o));
  }

  if (progress) progress(1.0, "writing report");
  outcome.html = report_dir / "index.html";
  mpi::on_root([&] {
    std::vector<RunRecord> records;
    for (const labs::Lab* lab : selection)
      records.push_back(read_record(results_dir / (lab->id() + ".json"), lab->id()));
    write_file_atomic(outcome.html, render_html(records, results_dir, report_dir));
  });
  return outcome;
}

}  // namespace nnlab::report
