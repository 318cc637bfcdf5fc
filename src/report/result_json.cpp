// Result and RunRecord <-> JSON. Non-finite doubles travel as "nan", "inf", "-inf".
#include "nnlab/report/result_json.hpp"

#include <cmath>
#include <ctime>
#include <limits>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"

namespace nnlab::report {
namespace {

Json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double number_from(const Json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  fail("expected a number, got {}", j.dump());
}

Json numbers(const std::vector<double>& v) {
  Json out = Json::array();
  for (double x : v) out.push_back(number(x));
  return out;
}

std::vector<double> numbers_from(const Json& j) {
  require(j.is_array(), "expected an array of numbers, got {}", j.dump().substr(0, 40));
  std::vector<double> out;
  out.reserve(j.size());
  for (const auto& x : j) out.push_back(number_from(x));
  return out;
}

// A table cell: a finite number, a string, or {"real": "nan"} for a non-finite number (so
// that it cannot be mistaken for the text "nan").
Json cell(const experiment::Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  const double v = std::get<double>(c);
  if (std::isfinite(v)) return v;
  return Json{{"real", number(v)}};
}

experiment::Cell cell_from(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) return number_from(j.at("real"));
  return number_from(j);
}

const Json& field(const Json& j, const char* key) {
  require(j.is_object(), "expected an object holding '{}'", key);
  const auto it = j.find(key);
  require(it != j.end(), "missing field '{}'", key);
  return *it;
}

template <class T>
T get(const Json& j, const char* key) {
  const Json& f = field(j, key);
  try {
    return f.get<T>();
  } catch (const nlohmann::json::exception&) {
    fail("field '{}' has the wrong type: {}", key, f.dump().substr(0, 40));
  }
}

// Results written before the flag existed have no "wall_clock": false.
bool wall_clock(const Json& j) { return j.contains("wall_clock") ? get<bool>(j, "wall_clock") : false; }

}  // namespace

Json to_json(const experiment::Result& result) {
  Json tables = Json::array();
  for (const auto& t : result.tables) {
    Json rows = Json::array();
    for (const auto& row : t.rows) {
      Json r = Json::array();
      for (const auto& c : row) r.push_back(cell(c));
      rows.push_back(std::move(r));
    }
    tables.push_back(Json{{"id", t.id}, {"title", t.title}, {"columns", t.columns},
                          {"rows", std::move(rows)}, {"caption", t.caption}, {"part", t.part},
                          {"data", t.data}, {"wall_clock", t.wall_clock}});
  }
  Json figures = Json::array();
  for (const auto& f : result.figures) {
    Json lines = Json::array();
    for (const auto& l : f.lines)
      lines.push_back(Json{{"name", l.name}, {"style", l.style}, {"x", numbers(l.x)},
                           {"y", numbers(l.y)}, {"err", numbers(l.err)}});
    Json figure{{"id", f.id}, {"title", f.title}, {"x_label", f.x_label},
                {"y_label", f.y_label}, {"log_x", f.log_x}, {"log_y", f.log_y},
                {"caption", f.caption}, {"part", f.part},
                {"lines", std::move(lines)}, {"wall_clock", f.wall_clock}};
    if (f.y_range) figure["y_range"] = numbers(std::vector<double>{f.y_range->first, f.y_range->second});
    if (f.field)
      figure["field"] = Json{{"x", numbers(f.field->x)}, {"y", numbers(f.field->y)}, {"z", numbers(f.field->z)},
                             {"z_label", f.field->z_label}, {"log_z", f.field->log_z},
                             {"contours", numbers(f.field->contours)}, {"palette", f.field->palette}};
    figures.push_back(std::move(figure));
  }
  Json claims = Json::array();
  for (const auto& c : result.claims)
    claims.push_back(Json{{"statement", c.statement}, {"part", c.part},
                          {"quantity", c.quantity}, {"measured", c.measured}, {"test", c.test},
                          {"value", number(c.value)}, {"lo", number(c.lo)}, {"hi", number(c.hi)},
                          {"pass", c.pass}, {"severity", number(c.severity)},
                          {"wall_clock", c.wall_clock}});
  Json parts = Json::array();
  for (const auto& p : result.parts)
    parts.push_back(Json{{"id", p.id}, {"question", p.question}, {"answer", p.answer},
                         {"derivation", p.derivation}});
  Json notation = Json::array();
  for (const auto& n : result.notation)
    notation.push_back(Json{{"symbol", n.symbol}, {"meaning", n.meaning}, {"sheet", n.sheet}});
  return Json{{"answer", result.answer},         {"parts", std::move(parts)},
              {"notation", std::move(notation)}, {"tables", std::move(tables)},
              {"figures", std::move(figures)},   {"claims", std::move(claims)}};
}

