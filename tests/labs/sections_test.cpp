// Every registered lab's result meets the study-aid standards of report/lint.hpp on its quick
// setting: sections per sheet sub-question, claims that name part, quantity and test, figures
// and tables filed under a part, markup that parses, no direction without its number.
#include <gtest/gtest.h>

#include "labs/run_lab.hpp"
#include "nnlab/report/lint.hpp"

namespace nnlab::labs {
namespace {

class Sections : public ::testing::TestWithParam<std::string> {};

TEST_P(Sections, MeetTheReportStandards) {
  const Result r = testing::run_quick(GetParam(), 1, 2);
  for (const auto& problem : report::lint(r)) ADD_FAILURE() << GetParam() << ": " << problem;
  EXPECT_GE(r.parts.size(), 2u) << "a lab answers the sheet sub-question by sub-question";
}

std::vector<std::string> lab_ids() {
  std::vector<std::string> ids;
  for (const Lab* lab : testing::product_labs()) ids.push_back(lab->id());
  return ids;
}

INSTANTIATE_TEST_SUITE_P(EveryLab, Sections, ::testing::ValuesIn(lab_ids()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace nnlab::labs
