// nnlab.labs: every registered lab, without code of its own here (the registry is iterated).
// run() resolves keyword arguments with Params::resolve, as `nnlab run --set` does, so errors
// carry the CLI's messages, and returns the Result with tables and figures as numpy arrays.
#include <fmt/format.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <optional>

#include "bind.hpp"
#include "nnlab/labs/lab.hpp"
#include "nnlab/report/html.hpp"
#include "nnlab/report/markup.hpp"
#include "nnlab/report/runner.hpp"

namespace nnlab::python {
namespace {

struct PyTable {
  std::string id, title, caption, part;
  bool data = false, wall_clock = false;
  py::dict columns;  // name -> float array (numbers) or list (text or mixed)
};

struct PyLine {
  std::string name, style;
  py::array_t<double> x, y, err;
};

struct PyField {
  py::array_t<double> x, y, z;  // z[j, i] at (x[i], y[j]), as matplotlib's contour(x, y, z) reads it
  std::string z_label, palette;
  bool log_z = false;
  py::array_t<double> contours;
};

struct PyFigure {
  std::string id, title, x_label, y_label, caption, part;
  bool log_x = false, log_y = false, wall_clock = false;
  std::vector<PyLine> lines;
  std::optional<PyField> field;
};

// The runner's record as it is (the one place that says what a run was), with its tables and
// figures converted once to numpy.
struct LabResult {
  report::RunRecord record;
  py::dict tables, figures;  // id -> PyTable, PyFigure
};

// A LabResult property that reads a field of the record, or of the record's result.
template <class T>
auto of_record(T report::RunRecord::*field) {
  return [field](const LabResult& r) -> const T& { return r.record.*field; };
}
template <class T>
auto of_result(T experiment::Result::*field) {
  return [field](const LabResult& r) -> const T& { return r.record.result.*field; };
}

PyTable convert(const experiment::Table& t) {
  PyTable out{t.id, t.title, t.caption, t.part, t.data, t.wall_clock, {}};
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    const bool numeric = std::all_of(t.rows.begin(), t.rows.end(), [&](const auto& row) {
      return std::holds_alternative<double>(row[c]);
    });
    if (numeric) {
      py::array_t<double> values(py::ssize_t(t.rows.size()));
      for (std::size_t r = 0; r < t.rows.size(); ++r)
        values.mutable_at(py::ssize_t(r)) = std::get<double>(t.rows[r][c]);
      out.columns[py::str(t.columns[c])] = values;
    } else {
      py::list values;
      for (const auto& row : t.rows)
        std::visit([&](const auto& v) { values.append(v); }, row[c]);
      out.columns[py::str(t.columns[c])] = values;
    }
  }
  return out;
}

PyFigure convert(const experiment::Figure& f) {
  PyFigure out{f.id, f.title, f.x_label, f.y_label, f.caption, f.part, f.log_x, f.log_y,
               f.wall_clock, {}, std::nullopt};
  for (const auto& l : f.lines)
    out.lines.push_back({l.name, l.style, to_numpy(l.x), to_numpy(l.y), to_numpy(l.err)});
  if (f.field) {
    const auto& g = *f.field;
    py::array_t<double> z({py::ssize_t(g.y.size()), py::ssize_t(g.x.size())});
    std::copy(g.z.begin(), g.z.end(), z.mutable_data());
    out.field = PyField{to_numpy(g.x), to_numpy(g.y), z, g.z_label, g.palette, g.log_z,
                        to_numpy(g.contours)};
  }
  return out;
}

// A keyword argument as `--set name=VALUE` would spell it.
std::string set_value(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::float_>(v)) return py::repr(v).cast<std::string>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v) || py::isinstance<py::array>(v)) {
    std::string s;
    for (const auto& item : py::iter(v)) s += (s.empty() ? "" : ",") + set_value(item);
    return s;
  }
  return py::str(v).cast<std::string>();  // int, pathlib.Path, numpy scalars
}

py::list lab_list() {
  py::list out;
  for (const labs::Lab* lab : labs::all_labs()) {
    py::dict d;
    d["id"] = lab->id();
    d["sheet"] = lab->sheet();
    d["question"] = lab->question();
    out.append(d);
  }
  return out;
}

py::list lab_params(const std::string& id) {
  py::list out;
  for (const auto& p : report::lab_by_id(id).params()) {
    py::dict d;
    d["name"] = p.name;
    d["type"] = std::string(labs::type_name(p.type));
    d["default"] = p.default_value;
    d["quick"] = p.quick_value.empty() ? p.default_value : p.quick_value;
    d["min"] = p.min > -1e300 ? py::object(py::float_(p.min)) : py::object(py::none());
    d["max"] = p.max < 1e300 ? py::object(py::float_(p.max)) : py::object(py::none());
    d["choices"] = p.choices;
    d["help"] = p.help;
    out.append(d);
  }
  return out;
}