experiment::Result result_from_json(const Json& j) {
  experiment::Result result;
  result.answer = get<std::string>(j, "answer");
  for (const auto& p : field(j, "parts"))
    result.parts.push_back({get<std::string>(p, "id"), get<std::string>(p, "question"),
                            get<std::string>(p, "answer"), get<std::string>(p, "derivation")});
  for (const auto& n : field(j, "notation"))
    result.notation.push_back({get<std::string>(n, "symbol"), get<std::string>(n, "meaning"),
                               get<std::string>(n, "sheet")});
  for (const auto& t : field(j, "tables")) {
    experiment::Table table{get<std::string>(t, "id"),      get<std::string>(t, "title"),
                            get<std::vector<std::string>>(t, "columns"), {},
                            get<std::string>(t, "caption"), get<std::string>(t, "part"),
                            get<bool>(t, "data"), wall_clock(t)};
    for (const auto& r : field(t, "rows")) {
      require(r.is_array() && r.size() == table.columns.size(),
              "table '{}': a row has {} cells for {} columns", table.id, r.size(),
              table.columns.size());
      auto& row = table.rows.emplace_back();
      for (const auto& c : r) row.push_back(cell_from(c));
    }
    result.tables.push_back(std::move(table));
  }
  for (const auto& f : field(j, "figures")) {
    experiment::Figure figure{get<std::string>(f, "id"),      get<std::string>(f, "title"),
                        get<std::string>(f, "x_label"), get<std::string>(f, "y_label"),
                        get<bool>(f, "log_x"),          get<bool>(f, "log_y"),
                        {},                             get<std::string>(f, "caption"),
                        get<std::string>(f, "part"), {}, wall_clock(f)};
    for (const auto& l : field(f, "lines")) {
      experiment::Line line{get<std::string>(l, "name"), numbers_from(field(l, "x")),
                      numbers_from(field(l, "y")), numbers_from(field(l, "err")),
                      get<std::string>(l, "style")};
      require(line.x.size() == line.y.size() && (line.err.empty() || line.err.size() == line.y.size()),
              "figure '{}', line '{}': x, y, err lengths {}, {}, {} differ", figure.id, line.name,
              line.x.size(), line.y.size(), line.err.size());
      figure.lines.push_back(std::move(line));
    }
    if (f.contains("y_range")) {
      const std::vector<double> r = numbers_from(field(f, "y_range"));
      require(r.size() == 2 && r[0] < r[1], "figure '{}': y_range must be [lo, hi] with lo < hi", figure.id);
      figure.y_range = std::pair{r[0], r[1]};
    }
    if (f.contains("field")) {
      const Json& g = f.at("field");
      experiment::Field fld{numbers_from(field(g, "x")), numbers_from(field(g, "y")), numbers_from(field(g, "z")),
                            get<std::string>(g, "z_label"), get<bool>(g, "log_z"),
                            numbers_from(field(g, "contours")), get<std::string>(g, "palette")};
      require(fld.z.size() == fld.x.size() * fld.y.size(), "figure '{}': field of {} × {} points has {} values",
              figure.id, fld.x.size(), fld.y.size(), fld.z.size());
      figure.field = std::move(fld);
    }
    result.figures.push_back(std::move(figure));
  }
  for (const auto& c : field(j, "claims"))
    result.claims.push_back(experiment::Claim{
        .statement = get<std::string>(c, "statement"),
        .quantity = get<std::string>(c, "quantity"),
        .measured = get<std::string>(c, "measured"),
        .test = get<std::string>(c, "test"),
        .value = number_from(field(c, "value")),
        .lo = number_from(field(c, "lo")),
        .hi = number_from(field(c, "hi")),
        .pass = get<bool>(c, "pass"),
        .severity = number_from(field(c, "severity")),
        .part = get<std::string>(c, "part"),
        .wall_clock = wall_clock(c)});
  return result;
}

Json to_json(const RunRecord& r) {
  Json params = Json::object();
  for (const auto& [name, value] : r.params) params[name] = value;
  Json j{{"format", result_format},
         {"lab", r.lab},
         {"sheet", r.sheet},
         {"question", r.question},
         {"nnlab_version", r.nnlab_version},
         {"seed", r.seed},
         {"quick", r.quick},
         {"params", std::move(params)},
         {"started", r.started},
         {"finished", r.finished},
         {"seconds", number(r.seconds)}};
  Json result = to_json(r.result);
  for (auto& item : result.items()) j[item.key()] = std::move(item.value());
  j["warnings"] = r.warnings;
  j["error"] = r.error;
  return j;
}

RunRecord record_from_json(const Json& j) {
  RunRecord r;
  const Json* format = j.is_object() && j.contains("format") ? &j.at("format") : nullptr;
  require(format && format->is_number_integer() && format->get<int>() == result_format,
          "written in result format {}, this nnlab reads format {}; run it again without --resume",
          format ? format->dump() : "1", result_format);
  r.lab = get<std::string>(j, "lab");
  r.sheet = get<std::string>(j, "sheet");
  r.question = get<std::string>(j, "question");
  r.nnlab_version = get<std::string>(j, "nnlab_version");
  r.seed = get<std::uint64_t>(j, "seed");
  r.quick = get<bool>(j, "quick");
  const Json& params = field(j, "params");
  require(params.is_object(), "field 'params' must be an object");
  for (const auto& item : params.items()) {
    require(item.value().is_string(), "parameter '{}' must be a string, got {}", item.key(),
            item.value().dump());
    r.params.emplace_back(item.key(), item.value().get<std::string>());
  }
  r.started = get<std::string>(j, "started");
  r.finished = get<std::string>(j, "finished");
  r.seconds = number_from(field(j, "seconds"));
  r.result = result_from_json(j);
  r.warnings = get<std::vector<std::string>>(j, "warnings");
  r.error = get<std::string>(j, "error");
  return r;
}

void write_record(const RunRecord& record, const std::filesystem::path& path) {
  write_file_atomic(path, to_json(record).dump(2) + "\n");
}

RunRecord read_record(const std::filesystem::path& path, std::string_view expected_lab) {
  const std::string text = read_file(path);
  RunRecord record;
  try {
    record = record_from_json(Json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep the position.
    std::string what = e.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
    fail("'{}' is not a valid nnlab result: {}", path.string(), what);
  } catch (const Error& e) {
    fail("'{}' is not a valid nnlab result: {}", path.string(), e.what());
  }
  require(expected_lab.empty() || record.lab == expected_lab,
          "'{}' holds the results of lab '{}', expected '{}'", path.string(), record.lab,
          expected_lab);
  return record;
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace nnlab::report
