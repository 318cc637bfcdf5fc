// CSV parsing: split lines, pick the delimiter and header from the first row, parse every
// field with std::from_chars (locale-independent, exact round trip), then build X = Fᵀ.
#include "nnlab/data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "nnlab/core/error.hpp"
#include "nnlab/data/gzip.hpp"

namespace nnlab::data {

namespace {

constexpr char whitespace = ' ';  // delimiter value meaning "runs of spaces and tabs"
constexpr int max_classes = 1 << 16;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string_view> split(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  if (delimiter == whitespace) {
    std::size_t i = 0;
    while (i < line.size()) {
      i = line.find_first_not_of(" \t\r", i);
      if (i == std::string_view::npos) break;
      const auto end = std::min(line.find_first_of(" \t\r", i), line.size());
      fields.push_back(line.substr(i, end - i));
      i = end;
    }
    return fields;
  }
  for (;;) {
    const auto end = line.find(delimiter);
    std::string_view field = trim(line.substr(0, end));
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
      field = field.substr(1, field.size() - 2);
    fields.push_back(field);
    if (end == std::string_view::npos) break;
    line.remove_prefix(end + 1);
  }
  return fields;
}

// A field as it can be shown in a message: control bytes as \xNN (a NUL would end the message).
std::string printable(std::string_view field) {
  std::string out;
  for (const char c : field)
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? fmt::format("\\x{:02x}", static_cast<unsigned char>(c))
                                                               : std::string(1, c);
  return out;
}

enum class Parse { ok, not_a_number, not_finite, out_of_range };

Parse parse_number(std::string_view field, double& value) {
  if (field.size() > 1 && field.front() == '+' && field[1] != '-') field.remove_prefix(1);
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (ec == std::errc::result_out_of_range) return Parse::out_of_range;
  if (ec != std::errc() || ptr != end || field.empty()) return Parse::not_a_number;
  return std::isfinite(value) ? Parse::ok : Parse::not_finite;
}

char detect_delimiter(std::string_view line) {
  for (char c : {',', ';', '\t'})
    if (line.find(c) != std::string_view::npos) return c;
  return whitespace;
}

void check_options(const CsvOptions& o) {
  require(o.header >= -1 && o.header <= 1, "CSV option header = {}: use -1 (auto), 0 or 1",
          o.header);
  require(o.target_column >= -2,
          "CSV option target_column = {}: use a 0-based column, -1 (last) or -2 (none)",
          o.target_column);
  require(o.skip_rows >= 0, "CSV option skip_rows = {} is negative", o.skip_rows);
  require(o.delimiter == 0 || std::string_view("0123456789.+-eE\"\n\r").find(o.delimiter) ==
                                  std::string_view::npos,
          "CSV option delimiter '{}' cannot separate numbers", o.delimiter);
}

// One-hot Y (K × N) from class labels.
template <class Scalar>
Mat<Scalar> one_hot(const std::vector<int>& labels, int num_classes) {
  Mat<Scalar> Y = Mat<Scalar>::Zero(num_classes, Index(labels.size()));
  for (std::size_t j = 0; j < labels.size(); ++j) Y(labels[j], Index(j)) = Scalar(1);
  return Y;
}

// Class labels from a target column: integers 0..K-1; errors give the file line.
std::vector<int> class_labels(const CsvTable& table, Index column,
                              const std::filesystem::path& path, int& num_classes) {
  std::vector<int> labels(std::size_t(table.values.rows()));
  int max_label = -1;
  for (Index i = 0; i < table.values.rows(); ++i) {
    const double t = table.values(i, column);
    require(t >= 0 && t < max_classes && t == std::floor(t),
            "'{}': line {}: target {} is not a class index (an integer in 0..{})", path.string(),
            table.lines[std::size_t(i)], t, max_classes - 1);
    labels[std::size_t(i)] = int(t);
    max_label = std::max(max_label, int(t));
  }
  num_classes = max_label + 1;
  return labels;
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  check_options(options);
  const std::string name = path.string();
  std::string content = read_maybe_gzip(path);
  // Excel and Notepad start UTF-8 files with a byte-order mark; left in, it makes the first row
  // of a headerless file look like a header, and that row is silently lost.
  if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);

