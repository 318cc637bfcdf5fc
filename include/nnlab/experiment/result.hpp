// What an experiment shows: tables, figures (series for plots), claims and a short answer.
// These sit below labs, so the trainer, the analysis code and the labs can all emit them, and
// the report renders them (report/result_json.hpp writes them as JSON, CSV and SVG).
#pragma once
#include <limits>
#include <string>
#include <variant>
#include <vector>

namespace nnlab::experiment {

using Cell = std::variant<double, std::string>;

struct Table {
  std::string id;       // file-name safe, unique within the lab
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string caption;  // how to read it; may be empty
};

struct Line {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> err;  // optional: ± error bar (same length as y) or empty
  std::string style = "lines";  // "lines", "points", "linespoints"
};

struct Figure {
  std::string id;  // file-name safe, unique within the lab: results/<lab>/<id>.csv and .svg
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<Line> lines;
  std::string caption;
};

// "measured value lies in [lo, hi]". For a confidence-interval check the measured value is
// the theory's number and [lo, hi] the Monte Carlo interval; `detail` says which in words,
// e.g. "ratio 1.37 ± 0.04 ≥ 1".
struct Claim {
  std::string statement;  // the theory, e.g. "bagged OLS variance ≥ OLS variance"
  double value = 0;
  double lo = 0, hi = 0;
  std::string detail;
  bool pass = false;
  // How far the check is from passing, in units of its allowed deviation: 1 + (distance past the
  // pass threshold)/(k·SE) for an SE check (|z|/k for within_se), error/tolerance for an exact
  // tolerance; ≤ 1 passes. A failing claim with severity ≥ 2 lies another k SE past its
  // threshold, so a seed would pass it only by a k-SE fluctuation. NaN when the check has no scale.
  double severity = std::numeric_limits<double>::quiet_NaN();

  static Claim check(std::string statement, double value, double lo, double hi,
                     std::string detail);
};

struct Result {
  std::string answer;  // the short answer to the sheet's question, a few sentences
  std::vector<Table> tables;
  std::vector<Figure> figures;
  std::vector<Claim> claims;
  bool all_pass() const;
};

}  // namespace nnlab::experiment
