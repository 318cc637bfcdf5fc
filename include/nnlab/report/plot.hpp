// Figures drawn by gnuplot as SVG (svg terminal, enhanced text, log axes, error bars where a
// line has `err`; a Field as a colour map with a colour bar and contour lines, under the lines).
// The data travel inside the script as datablocks, so no data files are left behind. When
// gnuplot is not on PATH there is simply no plot: the report shows a note and the CSV next to it
// instead.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "nnlab/experiment/result.hpp"

namespace nnlab::report {

// True if an executable `gnuplot` is found on PATH.
bool gnuplot_available();

// The gnuplot script that draws `figure` into the SVG file `output`.
std::string gnuplot_script(const experiment::Figure& figure, const std::filesystem::path& output);

// The SVG text, or nullopt when gnuplot is missing. Throws Error naming the figure with
// gnuplot's message if gnuplot fails (e.g. a log axis with no positive data).
std::optional<std::string> render_svg(const experiment::Figure& figure);

// Writes render_svg's result atomically to `path`; false (and nothing written) without gnuplot.
bool write_figure_svg(const experiment::Figure& figure, const std::filesystem::path& path);

}  // namespace nnlab::report
