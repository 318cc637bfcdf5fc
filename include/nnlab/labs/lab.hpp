// A lab turns one question of the exercise sheet into an experiment: typed parameters with
// defaults and a quick setting, run(params, context) -> Result. A Result carries the short
// answer, the evidence (tables, figures) and claims: statements from theory with a
// numerical check that can fail.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "nnlab/core/stream.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/data/dataset.hpp"
#include "nnlab/experiment/executor.hpp"
#include "nnlab/experiment/result.hpp"

namespace nnlab::labs {

// What a lab returns is the experiment kernel's Result; labs speak of it by these names.
using experiment::Cell, experiment::Table, experiment::Line, experiment::Figure, experiment::Claim,
    experiment::Result;

// ---------------------------------------------------------------- parameters
using Value = std::variant<std::int64_t, double, bool, std::string>;

// path: a file or folder. Params::resolve checks it: a value set away from its default must exist
// (and, for a folder with `files`, hold each of them), so a typo stops the run instead of quietly
// skipping the part of the lab that reads it; a default that does not exist (an optional Debian
// package is missing) is allowed and reported by Params::available and Params::unavailable.
enum class ParamType { integer, real, boolean, text, real_list, path };

// "integer", "real", "boolean", "text", "real list", "path": for messages and parameter listings.
std::string_view type_name(ParamType type);

struct ParamSpec {
  std::string name;        // e.g. "trials"
  ParamType type;
  std::string help;        // one line, with units / meaning
  std::string default_value;  // as typed on the command line: "200", "0.5", "true", "0.1,0.5,0.9"
  std::string quick_value;    // the quick setting's value; empty = same as default
  double min = -1e300;     // inclusive bounds for integer, real and every element of real_list
  double max = 1e300;
  std::vector<std::string> choices;  // for text: the allowed values (empty = any)
  std::vector<std::string> files;    // for path: files the folder must hold (empty = any path)
};

// A numeric or text parameter in one line; quick_value empty = the default.
ParamSpec spec(std::string name, ParamType type, std::string help, std::string default_value,
               std::string quick_value = {}, double min = -1e300, double max = 1e300);

// A path parameter: a file, or a folder that must hold `files` (names relative to it).
ParamSpec path_spec(std::string name, std::string help, std::string default_value,
                    std::vector<std::string> files = {});

// Resolved, validated parameter values. Getters throw nnlab::Error for unknown names or
// wrong types (a lab bug, not a user error).
class Params {
 public:
  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const std::string& text(std::string_view name) const;
  std::vector<double> real_list(std::string_view name) const;
  const std::string& path(std::string_view name) const;
  // Whether path parameter `name` exists (holding its files); false only for a default that does
  // not, since resolve refuses any other value that does not.
  bool available(std::string_view name) const;
  // The path parameters that are not available, each as (name, why): "'/x' does not exist" or
  // "'/x' lacks a.csv".
  const std::vector<std::pair<std::string, std::string>>& unavailable() const { return unavailable_; }
  // The values as typed strings, in spec order: for JSON, --resume comparison and display.
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  // Parses and validates: starts from defaults (or quick values), applies `sets` ("name",
  // "value") in order. Unknown names get an Error listing the valid ones; ill-typed or
  // out-of-range values (NaN and Inf included) an Error naming the parameter, the value and what
  // is expected; a path set away from its default that does not exist, or a folder that lacks
  // one of its files, an Error naming the path and what is missing.
  static Params resolve(const std::vector<ParamSpec>& specs, bool quick,
                        const std::vector<std::pair<std::string, std::string>>& sets);
  // The same, with messages that name the lab: "unknown parameter 'x' for lab 'y'; valid: …".
  static Params resolve(const std::vector<ParamSpec>& specs, bool quick,
                        const std::vector<std::pair<std::string, std::string>>& sets,
                        std::string_view lab_id);

 private:
  std::vector<std::pair<std::string, std::string>> items_;
  std::map<std::string, Value, std::less<>> values_;  // real_list kept as its canonical text
  std::map<std::string, ParamType, std::less<>> types_;
  std::vector<std::pair<std::string, std::string>> unavailable_;
};

// ---------------------------------------------------------------- running
// What a running lab is given. Randomness comes only from here, by name:
//   Rng design_rng = context.rng("design");   // a named stream, e.g. a fixed design
//   const auto errors = context.trials<double>("noise", n, [&](std::size_t t, Rng& rng) {
//     return test_error(fit(draw_training_set(rng)));   // one trial, returned, not stored
//   });
//   const auto cells = context.sweep<std::vector<double>>("by-n", n_list.size(), trials,
//       [&](std::size_t cell, std::size_t t, Rng& rng) { ... });   // cell-major results
// Sections are names unique within the lab; streams never collide, whatever the numbers of
// cells and trials (core/stream.hpp), and results do not depend on the executor or thread
// count (experiment/executor.hpp: result types, nested parallelism).
struct Context {
  std::uint64_t seed = 1;
  std::string lab;  // the running lab's id, part of every stream key
  experiment::Executor* executor = nullptr;  // never null while a lab runs
  std::filesystem::path out_dir;  // where the lab may write extra files (results/<lab>/)
  bool quick = false;
  // Test-only: the name of one of the lab's mutants() to run instead of the true theory; empty
  // = the true theory. The CLI and the report never set it.
  std::string mutant;
  // progress(fraction in [0,1], what is being done); may be empty
  std::function<void(double, std::string_view)> progress;

