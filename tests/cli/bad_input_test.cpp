// docs/bad-input.md as a test: every row of its table (a command line, its exit code and a part
// of its one-line error) is run from a folder holding the files the page describes; each must
// exit with that code, print exactly one line on stderr ("nnlab: error: …" containing the
// message) and leave every file of the folder as it was (none created, changed or removed).
// Every subcommand that `nnlab --help` lists has at least one row.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <complex>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nnlab/core/file.hpp"
#include "nnlab/core/rng.hpp"
#include "nnlab/data/npy.hpp"
#include "nnlab/nn/checkpoint.hpp"

namespace nnlab::cli {
namespace {

namespace fs = std::filesystem;

struct Row {
  std::string command;  // without the leading "nnlab"
  int exit = 0;
  std::string message;
};

// The rows of the table whose first column is a command, `nnlab …`. A '|' inside a cell is
// written '\|' (Markdown tables).
std::vector<Row> table_rows(const fs::path& page) {
  std::vector<Row> rows;
  std::istringstream lines(read_file(page));
  const std::regex row(R"(^\| `nnlab((?:[^`])*)` \| (\d+) \| `(.*)` \|\s*$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    const auto unescape = [](std::string s) {
      for (std::size_t i; (i = s.find("\\|")) != std::string::npos;) s.erase(i, 1);
      return s;
    };
    rows.push_back({unescape(m[1]), std::stoi(m[2]), unescape(m[3])});
  }
  return rows;
}

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("nnlab_bad_input_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // points.csv: 300 rows, 3 features, label 1 iff x1 + x2 > 0.
    Rng rng = make_rng(5, stream::data);
    std::ostringstream csv;
    csv << "x1,x2,x3,y\n";
    for (int i = 0; i < 300; ++i) {
      const double x1 = normal(rng), x2 = normal(rng), x3 = normal(rng);
      csv << x1 << ',' << x2 << ',' << x3 << ',' << (x1 + x2 > 0 ? 1 : 0) << '\n';
    }
    write_file_atomic(dir_ / "points.csv", csv.str());
    ASSERT_EQ(run("train --data points.csv --arch 3-8-2 --epochs 1 --threads 1 --out m").first, 0);
    ASSERT_EQ(run("train --data points.csv --arch 3-30000-2 --epochs 0 --threads 1 --out wide").first, 0);
    nn::TensorFile file = nn::read_safetensors(dir_ / "m/model.safetensors");
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(file.tensors.at("W2").bytes.data() + 4, &nan, 4);
    nn::write_safetensors(dir_ / "nan.safetensors", file);

    // NPY files: X (20 × 3, <f8), labels y (<i8), and the faulty variants.
    Mat<double> X(20, 3);
    for (Index i = 0; i < 20; ++i) X.row(i) << normal(rng), normal(rng), normal(rng);
    data::save_npy(dir_ / "X.npy", X);
    X(4, 2) = std::numeric_limits<double>::quiet_NaN();
    data::save_npy(dir_ / "X_nan.npy", X);
    data::save_npy(dir_ / "X_flat.npy", Vec<double>(Vec<double>::Zero(20)));
    Vec<double> half(20);
    for (Index i = 0; i < 20; ++i) half[i] = 0.5 * double(i % 3);
    data::save_npy(dir_ / "y_half.npy", half);
    std::vector<std::int64_t> labels(20);
    for (std::size_t i = 0; i < 20; ++i) labels[i] = std::int64_t(i % 2);
    write_file_atomic(dir_ / "y.npy", npy("<i8", 20, labels.data(), 8 * 20));
    write_file_atomic(dir_ / "y19.npy", npy("<i8", 19, labels.data(), 8 * 19));
    const std::vector<std::complex<double>> complex(20);
    write_file_atomic(dir_ / "y_complex.npy", npy("<c16", 20, complex.data(), 16 * 20));
    write_file_atomic(dir_ / "X.npz", "PK\x03\x04");
    fs::copy_file(fs::path(NNLAB_TEST_DATA) / "files" / "xy.npz", dir_ / "xy.npz");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // A 1-D NPY file of n entries of dtype descr.
  static std::string npy(const std::string& descr, int n, const void* data, std::size_t bytes) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
    header.append(63 - (10 + header.size()) % 64, ' ');
    header += '\n';
    std::string s = "\x93NUMPY\x01";
    s += '\0';
    s += char(header.size() & 0xff);
    s += char(header.size() >> 8);
    return s + header + std::string(static_cast<const char*>(data), bytes);
  }

