// The nnlab executable on bad input: every mistake gets exactly one line on stderr that names
// it and a non-zero exit code; --help works for every command; a claim that FAILs gives exit 3.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include <unistd.h>

#include "nnlab/core/file.hpp"

namespace {

struct Outcome {
  int code = -1;
  std::string out, err;
};

const std::filesystem::path& scratch() {
  static const auto dir = [] {
    // One folder per process: CTest runs the tests of this file as parallel processes.
    auto d = std::filesystem::temp_directory_path() / ("nnlab_cli_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Runs `nnlab args` with stdout and stderr captured (stderr is a file, so plain progress).
Outcome nnlab(const std::string& args) {
  const auto out = scratch() / "stdout", err = scratch() / "stderr";
  const std::string command = std::string(NNLAB_BINARY) + " " + args + " >" + out.string() +
                              " 2>" + err.string() + " </dev/null";
  const int status = std::system(command.c_str());
  Outcome o;
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = nnlab::read_file(out);
  o.err = nnlab::read_file(err);
  return o;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Exactly one line on stderr, starting "nnlab: error: " and containing `what`.
void expect_one_error_line(const Outcome& o, const std::string& what) {
  EXPECT_NE(o.code, 0);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_EQ(o.err.rfind("nnlab: error: ", 0), 0u) << o.err;
  EXPECT_TRUE(contains(o.err, what)) << o.err;
}

TEST(Cli, UnknownLab) {
  const auto o = nnlab("run no-such-lab");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "nnlab: error: unknown lab 'no-such-lab'; see nnlab list\n");
  expect_one_error_line(nnlab("report --only dropout-linreg,nope --out " + scratch().string()),
                        "unknown lab 'nope'");
}

TEST(Cli, UnknownSetNameListsTheValidOnes) {
  const auto o = nnlab("run dropout-linreg --set bogus=1");
  EXPECT_EQ(o.code, 1);
  expect_one_error_line(o, "unknown parameter 'bogus' for lab 'dropout-linreg'; valid: ");
  EXPECT_TRUE(contains(o.err, "p_list")) << o.err;
}

TEST(Cli, IllTypedSetValueSaysWhatIsExpected) {
  expect_one_error_line(nnlab("run dropout-linreg --set n=abc"),
                        "parameter 'n' for lab 'dropout-linreg' expects an integer, got 'abc'");
  expect_one_error_line(nnlab("run dropout-linreg --set p=high"), "expects a finite real number");
  expect_one_error_line(nnlab("run dropout-linreg --set p=2"), "must be in");
  expect_one_error_line(nnlab("run dropout-linreg --set p_list=0.1,x"),
                        "expects a comma-separated list");
  expect_one_error_line(nnlab("run dropout-linreg --set p"), "--set expects name=value, got 'p'");
}

// A path parameter given explicitly must exist: a typo must not quietly skip the part of the
// lab that reads it (and still pass every claim). Nothing is written.
TEST(Cli, ExplicitPathParameterThatDoesNotExist) {
  const auto out = scratch() / "missing_path";
  expect_one_error_line(nnlab("run dropout-linreg --quick --set diabetes_dir=/nonexistent --out " + out.string()),
                        "parameter 'diabetes_dir' for lab 'dropout-linreg': '/nonexistent' does not exist");
  EXPECT_FALSE(std::filesystem::exists(out / "results" / "dropout-linreg.json"));
  // A folder that exists but lacks the files fails too (it skipped the real-data part, 13/13).
  expect_one_error_line(nnlab("run dropout-linreg --quick --set diabetes_dir=/tmp --out " + out.string()),
                        "'/tmp' lacks diabetes_data_raw.csv.gz, diabetes_target.csv.gz");
  EXPECT_FALSE(std::filesystem::exists(out / "results" / "dropout-linreg.json"));
}

TEST(Cli, UnwritableOut) {
  expect_one_error_line(nnlab("run dropout-linreg --quick --out /proc/nnlab"), "/proc/nnlab");
  expect_one_error_line(nnlab("report --quick --out /proc/nnlab"), "/proc/nnlab");
}

TEST(Cli, CommandLineMistakes) {
  expect_one_error_line(nnlab(""), "subcommand is required");
  expect_one_error_line(nnlab("frobnicate"), "unknown command 'frobnicate'");
  expect_one_error_line(nnlab("run"), "LAB is required");
  expect_one_error_line(nnlab("run dropout-linreg --threads -1"), "--threads");
  expect_one_error_line(nnlab("run dropout-linreg --seed abc"), "--seed");
  expect_one_error_line(nnlab("list --bogus"), "--bogus");
}

TEST(Cli, HelpWorksForEveryCommand) {
  for (const char* args : {"--help", "list --help", "run --help", "report --help", "sweep --help"}) {
    const auto o = nnlab(args);
    EXPECT_EQ(o.code, 0) << args;
    EXPECT_TRUE(contains(o.out, "Usage: nnlab")) << args << "\n" << o.out;
    EXPECT_TRUE(o.err.empty()) << args << "\n" << o.err;
  }
  EXPECT_TRUE(contains(nnlab("--help").out, "--params"));     // parameters are discoverable
  EXPECT_TRUE(contains(nnlab("run --help").out, "3 the run completed but a claim FAILed"));
  EXPECT_EQ(nnlab("--version").out, std::string("nnlab ") + NNLAB_VERSION + "\n");
}

TEST(Cli, ListAndParams) {
  const auto list = nnlab("list");
  EXPECT_EQ(list.code, 0);
  EXPECT_TRUE(std::regex_search(list.out, std::regex(R"(dropout-linreg +9\.1\.6 )"))) << list.out;
  const auto params = nnlab("run dropout-linreg --params");
  EXPECT_EQ(params.code, 0);
  EXPECT_TRUE(contains(params.out, "NAME")) << params.out;
  EXPECT_TRUE(contains(params.out, "p_list")) << params.out;
}

TEST(Cli, RunWritesResultsAndAFailedClaimExitsWithThree) {
  const auto out = scratch() / "run";
  auto o = nnlab("run dropout-linreg --quick --threads 2 --out " + out.string());
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_TRUE(contains(o.out, "PASS  ")) << o.out;
  EXPECT_TRUE(std::filesystem::exists(out / "results" / "dropout-linreg.json"));
  // Without noise OLS is exact, so dropout at p = ½ cannot lower its test error: that claim must
  // FAIL.
  o = nnlab("run dropout-linreg --quick --threads 2 --set reg_sigma=0 --set p_grid=0.5 --out " +
            out.string());
  EXPECT_EQ(o.code, 3) << o.out << o.err;
  EXPECT_TRUE(contains(o.out, "FAIL  ")) << o.out;
}

}  // namespace
