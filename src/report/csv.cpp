// Figures as long-format CSV (RFC 4180 quoting for line names).
#include "nnlab/report/csv.hpp"

#include <fmt/format.h>

#include <cmath>

#include "nnlab/core/file.hpp"

namespace nnlab::report {
namespace {

// Shortest text that reads back to the same double.
std::string num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string figure_csv(const experiment::Figure& figure) {
  std::string out = "line,x,y,err\n";
  for (const auto& line : figure.lines) {
    const std::string name = csv_field(line.name);
    for (std::size_t i = 0; i < line.y.size(); ++i) {
      const double x = i < line.x.size() ? line.x[i] : double(i);
      const std::string err = i < line.err.size() ? num(line.err[i]) : "";
      out += fmt::format("{},{},{},{}\n", name, num(x), num(line.y[i]), err);
    }
  }
  return out;
}

std::string field_csv(const experiment::Field& field) {
  std::string out = "x,y,z\n";
  for (std::size_t j = 0; j < field.y.size(); ++j)
    for (std::size_t i = 0; i < field.x.size(); ++i) {
      const std::size_t k = i + field.x.size() * j;
      out += fmt::format("{},{},{}\n", num(field.x[i]), num(field.y[j]), k < field.z.size() ? num(field.z[k]) : "");
    }
  return out;
}

void write_figure_csv(const experiment::Figure& figure, const std::filesystem::path& path) {
  write_file_atomic(path, figure_csv(figure));
}

}  // namespace nnlab::report
