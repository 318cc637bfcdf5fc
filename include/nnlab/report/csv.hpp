// One CSV per figure in long format, results/<lab>/<figure>.csv:
//   line,x,y,err      (err empty when the line has no error bars; NaN written as "nan")
// so that any plotting tool can redraw a figure with a group-by on `line`; a figure's Field goes
// to <figure>.field.csv.
#pragma once
#include <filesystem>
#include <string>

#include "nnlab/experiment/result.hpp"

namespace nnlab::report {

// One CSV field: as is, or in double quotes (inner quotes doubled, RFC 4180) when it holds a
// comma, a quote or a line break.
std::string csv_field(const std::string& s);

std::string figure_csv(const experiment::Figure& figure);
// A figure's Field as results/<lab>/<figure>.field.csv: x,y,z, one row per grid point.
std::string field_csv(const experiment::Field& field);
// Writes figure_csv atomically; throws Error naming the file.
void write_figure_csv(const experiment::Figure& figure, const std::filesystem::path& path);

}  // namespace nnlab::report
