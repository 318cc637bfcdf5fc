// gnuplot driver: one script per figure (style, then datablocks $d0, $d1, …, then plot),
// run as `gnuplot script 2>errors`; the SVG is read back and the temporary files removed.
#include "nnlab/report/plot.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "nnlab/core/error.hpp"
#include "nnlab/core/file.hpp"
#include "nnlab/report/markup.hpp"

namespace nnlab::report {
namespace {

// "label (log scale)" for a log axis, once even if the lab wrote it.
std::string axis_label(const std::string& label, bool log) {
  return log && label.find("log scale") == std::string::npos ? label + " (log scale)" : label;
}

// A gnuplot double-quoted string; newlines become spaces.
std::string gp_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + '"';
}

// A single-quoted shell word.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "NaN"; }

// Colour-blind-safe palette (Okabe–Ito), one line type per series.
constexpr std::array<const char*, 8> palette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                "#E69F00", "#56B4E9", "#000000", "#F0E442"};

// The field as a datablock (x y z, one scan line per y, blank lines between: the layout of
// gnuplot's `with image` and of splot's grids), its colour map and, through `set table`, its
// contour lines as a second datablock. Returns the plot elements to draw first.
std::vector<std::string> field_script(std::ostringstream& s, const experiment::Figure& figure) {
  const experiment::Field& f = *figure.field;
  const std::size_t nx = f.x.size(), ny = f.y.size();
  require(nx >= 2 && ny >= 2 && f.z.size() == nx * ny,
          "figure '{}': a field needs a grid of at least 2 × 2 and x.size()·y.size() values, got {} × {} and {}",
          figure.id, nx, ny, f.z.size());
  require(!figure.log_x && !figure.log_y, "figure '{}': a field is drawn on linear x and y axes", figure.id);
  s << "$field << EOD\n";
  for (std::size_t j = 0; j < ny; ++j) {
    for (std::size_t i = 0; i < nx; ++i) s << num(f.x[i]) << ' ' << num(f.y[j]) << ' ' << num(f.z[i + nx * j]) << '\n';
    s << '\n';
  }
  // `with image` needs every grid point: NaN must be read as an undefined value (drawn blank), not
  // skipped as a missing line, which would break the grid.
  s << "EOD\nunset datafile missing\n";
  // Half a cell beyond the outer grid points, so the edge cells are drawn whole.
  const double hx = (f.x.back() - f.x.front()) / double(nx - 1) / 2, hy = (f.y.back() - f.y.front()) / double(ny - 1) / 2;
  s << fmt::format("set xrange [{:.17g}:{:.17g}]\nset yrange [{:.17g}:{:.17g}]\n", f.x.front() - hx,
                   f.x.back() + hx, f.y.front() - hy, f.y.back() + hy)
    << "set cblabel " << gp_string(f.z_label) << "\nset colorbox\nunset grid\n";
  if (f.palette == "gray") {
    s << "set palette gray\nset size ratio -1\n";
  } else if (f.palette == "categories") {
    s << "set palette maxcolors " << palette.size() << "\nset palette defined (";
    for (std::size_t k = 0; k < palette.size(); ++k) s << (k ? ", " : "") << k << " '" << palette[k] << "'";
    s << fmt::format(")\nset cbrange [-0.5:{}.5]\nset cbtics 1\n", palette.size() - 1);
  } else {
    require(f.palette == "viridis", "figure '{}': unknown palette '{}' (viridis, gray, categories)", figure.id,
            f.palette);
    s << "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n";
  }
  if (f.log_z) s << "set logscale cb\nset format cb '10^{%L}'\n";
  std::vector<std::string> plots = {"$field using 1:2:3 with image notitle"};
  if (!f.contours.empty()) {
    s << "set contour base\nunset surface\nset view map\nset cntrparam levels discrete ";
    for (std::size_t k = 0; k < f.contours.size(); ++k) s << (k ? "," : "") << num(f.contours[k]);
    s << "\nset table $contours\nsplot $field using 1:2:3 with lines\nunset table\nunset contour\n";
    plots.push_back("$contours using 1:2 with lines lc rgb '#ffffff' lw 0.8 notitle");
  }
  return plots;
}

}  // namespace

bool gnuplot_available() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest = path;
  for (;;) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
      return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

