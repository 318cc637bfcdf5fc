// The lab framework: parameter parsing and validation, and the registry of labs.
#include "nnlab/labs/lab.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "nnlab/core/error.hpp"
#include "nnlab/data/fashion_mnist.hpp"

namespace nnlab::labs {

std::string_view type_name(ParamType type) {
  switch (type) {
    case ParamType::integer: return "integer";
    case ParamType::real: return "real";
    case ParamType::boolean: return "boolean";
    case ParamType::text: return "text";
    case ParamType::real_list: return "real list";
    case ParamType::path: return "path";
  }
  return "unknown";
}

// ---------------------------------------------------------------- parameters
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whole-string number parses; nullopt if anything is left over or the value is not finite.
std::optional<std::int64_t> parse_integer(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_real(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<bool> parse_boolean(std::string_view s) {
  const std::string v = lower(trim(s));
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  return std::nullopt;
}

// Where a parameter lives, for messages: "parameter 'p'" or "parameter 'p' for lab 'l'".
std::string where(const ParamSpec& spec, std::string_view lab_id) {
  return lab_id.empty() ? fmt::format("parameter '{}'", spec.name)
                        : fmt::format("parameter '{}' for lab '{}'", spec.name, lab_id);
}

std::string bounds_text(const ParamSpec& spec) {
  const bool has_min = spec.min > -1e300, has_max = spec.max < 1e300;
  if (has_min && has_max) return fmt::format("in [{}, {}]", spec.min, spec.max);
  if (has_min) return fmt::format(">= {}", spec.min);
  return fmt::format("<= {}", spec.max);
}

void check_bounds(const ParamSpec& spec, double v, std::string_view raw, std::string_view lab_id) {
  if (v < spec.min || v > spec.max)
    fail("{} must be {}, got '{}'", where(spec, lab_id), bounds_text(spec), raw);
}

// Parses one value of `spec`; returns the typed value and its canonical text (so that
// "0.50" and "0.5" compare equal for --resume).
std::pair<Value, std::string> parse_value(const ParamSpec& spec, std::string_view raw,
                                          std::string_view lab_id) {
  const auto ill_typed = [&](std::string_view expected) {
    fail("{} expects {}, got '{}'", where(spec, lab_id), expected, raw);
  };
  switch (spec.type) {
    case ParamType::integer: {
      const auto v = parse_integer(raw);
      if (!v) ill_typed("an integer");
      check_bounds(spec, double(*v), raw, lab_id);
      return {*v, std::to_string(*v)};
    }
    case ParamType::real: {
      const auto v = parse_real(raw);
      if (!v) ill_typed("a finite real number");
      check_bounds(spec, *v, raw, lab_id);
      return {*v, fmt::format("{}", *v)};
    }
    case ParamType::boolean: {
      const auto v = parse_boolean(raw);
      if (!v) ill_typed("a boolean (true/false, yes/no, 1/0)");
      return {*v, *v ? "true" : "false"};
    }
    case ParamType::text: {
      const std::string v(trim(raw));
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), v) == spec.choices.end())
        fail("{} must be one of {}, got '{}'", where(spec, lab_id),
             fmt::join(spec.choices, ", "), raw);
      return {v, v};
    }
    case ParamType::path: {
      const std::string v(trim(raw));
      if (v.empty()) fail("{} expects a file or folder, got ''", where(spec, lab_id));
      return {v, v};
    }
    case ParamType::real_list: {
      std::vector<double> list;
      std::string_view rest = raw;
      for (;;) {
        const auto comma = rest.find(',');
        const auto v = parse_real(rest.substr(0, comma));
        if (!v) ill_typed("a comma-separated list of real numbers, e.g. '0.1,0.5,1'");
        check_bounds(spec, *v, raw, lab_id);
        list.push_back(*v);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      const std::string text = fmt::format("{}", fmt::join(list, ","));
      return {text, text};
    }
  }
  fail("{} has an unknown type", where(spec, lab_id));
}

// "" if path `value` exists and, when spec.files is not empty, is a folder holding each of them;
// else why not: "'/x' does not exist", "'/x' is not a folder", "'/x' lacks a.csv".
std::string path_problem(const ParamSpec& spec, const std::string& value) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(value, ec)) return fmt::format("'{}' does not exist", value);
  if (spec.files.empty()) return {};
  if (!fs::is_directory(value, ec))
    return fmt::format("'{}' is not a folder (expected one holding {})", value, fmt::join(spec.files, ", "));
  std::vector<std::string> missing;
  for (const auto& file : spec.files)
    if (!fs::is_regular_file(fs::path(value) / file, ec)) missing.push_back(file);
  if (missing.empty()) return {};
  return fmt::format("'{}' lacks {} (expected a folder holding {})", value, fmt::join(missing, ", "),
                     fmt::join(spec.files, ", "));
}

}  // namespace

