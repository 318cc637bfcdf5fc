// Numeric CSV files: each file row is one sample. read_csv keeps the file's shape
// (values: rows × columns); load_csv turns it into a Dataset with samples as columns,
// X: features × N and Y: targets × N (one-hot K × N for classification). Files may be
// gzip-compressed. Fields are plain numbers (optionally in double quotes; quoted fields with
// embedded delimiters are not supported). Blank lines are ignored. Errors name the file and
// the line: ragged rows, non-numbers, NaN/Inf, empty files.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "nnlab/data/dataset.hpp"

namespace nnlab::data {

struct CsvOptions {
  char delimiter = 0;           // 0 = auto: ',' if the first row has one, else ';', else tab,
                                // else runs of whitespace; ' ' = whitespace explicitly
  int header = -1;              // -1 auto (first row has a non-number), 0 no, 1 yes
  int target_column = -1;       // 0-based; -1 the last column; -2 none (Y has 0 rows)
  bool classification = false;  // targets must be integers 0..K-1 → labels and one-hot Y
  int skip_rows = 0;            // physical lines dropped before anything else (a preamble
                                // such as sklearn's "569,30,malignant,benign")
};

struct CsvTable {
  Mat<double> values;               // rows × columns, in file order
  std::vector<std::string> header;  // column names, empty if the file has no header
  std::vector<std::size_t> lines;   // 1-based file line of each row, for error messages
};

CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

// The rows of the file as matrix rows.
Mat<double> read_csv_matrix(const std::filesystem::path& path, const CsvOptions& options = {});

// Features and the target column of one file; the data set is named after the file's stem.
template <class Scalar>
Dataset<Scalar> load_csv(const std::filesystem::path& path, const CsvOptions& options = {});

// Features from one file (all its columns) and targets from another (all its columns; one
// column for classification), row by row, as scikit-learn ships diabetes.
template <class Scalar>
Dataset<Scalar> load_csv(const std::filesystem::path& features_path,
                         const std::filesystem::path& targets_path,
                         const CsvOptions& options = {});

}  // namespace nnlab::data
