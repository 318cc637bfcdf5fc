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

#include "nnlab/core/rng.hpp"
#include "nnlab/core/thread_pool.hpp"
#include "nnlab/experiment/result.hpp"

namespace nnlab::labs {

// What a lab returns is the experiment kernel's Result; labs speak of it by these names.
using experiment::Cell, experiment::Table, experiment::Line, experiment::Figure, experiment::Claim,
    experiment::Result;

// ---------------------------------------------------------------- parameters
using Value = std::variant<std::int64_t, double, bool, std::string>;

enum class ParamType { integer, real, boolean, text, real_list };

// "integer", "real", "boolean", "text", "real list": for messages and parameter listings.
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
};

// Resolved, validated parameter values. Getters throw nnlab::Error for unknown names or
// wrong types (a lab bug, not a user error).
class Params {
 public:
  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const std::string& text(std::string_view name) const;
  std::vector<double> real_list(std::string_view name) const;
  // The values as typed strings, in spec order: for JSON, --resume comparison and display.
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  // Parses and validates: starts from defaults (or quick values), applies `sets` ("name",
  // "value") in order. Unknown names get an Error listing the valid ones; ill-typed or
  // out-of-range values an Error naming the parameter, the value and what is expected.
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
};

// ---------------------------------------------------------------- running
struct Context {
  std::uint64_t seed = 1;
  ThreadPool* pool = nullptr;     // never null while a lab runs
  std::filesystem::path out_dir;  // where the lab may write extra files (results/<lab>/)
  bool quick = false;
  // progress(fraction in [0,1], what is being done); may be empty
  std::function<void(double, std::string_view)> progress;

  Rng rng(std::uint64_t stream_id) const { return make_rng(seed, stream_id); }
  void report(double fraction, std::string_view what) const {
    if (progress) progress(fraction, what);
  }
  // Runs body(t, rng_t) for t in [0, n) on the pool, rng_t = rng(stream::trials + stream_base + t).
  // Results written to slot t of a preallocated vector are then independent of the threads.
  void trials(std::size_t n, std::uint64_t stream_base,
              const std::function<void(std::size_t, Rng&)>& body) const;
};

class Lab {
 public:
  virtual ~Lab() = default;
  virtual std::string id() const = 0;        // "dropout-linreg"
  virtual std::string sheet() const = 0;     // "9.1.6"
  virtual std::string question() const = 0;  // the question in one line
  virtual std::vector<ParamSpec> params() const = 0;
  virtual Result run(const Params& params, const Context& context) const = 0;
};

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