ParamSpec path_spec(std::string name, std::string help, std::string default_value,
                    std::vector<std::string> files) {
  ParamSpec s = spec(std::move(name), ParamType::path, std::move(help), std::move(default_value));
  s.files = std::move(files);
  return s;
}

ParamSpec fashion_dir_spec(std::string_view absent) {
  return path_spec("fashion_dir",
                   fmt::format("folder with Fashion-MNIST in the MNIST layout (Debian package "
                               "dataset-fashion-mnist); {}", absent),
                   std::string(data::fashion_mnist_dir),
                   {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"});
}

ParamSpec spec(std::string name, ParamType type, std::string help, std::string default_value,
               std::string quick_value, double min, double max) {
  return {.name = std::move(name), .type = type, .help = std::move(help),
          .default_value = std::move(default_value), .quick_value = std::move(quick_value),
          .min = min, .max = max, .choices = {}, .files = {}};
}

Params Params::resolve(const std::vector<ParamSpec>& specs, bool quick,
                       const std::vector<std::pair<std::string, std::string>>& sets) {
  return resolve(specs, quick, sets, {});
}

Params Params::resolve(const std::vector<ParamSpec>& specs, bool quick,
                       const std::vector<std::pair<std::string, std::string>>& sets,
                       std::string_view lab_id) {
  std::vector<std::string> raw;
  std::set<std::string, std::less<>> seen;
  for (const auto& spec : specs) {
    require(seen.insert(spec.name).second, "{} is declared twice", where(spec, lab_id));
    raw.push_back(quick && !spec.quick_value.empty() ? spec.quick_value : spec.default_value);
  }
  for (const auto& [name, value] : sets) {
    const auto it = std::find_if(specs.begin(), specs.end(),
                                 [&](const ParamSpec& s) { return s.name == name; });
    if (it == specs.end()) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.name);
      const std::string valid = names.empty() ? "it takes none"
                                              : fmt::format("valid: {}", fmt::join(names, ", "));
      if (lab_id.empty()) fail("unknown parameter '{}'; {}", name, valid);
      fail("unknown parameter '{}' for lab '{}'; {}", name, lab_id, valid);
    }
    raw[std::size_t(it - specs.begin())] = value;
  }
  Params params;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto [value, text] = parse_value(specs[i], raw[i], lab_id);
    if (specs[i].type == ParamType::path) {
      const std::string& default_value =
          quick && !specs[i].quick_value.empty() ? specs[i].quick_value : specs[i].default_value;
      const std::string problem = path_problem(specs[i], text);
      if (!problem.empty()) {
        // A typo must not quietly skip the part of the lab that reads the path.
        if (text != std::string(trim(default_value))) fail("{}: {}", where(specs[i], lab_id), problem);
        params.unavailable_.emplace_back(specs[i].name, problem);
      }
    }
    params.values_.emplace(specs[i].name, std::move(value));
    params.types_.emplace(specs[i].name, specs[i].type);
    params.items_.emplace_back(specs[i].name, std::move(text));
  }
  return params;
}

namespace {

// The stored value of `name`, checked to be of `type`; a mismatch is a bug in the lab.
template <class T>
const T& get(const std::map<std::string, Value, std::less<>>& values,
             const std::map<std::string, ParamType, std::less<>>& types, std::string_view name,
             ParamType type) {
  const auto it = types.find(name);
  require(it != types.end(), "no parameter '{}' was declared", name);
  require(it->second == type, "parameter '{}' is a {}, not a {}", name, type_name(it->second),
          type_name(type));
  return std::get<T>(values.find(name)->second);
}

}  // namespace

