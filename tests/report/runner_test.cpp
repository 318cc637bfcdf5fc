// The lab runner's checks around a lab: a path parameter (labs::ParamType::path) whose default
// does not exist is a warning of the record, shown by `nnlab run` and in the report, naming what
// was skipped; one set away from its default that does not exist never reaches the lab
// (Params::resolve refuses it).
#include "nnlab/report/runner.hpp"

#include <gtest/gtest.h>

#include "data/temp_dir.hpp"
#include "nnlab/core/error.hpp"

namespace nnlab::report {
namespace {

// A lab with one path parameter that counts its runs.
class PathLab : public labs::Lab {
 public:
  std::string id() const override { return "path-lab"; }
  std::string sheet() const override { return "0"; }
  std::string question() const override { return "does the runner check paths?"; }
  std::vector<labs::ParamSpec> params() const override {
    return {labs::path_spec("data_dir", "a folder", "/nonexistent/default")};
  }
  experiment::Result run(const labs::Params&, const labs::Context&) const override {
    ++runs;
    return {};
  }
  mutable int runs = 0;
};

TEST(Runner, PathParametersMustExistUnlessTheyAreTheDefault) {
  data::testing::TempDir out;
  const PathLab lab;
  const auto defaults = labs::Params::resolve(lab.params(), false, {}, lab.id());
  const RunRecord record = run_lab(lab, defaults, 1, 1, false, out.path());
  EXPECT_EQ(lab.runs, 1);
  ASSERT_EQ(record.warnings.size(), 1u);
  EXPECT_NE(record.warnings[0].find("data_dir = '/nonexistent/default' does not exist (the default), so "
                                    "the part of path-lab that reads it was skipped"),
            std::string::npos)
      << record.warnings[0];

  EXPECT_ERROR_CONTAINS(labs::Params::resolve(lab.params(), false, {{"data_dir", "/nonexistent/typo"}}, lab.id()),
                        "parameter 'data_dir' for lab 'path-lab': '/nonexistent/typo' does not exist");
  EXPECT_EQ(lab.runs, 1);

  const auto existing = labs::Params::resolve(lab.params(), false, {{"data_dir", out.path().string()}}, lab.id());
  EXPECT_TRUE(run_lab(lab, existing, 1, 1, false, out.path()).warnings.empty());
  EXPECT_EQ(lab.runs, 2);
}

}  // namespace
}  // namespace nnlab::report