LabResult lab_run(const std::string& id, bool quick, std::uint64_t seed, int threads,
                  std::optional<std::filesystem::path> out, py::object progress, py::kwargs kwargs) {
  const labs::Lab& lab = report::lab_by_id(id);
  std::vector<std::pair<std::string, std::string>> sets;
  for (const auto& [name, value] : kwargs) sets.emplace_back(py::str(name), set_value(value));
  const auto params = labs::Params::resolve(lab.params(), quick, sets, lab.id());
  require(threads >= 0, "threads must be >= 0 (0: all cores), got {}", threads);

  // Called by the lab between its sections, on the thread that runs it: Ctrl-C stops the lab there.
  const report::ProgressFn on_progress = [&](double fraction, std::string_view what) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(fraction, std::string(what));
  };
  report::RunRecord record;
  {
    py::gil_scoped_release release;
    record = out ? report::run_lab(lab, params, seed, threads, quick, *out, on_progress)
                 : report::run_lab_unwritten(lab, params, seed, threads, quick, on_progress);
  }
  LabResult r{std::move(record), {}, {}};
  for (const auto& t : r.record.result.tables) r.tables[py::str(t.id)] = convert(t);
  for (const auto& f : r.record.result.figures) r.figures[py::str(f.id)] = convert(f);
  return r;
}

// A claim as one line of HTML, its math as MathML (what a notebook shows, also in exported HTML,
// without MathJax): PASS/FAIL, part, statement, quantity = measured, test.
std::string claim_html(const experiment::Claim& c) {
  return fmt::format(R"(<b style="color:{}">{}</b> ({}) {}: {} = <b>{}</b>; {})",
                     c.pass ? "#1a7f37" : "#cf222e", c.pass ? "PASS" : "FAIL",
                     report::html_escape(c.part), report::markup_to_html(c.statement, true),
                     report::markup_to_html(c.quantity, true), report::html_escape(c.measured),
                     report::html_escape(c.test));
}

}  // namespace

