// nnlab sweep: see sweep.hpp.
#include "nnlab/report/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/core/mpi.hpp"
#include "nnlab/report/csv.hpp"
#include "nnlab/report/markup.hpp"
#include "nnlab/report/plot.hpp"

namespace nnlab::report {
namespace {

struct Run {
  std::size_t cell;
  std::uint64_t seed;
  labs::Params params;
};

std::optional<double> as_number(const std::string& s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::filesystem::path run_path(const std::filesystem::path& dir, const Run& run) {
  return dir / "runs" / fmt::format("cell-{}-seed-{}.json", run.cell, run.seed);
}

// The grid's cells in order (last parameter fastest), each as its (name, value) pairs.
std::vector<std::vector<std::pair<std::string, std::string>>> cells_of(const SweepOptions& o) {
  std::vector<std::vector<std::pair<std::string, std::string>>> cells{{}};
  for (const auto& [name, values] : o.grid) {
    std::vector<std::vector<std::pair<std::string, std::string>>> next;
    for (const auto& cell : cells)
      for (const auto& v : values) {
        next.push_back(cell);
        next.back().emplace_back(name, v);
      }
    cells = std::move(next);
  }
  return cells;
}

// Every run, checked by the lab's Params (the CLI's messages), before any work.
std::vector<Run> plan(const labs::Lab& lab, const SweepOptions& o) {
  require(!o.grid.empty(), "sweep: give at least one --grid NAME=V1,V2,…");
  require(o.seeds >= 1 && o.seeds <= 100000, "sweep: --seeds must be in [1, 100000], got {}", o.seeds);
  const auto specs = lab.params();
  std::set<std::string> seen;
  for (const auto& [name, value] : o.sets) seen.insert(name);
  for (const auto& [name, values] : o.grid) {
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const labs::ParamSpec& p) { return p.name == name; });
    if (spec != specs.end() && spec->type == labs::ParamType::real_list)
      fail("--grid {}: a list parameter cannot be swept (its values contain commas); use --set", name);
    require(seen.insert(name).second, "--grid {}: the parameter is given twice (--grid or --set)", name);
  }
  std::vector<Run> runs;
  const auto cells = cells_of(o);
  for (std::size_t c = 0; c < cells.size(); ++c) {
    auto sets = o.sets;
    sets.insert(sets.end(), cells[c].begin(), cells[c].end());
    const auto params = labs::Params::resolve(specs, o.quick, sets, lab.id());
    for (std::uint64_t s = 1; s <= o.seeds; ++s) runs.push_back({c, s, params});
  }
  return runs;
}

bool reusable(const RunRecord& r, const Run& run, bool quick) {
  return r.error.empty() && r.seed == run.seed && r.quick == quick &&
         r.nnlab_version == NNLAB_VERSION && r.params == run.params.items();
}

std::string value_of(const Run& run, const std::string& name) {
  for (const auto& [n, v] : run.params.items())
    if (n == name) return v;
  return {};
}

// table.csv, table.json and the summary figure, from every run's record.
void write_summary(const labs::Lab& lab, const SweepOptions& o, const std::vector<Run>& runs,
                   const std::vector<RunRecord>& records, const std::filesystem::path& dir,
                   SweepOutcome& outcome) {
  std::string csv = "cell";
  for (const auto& [name, values] : o.grid) csv += "," + csv_field(name);
  csv += ",seed,claim_no,part,claim,quantity,measured,value,lo,hi,test,pass,error\n";
  Json rows = Json::array();
  // Claims are numbered 1, 2, … in first-seen order ("(part) statement" tells them apart); pass
  // counts per claim number and value of the first grid parameter.
  std::map<std::string, std::size_t> claim_no;
  std::vector<std::string> claim_part;
  std::map<std::size_t, std::map<std::string, std::pair<int, int>>> passes;
  const auto& [first, first_values] = o.grid.front();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    const auto& record = records[i];
    std::string head = fmt::format("{}", run.cell);
    Json grid = Json::object();
    for (const auto& [name, values] : o.grid) {
      head += "," + csv_field(value_of(run, name));
      grid[name] = value_of(run, name);
    }
    head += fmt::format(",{}", run.seed);
    const auto row = [&](const experiment::Claim* c, std::size_t number) {
      const std::string statement = c ? markup_to_text(c->statement) : "";
      const std::string quantity = c ? markup_to_text(c->quantity) : "";
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", head, c ? fmt::format("{}", number) : "",
                         csv_field(c ? c->part : ""),
                         csv_field(statement), csv_field(quantity), csv_field(c ? c->measured : ""),
                         c ? fmt::format("{},{},{}", c->value, c->lo, c->hi) : ",,",
                         csv_field(c ? markup_to_text(c->test) : ""), c ? (c->pass ? "1" : "0") : "",
                         csv_field(record.error));
      Json j{{"cell", run.cell}, {"params", grid}, {"seed", run.seed}};
      if (c) {
        j["claim_no"] = number;
        j["part"] = c->part;
        j["claim"] = statement;
        j["quantity"] = quantity;
        j["measured"] = c->measured;
        j["value"] = c->value;
        j["lo"] = c->lo;
        j["hi"] = c->hi;
        j["test"] = markup_to_text(c->test);
        j["pass"] = c->pass;
      } else {
        j["error"] = record.error;
      }
      rows.push_back(std::move(j));
    };
    if (!record.error.empty()) {
      ++outcome.failed;
      row(nullptr, 0);
      continue;
    }
    for (const auto& c : record.result.claims) {
      const auto [it, added] =
          claim_no.emplace(fmt::format("({}) {}", c.part, c.statement), claim_no.size() + 1);
      if (added) claim_part.push_back(c.part);
      row(&c, it->second);
      ++outcome.claims;
      outcome.claims_passed += c.pass;
      auto& [passed, total] = passes[it->second][value_of(run, first)];
      passed += c.pass;
      ++total;
    }
  }
  Json grid = Json::object();
  for (const auto& [name, values] : o.grid) grid[name] = values;
  const Json table{{"lab", lab.id()},   {"nnlab_version", NNLAB_VERSION}, {"quick", o.quick},
                   {"seeds", o.seeds},  {"grid", grid},                   {"rows", rows}};
  write_file_atomic(dir / "table.csv", csv);
  write_file_atomic(dir / "table.json", table.dump(1) + "\n");

  // Pass rate of each claim against the first parameter: its values if all are numbers, else
  // their positions 0, 1, … (named in the x label). Lines are named by claim_no and part (the
  // statements are in the table: as legend entries they would cover the plot).
  bool numeric = std::all_of(first_values.begin(), first_values.end(),
                             [](const std::string& v) { return as_number(v).has_value(); });
  experiment::Figure figure{.id = "summary",
                            .title = fmt::format("{}: each claim's pass rate (seeds 1-{}, other grid parameters)", lab.id(), o.seeds),
                            .x_label = first,
                            .y_label = "fraction of runs that pass",
                            .y_range = std::pair{0.0, 1.05}};
  if (!numeric) {
    std::string names;
    for (std::size_t k = 0; k < first_values.size(); ++k)
      names += fmt::format("{}{} = {}", k ? ", " : "", k, first_values[k]);
    figure.x_label = fmt::format("{} ({})", first, names);
  }
  for (std::size_t number = 1; number <= claim_part.size(); ++number) {
    experiment::Line line;
    line.name = fmt::format("claim {} ({})", number, claim_part[number - 1]);
    line.style = "linespoints";
    for (std::size_t k = 0; k < first_values.size(); ++k) {
      const auto& by_value = passes[number];
      const auto it = by_value.find(first_values[k]);
      if (it == by_value.end()) continue;
      line.x.push_back(numeric ? *as_number(first_values[k]) : double(k));
      line.y.push_back(double(it->second.first) / it->second.second);
    }
    figure.lines.push_back(std::move(line));
  }
  write_figure_csv(figure, dir / "summary.csv");
  std::error_code ec;
  if (!(gnuplot_available() && write_figure_svg(figure, dir / "summary.svg")))
    std::filesystem::remove(dir / "summary.svg", ec);
}

}  // namespace