  // Runs nnlab with args from the fixture folder: (exit code, stderr).
  static std::pair<int, std::string> run(const std::string& args) {
    const fs::path err = fs::temp_directory_path() / ("nnlab_bad_input_err_" + std::to_string(::getpid()));
    const std::string command = "cd " + dir_.string() + " && " + NNLAB_BINARY + " " + args +
                                " >/dev/null 2>" + err.string() + " </dev/null";
    const int status = std::system(command.c_str());
    std::string text = read_file(err);
    fs::remove(err);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
  }

  // Every entry of the folder (links not followed) with its content or link target.
  static std::map<std::string, std::string> snapshot() {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      const std::string name = fs::relative(entry.path(), dir_).string();
      if (entry.is_symlink()) files[name] = "-> " + fs::read_symlink(entry.path()).string();
      else if (entry.is_regular_file()) files[name] = read_file(entry.path());
      else files[name] = "folder";
    }
    return files;
  }

  static inline fs::path dir_;
};

TEST_F(BadInput, EveryRowOfTheDocumentedTable) {
  const auto rows = table_rows(fs::path(NNLAB_TEST_DATA) / "../../docs/bad-input.md");
  ASSERT_GE(rows.size(), 50u);
  const auto before = snapshot();
  for (const Row& row : rows) {
    SCOPED_TRACE("nnlab" + row.command);
    const auto [code, err] = run(row.command);
    EXPECT_EQ(code, row.exit) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(err.rfind("nnlab: error: ", 0), 0u) << err;
    EXPECT_NE(err.find(row.message), std::string::npos) << "stderr: " << err << "\nexpected: " << row.message;
    EXPECT_TRUE(snapshot() == before) << "the folder changed";
  }
}

// The table covers every command: each subcommand in `nnlab --help` starts a row.
TEST_F(BadInput, EveryCommandHasARow) {
  const auto rows = table_rows(fs::path(NNLAB_TEST_DATA) / "../../docs/bad-input.md");
  std::set<std::string> covered;
  for (const Row& row : rows) {
    std::istringstream words(row.command);
    std::string first;
    words >> first;
    covered.insert(first);
  }
  const fs::path out = fs::temp_directory_path() / ("nnlab_bad_input_help_" + std::to_string(::getpid()));
  ASSERT_EQ(std::system((std::string(NNLAB_BINARY) + " --help >" + out.string()).c_str()), 0);
  std::istringstream help(read_file(out));
  fs::remove(out);
  bool in_list = false;
  int commands = 0;
  for (std::string line; std::getline(help, line);) {
    if (line.starts_with("Subcommands:") || line.starts_with("SUBCOMMANDS")) {
      in_list = true;
      continue;
    }
    if (in_list && !line.empty() && line[0] != ' ') in_list = false;
    // "  name   description"; a description's continuation lines are indented further.
    if (!in_list || line.size() < 3 || line[0] != ' ' || line[1] != ' ' || line[2] == ' ') continue;
    std::istringstream words(line);
    std::string name;
    words >> name;
    ++commands;
    EXPECT_TRUE(covered.count(name)) << "no row of docs/bad-input.md runs nnlab " << name;
  }
  EXPECT_GE(commands, 7);
}

}  // namespace
}  // namespace nnlab::cli
