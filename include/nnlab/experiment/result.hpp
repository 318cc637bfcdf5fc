// What an experiment shows: a short answer, the sheet's sub-questions answered one by one, tables,
// figures (series for plots) and claims.
// These sit below labs, so the trainer, the analysis code and the labs can all emit them, and
// the report renders them (report/result_json.hpp writes them as JSON, CSV and SVG).
#pragma once
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace nnlab::experiment {

using Cell = std::variant<double, std::string>;

// Text fields (answers, derivations, captions, statements, titles) are markup: plain text with
// TeX math between dollars, "$\mathbb{E}[R_{ij}] = p$" (report/markup.hpp renders it).

// One sub-question of the sheet, the unit the report is organized by: the question, its answer
// and the "show that" steps, then the evidence — the claims, figures and tables whose `part` is
// this id.
struct Part {
  std::string id;          // "a", "b", …: unique within the lab; shown as "9.1.6 (a)"
  std::string question;    // the sub-question, quoted or paraphrased from the sheet
  std::string answer;      // the answer, with measured numbers where it states a direction
  std::string derivation;  // the derivation in the sheet's notation; may be empty
};

// A row of the notation box: a symbol as the lab uses it and, where it differs, the sheet's.
struct Symbol {
  std::string symbol;   // TeX, e.g. "N"
  std::string meaning;  // e.g. "number of training samples (rows of $X$)"
  std::string sheet;    // the sheet's symbol when different, e.g. "m"; empty = the same
};

struct Table {
  std::string id;       // file-name safe, unique within the lab
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string caption{};  // what to see first, then how to read it; may be empty
  std::string part{};     // the Part it is evidence for
  bool data = false;    // long evidence the report collapses under "Data"
  bool wall_clock = false;  // holds wall-clock times: they vary with the machine and its load, so
                            // tests that compare runs (thread counts) leave it out
};

struct Line {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> err{};  // optional: ± error bar (same length as y) or empty
  std::string style = "lines";  // "lines", "points", "linespoints"
};

// A scalar field z(x, y) on a grid, drawn under a figure's lines as a colour map with a colour
// bar: a loss landscape, a map of basins of attraction, image tiles.
struct Field {
  std::vector<double> x, y;  // the grid, increasing and evenly spaced
  std::vector<double> z;     // z[i + x.size()·j] at (x[i], y[j]); NaN is left blank
  std::string z_label;       // the colour bar's label
  bool log_z = false;
  std::vector<double> contours{};   // levels drawn as contour lines (none if empty)
  std::string palette = "viridis";  // "viridis", "gray" (images), "categories" (labels 0..7)
};

struct Figure {
  std::string id;  // file-name safe, unique within the lab: results/<lab>/<id>.csv and .svg
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<Line> lines{};
  std::string caption{};  // starts with what to see
  std::string part{};     // the Part it is evidence for
  std::optional<Field> field{};  // drawn first, under the lines (no log x or y axis with it)
  bool wall_clock = false;       // as Table::wall_clock
  // The y axis' extent when it must not follow the data (a rate in [0, 1] whose lines all sit
  // at 1 would otherwise get an axis of 0.99…1.01); unset: fitted to the data.
  std::optional<std::pair<double, double>> y_range{};
};

// A statement from theory and the check of it against measurement: the check passes when
// value ∈ [lo, hi]. The builders in claims.hpp fill every field; `test` says in words what
// value, lo and hi are.
struct Claim {
  std::string statement;  // the theory, e.g. "bagged OLS variance ≥ OLS variance"
  std::string quantity;   // what was measured, e.g. "variance ratio to OLS"
  std::string measured;   // its measured value, e.g. "1.37 ± 0.04" (for a family: the worst member)
  std::string test;       // the check as a sentence: "1.37 + 4 SE = 1.53 must be ≥ 1"
  double value = 0;
  double lo = 0, hi = 0;
  bool pass = false;
  // How far the check is from passing, in units of its allowed deviation: 1 + (distance past the
  // pass threshold)/(k·SE) for an SE check (|z|/k for within_se), error/tolerance for an exact
  // tolerance; ≤ 1 passes. A failing claim with severity ≥ 2 lies another k SE past its
  // threshold, so a seed would pass it only by a k-SE fluctuation. NaN when the check has no scale.
  double severity = std::numeric_limits<double>::quiet_NaN();
  std::string part;  // the Part (sub-question) it checks
  bool wall_clock = false;  // checks a wall-clock measurement (as Table::wall_clock)

  static Claim check(std::string statement, std::string quantity, std::string measured,
                     double value, double lo, double hi, std::string test);
  // "quantity = measured; test", for one-line output.
  std::string detail() const;
};

struct Result {
  std::string answer;  // the short answer to the sheet's question, a few sentences
  std::vector<Part> parts;
  std::vector<Symbol> notation;
  std::vector<Table> tables;
  std::vector<Figure> figures;
  std::vector<Claim> claims;
  bool all_pass() const;

  // Sections of a lab add evidence, then file it under their part:
  //   const auto since = result.mark();  mask_moments(…, result);  result.assign("a", since);
  struct Mark {
    std::size_t claims, figures, tables;
  };
  Mark mark() const { return {claims.size(), figures.size(), tables.size()}; }
  // Sets `part` on every claim, figure and table added since the mark.
  void assign(const std::string& part, Mark since);
};

}  // namespace nnlab::experiment