std::string gnuplot_script(const experiment::Figure& figure, const std::filesystem::path& output) {
  std::ostringstream s;
  s << "set terminal svg size 760,470 dynamic enhanced font 'Helvetica,13' linewidth 1.2 "
       "background rgb 'white'\n"
    << "set encoding utf8\n"
    << "set output " << gp_string(output.string()) << "\n"
    << "set title " << gp_string(markup_to_text(figure.title)) << " font ',15'\n"
    << "set xlabel " << gp_string(axis_label(figure.x_label, figure.log_x)) << "\n"
    << "set ylabel " << gp_string(axis_label(figure.y_label, figure.log_y)) << "\n"
    << "set border 3 lc rgb '#555555'\nset tics nomirror out scale 0.6\n"
    << "set grid xtics ytics lc rgb '#e5e5e5' lw 1 dt 1\n"
    << "set key below horizontal samplen 2.5 spacing 1.2\n"
    << "set datafile missing 'NaN'\n";
  // Log axes: powers of ten as labels only when the data span two decades or more (gnuplot
  // then puts its major tics on decades; within a decade a label "10^{%L}" would be wrong).
  const auto range = [&](bool x_axis) {
    double lo = INFINITY, hi = 0;
    for (const auto& line : figure.lines)
      for (double v : x_axis ? line.x : line.y)
        if (v > 0 && std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    return std::pair{lo, hi};
  };
  const auto decades = [&](bool x_axis) {
    const auto [lo, hi] = range(x_axis);
    return hi > 0 ? std::log10(hi / lo) : 0.0;
  };
  // A log x axis spans the data, not the enclosing decades, so no plot is mostly empty; its two
  // ends are labelled, so the reader sees where the data start and stop (e.g. m = 1 … 50).
  if (figure.log_x) {
    s << "set logscale x\nset autoscale xfix\nset offsets graph 0.02, graph 0.02, 0, 0\n"
      << (decades(true) >= 2 ? "set format x '10^{%L}'\n" : "");
    if (const auto [lo, hi] = range(true); hi > lo)
      s << fmt::format("set xtics add ('{:.3g}' {:.17g}, '{:.3g}' {:.17g})\n", lo, lo, hi, hi);
  }
  if (figure.log_y) s << "set logscale y\n" << (decades(false) >= 2 ? "set format y '10^{%L}'\n" : "");
  if (figure.y_range) s << fmt::format("set yrange [{:.17g}:{:.17g}]\n", figure.y_range->first, figure.y_range->second);
  for (std::size_t k = 0; k < palette.size(); ++k)
    s << fmt::format("set linetype {} lc rgb '{}' lw 2 pt 7 ps 0.7\n", k + 1, palette[k]);

  // Error bars shorter than 1% of the y axis hide under the points: they are not drawn, so the
  // legend shows no bar that the plot does not (the CSV keeps them).
  const auto [y_lo, y_hi] = [&] {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& line : figure.lines)
      for (double v : line.y)
        if (std::isfinite(v) && (!figure.log_y || v > 0)) lo = std::min(lo, v), hi = std::max(hi, v);
    return std::pair{lo, hi};
  }();
  const auto bars_visible = [&](const experiment::Line& line) {
    if (!(y_hi > y_lo)) return true;
    const double span = figure.log_y ? std::log10(y_hi / y_lo) : y_hi - y_lo;
    for (std::size_t i = 0; i < line.err.size() && i < line.y.size(); ++i) {
      const double y = line.y[i], e = line.err[i];
      if (!std::isfinite(y) || !std::isfinite(e)) continue;
      const double length = figure.log_y ? (y - e > 0 ? std::log10((y + e) / (y - e)) : INFINITY) : 2 * e;
      if (length >= 0.01 * span) return true;
    }
    return false;
  };

  std::vector<std::string> plots;
  if (figure.field) plots = field_script(s, figure);
  for (std::size_t k = 0; k < figure.lines.size(); ++k) {
    const auto& line = figure.lines[k];
    if (line.y.empty()) continue;
    const bool has_err = !line.err.empty() && bars_visible(line);
    s << fmt::format("$d{} << EOD\n", k);
    for (std::size_t i = 0; i < line.y.size(); ++i) {
      const double x = i < line.x.size() ? line.x[i] : double(i);
      s << num(x) << ' ' << num(line.y[i]);
      if (has_err) s << ' ' << num(line.err[i]);
      s << '\n';
    }
    s << "EOD\n";
    std::string with;
    if (has_err)
      with = line.style == "points" ? "yerrorbars" : "yerrorlines";
    else
      with = line.style == "points" ? "points" : line.style == "linespoints" ? "linespoints"
                                                                             : "lines";
    plots.push_back(fmt::format("$d{} using 1:2{} with {} lt {} title {}", k,
                                has_err ? ":3" : "", with, k % palette.size() + 1,
                                gp_string(line.name)));
  }
  require(!plots.empty(), "figure '{}' has no data to plot", figure.id);
  s << "plot ";
  for (std::size_t k = 0; k < plots.size(); ++k) s << (k ? ", \\\n     " : "") << plots[k];
  s << "\nunset output\n";
  return s.str();
}

std::optional<std::string> render_svg(const experiment::Figure& figure) {
  if (!gnuplot_available()) return std::nullopt;
  static std::atomic<unsigned> counter{0};
  const auto stem = std::filesystem::temp_directory_path() /
                    fmt::format("nnlab-plot-{}-{}", ::getpid(), counter++);
  const auto script = stem.string() + ".gp", svg = stem.string() + ".svg",
             errors = stem.string() + ".err";
  const auto cleanup = [&] {
    std::error_code ec;
    for (const auto& p : {script, svg, errors}) std::filesystem::remove(p, ec);
  };
  try {
    write_file_atomic(script, gnuplot_script(figure, svg));
    const std::string command = fmt::format("gnuplot {} </dev/null >/dev/null 2>{}",
                                            sh_quote(script), sh_quote(errors));
    const int status = std::system(command.c_str());
    if (status != 0 || !std::filesystem::exists(svg)) {
      std::string message = std::filesystem::exists(errors) ? read_file(errors) : "";
      // gnuplot echoes the offending script line first; its last line is the reason.
      while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
        message.pop_back();
      if (const auto nl = message.rfind('\n'); nl != std::string::npos) message.erase(0, nl + 1);
      fail("gnuplot could not draw figure '{}' (exit status {}): {}", figure.id,
           WIFEXITED(status) ? WEXITSTATUS(status) : status, message);
    }
    std::string out = read_file(svg);
    cleanup();
    return out;
  } catch (...) {
    cleanup();
    throw;
  }
}

bool write_figure_svg(const experiment::Figure& figure, const std::filesystem::path& path) {
  const auto svg = render_svg(figure);
  if (!svg) return false;
  write_file_atomic(path, *svg);
  return true;
}

}  // namespace nnlab::report