  Rng rng(std::string_view section) const { return make_rng(Section{seed, lab, section}); }
  // For a lab's own parallel work outside trials (one big training run); may be nullptr.
  ThreadPool* pool() const { return executor->pool(); }
  void report(double fraction, std::string_view what) const {
    if (progress) progress(fraction, what);
  }
  // body(trial, rng) → T for trial in [0, n); results in trial order.
  template <experiment::Shippable T, class Body>
  std::vector<T> trials(std::string_view section, std::size_t n, Body&& body) const {
    return experiment::trials<T>(*executor, Section{seed, lab, section}, n, body);
  }
  // body(cell, trial, rng) → T over cells × trials; the result of (c, t) is at c·trials + t.
  template <experiment::Shippable T, class Body>
  std::vector<T> sweep(std::string_view section, std::size_t cells, std::size_t trials,
                       Body&& body) const {
    return experiment::sweep<T>(*executor, Section{seed, lab, section}, cells, trials, body);
  }
};

// A plausible wrong theory (a student's or an implementer's): it replaces the lab's theory
// functions, never its measurements, and some claim must then fail by a clear margin
// (tests/labs/mutants_test.cpp).
struct Mutant {
  std::string name;         // e.g. "keep-drop"
  std::string description;  // one line: what the wrong theory says
  std::vector<std::string> parts{};  // the parts whose theory it replaces; empty: every part
};

class Lab {
 public:
  virtual ~Lab() = default;
  virtual std::string id() const = 0;        // "dropout-linreg"
  virtual std::string sheet() const = 0;     // "9.1.6"
  virtual std::string question() const = 0;  // the question in one line
  virtual std::vector<ParamSpec> params() const = 0;
  virtual Result run(const Params& params, const Context& context) const = 0;
  // The wrong theories this lab's claims catch; every registered lab declares at least three.
  virtual std::vector<Mutant> mutants() const { return {}; }
};

// The mutant a lab should run (context.mutant), checked against lab.mutants(): "" for the true
// theory. Throws nnlab::Error for a name the lab does not declare.
std::string_view active_mutant(const Lab& lab, const Context& context);
// Whether the lab runs a part: always, except under a mutant that names its parts and not this
// one — the part's measurements and claims would repeat the true theory's run, at full cost.
bool runs_part(const Lab& lab, const Context& context, std::string_view part);
// The text of a part runs_part skipped: "Not run: mutant M replaces the theory of (a) and (b) only."
std::string skipped_part(const Lab& lab, const Context& context);
// A part's answer: evidence() if the lab runs the part, else skipped_part's text.
template <class Evidence>
std::string part_answer(const Lab& lab, const Context& context, std::string_view part, Evidence&& evidence) {
  return runs_part(lab, context, part) ? std::string(evidence()) : skipped_part(lab, context);
}

// The parameter `fashion_dir` of a lab that reads Fashion-MNIST: the folder in the MNIST layout
// (by default Debian's dataset-fashion-mnist) with the four files shared_fashion_mnist reads;
// `absent` says in its help what the lab does without it ("part (b) is skipped").
ParamSpec fashion_dir_spec(std::string_view absent);

// Fashion-MNIST (both halves, float, X in [0, 1]) from an MNIST-layout folder, read once per
// process and shared by every lab that draws subsets of it: gunzipping the images costs ~0.5 s a
// read, which a report or a test run would otherwise pay in every run of every such lab.
const data::Split<float>& shared_fashion_mnist(const std::filesystem::path& dir);

// The registry, sorted by sheet reference then id.
std::vector<const Lab*> all_labs();
const Lab* find_lab(std::string_view id);  // nullptr if unknown
void register_lab(std::unique_ptr<Lab> lab);

// In a lab's .cpp: NNLAB_REGISTER_LAB(DropoutLinreg);
#define NNLAB_REGISTER_LAB(Type)                                         \
  namespace {                                                            \
  const bool registered_##Type = [] {                                    \
    ::nnlab::labs::register_lab(std::make_unique<Type>());               \
    return true;                                                         \
  }();                                                                   \
  }

}  // namespace nnlab::labs