void bind_labs(py::module_ m) {
  using experiment::Claim, experiment::Part, experiment::Symbol;
  py::class_<Part>(m, "Part", "One sub-question of the sheet: its question, answer and derivation.")
      .def_readonly("id", &Part::id)
      .def_readonly("question", &Part::question)
      .def_readonly("answer", &Part::answer)
      .def_readonly("derivation", &Part::derivation)
      .def("__repr__", [](const Part& p) { return fmt::format("<Part ({}) {}>", p.id, p.question); });
  py::class_<Symbol>(m, "Symbol", "A row of the notation box.")
      .def_readonly("symbol", &Symbol::symbol)
      .def_readonly("meaning", &Symbol::meaning)
      .def_readonly("sheet", &Symbol::sheet);
  py::class_<Claim>(m, "Claim",
                    "A statement from theory and its numerical check: passes when lo <= value <= hi.")
      .def_readonly("statement", &Claim::statement)
      .def_readonly("quantity", &Claim::quantity)
      .def_readonly("measured", &Claim::measured)
      .def_readonly("test", &Claim::test)
      .def_readonly("value", &Claim::value)
      .def_readonly("lo", &Claim::lo)
      .def_readonly("hi", &Claim::hi)
      .def_readonly("passed", &Claim::pass, "Whether lo <= value <= hi ('pass' is a Python keyword)")
      .def_readonly("severity", &Claim::severity,
                    "Distance from passing in units of the allowed deviation; <= 1 passes")
      .def_readonly("part", &Claim::part)
      .def_readonly("wall_clock", &Claim::wall_clock)
      .def("__repr__", [](const Claim& c) {
        return fmt::format("<Claim {} ({}) {}: {} = {}>", c.pass ? "PASS" : "FAIL", c.part,
                           c.statement, c.quantity, c.measured);
      })
      .def("_repr_html_", &claim_html);
  py::class_<PyTable>(m, "Table", "A table: columns maps each column's name to a float array "
                                  "(numeric columns) or a list (text).")
      .def_readonly("id", &PyTable::id)
      .def_readonly("title", &PyTable::title)
      .def_readonly("caption", &PyTable::caption)
      .def_readonly("part", &PyTable::part)
      .def_readonly("data", &PyTable::data)
      .def_readonly("wall_clock", &PyTable::wall_clock)
      .def_readonly("columns", &PyTable::columns)
      .def("__repr__", [](const PyTable& t) {
        return fmt::format("<Table {}: {}>", t.id, py::str(t.columns.attr("keys")()).cast<std::string>());
      });
  py::class_<PyLine>(m, "Line", "A plotted series: x, y and the optional error bars err (empty).")
      .def_readonly("name", &PyLine::name)
      .def_readonly("style", &PyLine::style)
      .def_readonly("x", &PyLine::x)
      .def_readonly("y", &PyLine::y)
      .def_readonly("err", &PyLine::err)
      .def("__repr__", [](const PyLine& l) { return fmt::format("<Line {} ({} points)>", l.name, l.x.size()); });
  py::class_<PyField>(m, "Field", "A scalar field on a grid: z[j, i] at (x[i], y[j]), "
                                  "so plt.contourf(f.x, f.y, f.z) draws it.")
      .def_readonly("x", &PyField::x)
      .def_readonly("y", &PyField::y)
      .def_readonly("z", &PyField::z)
      .def_readonly("z_label", &PyField::z_label)
      .def_readonly("palette", &PyField::palette)
      .def_readonly("log_z", &PyField::log_z)
      .def_readonly("contours", &PyField::contours);
  py::class_<PyFigure>(m, "Figure", "A figure's data: its lines and, under them, an optional field.")
      .def_readonly("id", &PyFigure::id)
      .def_readonly("title", &PyFigure::title)
      .def_readonly("x_label", &PyFigure::x_label)
      .def_readonly("y_label", &PyFigure::y_label)
      .def_readonly("log_x", &PyFigure::log_x)
      .def_readonly("log_y", &PyFigure::log_y)
      .def_readonly("caption", &PyFigure::caption)
      .def_readonly("part", &PyFigure::part)
      .def_readonly("wall_clock", &PyFigure::wall_clock)
      .def_readonly("lines", &PyFigure::lines)
      .def_readonly("field", &PyFigure::field)
      .def("__repr__", [](const PyFigure& f) { return fmt::format("<Figure {}: {} lines>", f.id, f.lines.size()); });
  using report::RunRecord, experiment::Result;
  py::class_<LabResult>(m, "LabResult", "What a lab returned: the answer, parts, claims, tables and figures.")
      .def_property_readonly("lab", of_record(&RunRecord::lab))
      .def_property_readonly("sheet", of_record(&RunRecord::sheet))
      .def_property_readonly("question", of_record(&RunRecord::question))
      .def_property_readonly("nnlab_version", of_record(&RunRecord::nnlab_version))
      .def_property_readonly("seed", of_record(&RunRecord::seed))
      .def_property_readonly("quick", of_record(&RunRecord::quick))
      .def_property_readonly("started", of_record(&RunRecord::started), "UTC, e.g. 2025-01-31T12:00:00Z")
      .def_property_readonly("finished", of_record(&RunRecord::finished))
      .def_property_readonly("seconds", of_record(&RunRecord::seconds))
      .def_property_readonly("params", [](const LabResult& r) {
             py::dict out;  // name -> value as typed on the command line
             for (const auto& [name, value] : r.record.params) out[py::str(name)] = value;
             return out;
           })
      .def_property_readonly("answer", of_result(&Result::answer))
      .def_property_readonly("parts", of_result(&Result::parts))
      .def_property_readonly("notation", of_result(&Result::notation))
      .def_property_readonly("claims", of_result(&Result::claims))
      .def_readonly("tables", &LabResult::tables)
      .def_readonly("figures", &LabResult::figures)
      .def_property_readonly("warnings", of_record(&RunRecord::warnings))
      .def_property_readonly("all_pass", [](const LabResult& r) { return r.record.result.all_pass(); })
      .def("__repr__", [](const LabResult& r) {
        const auto& claims = r.record.result.claims;
        const auto passed = std::count_if(claims.begin(), claims.end(), [](const auto& c) { return c.pass; });
        return fmt::format("<LabResult {} ({}): {}/{} claims pass, {:.1f} s>", r.record.lab, r.record.sheet,
                           passed, claims.size(), r.record.seconds);
      })
      .def("_repr_html_", [](const LabResult& r) {  // the question, the answer and the claims
        const auto& result = r.record.result;
        std::string html = fmt::format("<h4>{} {}</h4>\n{}\n<ul>\n", report::html_escape(r.record.sheet),
                                       report::markup_to_html(r.record.question, true),
                                       report::markup_to_html(result.answer));
        for (const auto& c : result.claims) html += "<li>" + claim_html(c) + "</li>\n";
        const auto passed =
            std::count_if(result.claims.begin(), result.claims.end(), [](const auto& c) { return c.pass; });
        return html + fmt::format("</ul>\n<p>{}/{} claims pass; {}, seed {}, {:.1f} s</p>\n", passed,
                                  result.claims.size(), r.record.lab, r.record.seed, r.record.seconds);
      });

  m.def("list", &lab_list, "Every lab as a dict: id, sheet, question (nnlab list).");
  m.def("params", &lab_params, py::arg("id"),
        "A lab's parameters as dicts: name, type, default, quick, min, max, choices, help "
        "(nnlab run ID --params).");
  m.def("run", &lab_run, py::arg("id"), py::kw_only(), py::arg("quick") = false,
        py::arg("seed") = 1, py::arg("threads") = 0, py::arg("out") = py::none(),
        py::arg("progress") = py::none(),
        R"(Runs a lab and returns its LabResult.

Parameters are keyword arguments, checked as `nnlab run ID --set NAME=VALUE` checks them
(bool -> true/false, lists -> comma-separated): run("dropout-linreg", quick=True, p=0.8).
threads=0 uses every core; results do not depend on it. out=DIR also writes DIR/results/ID.json,
CSVs and SVGs as `nnlab run --out DIR` does. progress(fraction, text) is called between the lab's
sections, where Ctrl-C (KeyboardInterrupt) stops the run. Bad input raises ValueError with the
CLI's message.)");
}

}  // namespace nnlab::python