std::pair<std::string, std::vector<std::string>> parse_grid(const std::string& text) {
  const auto eq = text.find('=');
  require(eq != std::string::npos && eq > 0, "--grid expects NAME=V1,V2,…, got '{}'", text);
  const std::string name = text.substr(0, eq);
  std::vector<std::string> values;
  for (std::size_t start = eq + 1;;) {
    const auto comma = text.find(',', start);
    const std::string v = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    require(!v.empty(), "--grid {}: an empty value in '{}'", name, text);
    require(std::find(values.begin(), values.end(), v) == values.end(),
            "--grid {}: the value '{}' is listed twice", name, v);
    values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {name, values};
}

SweepOutcome run_sweep(const SweepOptions& o, const ProgressFn& progress) {
  const labs::Lab* found = nullptr;
  mpi::agreed([&] { found = &lab_by_id(o.lab); });  // every rank refuses together
  const labs::Lab& lab = *found;
  std::vector<Run> runs;
  mpi::agreed([&] { runs = plan(lab, o); });  // every rank checks (paths may differ by node)
  SweepOutcome outcome;
  outcome.dir = o.out_root / "sweep" / lab.id();
  outcome.runs = runs.size();
  const auto dir = outcome.dir;

  // Rank 0 reads what --resume may reuse (a corrupt record stops the sweep before any work) and
  // tells the other ranks which runs are done.
  std::vector<std::byte> done(runs.size(), std::byte(0));
  mpi::on_root([&] {
    require_writable(dir / "runs");
    if (!o.resume) return;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto path = run_path(dir, runs[i]);
      if (std::filesystem::exists(path) && reusable(read_record(path, lab.id()), runs[i], o.quick))
        done[i] = std::byte(1);
    }
  });
  mpi::broadcast(done);
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (done[i] == std::byte(0)) todo.push_back(i);
  outcome.reused = runs.size() - todo.size();

  // Rounds of one run per rank; after each, rank 0 writes the round's records, so a sweep that
  // is stopped keeps every finished round.
  const auto ranks = std::size_t(mpi::size()), me = std::size_t(mpi::rank());
  for (std::size_t round = 0; round * ranks < todo.size(); ++round) {
    if (progress)
      progress(double(round * ranks) / double(todo.size()),
               fmt::format("{} of {} runs", round * ranks, todo.size()));
    std::string mine;
    if (const std::size_t k = round * ranks + me; k < todo.size()) {
      const Run& run = runs[todo[k]];
      RunRecord record;
      try {
        record = run_lab_unwritten(lab, run.params, run.seed, o.threads, o.quick);
        validate_result(record.result, lab.id());
      } catch (const std::exception& e) {
        record = RunRecord();
        record.lab = lab.id();
        record.sheet = lab.sheet();
        record.question = lab.question();
        record.nnlab_version = NNLAB_VERSION;
        record.seed = run.seed;
        record.quick = o.quick;
        record.params = run.params.items();
        record.started = record.finished = utc_timestamp();
        record.error = e.what();
      }
      mine = to_json(record).dump();
    }
    const auto all = mpi::allgather(std::as_bytes(std::span(mine.data(), mine.size())));
    mpi::on_root([&] {
      for (std::size_t r = 0; r < ranks && round * ranks + r < todo.size(); ++r) {
        const std::string text(reinterpret_cast<const char*>(all[r].data()), all[r].size());
        write_record(record_from_json(Json::parse(text)), run_path(dir, runs[todo[round * ranks + r]]));
      }
    });
  }
  if (progress) progress(1.0, "writing the table");
  mpi::on_root([&] {
    std::vector<RunRecord> records;
    for (const auto& run : runs) records.push_back(read_record(run_path(dir, run), lab.id()));
    write_summary(lab, o, runs, records, dir, outcome);
  });
  // The counts are rank 0's (main returns rank 0's exit code).
  return outcome;
}

}  // namespace nnlab::report
