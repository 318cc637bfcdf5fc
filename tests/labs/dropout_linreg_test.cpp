// dropout-linreg: every claim passes on the quick setting, missing data is a note. Its mutants:
// tests/labs/mutants_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "nnlab/core/error.hpp"
#include "nnlab/labs/lab.hpp"
#include "labs/run_lab.hpp"

namespace nnlab::labs {
namespace {

Result run_quick(int threads, const std::vector<std::pair<std::string, std::string>>& sets = {}) {
  return testing::run_quick("dropout-linreg", 7, threads, sets);
}

TEST(DropoutLinreg, AllClaimsPassOnQuickSetting) {
  const Result r = run_quick(2);
  EXPECT_GE(r.claims.size(), 10u);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement << ": " << c.detail();
  EXPECT_FALSE(r.answer.empty());
  for (const char* id : {"expected-loss-vs-p", "sgd-convergence", "coefficient-path",
                         "test-error-synthetic"}) {
    bool found = false;
    for (const Figure& f : r.figures) found |= f.id == id;
    EXPECT_TRUE(found) << id;
  }
}

// Only the default folder can be missing (python3-sklearn not installed): the real-data part is
// a note, every claim still passes. A folder given explicitly that lacks the files is an error.
TEST(DropoutLinreg, MissingDiabetesDataIsANoteNotACrash) {
  const Lab* lab = find_lab("dropout-linreg");
  ASSERT_NE(lab, nullptr);
  auto specs = lab->params();
  for (auto& s : specs)
    if (s.name == "diabetes_dir") s.default_value = "/nonexistent/sklearn/data";
  const Params params = Params::resolve(specs, true, {});
  EXPECT_FALSE(params.available("diabetes_dir"));
  ThreadPool pool(2);
  experiment::PoolExecutor executor(pool);
  const Context context{.seed = 7, .lab = "dropout-linreg", .executor = &executor, .out_dir = {},
                        .quick = true, .mutant = {}, .progress = {}};
  const Result r = lab->run(params, context);
  ASSERT_EQ(r.parts.back().id, "e");
  EXPECT_NE(r.parts.back().answer.find("absent"), std::string::npos) << r.parts.back().answer;
  bool row = false;
  for (const Table& t : r.tables)
    for (const auto& cells : t.rows)
      row |= std::holds_alternative<std::string>(cells[1]) &&
             std::get<std::string>(cells[1]) == "not available";
  EXPECT_TRUE(row);
  for (const Claim& c : r.claims) EXPECT_TRUE(c.pass) << c.statement;
  try {
    Params::resolve(lab->params(), true, {{"diabetes_dir", "/tmp"}}, "dropout-linreg");
    ADD_FAILURE() << "a folder without the diabetes files was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 'diabetes_dir' for lab 'dropout-linreg': '/tmp' lacks "
                                         "diabetes_data_raw.csv.gz, diabetes_target.csv.gz"),
              std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nnlab::labs