std::int64_t Params::integer(std::string_view name) const {
  return get<std::int64_t>(values_, types_, name, ParamType::integer);
}
double Params::real(std::string_view name) const {
  return get<double>(values_, types_, name, ParamType::real);
}
bool Params::boolean(std::string_view name) const {
  return get<bool>(values_, types_, name, ParamType::boolean);
}
const std::string& Params::text(std::string_view name) const {
  return get<std::string>(values_, types_, name, ParamType::text);
}
const std::string& Params::path(std::string_view name) const {
  return get<std::string>(values_, types_, name, ParamType::path);
}
bool Params::available(std::string_view name) const {
  path(name);  // a declared path parameter
  return std::none_of(unavailable_.begin(), unavailable_.end(),
                      [&](const auto& u) { return u.first == name; });
}
std::vector<double> Params::real_list(std::string_view name) const {
  const auto& text = get<std::string>(values_, types_, name, ParamType::real_list);
  std::vector<double> list;
  std::string_view rest = text;
  for (;;) {  // canonical text written by resolve: always parses
    const auto comma = rest.find(',');
    list.push_back(*parse_real(rest.substr(0, comma)));
    if (comma == std::string_view::npos) return list;
    rest.remove_prefix(comma + 1);
  }
}

// ---------------------------------------------------------------- registry
namespace {

std::vector<std::unique_ptr<Lab>>& registry() {
  static std::vector<std::unique_ptr<Lab>> labs;  // built by static initializers
  return labs;
}

// Sheet references compare number by number, so "9.1.6" < "9.1.10" < "9.2.1".
bool sheet_less(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      const auto na = std::stoull(std::string(a.substr(i, ei - i)));
      const auto nb = std::stoull(std::string(b.substr(j, ej - j)));
      if (na != nb) return na < nb;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

std::vector<const Lab*> all_labs() {
  std::vector<const Lab*> labs;
  for (const auto& lab : registry()) labs.push_back(lab.get());
  std::sort(labs.begin(), labs.end(), [](const Lab* a, const Lab* b) {
    const auto sa = a->sheet(), sb = b->sheet();
    if (sheet_less(sa, sb)) return true;
    if (sheet_less(sb, sa)) return false;
    return a->id() < b->id();
  });
  return labs;
}

const Lab* find_lab(std::string_view id) {
  for (const auto& lab : registry())
    if (lab->id() == id) return lab.get();
  return nullptr;
}

const data::Split<float>& shared_fashion_mnist(const std::filesystem::path& dir) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<const data::Split<float>>> loaded;
  const std::string key = std::filesystem::weakly_canonical(dir).string();
  const std::lock_guard lock(mutex);
  auto& split = loaded[key];
  if (!split) split = std::make_unique<const data::Split<float>>(data::load_idx_split<float>(dir, "fashion-mnist"));
  return *split;
}

std::string_view active_mutant(const Lab& lab, const Context& context) {
  if (context.mutant.empty()) return {};
  std::vector<std::string> names;
  for (const Mutant& m : lab.mutants()) {
    if (m.name == context.mutant) return context.mutant;
    names.push_back(m.name);
  }
  throw Error(fmt::format("lab '{}' has no mutant '{}'; declared: {}", lab.id(), context.mutant,
                          fmt::join(names, ", ")));
}

bool runs_part(const Lab& lab, const Context& context, std::string_view part) {
  const std::string_view mutant = active_mutant(lab, context);
  if (mutant.empty()) return true;
  for (const Mutant& m : lab.mutants())
    if (m.name == mutant)
      return m.parts.empty() || std::find(m.parts.begin(), m.parts.end(), part) != m.parts.end();
  return true;
}

std::string skipped_part(const Lab& lab, const Context& context) {
  const std::string_view mutant = active_mutant(lab, context);
  for (const Mutant& m : lab.mutants())
    if (m.name == mutant && !m.parts.empty()) {
      std::vector<std::string> parts;
      for (const std::string& part : m.parts) parts.push_back("(" + part + ")");
      const std::string last = parts.back();
      parts.pop_back();
      return fmt::format("Not run: mutant {} replaces the theory of {}{}{} only.", mutant, fmt::join(parts, ", "),
                         parts.empty() ? "" : " and ", last);
    }
  throw Error(fmt::format("skipped_part: lab '{}' runs every part under mutant '{}'", lab.id(), mutant));
}

void register_lab(std::unique_ptr<Lab> lab) {
  require(lab != nullptr, "register_lab: null lab");
  require(find_lab(lab->id()) == nullptr, "lab id '{}' is registered twice", lab->id());
  registry().push_back(std::move(lab));
}

}  // namespace nnlab::labs