  CsvTable table;
  std::vector<double> values;  // row-major
  std::size_t columns = 0, first_row_line = 0, line_number = 0;
  char delimiter = options.delimiter;
  bool first_row = true;
  for (std::size_t begin = 0; begin < content.size();) {
    const auto end = std::min(content.find('\n', begin), content.size());
    const std::string_view line(content.data() + begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (line_number <= std::size_t(options.skip_rows) || trim(line).empty()) continue;
    if (delimiter == 0) delimiter = detect_delimiter(line);
    const auto fields = split(line, delimiter);

    if (first_row) {
      first_row = false;
      first_row_line = line_number;
      columns = fields.size();
      double value;
      const bool numeric = std::all_of(fields.begin(), fields.end(), [&](std::string_view f) {
        return parse_number(f, value) != Parse::not_a_number;
      });
      if (options.header == 1 || (options.header == -1 && !numeric)) {
        for (auto f : fields) table.header.emplace_back(f);
        continue;
      }
    }
    if (fields.size() != columns) {
      if (!table.header.empty() && table.lines.empty())
        fail("'{}': line {} has {} fields but the header (line {}) has {}; if line {} is not a "
             "header, drop it with skip_rows",
             name, line_number, fields.size(), first_row_line, columns, first_row_line);
      fail("'{}': line {} has {} fields, expected {} (as line {})", name, line_number,
           fields.size(), columns, first_row_line);
    }
    for (std::size_t k = 0; k < fields.size(); ++k) {
      double value = 0;
      switch (parse_number(fields[k], value)) {
        case Parse::ok: break;
        case Parse::not_a_number:
          fail("'{}': line {}, field {}: '{}' is not a number", name, line_number, k + 1,
               printable(fields[k]));
        case Parse::not_finite:
          fail("'{}': line {}, field {}: '{}' is not finite (NaN/Inf are not allowed)", name,
               line_number, k + 1, printable(fields[k]));
        case Parse::out_of_range:
          fail("'{}': line {}, field {}: '{}' is out of the range of double", name,
               line_number, k + 1, printable(fields[k]));
      }
      values.push_back(value);
    }
    table.lines.push_back(line_number);
  }
  if (table.lines.empty()) {
    require(!content.empty() && !first_row, "'{}': empty file{}", name,
            options.skip_rows > 0 && !content.empty()
                ? fmt::format(" after skipping {} rows", options.skip_rows)
                : "");
    fail("'{}': no data rows after the header (line {})", name, first_row_line);
  }
  table.values = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                                                Eigen::RowMajor>>(
      values.data(), Index(table.lines.size()), Index(columns));
  return table;
}

Mat<double> read_csv_matrix(const std::filesystem::path& path, const CsvOptions& options) {
  return read_csv(path, options).values;
}

template <class Scalar>
Dataset<Scalar> load_csv(const std::filesystem::path& path, const CsvOptions& options) {
  const CsvTable table = read_csv(path, options);
  const Index columns = table.values.cols();
  Dataset<Scalar> data;
  data.name = path.stem().string();
  if (options.target_column == -2) {
    data.X = table.values.transpose().cast<Scalar>();
    data.Y.resize(0, table.values.rows());
    return data;
  }
  const Index t = options.target_column == -1 ? columns - 1 : options.target_column;
  require(t < columns, "'{}': target_column {} does not exist: the file has {} columns",
          path.string(), t, columns);
  require(columns >= 2, "'{}': only 1 column; no features besides the target column",
          path.string());
  data.X.resize(columns - 1, table.values.rows());
  data.X.topRows(t) = table.values.leftCols(t).transpose().cast<Scalar>();
  data.X.bottomRows(columns - 1 - t) = table.values.rightCols(columns - 1 - t).transpose().cast<Scalar>();
  if (options.classification) {
    data.labels = class_labels(table, t, path, data.num_classes);
    data.Y = one_hot<Scalar>(data.labels, data.num_classes);
  } else {
    data.Y = table.values.col(t).transpose().cast<Scalar>();
  }
  return data;
}

template <class Scalar>
Dataset<Scalar> load_csv(const std::filesystem::path& features_path,
                         const std::filesystem::path& targets_path, const CsvOptions& options) {
  const CsvTable features = read_csv(features_path, options);
  const CsvTable targets = read_csv(targets_path, options);
  require(features.values.rows() == targets.values.rows(),
          "'{}' has {} rows but '{}' has {}: features and targets must pair row by row",
          features_path.string(), features.values.rows(), targets_path.string(),
          targets.values.rows());
  Dataset<Scalar> data;
  data.name = features_path.stem().string();
  data.X = features.values.transpose().cast<Scalar>();
  if (options.classification) {
    require(targets.values.cols() == 1,
            "'{}': {} columns; classification targets must be a single column of class indices",
            targets_path.string(), targets.values.cols());
    data.labels = class_labels(targets, 0, targets_path, data.num_classes);
    data.Y = one_hot<Scalar>(data.labels, data.num_classes);
  } else {
    data.Y = targets.values.transpose().cast<Scalar>();
  }
  return data;
}

template Dataset<float> load_csv<float>(const std::filesystem::path&, const CsvOptions&);
template Dataset<double> load_csv<double>(const std::filesystem::path&, const CsvOptions&);
template Dataset<float> load_csv<float>(const std::filesystem::path&,
                                        const std::filesystem::path&, const CsvOptions&);
template Dataset<double> load_csv<double>(const std::filesystem::path&,
                                          const std::filesystem::path&, const CsvOptions&);

}  // namespace nnlab::data
